import middy from '@middy/core';
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
  if (!followUp) throw new Error(`follow-up ${input.followUpId} not found`);
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
  // Stay under Connect's and SES's request quotas: a contact without a slot this second waits for its slot.
  const thisSecond = new Date(Math.floor(now.getTime() / 1000) * 1000);
  if (input.reservedSlot !== thisSecond.toISOString()) {
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
  if (input.channel === 'phone') {
    await deps.channels.startAgentTask(agentTaskFor(followUp, policyConfig, survey, input.attempt, url));
  } else {
    await deps.channels.sendEmail(surveyEmailFor(followUp, policyConfig, url, Math.round(validSeconds / 3600)));
  }
  await store.markContacted(followUp.followUpId, input.attempt, now.toISOString());
  logger.info('contact started', { followUpId: followUp.followUpId, attempt: input.attempt, channel: input.channel });
  metrics.addMetric(input.channel === 'phone' ? 'AgentTaskCreated' : 'SurveyEmailSent', MetricUnit.Count, 1);
  return { started: true };
}

export const handler = middy(async (event: unknown) =>
  startContact(contactInputSchema.parse(event), {
    store: followUpStore(),
    limiter: rateLimiter(),
    channels: awsContactChannels,
    workflow: awsWorkflow,
    keys: () => loadSigningKeys(),
    outcomeBaseUrl: requireEnv('OUTCOME_BASE_URL'),
    now: clock.now(),
  }),
)
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics));
