import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { careConfig } from '../shared/config/care.js';
import { periodicConfig } from '../shared/config/periodic.js';
import { policyConfig } from '../shared/config/policies.js';
import { reportConfig } from '../shared/config/reports.js';
import { careHours, thankYouDate } from '../shared/domain/care.js';
import { customerOf, isSystemSource } from '../shared/domain/customer-key.js';
import { type FollowUp, samplingDraw } from '../shared/domain/follow-up.js';
import type { FinishedFollowUp } from '../shared/domain/outcome-fact.js';
import { periodicDueMonth, tierOf } from '../shared/domain/periodic.js';
import { type FinishReason, planFollowUp } from '../shared/domain/plan.js';
import type { ServiceCompleted } from '../shared/domain/service-event.js';
import { countAndAnnounce, type FinishedFollowUpDeps, noteFinished, outcomeOfFinish } from '../shared/finished-follow-ups.js';
import type { ThankYouList } from '../shared/ports/care.js';
import type { CustomerIndex } from '../shared/ports/customer-index.js';
import type { FollowUpStore } from '../shared/ports/follow-up-store.js';
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
  /**
   * Counts and announces a follow-up the sample leaves out, which then ends here without an
   * execution; without it, every follow-up starts one and its Plan step makes the same choice.
   */
  finished?: FinishedFollowUpDeps;
  now: Date;
}

/**
 * A follow-up the sample leaves out ends at intake, recorded as the Record step records it: the draw
 * is stable, so Plan would make the same choice an execution later (3 transitions, 3 invocations).
 * Plan puts the customer's opt-out first, so it is read here too and Plan's own rule decides. It
 * ends at the moment it was stored, so a redelivery counts it on the same day. Counted and announced
 * before the outcome is written: a redelivery that finds no outcome does both again (the aggregate
 * counts it once; the event may go twice, as from a retried Record step), one that finds it is a
 * duplicate. False when the follow-up needs its execution.
 */
async function finishedAtIntake(followUp: FollowUp, store: FollowUpStore, finished: FinishedFollowUpDeps, now: Date): Promise<boolean> {
  const policy = policyConfig.policies[followUp.serviceType];
  if (!policy || samplingDraw(followUp.followUpId) < policy.samplingRate) return false;
  const customer = await store.customerState(customerOf(followUp), now);
  // Sampling and the opt-out come before the quarterly cap, so the cap's count is not needed.
  const decision = planFollowUp(followUp, policyConfig, { now, optedOut: customer.optedOut, contactsThisQuarter: 0 });
  if (decision.action !== 'finish' || !DECIDED_AT_INTAKE.has(decision.reason)) return false;
  const outcome = outcomeOfFinish(decision, followUp.createdAt);
  const { attempts } = await countAndAnnounce(followUp, outcome, undefined, finished);
  await store.finish(followUp.followUpId, outcome, undefined);
  noteFinished(followUp, outcome, attempts);
  return true;
}

/** Plan's answers for a follow-up left out of the sample. */
const DECIDED_AT_INTAKE = new Set<FinishReason>(['not-sampled', 'opted-out']);

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

export async function ingest(event: unknown, { store, workflow, index, thankYous, finished, now }: IngestDeps): Promise<IngestResult> {
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
    // A redelivery finishes the follow-up as first stored: the same moment, so the same aggregate day.
    if (finished && (await finishedAtIntake(existing ?? followUp, store, finished, now))) continue;
    await workflow.startFollowUp(followUp.followUpId);
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
