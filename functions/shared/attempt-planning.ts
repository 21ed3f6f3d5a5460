import { policyConfig } from './config/policies.js';
import { type CustomerRef, customerOf } from './domain/customer-key.js';
import { reasonOf } from './domain/errors.js';
import { type AttemptSummary, type ContactResult, FINAL_RESULTS, type FollowUp } from './domain/follow-up.js';
import { joinedToId, mergesOn, mergingOn, type PendingContact, staggeredDue } from './domain/merge.js';
import { nextAttempt, type PlanDecision, planFollowUp, resolvePolicy } from './domain/plan.js';
import type { Channel } from './domain/policy-schema.js';
import { isCallable, nextCallSlot, quarterOf } from './domain/schedule.js';
import type { AttemptRecord, FollowUpStore } from './ports/follow-up-store.js';
import type { RateLimiter } from './ports/rate-limiter.js';
import { taskClosed, type Workflow } from './ports/workflow.js';
import { logger } from './powertools.js';

/**
 * Planning a follow-up's next contact, shared by the Plan step and by everyone who hands an
 * attempt's result back to the workflow (the outcome API, the SMS replies, the contact step): the
 * result carries the next plan, so a retry goes straight to its Wait without a Plan step.
 */

export type PlanOutput = PlanDecision & { followUpId: string };

export interface PlanningDeps {
  store: FollowUpStore;
  limiter: Pick<RateLimiter, 'reserve'>;
  workflow: Pick<Workflow, 'completeTask'>;
  now: Date;
}

/**
 * Reserves the contact's second under the channel's rate (Connect 2/s, SES its send rate) when it
 * is planned, and waits for exactly that second: a burst due at 09:00 leaves spread out, with no
 * extra state transitions. A slot past the calling window moves to the next window.
 */
export async function withSlot(followUp: FollowUp, decision: PlanDecision, limiter: Pick<RateLimiter, 'reserve'>): Promise<PlanOutput> {
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
export function staggered(followUp: FollowUp, decision: PlanDecision, pending: PendingContact[]): PlanDecision {
  if (decision.action !== 'contact' || !mergingOn(policyConfig)) return decision;
  const hours = resolvePolicy(policyConfig, followUp.serviceType, followUp.customer.timeZone)!.hours;
  const dueAt = staggeredDue({ followUpId: followUp.followUpId, ...decision }, pending, (at) => isCallable(at, hours));
  return { ...decision, dueAt };
}

/** Keeps the planned contact under the customer, where a contact about another matter can find and carry it. */
export async function notePending(followUp: FollowUp, decision: PlanOutput, store: FollowUpStore): Promise<void> {
  if (decision.action !== 'contact' || !mergingOn(policyConfig)) return;
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

/**
 * planFirstContact: sampling, opt-out, pause and the quarterly cap, then the first contact's time
 * inside calling hours, a minute behind another matter of the customer due then, at a second of
 * the channel's rate. Intake runs it, so an execution starts at its Wait, and one that need not
 * run is never started.
 */
export async function planFirstContact(followUp: FollowUp, deps: Omit<PlanningDeps, 'workflow'>): Promise<PlanOutput> {
  const { store, limiter, now } = deps;
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

/** What an attempt ended with, as its result or as the workflow's Catch handed over the contact step's error. */
export interface AttemptEnd {
  followUpId: string;
  attempt: number;
  channel: Channel;
  outcome?: { result: ContactResult; callbackAt?: string };
  /** States.Timeout (nobody answered in time), or an error no retry fixed. */
  contactError?: { Error?: string; Cause?: string };
}

/**
 * planAfterAttempt: records the attempt and plans the next one (or the end): the same attempt
 * budget rules whether the Plan step or the attempt's answerer runs it. `loaded` saves a read.
 */
export async function planAfterAttempt(
  end: AttemptEnd,
  deps: PlanningDeps,
  loaded: { followUp: FollowUp; attempt?: AttemptRecord },
): Promise<PlanOutput> {
  const { store, limiter, now } = deps;
  const { followUp, attempt: record } = loaded;
  const failed = end.contactError && end.contactError.Error !== 'States.Timeout';
  const last: AttemptSummary = {
    attempt: end.attempt,
    channel: end.channel,
    dueAt: followUp.dueAt ?? now.toISOString(),
    // After a timeout or error the state still holds the attempt before's outcome: it is not this one's.
    result: failed ? 'failed' : end.contactError ? 'timeout' : (end.outcome?.result ?? 'timeout'),
    callbackAt: end.contactError ? undefined : end.outcome?.callbackAt,
    endedAt: now.toISOString(),
    ...(failed ? { error: reasonOf(end.contactError) } : {}),
  };
  const history = [...followUp.attempts.filter((a) => a.attempt < last.attempt), last];
  // The contact was not answered: matters it carried (or that joined it) wait for a contact again.
  if (mergesOn(policyConfig, end.channel) && !record?.usedAt)
    await releaseSharedContact({ followUpId: followUp.followUpId, attempt: end.attempt, channel: end.channel }, customerOf(followUp), deps);
  const next = nextAttempt(followUp, policyConfig, history, last, now);
  // A retry due with another matter of the customer waits a minute behind it, to be carried by it.
  const pending =
    next.action === 'contact' && mergingOn(policyConfig) ? (await store.customerState(customerOf(followUp), now)).pending : [];
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

/** An attempt's result as whoever learnt it hands it over: the agent, the customer, the contact step itself. */
export interface AttemptResult {
  result: ContactResult;
  callbackAt?: string;
  reason?: string;
}

/**
 * The follow-up workflow's whole state after an attempt, which the contact step's answer becomes:
 * for a final result what Record needs, otherwise the next plan (`planned`), so Settled? goes to
 * Wait (or Record) without a Plan step. `result`/`callbackAt` also stay on top, where a workflow
 * started before this shape reads them.
 */
export async function stateAfterAttempt(
  ref: { followUpId: string; attempt: number; channel: Channel },
  outcome: AttemptResult,
  deps: PlanningDeps,
  loaded?: { followUp: FollowUp; attempt?: AttemptRecord },
): Promise<Record<string, unknown>> {
  const { followUp, attempt } = loaded ?? (await deps.store.getWithAttempt(ref.followUpId, ref.attempt));
  const compat = { result: outcome.result, ...(outcome.callbackAt ? { callbackAt: outcome.callbackAt } : {}) };
  if (!followUp || FINAL_RESULTS.includes(outcome.result)) {
    const at = deps.now.toISOString();
    return {
      followUpId: ref.followUpId,
      action: 'contact',
      attempt: ref.attempt,
      channel: ref.channel,
      dueAt: followUp?.dueAt ?? at,
      deadline: followUp?.deadline ?? at,
      outcome,
      ...compat,
    };
  }
  const next = await planAfterAttempt({ ...ref, outcome }, deps, { followUp, attempt });
  return { ...next, planned: true, outcome, ...compat };
}

/**
 * Hands an attempt's result, with the next plan, to the workflow waiting on `taskToken`. `loaded`:
 * the follow-up and the attempt as the caller just read them (with its answer), to save reading again.
 */
export async function completeAttempt(
  ref: { followUpId: string; attempt: number; channel: Channel; taskToken: string },
  outcome: AttemptResult,
  deps: PlanningDeps,
  loaded?: { followUp: FollowUp; attempt?: AttemptRecord },
): Promise<void> {
  await deps.workflow.completeTask(ref.taskToken, await stateAfterAttempt(ref, outcome, deps, loaded));
}

/** completeAttempt for a workflow that may have stopped waiting (timed out, ended): that one needs nothing more. */
export async function completeAttemptIfWaiting(
  ref: { followUpId: string; attempt: number; channel: Channel; taskToken: string },
  outcome: AttemptResult,
  deps: PlanningDeps,
): Promise<void> {
  try {
    await completeAttempt(ref, outcome, deps);
  } catch (error) {
    if (!taskClosed(error)) throw error;
  }
}

/**
 * A shared contact (一事一扰) that was not made, went unanswered or failed gives back the matters it
 * carried: each waits for a contact again, its own at its due time or another that carries it. A
 * matter whose workflow already waits on the shared contact is released to contact at once
 * (`released`, the same attempt budget). Marking the lead released first stops late joiners.
 */
export async function releaseSharedContact(
  lead: { followUpId: string; attempt: number; channel: Channel },
  customer: CustomerRef,
  deps: PlanningDeps,
): Promise<void> {
  const joined = await deps.store.releaseLead(lead.followUpId, lead.attempt);
  const joinedTo = joinedToId(lead.followUpId, lead.attempt);
  for (const matter of joined) {
    await deps.store.unjoin(customer, matter.followUpId, joinedTo);
    const { attempt } = await deps.store.getWithAttempt(matter.followUpId, matter.attempt);
    if (!attempt?.taskToken || attempt.usedAt) continue;
    const { settled, taskToken } = await deps.store.settleJoined(matter.followUpId, matter.attempt, {
      channel: lead.channel,
      result: 'released',
      usedAt: deps.now.toISOString(),
      joinedTo,
    });
    if (settled && taskToken)
      await completeAttemptIfWaiting(
        { followUpId: matter.followUpId, attempt: matter.attempt, channel: lead.channel, taskToken },
        { result: 'released' },
        deps,
      );
  }
  if (joined.length > 0) logger.info('shared contact gave its matters back', { followUpId: lead.followUpId, matters: joined.length });
}
