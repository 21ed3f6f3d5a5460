import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { clock } from '../shared/clock.js';
import { logger } from '../shared/powertools.js';
import { followUpStore } from '../shared/runtime.js';
import type { FollowUpStore } from '../shared/adapters/follow-up-store.js';
import { customerOptedOutSchema, envelopeSchema, firstIssue } from '../shared/domain/service-event.js';

/** "Customer Opted Out": from now on no follow-up contacts this customer (checked before every contact). */
export async function recordOptOut(event: unknown, store: FollowUpStore, now: Date) {
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
  await store.optOut(customerId, now.toISOString(), until);
  logger.info('customer opted out', { eventId: envelope.success ? envelope.data.id : undefined });
  return { status: 'recorded' as const };
}

export const handler = middy((event: unknown) => recordOptOut(event, followUpStore(), clock.now())).use(injectLambdaContext(logger));
