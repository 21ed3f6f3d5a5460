import type { AgentTask, ContactChannels, OutgoingEmail, OutgoingSms } from '../../functions/shared/ports/contact-channels.js';
import type { Workflow } from '../../functions/shared/ports/workflow.js';

/** Channels that record what was really sent and fail as told, once per queued failure. */
export class FakeChannels implements ContactChannels {
  readonly emails: OutgoingEmail[] = [];
  readonly tasks: AgentTask[] = [];
  readonly stopped: string[] = [];
  readonly sms: OutgoingSms[] = [];
  readonly failNext: { email: unknown[]; phone: unknown[]; sms: unknown[] } = { email: [], phone: [], sms: [] };
  private readonly byToken = new Map<string, string>();
  async sendEmail(email: OutgoingEmail) {
    const failure = this.failNext.email.shift();
    if (failure) throw failure;
    this.emails.push(email);
    return { messageId: `m-${this.emails.length}` };
  }
  async sendSms(sms: OutgoingSms) {
    const failure = this.failNext.sms.shift();
    if (failure) throw failure;
    this.sms.push(sms);
    return { messageId: `sms-${this.sms.length}`, provider: 'fake' };
  }
  async startAgentTask(task: AgentTask) {
    const failure = this.failNext.phone.shift();
    if (failure) throw failure;
    // Connect's ClientToken: the same token returns the task made before.
    const token = `${task.followUpId}-${task.attempt}`;
    if (!this.byToken.has(token)) {
      this.tasks.push(task);
      this.byToken.set(token, `contact-${this.tasks.length}`);
    }
    return { contactId: this.byToken.get(token)! };
  }
  async stopAgentTask(contactId: string) {
    this.stopped.push(contactId);
  }
}

/** A workflow that records the executions started and the task tokens answered. */
export class FakeWorkflow implements Workflow {
  readonly started: string[] = [];
  /** The first contact's plan each execution started with. */
  readonly plans = new Map<string, Record<string, unknown>>();
  readonly escalations: { name: string; input: { complaintId: string; cycle: number } }[] = [];
  readonly completed: { taskToken: string; output: Record<string, unknown> }[] = [];
  async startFollowUp(followUpId: string, plan: Record<string, unknown>) {
    this.started.push(followUpId);
    this.plans.set(followUpId, plan);
  }
  async startEscalation(name: string, input: { complaintId: string; cycle: number }) {
    this.escalations.push({ name, input });
  }
  async completeTask(taskToken: string, output: Record<string, unknown>) {
    this.completed.push({ taskToken, output });
  }
}

/** A rate limiter with room in every second: the contact keeps the second it was planned for. */
export const roomyLimiter = { reserve: async (_channel: string, at: Date) => at };

/** Where intake counts and announces a follow-up it ends without an execution, kept for the test to read. */
export function recordedFinishes() {
  const added: unknown[][] = [];
  const published: { detailType: string; detail: Record<string, unknown> }[] = [];
  return {
    added,
    published,
    aggregates: { add: async (...args: unknown[]) => added.push(args) > 0 },
    events: { publish: async (detailType: string, detail: Record<string, unknown>) => void published.push({ detailType, detail }) },
  };
}
