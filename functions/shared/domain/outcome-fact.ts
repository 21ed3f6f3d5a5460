import type { FinalOutcome } from '../ports/follow-up-store.js';
import type { FollowUp } from './follow-up.js';
import type { OutcomeFact } from './kpi.js';
import type { Channel } from './policy-schema.js';

/** A follow-up as stored, with its final outcome once it has one. */
export type FinishedFollowUp = FollowUp & { outcome?: FinalOutcome };

/** A reactivation call's answer to "appointment booked?", if the survey asked it. */
export function appointmentOf(answers: Record<string, unknown> | undefined): boolean | undefined {
  const answer = answers?.appointmentBooked;
  return answer === 'yes' ? true : answer === 'no' ? false : undefined;
}

/** Results that were no contact: blocked, paused or deferred before it, or refused by the channel (never reached the phone or inbox). */
const NOT_A_CONTACT = new Set(['suppressed', 'skipped', 'paused', 'deferred', 'at_capacity', 'failed', 'released']);

export function outcomeFactOf(followUp: FinishedFollowUp): OutcomeFact {
  const contacts = (followUp.attempts ?? []).filter((a) => !NOT_A_CONTACT.has(a.result));
  const channelAttempts: Partial<Record<Channel, number>> = {};
  for (const a of contacts) channelAttempts[a.channel] = (channelAttempts[a.channel] ?? 0) + 1;
  const status = followUp.outcome?.status ?? followUp.status;
  const answeredOn = status === 'completed' || status === 'refused' ? followUp.outcome?.channel : undefined;
  return {
    serviceType: followUp.serviceType,
    departmentId: followUp.departmentId,
    status,
    reason: followUp.outcome?.reason,
    // Only real contact attempts count.
    attempts: contacts.length,
    onTime: followUp.outcome?.onTime,
    scores: followUp.outcome?.assessment?.scores ?? {},
    complaint: followUp.outcome?.assessment?.complaint ?? false,
    appointmentBooked: appointmentOf(followUp.outcome?.answers),
    channelAttempts,
    ...(answeredOn ? { answeredOn } : {}),
  };
}
