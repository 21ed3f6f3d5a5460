import { type ContactResult, type FollowUp, type FollowUpStatus, type SkipReason, samplingDraw } from './follow-up.js';
import type { Channel, ChannelStep, FollowUpPolicy, PolicyConfig } from './policy-schema.js';
import { addDuration, type ContactHours, deadlineAfter, durationSeconds, nextCallSlot } from './schedule.js';
import { workingCalendar } from './working-calendar.js';

/** contact-failed: the last channel left refused the contact for good (see domain/errors.ts). */
export type FinishReason = SkipReason | 'attempts-exhausted' | 'unknown-service-type' | 'contact-failed';

export type PlanDecision =
  | {
      action: 'contact';
      attempt: number;
      channel: Channel;
      dueAt: string;
      deadline: string;
      /** How long the contact task waits for the agent's or customer's answer. */
      timeoutSeconds: number;
      /** The second the rate limiter already reserved for this contact. */
      reservedSlot?: string;
    }
  | { action: 'finish'; status: FollowUpStatus; reason: FinishReason; error?: string };

export interface ResolvedPolicy {
  policy: FollowUpPolicy;
  hours: ContactHours;
}

/** The policy of a service type with the customer's own zone applied; undefined for an unknown type. */
export function resolvePolicy(config: PolicyConfig, serviceType: string, customerTimeZone?: string): ResolvedPolicy | undefined {
  const policy = config.policies[serviceType];
  if (!policy) return undefined;
  const calendar = config.calendars[policy.calendar ?? config.defaults.calendar]!;
  return {
    policy,
    hours: {
      timeZone: customerTimeZone ?? config.defaults.timeZone,
      windows: policy.callingHours ?? config.defaults.callingHours,
      calendar: workingCalendar(calendar),
    },
  };
}

/** Channels of the policy, in order, that this customer can be reached on: a call or a text needs a phone number. */
export function usableChannels(policy: FollowUpPolicy, followUp: Pick<FollowUp, 'customer'>): ChannelStep[] {
  return policy.channels.filter((step) => (step.channel === 'email' ? !!followUp.customer.email : !!followUp.customer.phone));
}

export interface FirstContactFacts {
  now: Date;
  optedOut: boolean;
  /** Other follow-ups that already contacted this customer in the due quarter. */
  contactsThisQuarter: number;
  /** End of a contact pause after a complaint, if one is running. */
  pausedUntil?: string;
}

const finish = (status: FollowUpStatus, reason: FinishReason): PlanDecision => ({ action: 'finish', status, reason });

type ContactDecision = Extract<PlanDecision, { action: 'contact' }>;

function contactOn(step: ChannelStep, attempt: number, dueAt: Date, deadline: Date): ContactDecision {
  return {
    action: 'contact',
    attempt,
    channel: step.channel,
    dueAt: dueAt.toISOString(),
    deadline: deadline.toISOString(),
    timeoutSeconds: durationSeconds(step.responseTimeout),
  };
}

/** planFollowUp: sampling, opt-out, frequency cap and the first due time inside calling hours. */
export function planFollowUp(followUp: FollowUp, config: PolicyConfig, facts: FirstContactFacts): PlanDecision {
  const resolved = resolvePolicy(config, followUp.serviceType, followUp.customer.timeZone);
  if (!resolved) return finish('skipped', 'unknown-service-type');
  const { policy, hours } = resolved;
  if (facts.optedOut) return finish('suppressed', 'opted-out');
  if (samplingDraw(followUp.followUpId) >= policy.samplingRate) return finish('skipped', 'not-sampled');
  const channels = usableChannels(policy, followUp);
  if (channels.length === 0) return finish('skipped', 'no-usable-channel');
  if (!policy.frequencyCapExempt && facts.contactsThisQuarter >= config.frequencyCap.maxPerQuarter) {
    return finish('skipped', 'frequency-cap');
  }
  const round = policy.rounds[followUp.round] ?? policy.rounds[0]!;
  const completedAt = new Date(followUp.completedAt);
  const earliest = [addDuration(completedAt, round.delay, hours), facts.now, new Date(facts.pausedUntil ?? 0)].reduce((a, b) =>
    a > b ? a : b,
  );
  const dueAt = nextCallSlot(earliest, hours);
  return contactOn(channels[0]!, 1, dueAt, deadlineAfter(completedAt, round.deadline, hours));
}

export interface AttemptOutcome {
  attempt: number;
  channel: Channel;
  result: ContactResult;
  /** The time the customer asked to be called back at. */
  callbackAt?: string;
  /** Why a `failed` attempt failed, recorded with the outcome. */
  error?: string;
}

/**
 * nextAttempt: after an attempt that did not end the follow-up, retry the same channel after
 * its pause (or at the time the customer asked for), then fall back to the next channel.
 * `history` holds every earlier attempt including `last`.
 */
export function nextAttempt(
  followUp: FollowUp,
  config: PolicyConfig,
  history: AttemptOutcome[],
  last: AttemptOutcome,
  now: Date,
): PlanDecision {
  const resolved = resolvePolicy(config, followUp.serviceType, followUp.customer.timeZone);
  if (!resolved) return finish('skipped', 'unknown-service-type');
  const { policy, hours } = resolved;
  const channels = usableChannels(policy, followUp);
  const deadline = new Date(followUp.deadline ?? now.toISOString());
  const attempt = last.attempt + 1;
  const index = channels.findIndex((step) => step.channel === last.channel);
  const step = channels[index];

  // The contact that carried this matter went unanswered: the same attempt budget, now, on its own.
  if (step && last.result === 'released') return contactOn(step, attempt, nextCallSlot(now, hours), deadline);
  if (step && (last.result === 'paused' || last.result === 'deferred' || last.result === 'at_capacity') && last.callbackAt) {
    // A complaint paused contact with this customer, the channel's rate limit gave this contact a
    // later second, or Connect's active tasks were at their quota: same attempt budget, at that
    // time (or the next calling window).
    const until = new Date(last.callbackAt);
    const due = nextCallSlot(until > now ? until : now, hours);
    const decision = contactOn(step, attempt, due, deadline);
    return last.result === 'deferred' && due.getTime() === until.getTime() ? { ...decision, reservedSlot: last.callbackAt } : decision;
  }
  if (step && last.result === 'call_back' && last.callbackAt) {
    const callbacks = history.filter((h) => h.result === 'call_back').length;
    if (callbacks <= policy.maxCallbacks) {
      const asked = new Date(last.callbackAt);
      return contactOn(step, attempt, nextCallSlot(asked > now ? asked : now, hours), deadline);
    }
  }
  const retryable: ContactResult[] = ['no_answer', 'busy', 'timeout', 'call_back'];
  if (step && retryable.includes(last.result)) {
    const tries = history.filter(
      (h) => h.channel === step.channel && !['call_back', 'paused', 'deferred', 'at_capacity', 'released'].includes(h.result),
    ).length;
    if (tries < step.attempts) return contactOn(step, attempt, nextCallSlot(addDuration(now, step.retryAfter, hours), hours), deadline);
  }
  // A channel that failed for good is not tried again: the next one is (phone → email), so a
  // wrong Connect setup, a rejected address or an invalid mobile number does not lose the customer.
  const fallback = channels[index + 1];
  if (fallback) return contactOn(fallback, attempt, nextCallSlot(now, hours), deadline);
  if (last.result === 'failed') return { ...finish('failed', 'contact-failed'), ...(last.error ? { error: last.error } : {}) };
  return finish('unreachable', 'attempts-exhausted');
}
