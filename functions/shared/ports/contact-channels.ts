/** The contact channel ports: an agent task in Amazon Connect, or an email with a survey link. */
export interface AgentTask {
  followUpId: string;
  attempt: number;
  /** Shown as the task's title in the agent's queue. */
  name: string;
  /** The call script: opening, then one question per line. */
  description: string;
  outcomeFormUrl: string;
  /** More links for the agent (a manager's task also has "acknowledge"). */
  extraReferences?: Record<string, string>;
  /** Plain facts the agent sees beside the description (whom to call). */
  textReferences?: Record<string, string>;
  attributes: Record<string, string>;
}

export interface OutgoingEmail {
  to: string;
  subject: string;
  html: string;
  text: string;
  /** Extra message headers (List-Unsubscribe); SES v2 takes printable ASCII, ≤ 995 characters a value. */
  headers?: { name: string; value: string }[];
}

export interface ContactChannels {
  startAgentTask(task: AgentTask): Promise<{ contactId: string }>;
  sendEmail(email: OutgoingEmail): Promise<{ messageId: string }>;
  /** Ends a task nobody completed in time, so it leaves the agents' queue; one already ended is fine. */
  stopAgentTask(contactId: string): Promise<void>;
}
