import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { firstIssue } from '../shared/domain/event-issues.js';
import { customerOptedOutSchema, envelopeSchema } from '../shared/domain/service-event.js';
import type { CustomerIndex } from '../shared/ports/customer-index.js';
import type { FollowUpStore } from '../shared/ports/follow-up-store.js';
import { logger, metrics } from '../shared/powertools.js';
import { eventMetaOf, rejectEvent } from '../shared/rejected-events.js';

/**
 * "Customer Opted Out": from now on no follow-up contacts this customer (checked before every
 * contact). Customer ids belong to the system that issued them, so the opt-out is recorded under
 * the event's own source and silences that source's follow-ups only. An opt-out from a source
 * that never reported a service for the customer (a CRM publishing for the dealer's DMS, say) is
 * still recorded as sent — it takes effect if that source's services arrive later — and counted
 * as `OptOutForUnknownCustomer`, so an operator sees a source mismatch instead of a silent no-op.
 */
export interface OptOutDeps {
  store: FollowUpStore;
  /** Which customers a source reported services for; without it, no check for a source mismatch. */
  index?: Pick<CustomerIndex, 'knows'>;
  now: Date;
}

export async function recordOptOut(event: unknown, { store, index, now }: OptOutDeps) {
  const meta = eventMetaOf(event);
  const envelope = envelopeSchema.safeParse(event);
  if (!envelope.success) {
    const issue = firstIssue(envelope.error, event, '');
    await rejectEvent(store, meta, issue, now);
    return { status: 'rejected' as const, field: issue.field };
  }
  // Unknown fields are ignored, as for every upstream event.
  const parsed = customerOptedOutSchema.safeParse(envelope.data.detail);
  if (!parsed.success) {
    const issue = firstIssue(parsed.error, envelope.data.detail, 'detail');
    await rejectEvent(store, meta, issue, now);
    return { status: 'rejected' as const, field: issue.field };
  }
  const { customerId, until } = parsed.data;
  const customer = { source: envelope.data.source, id: customerId };
  await store.optOut(customer, now.toISOString(), until);
  const eventId = envelope.data.id;
  if (index && !(await index.knows(customer))) {
    logger.warn('opt-out for a customer this source never reported a service for', { eventId, source: customer.source });
    metrics.addMetric('OptOutForUnknownCustomer', MetricUnit.Count, 1);
  }
  logger.info('customer opted out', { eventId, source: customer.source });
  return { status: 'recorded' as const };
}
