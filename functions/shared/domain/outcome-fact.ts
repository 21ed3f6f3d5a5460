import type { FinalOutcome } from '../ports/follow-up-store.js';
import type { FollowUp } from './follow-up.js';
import type { OutcomeFact } from './kpi.js';

/** A follow-up as stored, with its final outcome once it has one. */
export type FinishedFollowUp = FollowUp & { outcome?: FinalOutcome };

/** A reactivation call's answer to "appointment booked?", if the survey asked it. */
export function appointmentOf(answers: Record<string, unknown> | undefined): boolean | undefined {
  const answer = answers?.appointmentBooked;
  return answer === 'yes' ? true : answer === 'no' ? false : undefined;
}

export function outcomeFactOf(followUp: FinishedFollowUp): OutcomeFact {
  return {
    serviceType: followUp.serviceType,
    departmentId: followUp.departmentId,
    status: followUp.outcome?.status ?? followUp.status,
    reason: followUp.outcome?.reason,
    // Only real contact attempts count: not the ones blocked, paused or deferred before contact,
    // nor those a channel refused (a failed attempt never reached the customer's phone or inbox).
    attempts: (followUp.attempts ?? []).filter(
      (a) => !['suppressed', 'skipped', 'paused', 'deferred', 'at_capacity', 'failed'].includes(a.result),
    ).length,
    onTime: followUp.outcome?.onTime,
    scores: followUp.outcome?.assessment?.scores ?? {},
    complaint: followUp.outcome?.assessment?.complaint ?? false,
    appointmentBooked: appointmentOf(followUp.outcome?.answers),
  };
}
