import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { EventIssue } from './domain/event-issues.js';
import type { EventWarningRecord, FollowUpStore } from './ports/follow-up-store.js';
import { logger, metrics } from './powertools.js';

/** Who sent an event and what it was, as far as its envelope tells. */
export interface EventMeta {
  eventId: string;
  source: string;
  detailType: string;
}

/** The envelope's own fields even when the envelope as a whole is unusable: a rejection still says what it was. */
export function eventMetaOf(raw: unknown): EventMeta {
  const envelope = (raw && typeof raw === 'object' ? raw : {}) as Record<string, unknown>;
  const text = (value: unknown) => (typeof value === 'string' && value !== '' ? value : 'unknown');
  return { eventId: text(envelope.id), source: text(envelope.source), detailType: text(envelope['detail-type']) };
}

/**
 * Records why an event started nothing, for the rejections view, and logs it under the rejecting
 * function. The log and the record carry the field and the reason code, never the event's detail
 * or the message (which may repeat a value that was sent).
 */
export async function rejectEvent(
  store: Pick<FollowUpStore, 'recordRejection'>,
  meta: EventMeta,
  issue: EventIssue,
  now: Date,
): Promise<void> {
  await store.recordRejection({ ...meta, ...issue, receivedAt: now.toISOString() });
  logger.warn('event rejected', { ...meta, field: issue.field, reason: issue.reason });
  metrics.addMetric('EventRejected', MetricUnit.Count, 1);
}

/** Records the fields an accepted event lost (an unusable email or phone), for the same view. */
export async function warnAboutEvent(
  store: Pick<FollowUpStore, 'recordEventWarnings'>,
  meta: EventMeta,
  warnings: EventIssue[],
  followUpIds: string[],
  now: Date,
): Promise<void> {
  if (warnings.length === 0) return;
  const record: EventWarningRecord = {
    ...meta,
    receivedAt: now.toISOString(),
    warnings: warnings.map(({ field, reason, params, message }) => ({ field, reason, ...(params ? { params } : {}), message })),
    followUpIds,
  };
  await store.recordEventWarnings(record);
  logger.warn('event accepted without unusable fields', {
    ...meta,
    fields: warnings.map((w) => w.field),
    reasons: warnings.map((w) => w.reason),
  });
  metrics.addMetric('EventFieldDropped', MetricUnit.Count, warnings.length);
}
