import { MetricUnit } from '@aws-lambda-powertools/metrics';
import * as z from 'zod';
import { policyConfig } from '../shared/config/policies.js';
import { customerOf } from '../shared/domain/customer-key.js';
import { FollowUpNotFound, reasonOf } from '../shared/domain/errors.js';
import { COMPLAINT_RAISED } from '../shared/domain/event-names.js';
import { type AttemptSummary, contactResults, type FollowUpStatus } from '../shared/domain/follow-up.js';
import { mergingOn } from '../shared/domain/merge.js';
import { channelSchema } from '../shared/domain/policy-schema.js';
import { assessAnswers } from '../shared/domain/survey.js';
import { countAndAnnounce, noteFinished, outcomeOfFinish } from '../shared/finished-follow-ups.js';
import type { AggregateStore } from '../shared/ports/aggregate-store.js';
import type { EventPublisher } from '../shared/ports/event-publisher.js';
import type { FinalOutcome, FollowUpStore } from '../shared/ports/follow-up-store.js';
import { metrics } from '../shared/powertools.js';

export const recordInputSchema = z.union([
  // Plan failed after its retries (the workflow's Catch adds `failure`): whatever else the state holds, the follow-up failed.
  z.object({ followUpId: z.string().min(1), failure: z.object({ Error: z.string().optional(), Cause: z.string().optional() }) }),
  z.object({
    followUpId: z.string().min(1),
    action: z.literal('finish'),
    status: z.string(),
    reason: z.string().optional(),
    error: z.string().optional(),
  }),
  z.object({
    followUpId: z.string().min(1),
    action: z.literal('contact'),
    attempt: z.number().int().min(1),
    channel: channelSchema,
    dueAt: z.string(),
    deadline: z.string(),
    outcome: z.object({ result: z.enum(contactResults), reason: z.string().optional() }),
  }),
]);
export type RecordInput = z.infer<typeof recordInputSchema>;

const statusByResult: Partial<Record<string, FollowUpStatus>> = {
  reached: 'completed',
  refused: 'refused',
  suppressed: 'suppressed',
  skipped: 'skipped',
};

export interface RecordDeps {
  store: FollowUpStore;
  events: EventPublisher;
  aggregates: Pick<AggregateStore, 'add'>;
  now: Date;
}

/** recordOutcome: the follow-up's final record, then the events other parts of the system react to. */
export async function recordOutcome(input: RecordInput, { store, events, aggregates, now }: RecordDeps) {
  const { followUp, attempt } =
    'action' in input && input.action === 'contact'
      ? await store.getWithAttempt(input.followUpId, input.attempt)
      : { followUp: await store.get(input.followUpId), attempt: undefined };
  if (!followUp) throw new FollowUpNotFound(input.followUpId);
  const finishedAt = now.toISOString();
  let outcome: FinalOutcome;
  let last: AttemptSummary | undefined;
  let agentMarkedComplaint = false;

  if ('failure' in input) {
    outcome = { status: 'failed', reason: 'step-failed', error: reasonOf(input.failure), finishedAt };
  } else if (input.action === 'finish') {
    outcome = outcomeOfFinish(input, finishedAt);
  } else {
    const status = statusByResult[input.outcome.result];
    if (!status) throw new Error(`result ${input.outcome.result} does not end a follow-up`);
    last = { attempt: input.attempt, channel: input.channel, dueAt: input.dueAt, result: input.outcome.result, endedAt: finishedAt };
    outcome = { status, reason: input.outcome.reason, finishedAt, channel: input.channel };
    if (status === 'completed' || status === 'refused') outcome.onTime = now.getTime() <= new Date(input.deadline).getTime();
    if (status === 'completed') {
      const survey = policyConfig.surveys[policyConfig.policies[followUp.serviceType]?.survey ?? '']!;
      const answers = attempt?.answers ?? {};
      outcome.answers = answers;
      outcome.assessment = survey ? assessAnswers(survey, answers) : { scores: {}, complaint: false, complaintQuestions: [] };
      agentMarkedComplaint = attempt?.agentMarkedComplaint === true;
      if (agentMarkedComplaint) outcome.assessment.complaint = true;
      if (attempt?.agentSeverity) outcome.agentSeverity = attempt.agentSeverity;
      if (attempt?.agentNote) outcome.agentNote = attempt.agentNote;
    }
  }
  await store.finish(followUp.followUpId, outcome, last);
  // Ended: no other contact may carry it any more.
  if (mergingOn(policyConfig)) await store.forgetPending(customerOf(followUp), followUp.followUpId);
  // The daily aggregate the reports read (a replayed step is not counted twice) and "Follow-up Completed".
  const { attempts } = await countAndAnnounce(followUp, outcome, last, { aggregates, events });
  if (outcome.assessment?.complaint) {
    await events.publish(COMPLAINT_RAISED, {
      followUpId: followUp.followUpId,
      source: followUp.source,
      serviceType: followUp.serviceType,
      serviceId: followUp.serviceId,
      customerId: followUp.customer.id,
      departmentId: followUp.departmentId,
      complaintQuestions: outcome.assessment.complaintQuestions,
      raisedByAgent: agentMarkedComplaint,
    });
    metrics.addMetric('ComplaintRaised', MetricUnit.Count, 1);
  }
  // Due and not reached because of an error, not the customer: the alarm on this metric calls an operator.
  if (outcome.status === 'failed') metrics.addMetric('FollowUpFailed', MetricUnit.Count, 1);
  noteFinished(followUp, outcome, attempts);
  return { followUpId: followUp.followUpId, status: outcome.status };
}
