import { DEFAULT_ACTIVE_TASK_QUOTA, TASK_EXPIRY_MS } from './limits.js';

/**
 * Which Amazon Connect tasks are active, for the concurrent active-tasks quota. A task is active
 * from its creation until an agent completes it (locally: one of its links is answered, which is
 * how the desk, the simulated agents and managers finish their work), it is stopped
 * (StopContact), or it expires 7 days after creation as Connect expires unfinished tasks.
 */
export class ConnectTaskLedger {
  /** Open tasks by contact id, in creation order (tasks are created as virtual time moves on). */
  private readonly open = new Map<string, number>();
  private readonly byLink = new Map<string, string>();

  constructor(public quota = DEFAULT_ACTIVE_TASK_QUOTA) {}

  opened(contactId: string, createdAtMs: number, links: string[]): void {
    this.open.set(contactId, createdAtMs);
    for (const link of links) this.byLink.set(linkPath(link), contactId);
  }

  closed(contactId: string): void {
    this.open.delete(contactId);
  }

  /** Closes the task a link belongs to once the link was answered; false when no task has it. */
  linkAnswered(path: string): string | undefined {
    const contactId = this.byLink.get(linkPath(path));
    if (contactId) this.open.delete(contactId);
    return contactId;
  }

  isOpen(contactId: string): boolean {
    return this.open.has(contactId);
  }

  active(nowMs: number): number {
    // Oldest first: expired tasks leave from the front, so counting stays O(1) amortised.
    for (const [contactId, createdAtMs] of this.open) {
      if (createdAtMs + TASK_EXPIRY_MS > nowMs) break;
      this.open.delete(contactId);
    }
    return this.open.size;
  }
}

function linkPath(link: string): string {
  try {
    return new URL(link, 'http://local').pathname;
  } catch {
    return link;
  }
}
