import { z } from 'zod';
import { policyConfig } from '../shared/config/policies.js';
import { customerOf } from '../shared/domain/customer-key.js';
import { FollowUpNotFound, reasonOf } from '../shared/domain/errors.js';
import { type AttemptSummary, contactResults, type FollowUp } from '../shared/domain/follow-up.js';
import { MERGEABLE_CHANNELS, type PendingContact, staggeredDue } from '../shared/domain/merge.js';
import { nextAttempt, type PlanDecision, planFollowUp, resolvePolicy } from '../shared/domain/plan.js';
import { channelSchema } from '../shared/domain/policy-schema.js';
import { isCallable, nextCallSlot, quarterOf } from '../shared/domain/schedule.js';
import type { FollowUpStore } from '../shared/ports/follow-up-store.js';
import type { RateLimiter } from '../shared/ports/rate-limiter.js';
import type { Workflow } from '../shared/ports/workflow.js';
import { logger } from '../shared/powertools.js';
import { releaseSharedContact } from '../shared/shared-contacts.js';

/** The workflow state Plan receives: the start input, or the previous plan with its contact's outcome. */
export const planInputSchema = z.object({
  followUpId: z.string().min(1),
  attempt: z.number().int().min(1).optional(),
  channel: channelSchema.optional(),
  outcome: z.object({ result: z.enum(contactResults), callbackAt: z.string().optional() }).optional(),
  reservedSlot: z.string().nullish(),
  /**
   * Present when the contact step failed: States.Timeout (nobody answered in time), or an error
   * no retry fixed (PermanentContactError, a Lambda timeout, …), as the Catch hands it over.
   */
  contactError: z.object({ Error: z.string().optional(), Cause: z.string().optional() }).optional(),
});
export type PlanInput = z.infer<typeof planInputSchema>;
export type PlanOutput = PlanDecision & { followUpId: string };

/**
 * Reserves the contact's second under the channel's rate (Connect 2/s, SES its send rate) when it
 * is planned, and waits for exactly that second: a burst due at 09:00 leaves spread out, with no
 * extra state transitions. A slot past the calling window moves to the next window.
 */
async function withSlot(followUp: FollowUp, decision: PlanDecision, limiter: Pick<RateLimiter, 'reserve'>): Promise<PlanOutput> {
  if (decision.action !== 'contact') return { followUpId: followUp.followUpId, ...decision };
  // A deferred contact already holds the slot the rate limiter gave it: reserving again would count it twice.
  if (decision.reservedSlot) return { followUpId: followUp.followUpId, ...decision };
  const hours = resolvePolicy(policyConfig, followUp.serviceType, followUp.customer.timeZone)!.hours;
  let due = new Date(decision.dueAt);
  for (let tries = 0; ; tries += 1) {
    const slot = await limiter.reserve(decision.channel, due, policyConfig.contactRates[decision.channel].perSecond);
    if (isCallable(slot, hours) || tries >= 50)
      return { followUpId: followUp.followUpId, ...decision, dueAt: slot.toISOString(), reservedSlot: slot.toISOString() };
    due = nextCallSlot(slot, hours);
  }
}

/** One of the customer's matters due at the same moment leads; this one waits a minute behind it, to be carried. */
function staggered(followUp: FollowUp, decision: PlanDecision, pending: PendingContact[]): PlanDecision {
  if (decision.action !== 'contact' || !mergingOn()) return decision;
  const hours = resolvePolicy(policyConfig, followUp.serviceType, followUp.customer.timeZone)!.hours;
  const dueAt = staggeredDue({ followUpId: followUp.followUpId, ...decision }, pending, (at) => isCallable(at, hours));
  return { ...decision, dueAt };
}

const mergingOn = () => policyConfig.merging.maxMatters > 1;

export interface PlanDeps {
  store: FollowUpStore;
  limiter: Pick<RateLimiter, 'reserve'>;
  /** Hands a released matter back to its waiting workflow. */
  workflow: Pick<Workflow, 'completeTask'>;
  now: Date;
}

/** Keeps the planned contact under the customer, where a contact about another matter can find and carry it. */
async function notePending(followUp: FollowUp, decision: PlanOutput, store: FollowUpStore): Promise<void> {
  if (decision.action !== 'contact' || policyConfig.merging.maxMatters < 2) return;
  await store.notePending(customerOf(followUp), {
    followUpId: followUp.followUpId,
    attempt: decision.attempt,
    serviceType: followUp.serviceType,
    ...(followUp.customer.timeZone ? { timeZone: followUp.customer.timeZone } : {}),
    dueAt: decision.dueAt,
    deadline: decision.deadline,
    channel: decision.channel,
  });
}

/** plan: the follow-up's first contact, or after a contact's outcome the next attempt (or the end). */
export async function plan(input: PlanInput, deps: PlanDeps): Promise<PlanOutput> {
  const { store, limiter, now } = deps;
  const { followUp, attempt: lastRecord } =
    input.attempt === undefined
      ? { followUp: await store.get(input.followUpId), attempt: undefined }
      : await store.getWithAttempt(input.followUpId, input.attempt);
  if (!followUp) throw new FollowUpNotFound(input.followUpId);

  if (input.attempt === undefined || input.channel === undefined) {
    const resolved = resolvePolicy(policyConfig, followUp.serviceType, followUp.customer.timeZone);
    const quarter = quarterOf(now, resolved?.hours.timeZone ?? policyConfig.defaults.timeZone);
    const customer = await store.customerState(customerOf(followUp), now);
    const contactsThisQuarter = (customer.contactsByQuarter[quarter] ?? []).filter((id) => id !== followUp.followUpId).length;
    const planned = planFollowUp(followUp, policyConfig, {
      now,
      optedOut: customer.optedOut,
      contactsThisQuarter,
      pausedUntil: customer.pausedUntil,
    });
    const decision = await withSlot(followUp, staggered(followUp, planned, customer.pending), limiter);
    await store.savePlan(followUp.followUpId, undefined, decision);
    await notePending(followUp, decision, store);
    logger.info('follow-up planned', {
      followUpId: followUp.followUpId,
      action: decision.action,
      ...(decision.action === 'contact' ? { dueAt: decision.dueAt, channel: decision.channel } : { reason: decision.reason }),
    });
    return decision;
  }

  const failed = input.contactError && input.contactError.Error !== 'States.Timeout';
  const last: AttemptSummary = {
    attempt: input.attempt,
    channel: input.channel,
    dueAt: followUp.dueAt ?? now.toISOString(),
    result: failed ? 'failed' : (input.outcome?.result ?? 'timeout'),
    callbackAt: failed ? undefined : input.outcome?.callbackAt,
    endedAt: now.toISOString(),
    ...(failed ? { error: reasonOf(input.contactError) } : {}),
  };
  const history = [...followUp.attempts.filter((a) => a.attempt < last.attempt), last];
  // The contact was not answered: matters it carried (or that joined it) wait for a contact again.
  if (mergingOn() && MERGEABLE_CHANNELS.includes(input.channel) && !lastRecord?.usedAt)
    await releaseSharedContact(
      { followUpId: followUp.followUpId, attempt: input.attempt, channel: input.channel },
      customerOf(followUp),
      deps,
    );
  const next = nextAttempt(followUp, policyConfig, history, last, now);
  // A retry due with another matter of the customer waits a minute behind it, to be carried by it.
  const pending = next.action === 'contact' && mergingOn() ? (await store.customerState(customerOf(followUp), now)).pending : [];
  const decision = await withSlot(followUp, staggered(followUp, next, pending), limiter);
  await store.savePlan(followUp.followUpId, last, decision);
  await notePending(followUp, decision, store);
  logger.info('next attempt planned', {
    followUpId: followUp.followUpId,
    lastResult: last.result,
    ...(last.error ? { error: last.error } : {}),
    action: decision.action,
  });
  return decision;
}
