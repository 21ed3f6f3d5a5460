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

/** A text message; the provider is chosen per destination (see the SMS providers' configuration). */
export interface OutgoingSms {
  /** E.164, e.g. +8613800138000. */
  to: string;
  /** The message text; for a provider with registered templates, the template's parameters below. */
  text: string;
  /** What the message is for, so a reply can be matched and costs reported: a survey attempt or a care message. */
  purpose: { kind: 'follow-up'; followUpId: string; attempt: number } | { kind: 'care'; occasion: string; customerKey: string };
  /** Parameters of a registered template (providers that require templates, e.g. for +86 numbers). */
  templateParams?: Record<string, string>;
}

export interface ContactChannels {
  startAgentTask(task: AgentTask): Promise<{ contactId: string }>;
  sendEmail(email: OutgoingEmail): Promise<{ messageId: string }>;
  /** Sends a text message through the provider configured for the destination. */
  sendSms(sms: OutgoingSms): Promise<{ messageId: string; provider: string }>;
  /** Ends a task nobody completed in time, so it leaves the agents' queue; one already ended is fine. */
  stopAgentTask(contactId: string): Promise<void>;
}
