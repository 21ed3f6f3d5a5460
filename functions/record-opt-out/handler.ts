import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { clock } from '../shared/clock.js';
import { logger, metrics } from '../shared/powertools.js';
import { customerIndex, followUpStore } from '../shared/runtime.js';
import type { FollowUpStore } from '../shared/adapters/follow-up-store.js';
import type { CustomerIndex } from '../shared/adapters/customer-index.js';
import { customerOptedOutSchema, envelopeSchema, firstIssue } from '../shared/domain/service-event.js';

/**
 * "Customer Opted Out": from now on no follow-up contacts this customer (checked before every
 * contact). Customer ids belong to the system that issued them, so the opt-out is recorded under
 * the event's own source and silences that source's follow-ups only. An opt-out from a source
 * that never reported a service for the customer (a CRM publishing for the dealer's DMS, say) is
 * still recorded as sent — it takes effect if that source's services arrive later — and counted
 * as `OptOutForUnknownCustomer`, so an operator sees a source mismatch instead of a silent no-op.
 */
export async function recordOptOut(event: unknown, store: FollowUpStore, now: Date, index?: Pick<CustomerIndex, 'knows'>) {
  const envelope = envelopeSchema.safeParse(event);
  const parsed = envelope.success ? customerOptedOutSchema.safeParse(envelope.data.detail) : envelope;
  if (!parsed.success) {
    const rejection = firstIssue(parsed.error, envelope.success ? 'detail' : '');
    const meta = envelope.success ? envelope.data : { id: 'unknown', source: 'unknown', 'detail-type': 'unknown' };
    await store.recordRejection({ ...rejection, eventId: meta.id, source: meta.source, detailType: meta['detail-type'], receivedAt: now.toISOString() });
    logger.warn('opt-out rejected', { eventId: meta.id, field: rejection.field });
    return { status: 'rejected' as const, field: rejection.field };
  }
  const { customerId, until } = parsed.data as { customerId: string; until?: string };
  const customer = { source: envelope.success ? envelope.data.source : 'unknown', id: customerId };
  await store.optOut(customer, now.toISOString(), until);
  const eventId = envelope.success ? envelope.data.id : undefined;
  if (index && !(await index.knows(customer))) {
    logger.warn('opt-out for a customer this source never reported a service for', { eventId, source: customer.source });
    metrics.addMetric('OptOutForUnknownCustomer', MetricUnit.Count, 1);
  }
  logger.info('customer opted out', { eventId, source: customer.source });
  return { status: 'recorded' as const };
}

export const handler = middy((event: unknown) => recordOptOut(event, followUpStore(), clock.now(), customerIndex()))
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics));
