import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { z } from 'zod';
import { policyConfig } from '../shared/config/policies.js';
import { clock } from '../shared/clock.js';
import { logger, metrics } from '../shared/powertools.js';
import { followUpStore, rateLimiter } from '../shared/runtime.js';
import type { RateLimiter } from '../shared/adapters/rate-limiter.js';
import { requireEnv } from '../shared/env.js';
import type { FollowUpStore } from '../shared/adapters/follow-up-store.js';
import { awsContactChannels, type ContactChannels } from '../shared/adapters/contact-channels.js';
import { awsWorkflow, type Workflow } from '../shared/adapters/workflow.js';
import { loadSigningKeys } from '../shared/adapters/signing-keys.js';
import { channelSchema } from '../shared/domain/policy-schema.js';
import { resolvePolicy } from '../shared/domain/plan.js';
import { quarterOf } from '../shared/domain/schedule.js';
import { customerOf } from '../shared/domain/customer-key.js';
import { signLink, type SigningKeys } from '../shared/domain/signed-link.js';
import { agentTaskFor, surveyEmailFor } from '../shared/domain/contact-content.js';
import { FollowUpNotFound, PermanentContactError, wasAnsweredWithError } from '../shared/domain/errors.js';

export const contactInputSchema = z.object({
  followUpId: z.string().min(1),
  attempt: z.number().int().min(1),
  channel: channelSchema,
  timeoutSeconds: z.number().int().positive(),
  /** The second the rate limiter already gave this attempt (after a deferral); null otherwise. */
  reservedSlot: z.string().nullish(),
  taskToken: z.string().min(1),
});
export type ContactInput = z.infer<typeof contactInputSchema>;

/** The workflow's "stop the unanswered task" step, run with this function's Connect grant. */
export const stopInputSchema = z.object({
  action: z.literal('stop-task'),
  followUpId: z.string().min(1),
  attempt: z.number().int().min(1),
});
export type StopInput = z.infer<typeof stopInputSchema>;

/**
 * A contact that starts this soon after the second reserved for it uses that reservation: the
 * slot already paid for that second's capacity, and Wait states and cold starts make a step a
 * few seconds late as a rule. Later than this, the step reserves again.
 */
export const RESERVED_SLOT_GRACE_MS = 30_000;

function withinReservedSlot(reservedSlot: string | null | undefined, now: Date): boolean {
  const reserved = reservedSlot ? Date.parse(reservedSlot) : Number.NaN;
  const lateBy = now.getTime() - reserved;
  return Number.isFinite(reserved) && lateBy > -1000 && lateBy < RESERVED_SLOT_GRACE_MS;
}

export interface ContactDeps {
  store: FollowUpStore;
  limiter: Pick<RateLimiter, 'reserve'>;
  channels: ContactChannels;
  workflow: Workflow;
  keys: () => Promise<SigningKeys>;
  outcomeBaseUrl: string;
  now: Date;
}

/**
 * startContact: the last look before a customer is disturbed. Opt-out and the quarterly cap are
 * checked again here because days may have passed since planning; a blocked contact answers its
 * own task token so the workflow ends at once.
 */
export async function startContact(input: ContactInput, deps: ContactDeps): Promise<{ started: boolean }> {
  const { store, now } = deps;
  const followUp = await store.get(input.followUpId);
  if (!followUp) throw new FollowUpNotFound(input.followUpId);
  const resolved = resolvePolicy(policyConfig, followUp.serviceType, followUp.customer.timeZone);
  if (!resolved) {
    await deps.workflow.completeTask(input.taskToken, { result: 'skipped', reason: 'unknown-service-type' });
    metrics.addMetric('ContactSkipped', MetricUnit.Count, 1);
    return { started: false };
  }
  const customer = await store.customerState(customerOf(followUp), now);
  if (customer.optedOut) {
    await deps.workflow.completeTask(input.taskToken, { result: 'suppressed', reason: 'opted-out' });
    logger.info('contact suppressed', { followUpId: input.followUpId, attempt: input.attempt, reason: 'opted-out' });
    metrics.addMetric('ContactSuppressed', MetricUnit.Count, 1);
    return { started: false };
  }
  const pausedUntil = customer.pausedUntil;
  if (pausedUntil) {
    await deps.workflow.completeTask(input.taskToken, { result: 'paused', callbackAt: pausedUntil });
    logger.info('contact paused', { followUpId: input.followUpId, attempt: input.attempt, until: pausedUntil });
    metrics.addMetric('ContactPaused', MetricUnit.Count, 1);
    return { started: false };
  }
  if (!resolved.policy.frequencyCapExempt) {
    const quarter = quarterOf(now, resolved.hours.timeZone);
    if (!(await store.reserveContact(customerOf(followUp), quarter, followUp.followUpId, policyConfig.frequencyCap.maxPerQuarter))) {
      await deps.workflow.completeTask(input.taskToken, { result: 'skipped', reason: 'frequency-cap' });
      logger.info('contact skipped', { followUpId: input.followUpId, attempt: input.attempt, reason: 'frequency-cap' });
      metrics.addMetric('ContactSkipped', MetricUnit.Count, 1);
      return { started: false };
    }
  }

  const before = await store.openAttempt({
    followUpId: followUp.followUpId,
    attempt: input.attempt,
    channel: input.channel,
    taskToken: input.taskToken,
    openedAt: now.toISOString(),
  });
  if (before?.contactedAt) {
    // The step ran again (a retry, a restart): the customer already has this attempt's task or email.
    logger.info('contact already made', { followUpId: followUp.followUpId, attempt: input.attempt });
    metrics.addMetric('ContactRepeatAvoided', MetricUnit.Count, 1);
    return { started: true };
  }
  if (before?.sendingAt && input.channel === 'email') return unknownSend(input);
  // Stay under Connect's and SES's request quotas: a contact without a slot this second waits for its slot.
  const thisSecond = new Date(Math.floor(now.getTime() / 1000) * 1000);
  if (!withinReservedSlot(input.reservedSlot, now)) {
    const slot = await deps.limiter.reserve(input.channel, thisSecond, policyConfig.contactRates[input.channel].perSecond);
    if (slot > thisSecond) {
      await deps.workflow.completeTask(input.taskToken, { result: 'deferred', callbackAt: slot.toISOString() });
      logger.info('contact deferred', { followUpId: input.followUpId, attempt: input.attempt, channel: input.channel, slot: slot.toISOString() });
      metrics.addMetric('ContactDeferred', MetricUnit.Count, 1);
      return { started: false };
    }
  }

  const validSeconds = Math.min(input.timeoutSeconds, policyConfig.linkValidityHours * 3600);
  const link = signLink(
    {
      followUpId: followUp.followUpId,
      attempt: input.attempt,
      purpose: input.channel === 'phone' ? 'agent' : 'survey',
      expiresAt: Math.floor(now.getTime() / 1000) + validSeconds,
    },
    await deps.keys(),
  );
  const url = `${deps.outcomeBaseUrl.replace(/\/$/, '')}/links/${link}`;
  const survey = policyConfig.surveys[resolved.policy.survey]!;
  // Claim the send first: a retry after a failure between the send and markContacted must not
  // email again. Connect needs no claim to stay single (ClientToken), but records it the same way.
  const claimedAt = now.toISOString();
  const claimed = await store.claimContact(followUp.followUpId, input.attempt, claimedAt);
  if (!claimed && input.channel === 'email') return unknownSend(input);
  let contactId: string | undefined;
  try {
    if (input.channel === 'phone') {
      contactId = (await deps.channels.startAgentTask(agentTaskFor(followUp, policyConfig, survey, input.attempt, url, process.env.FOLLOW_UP_QUEUE_ARN || undefined))).contactId || undefined;
    } else {
      const unsubscribe = signLink({ followUpId: followUp.followUpId, attempt: input.attempt, purpose: 'unsubscribe', expiresAt: Math.floor(now.getTime() / 1000) + policyConfig.unsubscribeLinkValidityDays * 86_400 }, await deps.keys());
      const unsubscribeUrl = `${deps.outcomeBaseUrl.replace(/\/$/, '')}/links/${unsubscribe}`;
      await deps.channels.sendEmail(surveyEmailFor(followUp, policyConfig, url, Math.round(validSeconds / 3600), unsubscribeUrl));
    }
  } catch (error) {
    // SES answered with an error: the message was not accepted, so a retry may send it. Without an
    // answer (a network failure, a timeout) it may have gone out: the claim stays.
    if (claimed && wasAnsweredWithError(error)) await store.releaseContact(followUp.followUpId, input.attempt, claimedAt);
    const retryAt = new Date(now.getTime() + AGENT_CAPACITY_RETRY_MS);
    if (error instanceof PermanentContactError && error.code === 'ServiceQuotaExceededException' && followUp.deadline && retryAt < new Date(followUp.deadline)) {
      // Connect's active tasks are at their quota: agents free capacity as they complete tasks, so
      // the call waits (same attempt budget) until the deadline, then the next channel takes over.
      await deps.workflow.completeTask(input.taskToken, { result: 'at_capacity', callbackAt: retryAt.toISOString() });
      logger.info('contact waits for agent capacity', { followUpId: followUp.followUpId, attempt: input.attempt, until: retryAt.toISOString() });
      metrics.addMetric('ContactAtCapacity', MetricUnit.Count, 1);
      return { started: false };
    }
    if (error instanceof PermanentContactError) {
      logger.warn('contact failed for good', { followUpId: followUp.followUpId, attempt: input.attempt, channel: error.channel, code: error.code });
      metrics.addMetric('ContactFailed', MetricUnit.Count, 1);
    }
    throw error;
  }
  await store.markContacted(followUp.followUpId, input.attempt, now.toISOString(), contactId);
  logger.info('contact started', { followUpId: followUp.followUpId, attempt: input.attempt, channel: input.channel });
  metrics.addMetric(input.channel === 'phone' ? 'AgentTaskCreated' : 'SurveyEmailSent', MetricUnit.Count, 1);
  return { started: true };
}

/** How long a call waits when Connect's active-task quota is full before it tries again. */
export const AGENT_CAPACITY_RETRY_MS = 15 * 60_000;

/** An earlier try claimed this email and may have sent it: never send twice; the survey answer or the timeout decides. */
function unknownSend(input: ContactInput): { started: boolean } {
  logger.warn('contact may have been made before: not sent again', { followUpId: input.followUpId, attempt: input.attempt, channel: input.channel });
  metrics.addMetric('ContactRepeatAvoided', MetricUnit.Count, 1);
  return { started: true };
}

/**
 * stopUnansweredTask: nobody completed the attempt's Connect task in time; end it so it leaves
 * the agents' queue (and Connect's active-task quota) before the next attempt is planned.
 */
export async function stopUnansweredTask(input: StopInput, deps: Pick<ContactDeps, 'store' | 'channels'>): Promise<{ stopped: boolean }> {
  const { attempt } = await deps.store.getWithAttempt(input.followUpId, input.attempt);
  if (!attempt?.contactId || attempt.usedAt) return { stopped: false };
  await deps.channels.stopAgentTask(attempt.contactId);
  logger.info('unanswered task stopped', { followUpId: input.followUpId, attempt: input.attempt });
  metrics.addMetric('AgentTaskStopped', MetricUnit.Count, 1);
  return { stopped: true };
}

export const handler = middy(async (event: unknown, context: Context) => {
  const stop = stopInputSchema.safeParse(event);
  if (stop.success) return stopUnansweredTask(stop.data, { store: followUpStore(), channels: awsContactChannels });
  return startContact(contactInputSchema.parse(event), {
    store: followUpStore(),
    limiter: rateLimiter(),
    channels: awsContactChannels,
    workflow: awsWorkflow,
    keys: () => loadSigningKeys({ functionName: context.functionName }),
    outcomeBaseUrl: requireEnv('OUTCOME_BASE_URL'),
    now: clock.now(),
  });
})
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics));
