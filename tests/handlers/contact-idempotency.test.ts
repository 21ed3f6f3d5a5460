import './setup-env.js';
import { beforeEach, describe, expect, it } from 'vitest';
import { planEscalation } from '../../functions/escalation-step/plan-escalation.js';
import type { NoticeChannel, NoticeClaim } from '../../functions/notify-manager/notification-claims.js';
import { complaintQueueArn, type NotifyDeps, notifyManager, stopUnansweredNotice } from '../../functions/notify-manager/notify-manager.js';
import type { Complaint, ComplaintEvent } from '../../functions/shared/domain/complaint.js';
import { PermanentContactError } from '../../functions/shared/domain/errors.js';
import type { FollowUp } from '../../functions/shared/domain/follow-up.js';
import type { ComplaintStore } from '../../functions/shared/ports/complaint-store.js';
import { type ContactDeps, startContact } from '../../functions/start-contact/start-contact.js';
import { FakeChannels, FakeWorkflow } from '../support/fake-channels.js';
import { storedFollowUp, storedFollowUpId } from '../support/follow-up-fixtures.js';
import { MemoryFollowUpStore } from '../support/memory-store.js';

/**
 * Nobody is contacted twice: each step is retried here after failing at every point between its
 * writes and its sends, the way Step Functions retries a failed Lambda step.
 */
const now = new Date('2026-11-23T01:00:00.000Z');
const keys = { current: { id: 'k1', secret: 'a-very-secret-signing-key' }, previous: [] };
const id = storedFollowUpId;
const followUp: FollowUp = storedFollowUp();

/** An AWS SDK error as the SDK throws it: with the service's HTTP status when the service answered. */
const awsError = (name: string, status?: number) =>
  Object.assign(new Error(name), { name, $metadata: status ? { httpStatusCode: status } : {} });

/** Runs a step the way Step Functions retries it: until it succeeds, at most `tries` times. */
async function retried<T>(step: () => Promise<T>, tries = 4): Promise<T> {
  let last: unknown;
  for (let i = 0; i < tries; i += 1) {
    try {
      return await step();
    } catch (error) {
      last = error;
    }
  }
  throw last;
}

describe('start-contact: at most one email or task per attempt', () => {
  let store: MemoryFollowUpStore;
  let channels: FakeChannels;
  let deps: ContactDeps;
  const input = (channel: 'phone' | 'email') => ({ followUpId: id, attempt: 1, channel, timeoutSeconds: 28_800, taskToken: 'token-1' });
  beforeEach(() => {
    store = new MemoryFollowUpStore();
    store.followUps.set(id, structuredClone(followUp));
    channels = new FakeChannels();
    deps = {
      store,
      limiter: { reserve: async (_c, from) => from },
      channels,
      workflow: new FakeWorkflow(),
      keys: async () => keys,
      outcomeBaseUrl: 'https://links.example.com',
      now,
    };
  });

  it('does not email again when the step failed after the email was sent', async () => {
    const markContacted = store.markContacted.bind(store);
    let failures = 1;
    store.markContacted = async (...args) => {
      if (failures-- > 0) throw awsError('ProvisionedThroughputExceededException', 400);
      return markContacted(...args);
    };
    expect(await retried(() => startContact(input('email'), deps))).toEqual({ started: true });
    expect(channels.emails).toHaveLength(1);
  });

  it('sends when SES answered with an error (nothing was accepted), once', async () => {
    channels.failNext.email.push(awsError('TooManyRequestsException', 429));
    await retried(() => startContact(input('email'), deps));
    expect(channels.emails).toHaveLength(1);
    expect(store.attempts.get(`${id}#1`)).toMatchObject({ contactedAt: now.toISOString() });
  });

  it('does not send again when the first send got no answer: it may have gone out', async () => {
    channels.failNext.email.push(awsError('TimeoutError'));
    await expect(startContact(input('email'), deps)).rejects.toThrow('TimeoutError');
    expect(await startContact(input('email'), deps)).toEqual({ started: true });
    expect(channels.emails).toHaveLength(0);
  });

  it('asks Connect again with the same ClientToken, which returns the same task, and keeps its contact id', async () => {
    const markContacted = store.markContacted.bind(store);
    let failures = 1;
    store.markContacted = async (...args) => {
      if (failures-- > 0) throw awsError('InternalServerError', 500);
      return markContacted(...args);
    };
    await retried(() => startContact(input('phone'), deps));
    expect(channels.tasks).toHaveLength(1);
    expect(store.attempts.get(`${id}#1`)).toMatchObject({ contactId: 'contact-1' });
  });
});

const complaintId = `cp-${'a'.repeat(32)}`;
const complaint: Complaint = {
  complaintId,
  followUpId: id,
  serviceType: 'vehicle-repair',
  serviceId: 'RO-1',
  customer: followUp.customer,
  customerSource: 'dms',
  departmentId: 'after-sales',
  severity: 'major',
  status: 'open',
  cycle: 1,
  level: 1,
  notices: 1,
  raisedAt: '2026-11-23T01:00:00.000Z',
  acknowledgeBy: '2026-11-23T06:00:00.000Z',
  resolveBy: '2026-11-24T01:00:00.000Z',
  complaintQuestions: ['overall'],
  repeat: false,
  history: [{ at: '2026-11-23T01:00:00.000Z', type: 'raised', level: 1, cycle: 1 }],
};

/** The complaint store's contract in memory: cycle guard and once-per-key writes. */
class MemoryComplaints {
  item: Complaint & { waitingToken?: string; lastStepKey?: string } = structuredClone(complaint);
  writes = 0;
  async get() {
    return structuredClone(this.item);
  }
  async update(
    _id: string,
    fields: Partial<Complaint> & { waitingToken?: string | null },
    events: ComplaintEvent[],
    onlyIfCycle?: number,
    onceKey?: string,
  ) {
    this.writes += 1;
    if (onlyIfCycle !== undefined && this.item.cycle !== onlyIfCycle) return false;
    if (onceKey !== undefined && this.item.lastStepKey === onceKey) return false;
    for (const [k, v] of Object.entries(fields)) (this.item as unknown as Record<string, unknown>)[k] = v === null ? undefined : v;
    this.item.history.push(...events);
    if (onceKey !== undefined) this.item.lastStepKey = onceKey;
    return true;
  }
}

class MemoryClaims {
  readonly items = new Map<string, NoticeClaim>();
  async claim(cid: string, seq: number, channel: NoticeChannel, at: string) {
    const existing = this.items.get(`${cid}#${seq}#${channel}`);
    if (existing) return { claimed: false as const, existing: { ...existing } };
    this.items.set(`${cid}#${seq}#${channel}`, { sendingAt: at });
    return { claimed: true as const };
  }
  async get(cid: string, seq: number, channel: NoticeChannel) {
    return this.items.get(`${cid}#${seq}#${channel}`);
  }
  async sent(cid: string, seq: number, channel: NoticeChannel, at: string, contactId?: string) {
    Object.assign(this.items.get(`${cid}#${seq}#${channel}`)!, { sentAt: at, contactId });
  }
  async failed(cid: string, seq: number, channel: NoticeChannel, code: string) {
    Object.assign(this.items.get(`${cid}#${seq}#${channel}`)!, { failedCode: code });
  }
  async release(cid: string, seq: number, channel: NoticeChannel, at: string) {
    const item = this.items.get(`${cid}#${seq}#${channel}`);
    if (item?.sendingAt === at && !item.sentAt) this.items.delete(`${cid}#${seq}#${channel}`);
  }
}

describe('notify-manager: the email and the task of a notice each go out once', () => {
  let store: MemoryComplaints;
  let claims: MemoryClaims;
  let channels: FakeChannels;
  let deps: NotifyDeps;
  const notice = { complaintId, cycle: 1, action: 'notify' as const, level: 1, notice: 2, timeoutSeconds: 7200, taskToken: 'token-9' };
  beforeEach(() => {
    store = new MemoryComplaints();
    claims = new MemoryClaims();
    channels = new FakeChannels();
    deps = {
      store: store as unknown as ComplaintStore,
      claims,
      channels,
      keys: async () => keys,
      outcomeBaseUrl: 'https://links.example.com',
      queueArn: (level, name) => complaintQueueArn(level, name),
      now,
    };
  });

  it('does not email again when Connect failed and the step is retried', async () => {
    channels.failNext.phone.push(awsError('ThrottlingException', 429), awsError('InternalServiceException', 500));
    expect(await retried(() => notifyManager(notice, deps))).toEqual({ notified: true });
    expect(channels.emails).toHaveLength(1);
    expect(channels.tasks).toHaveLength(1);
  });

  it('records a channel that refused the notice for good and still notifies on the other', async () => {
    channels.failNext.email.push(new PermanentContactError('email', 'MessageRejected'));
    expect(await notifyManager(notice, deps)).toEqual({ notified: true });
    expect(channels.tasks).toHaveLength(1);
    expect(store.item.history.at(-1)).toMatchObject({ type: 'notification-failed', level: 1, note: 'email:MessageRejected' });
    // A retry neither re-sends nor records the failure twice.
    await notifyManager(notice, deps);
    expect(store.item.history.filter((e) => e.type === 'notification-failed')).toHaveLength(1);
    expect(channels.tasks).toHaveLength(1);
  });

  it('fails with PermanentContactError when no channel took the notice, with both failures in the history', async () => {
    channels.failNext.email.push(new PermanentContactError('email', 'MessageRejected'));
    channels.failNext.phone.push(new PermanentContactError('phone', 'ResourceNotFoundException'));
    await expect(notifyManager(notice, deps)).rejects.toMatchObject({ name: 'PermanentContactError' });
    expect(store.item.history.filter((e) => e.type === 'notification-failed').map((e) => e.note)).toEqual([
      'email:MessageRejected',
      'phone:ResourceNotFoundException',
    ]);
  });

  it("puts the level's provisioned queue in the task and stops the task when nobody acted", async () => {
    process.env.COMPLAINT_QUEUE_ARNS = JSON.stringify({
      1: 'arn:aws:connect:us-east-1:111122223333:instance/i/queue/l1',
      2: 'arn:aws:connect:us-east-1:111122223333:instance/i/queue/l2',
    });
    try {
      await notifyManager(notice, deps);
    } finally {
      delete process.env.COMPLAINT_QUEUE_ARNS;
    }
    expect(channels.tasks[0]!.attributes).toMatchObject({
      complaintId,
      level: '1',
      queue: 'arn:aws:connect:us-east-1:111122223333:instance/i/queue/l1',
    });
    expect(JSON.stringify(channels.tasks[0]!.attributes)).not.toContain('赵六');
    expect(await stopUnansweredNotice({ action: 'stop-task', complaintId, cycle: 1, level: 1, notice: 2 }, deps)).toEqual({
      stopped: true,
    });
    expect(channels.stopped).toEqual(['contact-1']);
  });
});

describe('escalation-step: a retried step does not skip a notice', () => {
  it('plans the same next notice when it runs again after its write, and records it once', async () => {
    const store = new MemoryComplaints();
    const published: unknown[] = [];
    let limiterFailures = 1;
    const limiter = {
      reserve: async (_channel: string, from: Date) => {
        if (limiterFailures-- > 0) throw awsError('InternalServerError', 500);
        return from;
      },
    };
    // Notice 1 of level 1 timed out: the state carries the notice it was at.
    const input = { complaintId, cycle: 1, timedOut: { Error: 'States.Timeout' }, action: 'notify' as const, level: 1, notice: 1 };
    const step = await retried(() =>
      planEscalation(input, {
        store: store as unknown as ComplaintStore,
        events: { publish: async (...a) => void published.push(a) },
        aggregates: { add: async () => true },
        limiter,
        now,
      }),
    );
    expect(step).toMatchObject({ action: 'notify', level: 1, notice: 2 });
    expect(store.item.notices).toBe(2);
    expect(store.item.history.filter((e) => e.type === 'notified')).toHaveLength(1);
  });

  it('moves on to the next notice when the notification could not be sent, and says why', async () => {
    const store = new MemoryComplaints();
    const input = {
      complaintId,
      cycle: 1,
      notifyError: { Error: 'Sandbox.Timedout', Cause: '{"errorMessage":"Task timed out"}' },
      action: 'notify' as const,
      level: 1,
      notice: 1,
    };
    const step = await planEscalation(input, {
      store: store as unknown as ComplaintStore,
      events: { publish: async () => {} },
      aggregates: { add: async () => true },
      limiter: { reserve: async (_c, from) => from },
      now,
    });
    expect(step).toMatchObject({ action: 'notify', level: 1, notice: 2 });
    expect(store.item.history.map((e) => [e.type, e.note])).toContainEqual(['notification-failed', 'Sandbox.Timedout']);
  });
});
