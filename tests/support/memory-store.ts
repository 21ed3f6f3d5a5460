import type { AttemptSummary, FollowUp } from '../../functions/shared/domain/follow-up.js';
import type {
  AttemptRecord,
  EventWarningRecord,
  FinalOutcome,
  FollowUpStore,
  RejectionRecord,
} from '../../functions/shared/ports/follow-up-store.js';

/** An in-memory FollowUpStore for tests that pour thousands of inputs through a handler. */
export class MemoryFollowUpStore implements FollowUpStore {
  readonly followUps = new Map<string, FollowUp & { executionStarted?: boolean }>();
  readonly rejections: RejectionRecord[] = [];
  readonly eventWarnings: EventWarningRecord[] = [];
  readonly attempts = new Map<string, Record<string, unknown>>();

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
  async customerState() {
    return { optedOut: false, contactsByQuarter: {} };
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
    if (!record || record.sendingAt || record.contactedAt) return false;
    record.sendingAt = at;
    return true;
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
}
