import { completeAttempt, type PlanningDeps } from './attempt-planning.js';
import { taskClosed } from './ports/workflow.js';

export type UndeliveredTextHandled = 'undelivered' | 'unmatched' | 'already-answered' | 'closed';

/**
 * A text that never arrived fails its attempt for good, whichever provider reported it (End User
 * Messaging's delivery receipt, Alibaba's SmsReport): the attempt is answered 'failed' and the
 * waiting workflow gets it with the next plan, so the follow-up moves to its next channel at once.
 * An attempt already answered (a reply came first, a report pushed twice) is left alone.
 */
export async function failUndeliveredText(
  ref: { followUpId: string; attempt: number },
  deps: PlanningDeps,
): Promise<UndeliveredTextHandled> {
  const { followUp, attempt } = await deps.store.getWithAttempt(ref.followUpId, ref.attempt);
  if (!followUp || !attempt) return 'unmatched';
  if (attempt.usedAt) return 'already-answered';
  const at = deps.now.toISOString();
  if (!(await deps.store.answerAttempt(ref.followUpId, ref.attempt, { result: 'failed', usedAt: at }))) return 'already-answered';
  try {
    await completeAttempt({ ...ref, channel: attempt.channel, taskToken: attempt.taskToken }, { result: 'failed' }, deps, {
      followUp,
      attempt: { ...attempt, usedAt: at },
    });
    return 'undelivered';
  } catch (error) {
    if (taskClosed(error)) return 'closed';
    // The workflow could not be told: the attempt is open again, and the provider's retry of this push tries again.
    await deps.store.reopenAttempt(ref.followUpId, ref.attempt);
    throw error;
  }
}
