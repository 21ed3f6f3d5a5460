/** The follow-up and escalation state machines, as the functions start and resume them. */
export interface Workflow {
  /** Starts the follow-up's execution; starting it again under the same name is harmless. */
  startFollowUp(followUpId: string): Promise<void>;
  /** Starts one escalation cycle of a complaint, named so a redelivered event starts nothing new. */
  startEscalation(name: string, input: { complaintId: string; cycle: number }): Promise<void>;
  /** Hands an attempt's result back to the waiting workflow. */
  completeTask(taskToken: string, output: Record<string, unknown>): Promise<void>;
}
