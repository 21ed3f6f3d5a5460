import { AwsError } from './aws-error.js';
import { ConnectTaskLedger } from './connect-tasks.js';
import type { CloudCore } from './core.js';
import { checkTaskContact, refuse } from './limits.js';

/** Amazon Connect: tasks on the local agent desk (StartTaskContact, StopContact). */

export interface AgentTaskRecord {
  contactId: string;
  clientToken: string;
  name: string;
  description: string;
  outcomeFormUrl: string;
  /** Every link on the task by name (outcomeForm, and acknowledge on a manager's task). */
  references: Record<string, string>;
  attributes: Record<string, string>;
  createdAt: string;
  /** When the task stopped being active: completed through one of its links, or stopped. */
  closedAt?: string;
}

export interface TaskContactRequest {
  ClientToken?: string;
  Name?: string;
  Description?: string;
  References?: Record<string, { Value: string }>;
  Attributes?: Record<string, string>;
}

export class LocalConnect {
  readonly agentTasks: AgentTaskRecord[] = [];
  /** When each new Connect task was created (virtual ms): the load test's quota figures. */
  readonly contactStarts: number[] = [];
  /** Active Connect tasks against the instance's quota (`connectTasks.quota`, default 2,500). */
  readonly connectTasks = new ConnectTaskLedger();
  private readonly listeners: ((task: AgentTaskRecord) => void)[] = [];
  /** The same tasks by contact id and by client token: a month's desk holds thousands, looked up at every start and answer. */
  private readonly byContactId = new Map<string, AgentTaskRecord>();
  private readonly byClientToken = new Map<string, AgentTaskRecord>();

  constructor(private readonly core: CloudCore) {}

  startTaskContact(request: TaskContactRequest) {
    const { core } = this;
    const nowMs = core.clock.nowMs();
    core.count('Connect', 'StartTaskContact', request.ClientToken);
    const existing = request.ClientToken ? this.byClientToken.get(request.ClientToken) : undefined;
    if (existing) return { ContactId: existing.contactId };
    if (!request.Name) throw new AwsError('InvalidParameterException', 'Name is required');
    refuse(checkTaskContact(request, nowMs, this.connectTasks.active(nowMs), this.connectTasks.quota));
    const task: AgentTaskRecord = {
      contactId: core.nextId('contact'),
      clientToken: request.ClientToken ?? '',
      name: request.Name,
      description: request.Description ?? '',
      outcomeFormUrl: request.References?.outcomeForm?.Value ?? '',
      references: Object.fromEntries(Object.entries(request.References ?? {}).map(([name, ref]) => [name, ref.Value])),
      attributes: request.Attributes ?? {},
      createdAt: core.nowIso(),
    };
    this.add(task);
    this.connectTasks.opened(task.contactId, nowMs, Object.values(task.references));
    core.changed();
    this.contactStarts.push(nowMs);
    for (const listener of this.listeners) listener(task);
    return { ContactId: task.contactId };
  }

  /** StopContact: the task leaves the agents' queue and no longer counts as active. */
  stopContact(contactId: string): Record<string, never> {
    this.core.count('Connect', 'StopContact', contactId);
    const task = this.byContactId.get(contactId);
    // "Chat and task contacts can be terminated in any state"; ContactNotFoundException is for voice only.
    if (!task) throw new AwsError('ResourceNotFoundException', `Contact ${contactId} not found`, 404);
    this.connectTasks.closed(contactId);
    task.closedAt ??= this.core.nowIso();
    this.core.changed();
    return {};
  }

  /** An outcome or acknowledge link answered: the agent has completed the task it was on. */
  linkAnswered(path: string): void {
    const contactId = this.connectTasks.linkAnswered(path);
    const task = contactId ? this.byContactId.get(contactId) : undefined;
    if (task && !task.closedAt) task.closedAt = this.core.nowIso();
  }

  private add(task: AgentTaskRecord): void {
    this.agentTasks.push(task);
    this.byContactId.set(task.contactId, task);
    // The first task made with a token answers its repeats (an empty token is no token).
    if (task.clientToken && !this.byClientToken.has(task.clientToken)) this.byClientToken.set(task.clientToken, task);
  }

  onAgentTask(listener: (task: AgentTaskRecord) => void): void {
    this.listeners.push(listener);
  }

  /** The desk as it was before a restart: open tasks count against the quota again. */
  restore(tasks: AgentTaskRecord[]): void {
    for (const task of tasks) {
      this.add(task);
      if (!task.closedAt) this.connectTasks.opened(task.contactId, Date.parse(task.createdAt), Object.values(task.references));
    }
  }
}
