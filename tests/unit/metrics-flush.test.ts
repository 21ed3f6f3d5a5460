import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { logger, metrics } from '../../functions/shared/powertools.js';

/** Metrics are flushed when a handler recorded some, and an invocation that recorded none says nothing. */
afterEach(() => vi.restoreAllMocks());

describe('metrics flush', () => {
  it('does not warn "No application metrics" after an invocation that recorded none', () => {
    const warn = vi.spyOn(logger, 'warn');
    metrics.publishStoredMetrics();
    expect(warn).not.toHaveBeenCalled();
  });

  it('still publishes what a handler recorded', () => {
    const publish = vi.spyOn(
      Object.getPrototypeOf(Object.getPrototypeOf(metrics)) as { publishStoredMetrics: () => unknown },
      'publishStoredMetrics',
    );
    metrics.addMetric('followUpsStarted', MetricUnit.Count, 1);
    metrics.publishStoredMetrics();
    expect(publish).toHaveBeenCalledTimes(1);
    expect(metrics.hasStoredMetrics()).toBe(false);
  });
});
