import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { synthesizeTemplate, type Template } from '../../local/template.js';
import { invocations, LATE_BY_MS } from '../fixtures/slow-handler.js';
import { at, idOf, serviceCompleted } from '../support/follow-up-fixtures.js';
import { Harness } from '../support/local-harness.js';

/**
 * A function's timeout comes from the template (here 1 s for Contact) and counts down in the
 * handler's own time; a handler past it fails as on AWS with Sandbox.Timedout, without the local
 * cloud waiting for it, and the follow-up still ends with a recorded outcome.
 */
let h: Harness;
let contactFunction: string;
beforeAll(async () => {
  const template = structuredClone(synthesizeTemplate()) as Template;
  contactFunction = Object.keys(template.Resources).find(
    (id) => template.Resources[id]!.Metadata?.['followup:entry'] === 'functions/start-contact/handler.ts',
  )!;
  const contact = template.Resources[contactFunction]!;
  contact.Properties = { ...contact.Properties, Timeout: 1 };
  contact.Metadata = { ...contact.Metadata, 'followup:entry': 'tests/fixtures/slow-handler.ts' };
  h = await Harness.start(new Date('2026-11-20T08:00:00Z'), { template });
});
afterAll(async () => {
  await h?.stop();
});

describe('Lambda timeout', () => {
  it('fails a handler running past the template timeout with Sandbox.Timedout, and the follow-up is recorded as failed', {
    timeout: 60_000,
  }, async () => {
    const detail = serviceCompleted(0);
    await h.publish('Service Completed', detail);
    // Due Monday 09:00: every try of the phone and then the email contact times out.
    const started = performance.now();
    await h.runUntil(at(0, 3, '12:00'));
    const elapsedMs = performance.now() - started;

    // Each invocation was given 1 s, counting down, and none was waited for past it.
    expect(invocations.length).toBeGreaterThanOrEqual(2);
    for (const call of invocations) {
      expect(call.remainingAtStartMs).toBeLessThanOrEqual(1000);
      expect(call.remainingAtStartMs).toBeGreaterThan(800);
    }
    // Waiting for the late work would take LATE_BY_MS more per invocation; the last one's is still to come.
    expect(elapsedMs).toBeLessThan(invocations.length * 1000 + LATE_BY_MS);
    expect(invocations.at(-1)!.lateWorkDone).toBe(false);
    expect(h.cloud.invocations[contactFunction]!.count).toBe(invocations.length);

    const stored = await h.followUp(idOf(detail));
    expect(stored?.outcome).toMatchObject({ status: 'failed', error: 'Sandbox.Timedout' });
    expect(h.executionOf(idOf(detail))?.status).toBe('SUCCEEDED');
  });
});
