import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';

/**
 * Created once per container. Handlers log ids and outcomes only: names, phones, emails and
 * answers never reach a log line.
 */
export const logger = new Logger({ serviceName: 'customer-follow-up' });
/**
 * Flushes only when a handler recorded something. Powertools' logMetrics middleware flushes after
 * every invocation and warns "No application metrics to publish" when there is nothing, with no
 * option to turn that off (powertools-lambda-typescript#2036); here an invocation that counted
 * nothing (an unanswered poll, a step with nothing to report) is normal, so the warning was noise
 * on every call.
 */
class MetricsWhenRecorded extends Metrics {
  override publishStoredMetrics(): this {
    return this.hasStoredMetrics() ? super.publishStoredMetrics() : this;
  }
}

// Metrics' own warnings go through the structured logger, at its level.
export const metrics: Metrics = new MetricsWhenRecorded({ namespace: 'CustomerFollowUp', serviceName: 'customer-follow-up', logger });
