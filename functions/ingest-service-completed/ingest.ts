import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { planFirstContact } from '../shared/attempt-planning.js';
import { careConfig } from '../shared/config/care.js';
import { periodicConfig } from '../shared/config/periodic.js';
import { policyConfig } from '../shared/config/policies.js';
import { reportConfig } from '../shared/config/reports.js';
import { careHours, thankYouDate } from '../shared/domain/care.js';
import { isSystemSource } from '../shared/domain/customer-key.js';
import type { FollowUp } from '../shared/domain/follow-up.js';
import type { FinishedFollowUp } from '../shared/domain/outcome-fact.js';
import { periodicDueMonth, tierOf } from '../shared/domain/periodic.js';
import type { PlanDecision } from '../shared/domain/plan.js';
import type { ServiceCompleted } from '../shared/domain/service-event.js';
import { countAndAnnounce, type FinishedFollowUpDeps, noteFinished, outcomeOfFinish } from '../shared/finished-follow-ups.js';
import type { ThankYouList } from '../shared/ports/care.js';
import type { CustomerIndex } from '../shared/ports/customer-index.js';
import type { FollowUpStore } from '../shared/ports/follow-up-store.js';
import type { RateLimiter } from '../shared/ports/rate-limiter.js';
import type { Workflow } from '../shared/ports/workflow.js';
import { logger, metrics } from '../shared/powertools.js';
import { rejectEvent, warnAboutEvent } from '../shared/rejected-events.js';
import { acceptServiceCompleted } from './intake.js';

export interface IngestResult {
  status: 'rejected' | 'accepted' | 'duplicate';
  field?: string;
  followUpIds: string[];
  /** Fields of an accepted event that were unusable and left out (an email that is not one). */
  droppedFields?: string[];
}

/**
 * A "Service Completed" event becomes its follow-ups exactly once. The business key decides:
 * the conditional create lets one delivery through; a redelivery whose first try died between
 * the create and StartExecution starts the same-named execution, which is harmless.
 */
export interface IngestDeps {
  store: FollowUpStore;
  workflow: Workflow;
  /**
   * Keeps the customer's last service for the dormant search and their last follow-up for the
   * periodic one; without it, nothing is kept.
   */
  index?: Pick<CustomerIndex, 'touch' | 'followedUp'>;
  /** Notes the thank-you of a policy with `thankYou` for the care run; without it, none is sent. */
  thankYous?: Pick<ThankYouList, 'add'>;
  /** Counts and announces a follow-up that ends here without an execution. */
  finished: FinishedFollowUpDeps;
  /** The first contact's second under the channel's rate, reserved when it is planned here. */
  limiter: Pick<RateLimiter, 'reserve'>;
  now: Date;
}

/**
 * A follow-up that needs no contact (left out of the sample, opted out, over the quarterly cap, no
 * channel left) ends at intake, recorded as the Record step records it, and no execution starts.
 * It ends at the moment it was stored, so a redelivery counts it on the same day. Counted and
 * announced before the outcome is written: a redelivery that finds no outcome does both again (the
 * aggregate counts it once; the event may go twice, as from a retried Record step), one that finds
 * it is a duplicate.
 */
async function finishAtIntake(
  followUp: FollowUp,
  decision: Extract<PlanDecision, { action: 'finish' }>,
  store: FollowUpStore,
  finished: FinishedFollowUpDeps,
): Promise<void> {
  const outcome = outcomeOfFinish(decision, followUp.createdAt);
  const { attempts } = await countAndAnnounce(followUp, outcome, undefined, finished);
  await store.finish(followUp.followUpId, outcome, undefined);
  noteFinished(followUp, outcome, attempts);
}

/** The thank-you goes on the service's day (or the next morning), sent by the care run in calling hours. */
async function noteThankYou(
  thankYous: Pick<ThankYouList, 'add'>,
  source: string,
  detail: ServiceCompleted,
  followUpId: string | undefined,
): Promise<void> {
  const { customer, departmentId, completedAt } = detail;
  const zone = customer.timeZone ?? policyConfig.defaults.timeZone;
  const hours = careHours(careConfig.callingHours ?? policyConfig.defaults.callingHours, zone);
  const entry = {
    source,
    customer,
    departmentId,
    lastServiceAt: new Date(completedAt).toISOString(),
    ...(followUpId ? { followUpId } : {}),
  };
  await thankYous.add(thankYouDate(new Date(completedAt), hours), entry);
}

export async function ingest(event: unknown, deps: IngestDeps): Promise<IngestResult> {
  const { store, workflow, index, thankYous, finished, now } = deps;
  const intake = acceptServiceCompleted(event, policyConfig, now);
  const meta = { eventId: intake.eventId, source: intake.source, detailType: intake.detailType };
  if (!intake.ok) {
    await rejectEvent(store, meta, intake.rejection, now);
    return { status: 'rejected', field: intake.rejection.field, followUpIds: [] };
  }
  // Before the follow-ups start: a redelivery after a failure writes the same record again.
  await warnAboutEvent(
    store,
    meta,
    intake.warnings,
    intake.followUps.map((f) => f.followUpId),
    now,
  );
  let duplicates = 0;
  for (const followUp of intake.followUps) {
    const stored = await store.create(followUp);
    const existing = stored.created ? undefined : (stored.existing as FinishedFollowUp & { executionStarted?: boolean });
    if (existing?.executionStarted || existing?.outcome) {
      duplicates += 1;
      continue;
    }
    // The first contact is planned here: the execution starts at its Wait, and one that needs no contact never starts.
    // A redelivery plans the follow-up as first stored (and finishes it at the same moment, so on the same aggregate day).
    const subject = existing ?? followUp;
    const plan = await planFirstContact(subject, { store, limiter: deps.limiter, now });
    if (plan.action === 'finish') {
      await finishAtIntake(subject, plan, store, finished);
      continue;
    }
    await workflow.startFollowUp(followUp.followUpId, plan);
    await store.markStarted(followUp.followUpId);
  }
  const status = duplicates === intake.followUps.length ? 'duplicate' : 'accepted';
  // The service's (first) follow-up: a care email's unsubscribe link opts out its customer.
  const followUpId = intake.followUps[0]?.followUpId;
  // Real services keep the customer active; the system's own follow-up requests do not.
  if (index && status === 'accepted' && !isSystemSource(intake.source)) {
    const { customer, departmentId, completedAt } = intake.detail;
    await index.touch(intake.source, customer, departmentId, new Date(completedAt).toISOString(), followUpId);
  }
  if (thankYous && status === 'accepted' && !isSystemSource(intake.source) && policyConfig.policies[intake.detail.serviceType]?.thankYou) {
    await noteThankYou(thankYous, intake.source, intake.detail, followUpId);
  }
  // Every follow-up, the system's own included (a periodic one too), starts the customer's periodic interval anew.
  if (index && status === 'accepted') {
    const { customer, departmentId, customerSource } = intake.detail;
    const dueMonth = periodicDueMonth(now, tierOf(customer, periodicConfig), periodicConfig, reportConfig.timeZone);
    await index.followedUp(
      { source: customerSource ?? intake.source, customer, departmentId, lastFollowUpAt: now.toISOString() },
      dueMonth,
    );
  }
  logger.info(status === 'duplicate' ? 'duplicate event ignored' : 'follow-ups accepted', {
    eventId: intake.eventId,
    serviceType: intake.detail.serviceType,
    followUpIds: intake.followUps.map((f) => f.followUpId),
  });
  metrics.addMetric(status === 'duplicate' ? 'DuplicateEvent' : 'FollowUpAccepted', MetricUnit.Count, 1);
  return {
    status,
    followUpIds: intake.followUps.map((f) => f.followUpId),
    ...(intake.warnings.length ? { droppedFields: intake.warnings.map((w) => w.field) } : {}),
  };
}
