import './setup-env.js';
import { beforeEach, describe, expect, it } from 'vitest';
import { type RecordDeps, type RecordInput, recordOutcome } from '../../functions/record-outcome/record-outcome.js';
import type { AttemptSummary, FollowUp } from '../../functions/shared/domain/follow-up.js';
import type { FinalOutcome } from '../../functions/shared/ports/follow-up-store.js';
import { MemoryFollowUpStore } from '../support/memory-store.js';

const now = new Date('2026-11-23T02:00:00Z');
const id = 'fu-0123456789abcdef0123456789abcdef';
const followUp: FollowUp = {
  followUpId: id,
  serviceType: 'vehicle-repair',
  serviceId: 'RO-1',
  source: 'dms',
  round: 0,
  completedAt: '2026-11-20T07:00:00.000Z',
  departmentId: 'service',
  customer: { id: 'C1', name: '孙八', phone: '+8613800138000' },
  status: 'scheduled',
  createdAt: '2026-11-20T07:00:00.000Z',
  attempts: [],
};
const contactFinal: RecordInput = {
  followUpId: id,
  action: 'contact',
  attempt: 1,
  channel: 'phone',
  dueAt: '2026-11-23T01:00:00.000Z',
  deadline: '2026-11-23T07:00:00.000Z',
  outcome: { result: 'reached' },
};

describe('record-outcome: the final record, then the events others react to', () => {
  let store: MemoryFollowUpStore;
  let finished: { outcome: FinalOutcome; last?: AttemptSummary }[];
  let published: { detailType: string; detail: Record<string, unknown> }[];
  let deps: RecordDeps;
  beforeEach(() => {
    store = new MemoryFollowUpStore();
    store.followUps.set(id, structuredClone(followUp));
    finished = [];
    Object.assign(store, {
      finish: async (_id: string, outcome: FinalOutcome, last?: AttemptSummary) => void finished.push({ outcome, last }),
    });
    published = [];
    deps = {
      store,
      events: { publish: async (detailType, detail) => void published.push({ detailType, detail }) },
      aggregates: { add: async () => true },
      now,
    };
  });
  const answered = (answers: Record<string, unknown>, more: Record<string, unknown> = {}) =>
    store.attempts.set(`${id}#1`, { followUpId: id, attempt: 1, answers, ...more });
  const detailTypes = () => published.map((p) => p.detailType);

  it('writes the final outcome with scores and emits Follow-up Completed without personal data', async () => {
    answered({ overall: 4, explained: 'yes', wantsComplaint: 'no' });
    expect(await recordOutcome(contactFinal, deps)).toEqual({ followUpId: id, status: 'completed' });
    expect(finished[0]!.outcome).toMatchObject({
      status: 'completed',
      onTime: true,
      assessment: { scores: { overall: 4 }, complaint: false },
    });
    expect(finished[0]!.last).toMatchObject({ attempt: 1, channel: 'phone', result: 'reached' });
    expect(detailTypes()).toEqual(['Follow-up Completed']);
    expect(JSON.stringify(published)).not.toContain('孙八');
  });

  it("adds the channels tried and the one answered on to the day's aggregate, under the follow-up's id", async () => {
    const unanswered = (attempt: number): AttemptSummary => ({
      attempt,
      channel: 'phone',
      dueAt: '2026-11-22T01:00:00.000Z',
      result: 'no_answer',
      endedAt: '2026-11-22T01:01:00.000Z',
    });
    store.followUps.get(id)!.attempts = [unanswered(1), unanswered(2)];
    store.attempts.set(`${id}#3`, { followUpId: id, attempt: 3, answers: { overall: 4, explained: 'yes', wantsComplaint: 'no' } });
    const added: unknown[][] = [];
    deps.aggregates = { add: async (...args) => Boolean(added.push(args)) };
    await recordOutcome({ ...contactFinal, attempt: 3, channel: 'sms' }, deps);
    expect(added).toEqual([
      [
        '2026-11-23',
        'vehicle-repair',
        'service',
        expect.objectContaining({
          reached: 1,
          channel_phone_attempts: 2,
          channel_phone_contacted: 1,
          channel_sms_attempts: 1,
          channel_sms_contacted: 1,
          channel_sms_reached: 1,
          channel_sms_scoreSum: 4,
          channel_sms_scoreCount: 1,
        }),
        id,
      ],
    ]);
    expect(added[0]![3]).not.toHaveProperty('channel_phone_reached');
  });

  it('raises a complaint when a score is at the complaint threshold', async () => {
    answered({ overall: 1, explained: 'no', wantsComplaint: 'no' });
    await recordOutcome(contactFinal, deps);
    expect(detailTypes()).toEqual(['Follow-up Completed', 'Complaint Raised']);
    expect(published[1]!.detail).toMatchObject({
      followUpId: id,
      customerId: 'C1',
      departmentId: 'service',
      complaintQuestions: ['overall'],
      raisedByAgent: false,
    });
  });

  it('raises a complaint the agent marked even with good scores', async () => {
    answered({ overall: 5, explained: 'yes', wantsComplaint: 'no' }, { agentMarkedComplaint: true });
    await recordOutcome(contactFinal, deps);
    expect(detailTypes()).toContain('Complaint Raised');
  });

  it('records a follow-up that failed on every channel as failed, with the channel and AWS code', async () => {
    await recordOutcome(
      { followUpId: id, action: 'finish', status: 'failed', reason: 'contact-failed', error: 'email:MessageRejected' },
      deps,
    );
    expect(finished[0]!.outcome).toMatchObject({ status: 'failed', reason: 'contact-failed', error: 'email:MessageRejected' });
    expect(published[0]!.detail).toMatchObject({ followUpId: id, status: 'failed', reason: 'contact-failed' });
  });

  it('records a follow-up whose Plan step kept failing as failed with the error name, whatever else the state holds', async () => {
    const state = {
      ...contactFinal,
      failure: { Error: 'Sandbox.Timedout', Cause: '{"errorMessage":"Task timed out after 30.00 seconds"}' },
    };
    expect(await recordOutcome(state, deps)).toEqual({ followUpId: id, status: 'failed' });
    expect(finished[0]!.outcome).toMatchObject({ status: 'failed', reason: 'step-failed', error: 'Sandbox.Timedout' });
  });

  it('fails with FollowUpNotFound when the record is gone', async () => {
    store.followUps.clear();
    await expect(recordOutcome({ followUpId: id, action: 'finish', status: 'skipped', reason: 'not-sampled' }, deps)).rejects.toMatchObject(
      { name: 'FollowUpNotFound' },
    );
  });

  it('records a planned skip without an attempt', async () => {
    await recordOutcome({ followUpId: id, action: 'finish', status: 'skipped', reason: 'not-sampled' }, deps);
    expect(finished).toEqual([{ outcome: expect.objectContaining({ status: 'skipped', reason: 'not-sampled' }), last: undefined }]);
  });
});
