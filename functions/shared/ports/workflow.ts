/** The follow-up and escalation state machines, as the functions start and resume them. */
export interface Workflow {
  /**
   * Starts the follow-up's execution with its first contact's plan (ids, times, channel: no personal
   * data); starting it again under the same name is harmless.
   */
  startFollowUp(followUpId: string, plan: Record<string, unknown>): Promise<void>;
  /** Starts one escalation cycle of a complaint, named so a redelivered event starts nothing new. */
  startEscalation(name: string, input: { complaintId: string; cycle: number }): Promise<void>;
  /** Hands an attempt's result back to the waiting workflow. */
  completeTask(taskToken: string, output: Record<string, unknown>): Promise<void>;
}

/** Step Functions' answer when the workflow no longer waits on a task token: it timed out, ended, or the token is unknown. */
export function taskClosed(error: unknown): boolean {
  return ['TaskTimedOut', 'TaskDoesNotExist', 'InvalidToken'].includes((error as { name?: string }).name ?? '');
}
