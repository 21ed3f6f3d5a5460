import { keys } from '../../functions/shared/adapters/table.js';
import type { CustomerRef } from '../../functions/shared/domain/customer-key.js';
import type { AttemptSummary, FollowUp } from '../../functions/shared/domain/follow-up.js';
import type { JoinedMatter, PendingContact } from '../../functions/shared/domain/merge.js';
import type {
  AttemptRecord,
  EventWarningRecord,
  FinalOutcome,
  FollowUpStore,
  JoinedSettlement,
  RejectionRecord,
} from '../../functions/shared/ports/follow-up-store.js';

/** An in-memory FollowUpStore for tests that pour thousands of inputs through a handler. */
export class MemoryFollowUpStore implements FollowUpStore {
  readonly followUps = new Map<string, FollowUp & { executionStarted?: boolean }>();
  readonly rejections: RejectionRecord[] = [];
  readonly eventWarnings: EventWarningRecord[] = [];
  readonly attempts = new Map<string, Record<string, unknown>>();
  /** Planned contacts by customer key, then follow-up id. */
  readonly pending = new Map<string, Map<string, PendingContact>>();

  async create(followUp: FollowUp) {
    const existing = this.followUps.get(followUp.followUpId);
    if (existing) return { created: false as const, existing };
    this.followUps.set(followUp.followUpId, structuredClone(followUp));
    return { created: true as const };
  }
  async get(id: string) {
    return this.followUps.get(id);
  }
  async markStarted(id: string) {
    this.followUps.get(id)!.executionStarted = true;
  }
  async recordRejection(rejection: RejectionRecord) {
    this.rejections.push(rejection);
  }
  async recordEventWarnings(record: EventWarningRecord) {
    this.eventWarnings.push(record);
  }
  async optOut() {}
  async customerState(customer: CustomerRef) {
    return { optedOut: false, contactsByQuarter: {}, pending: [...(this.pending.get(keys.customerPk(customer))?.values() ?? [])] };
  }
  async reserveContact() {
    return true;
  }
  async savePlan() {}
  async openAttempt(attempt: AttemptRecord) {
    const key = `${attempt.followUpId}#${attempt.attempt}`;
    const before = this.attempts.get(key);
    if (before?.usedAt) throw Object.assign(new Error('attempt already answered'), { name: 'ConditionalCheckFailedException' });
    this.attempts.set(key, { ...before, ...attempt, openedAt: before?.openedAt ?? attempt.openedAt });
    return before ? (structuredClone(before) as unknown as AttemptRecord) : undefined;
  }
  async claimContact(followUpId: string, attempt: number, at: string) {
    const record = this.attempts.get(`${followUpId}#${attempt}`);
    if (!record || record.sendingAt || record.contactedAt) return undefined;
    record.sendingAt = at;
    return [...((record.joined ?? []) as JoinedMatter[])];
  }
  async releaseContact(followUpId: string, attempt: number, at: string) {
    const record = this.attempts.get(`${followUpId}#${attempt}`);
    if (record?.sendingAt === at && !record.contactedAt) delete record.sendingAt;
  }
  async markContacted(followUpId: string, attempt: number, at: string, contactId?: string) {
    Object.assign(this.attempts.get(`${followUpId}#${attempt}`) ?? {}, { contactedAt: at }, contactId ? { contactId } : {});
  }
  async getWithAttempt(followUpId: string, attempt: number) {
    return { followUp: this.followUps.get(followUpId), attempt: this.attempts.get(`${followUpId}#${attempt}`) as never };
  }
  async answerAttempt(followUpId: string, attempt: number, answer: Record<string, unknown>) {
    const record = this.attempts.get(`${followUpId}#${attempt}`);
    if (!record || record.usedAt) return false;
    Object.assign(record, answer);
    return true;
  }
  async reopenAttempt() {}
  async finish(_followUpId: string, _outcome: FinalOutcome, _last?: AttemptSummary) {}
  private pendingOf(customer: CustomerRef) {
    const key = keys.customerPk(customer);
    if (!this.pending.has(key)) this.pending.set(key, new Map());
    return this.pending.get(key)!;
  }
  async notePending(customer: CustomerRef, pending: PendingContact) {
    this.pendingOf(customer).set(pending.followUpId, structuredClone(pending));
  }
  async forgetPending(customer: CustomerRef, followUpId: string) {
    this.pendingOf(customer).delete(followUpId);
  }
  async claimOwnContact(customer: CustomerRef, followUpId: string) {
    const item = this.pendingOf(customer).get(followUpId);
    if (!item || item.joinedTo) return false;
    item.contactingAt ??= new Date().toISOString();
    return true;
  }
  async joinContact(customer: CustomerRef, followUpId: string, lead: string, dueAt: string) {
    const item = this.pendingOf(customer).get(followUpId);
    if (!item || item.dueAt !== dueAt) return false;
    if (item.joinedTo !== lead && (item.joinedTo || item.contactingAt)) return false;
    item.joinedTo = lead;
    return true;
  }
  async unjoin(customer: CustomerRef, followUpId: string, lead: string) {
    const item = this.pendingOf(customer).get(followUpId);
    if (item?.joinedTo === lead) delete item.joinedTo;
  }
  async addJoined(followUpId: string, attempt: number, matters: JoinedMatter[], beforeSend?: { maxJoined: number }) {
    const key = `${followUpId}#${attempt}`;
    const record = this.attempts.get(key) ?? { followUpId, attempt };
    const joined = (record.joined ?? []) as JoinedMatter[];
    if (
      beforeSend &&
      (record.sendingAt || record.contactedAt || record.usedAt || record.releasedAt || joined.length >= beforeSend.maxJoined)
    )
      return undefined;
    const all = new Map([...joined, ...matters].map((m) => [m.followUpId, m]));
    this.attempts.set(key, Object.assign(record, { joined: [...all.values()] }));
    return [...all.values()];
  }
  async releaseLead(followUpId: string, attempt: number) {
    const record = this.attempts.get(`${followUpId}#${attempt}`);
    if (!record) return [];
    record.releasedAt ??= new Date().toISOString();
    return (record.joined ?? []) as JoinedMatter[];
  }
  async settleJoined(followUpId: string, attempt: number, settlement: JoinedSettlement) {
    const key = `${followUpId}#${attempt}`;
    const record = this.attempts.get(key) ?? { followUpId, attempt, channel: settlement.channel };
    if (record.usedAt) return { settled: false };
    this.attempts.set(key, Object.assign(record, settlement));
    return { settled: true, ...(typeof record.taskToken === 'string' ? { taskToken: record.taskToken } : {}) };
  }
}
