import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { z } from 'zod';
import { policyConfig } from '../shared/config/policies.js';
import { clock } from '../shared/clock.js';
import { logger } from '../shared/powertools.js';
import { followUpStore } from '../shared/runtime.js';
import type { FollowUpStore } from '../shared/adapters/follow-up-store.js';
import { contactResults, type AttemptSummary } from '../shared/domain/follow-up.js';
import { nextAttempt, planFollowUp, resolvePolicy, type PlanDecision } from '../shared/domain/plan.js';
import { quarterOf } from '../shared/domain/schedule.js';
import { channelSchema } from '../shared/domain/policy-schema.js';

/** The workflow state Plan receives: the start input, or the previous plan with its contact's outcome. */
export const planInputSchema = z.object({
  followUpId: z.string().min(1),
  attempt: z.number().int().min(1).optional(),
  channel: channelSchema.optional(),
  outcome: z.object({ result: z.enum(contactResults), callbackAt: z.string().optional() }).optional(),
  reservedSlot: z.string().nullish(),
  /** Present when the contact step timed out: nobody answered in time. */
  contactError: z.unknown().optional(),
});
export type PlanInput = z.infer<typeof planInputSchema>;
export type PlanOutput = PlanDecision & { followUpId: string };

/** The workflow's Contact step reads reservedSlot: it is always present, null when no slot is held. */
const withSlot = (followUpId: string, decision: PlanDecision): PlanOutput =>
  (decision.action === 'contact' ? { followUpId, reservedSlot: null, ...decision } : { followUpId, ...decision }) as PlanOutput;

export async function plan(input: PlanInput, store: FollowUpStore, now: Date): Promise<PlanOutput> {
  const followUp = await store.get(input.followUpId);
  if (!followUp) throw new Error(`follow-up ${input.followUpId} not found`);

  if (input.attempt === undefined || input.channel === undefined) {
    const resolved = resolvePolicy(policyConfig, followUp.serviceType, followUp.customer.timeZone);
    const quarter = quarterOf(now, resolved?.hours.timeZone ?? policyConfig.defaults.timeZone);
    const customer = await store.customerState(followUp.customer.id, now);
    const contactsThisQuarter = (customer.contactsByQuarter[quarter] ?? []).filter((id) => id !== followUp.followUpId).length;
    const decision = planFollowUp(followUp, policyConfig, { now, optedOut: customer.optedOut, contactsThisQuarter, pausedUntil: customer.pausedUntil });
    await store.savePlan(followUp.followUpId, undefined, decision);
    logger.info('follow-up planned', { followUpId: followUp.followUpId, action: decision.action, ...(decision.action === 'contact' ? { dueAt: decision.dueAt, channel: decision.channel } : { reason: decision.reason }) });
    return withSlot(followUp.followUpId, decision);
  }

  const last: AttemptSummary = {
    attempt: input.attempt,
    channel: input.channel,
    dueAt: followUp.dueAt ?? now.toISOString(),
    result: input.outcome?.result ?? 'timeout',
    callbackAt: input.outcome?.callbackAt,
    endedAt: now.toISOString(),
  };
  const history = [...followUp.attempts.filter((a) => a.attempt < last.attempt), last];
  const decision = nextAttempt(followUp, policyConfig, history, last, now);
  await store.savePlan(followUp.followUpId, last, decision);
  logger.info('next attempt planned', { followUpId: followUp.followUpId, lastResult: last.result, action: decision.action });
  return withSlot(followUp.followUpId, decision);
}

export const handler = middy((event: unknown) => plan(planInputSchema.parse(event), followUpStore(), clock.now())).use(injectLambdaContext(logger));
