import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { reportConfig } from './config/reports.js';
import { FOLLOW_UP_COMPLETED } from './domain/event-names.js';
import type { AttemptSummary, FollowUp, FollowUpStatus } from './domain/follow-up.js';
import { countersOf } from './domain/kpi.js';
import { outcomeFactOf } from './domain/outcome-fact.js';
import { localDate } from './domain/schedule.js';
import type { AggregateStore } from './ports/aggregate-store.js';
import type { EventPublisher } from './ports/event-publisher.js';
import type { FinalOutcome } from './ports/follow-up-store.js';
import { logger, metrics } from './powertools.js';

/** Where a finished follow-up is counted and announced. */
export interface FinishedFollowUpDeps {
  aggregates: Pick<AggregateStore, 'add'>;
  events: EventPublisher;
}

/** The outcome of a follow-up ended without a last contact (a Plan decision to finish, or intake's sampling). */
export function outcomeOfFinish(finish: { status: string; reason?: string; error?: string }, finishedAt: string): FinalOutcome {
  return { status: finish.status as FollowUpStatus, reason: finish.reason, finishedAt, ...(finish.error ? { error: finish.error } : {}) };
}

/**
 * What every finished follow-up leaves besides its own record, wherever it ended (the Record step, or
 * intake for one the sample leaves out): its contribution to the day's aggregate the reports read,
 * counted once however often this runs, and "Follow-up Completed". `last`: the attempt that ended
 * it, not yet among `followUp.attempts`.
 */
export async function countAndAnnounce(
  followUp: FollowUp,
  outcome: FinalOutcome,
  last: AttemptSummary | undefined,
  { aggregates, events }: FinishedFollowUpDeps,
): Promise<{ attempts: number }> {
  const fact = outcomeFactOf({ ...followUp, attempts: last ? [...followUp.attempts, last] : followUp.attempts, outcome });
  await aggregates.add(
    localDate(outcome.finishedAt, reportConfig.timeZone),
    followUp.serviceType,
    followUp.departmentId,
    countersOf(fact),
    followUp.followUpId,
  );
  const attempts = followUp.attempts.length + (last ? 1 : 0);
  await events.publish(FOLLOW_UP_COMPLETED, {
    followUpId: followUp.followUpId,
    source: followUp.source,
    serviceId: followUp.serviceId,
    serviceType: followUp.serviceType,
    departmentId: followUp.departmentId,
    status: outcome.status,
    reason: outcome.reason,
    channel: outcome.channel,
    attempts,
    onTime: outcome.onTime,
    complaint: outcome.assessment?.complaint === true,
  });
  return { attempts };
}

/** The metrics and the log line of a finished follow-up, once its record and events are written. */
export function noteFinished(followUp: FollowUp, outcome: FinalOutcome, attempts: number): void {
  metrics.addMetric(`FollowUp_${outcome.status}`, MetricUnit.Count, 1);
  logger.info('follow-up finished', {
    followUpId: followUp.followUpId,
    status: outcome.status,
    reason: outcome.reason,
    ...(outcome.error ? { error: outcome.error } : {}),
    attempts,
  });
}
