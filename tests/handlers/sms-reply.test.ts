import './setup-env.js';
import { beforeEach, describe, expect, it } from 'vitest';
import type { FollowUp } from '../../functions/shared/domain/follow-up.js';
import type { SmsReplies, SmsReplyRef } from '../../functions/shared/ports/sms-replies.js';
import { handleSmsReplies, type SmsReplyDeps } from '../../functions/sms-reply/sms-reply.js';
import { FakeChannels, FakeWorkflow } from '../support/fake-channels.js';
import { storedFollowUp, storedFollowUpId } from '../support/follow-up-fixtures.js';
import { MemoryFollowUpStore } from '../support/memory-store.js';

const id = storedFollowUpId;
const customer = '+14155550123';
const followUp: FollowUp = storedFollowUp({
  customer: { id: 'C1', name: 'Li Lei', phone: customer, locale: 'en' },
});

class MemoryReplies implements SmsReplies {
  readonly refs = new Map<string, SmsReplyRef>();
  async remember(to: string, from: string, ref: SmsReplyRef) {
    this.refs.set(`${to}|${from}`, ref);
  }
  async find(to: string, from: string) {
    return this.refs.get(`${to}|${from}`);
  }
}

const event = (...bodies: [string, string][]) => ({
  Records: bodies.map(([from, body]) => ({
    Sns: { Message: JSON.stringify({ originationNumber: from, destinationNumber: '+12065550100', messageBody: body }) },
  })),
});

describe('sms-reply: a reply finds its attempt', () => {
  let store: MemoryFollowUpStore;
  let workflow: FakeWorkflow;
  let channels: FakeChannels;
  let optOuts: unknown[];
  let deps: SmsReplyDeps;
  beforeEach(async () => {
    store = new MemoryFollowUpStore();
    store.followUps.set(id, structuredClone(followUp));
    store.attempts.set(`${id}#2`, { followUpId: id, attempt: 2, channel: 'sms', taskToken: 'token-2' });
    optOuts = [];
    store.optOut = async (...args: unknown[]) => {
      optOuts.push(args);
    };
    workflow = new FakeWorkflow();
    channels = new FakeChannels();
    const replies = new MemoryReplies();
    await replies.remember(customer, 'any', { followUpId: id, attempt: 2 });
    deps = { store, limiter: { reserve: async (_c, at) => at }, replies, workflow, channels, now: new Date('2026-11-23T02:00:00Z') };
  });

  it('records a score as the survey’s score question and completes the attempt, once', async () => {
    expect(await handleSmsReplies(event([customer, '5'], [customer, '1']), deps)).toEqual({ handled: ['score', 'already-answered'] });
    expect(store.attempts.get(`${id}#2`)).toMatchObject({ result: 'reached', answers: { overall: 5 } });
    expect(workflow.completed).toMatchObject([{ taskToken: 'token-2', output: { outcome: { result: 'reached' } } }]);
  });

  it('opts the customer out on TD and ends the attempt as refused', async () => {
    expect(await handleSmsReplies(event([customer, 'TD']), deps)).toEqual({ handled: ['opt-out'] });
    expect(optOuts).toEqual([[{ source: 'dms', id: 'C1' }, '2026-11-23T02:00:00.000Z']]);
    expect(workflow.completed).toMatchObject([{ taskToken: 'token-2', output: { outcome: { result: 'refused' } } }]);
  });

  it('answers HELP with the help text in the customer’s language, and leaves the attempt open', async () => {
    expect(await handleSmsReplies(event([customer, 'HELP']), deps)).toEqual({ handled: ['help'] });
    expect(channels.sms[0]).toMatchObject({ to: customer, purpose: { kind: 'follow-up', followUpId: id, attempt: 2 } });
    expect(channels.sms[0]!.text).toContain('reply 1-5');
    expect(workflow.completed).toEqual([]);
  });

  it('changes nothing for a reply it does not understand, from an unknown number, or that is malformed', async () => {
    const malformed = { Records: [{ Sns: { Message: 'not json' } }] };
    expect(await handleSmsReplies(event([customer, 'thanks'], ['+14155550999', '5']), deps)).toEqual({
      handled: ['not-understood', 'unmatched'],
    });
    expect(await handleSmsReplies(malformed, deps)).toEqual({ handled: [] });
    expect(workflow.completed).toEqual([]);
  });

  it('leaves the score recorded when the workflow had already moved on, and reopens the attempt when it could not be told', async () => {
    workflow.completeTask = async () => {
      throw Object.assign(new Error('timed out'), { name: 'TaskTimedOut' });
    };
    expect(await handleSmsReplies(event([customer, '4']), deps)).toEqual({ handled: ['closed'] });
    store.attempts.set(`${id}#2`, { followUpId: id, attempt: 2, channel: 'sms', taskToken: 'token-2' });
    let reopened = 0;
    store.reopenAttempt = async () => {
      reopened += 1;
    };
    workflow.completeTask = async () => {
      throw Object.assign(new Error('throttled'), { name: 'ThrottlingException' });
    };
    await expect(handleSmsReplies(event([customer, '4']), deps)).rejects.toThrow('throttled');
    expect(reopened).toBe(1);
  });

  it('fails the attempt on an undelivered-text receipt, and only notes a delivered one', async () => {
    const receipt = (eventType: string) => ({
      Records: [{ Sns: { Message: JSON.stringify({ eventType, context: { kind: 'follow-up', followUpId: id, attempt: '2' } }) } }],
    });
    expect(await handleSmsReplies(receipt('TEXT_DELIVERED'), deps)).toEqual({ handled: ['delivery-noted'] });
    expect(await handleSmsReplies(receipt('TEXT_UNREACHABLE'), deps)).toEqual({ handled: ['undelivered'] });
    expect(store.attempts.get(`${id}#2`)).toMatchObject({ result: 'failed' });
    expect(workflow.completed).toMatchObject([{ taskToken: 'token-2', output: { outcome: { result: 'failed' } } }]);
    expect(await handleSmsReplies(receipt('TEXT_UNREACHABLE'), deps)).toEqual({ handled: ['already-answered'] });
  });
});
