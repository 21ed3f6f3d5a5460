import './setup-env.js';
import { beforeEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoDBDocumentClient, GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { handler } from '../../functions/record-outcome/handler.js';
import { useClock } from '../../functions/shared/clock.js';

const db = mockClient(DynamoDBDocumentClient);
const events = mockClient(EventBridgeClient);
const context = { awsRequestId: 'r1', functionName: 'record' } as never;
useClock(() => new Date('2026-11-23T02:00:00Z'));
const id = 'fu-0123456789abcdef0123456789abcdef';
const followUp = {
  followUpId: id, serviceType: 'vehicle-repair', serviceId: 'RO-1', source: 'dms', round: 0, completedAt: '2026-11-20T07:00:00.000Z', departmentId: 'service',
  customer: { id: 'C1', name: '孙八', phone: '+8613800138000' }, status: 'scheduled', createdAt: '2026-11-20T07:00:00.000Z', attempts: [],
};
const contactFinal = { followUpId: id, action: 'contact', attempt: 1, channel: 'phone', dueAt: '2026-11-23T01:00:00.000Z', deadline: '2026-11-23T07:00:00.000Z', outcome: { result: 'reached' } };

beforeEach(() => {
  db.reset();
  events.reset();
  events.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e' }] });
  db.on(GetCommand).resolves({});
  db.on(GetCommand, { Key: { pk: `FU#${id}`, sk: 'META' } }).resolves({ Item: followUp });
  db.on(QueryCommand).resolves({ Items: [{ pk: `FU#${id}`, sk: 'META', ...followUp }] });
});

const detailTypes = () => events.commandCalls(PutEventsCommand).map((c) => c.args[0].input.Entries![0]!.DetailType);

describe('record-outcome handler', () => {
  it('writes the final outcome with scores and emits Follow-up Completed without personal data', async () => {
    db.on(QueryCommand).resolves({ Items: [{ pk: `FU#${id}`, sk: 'META', ...followUp }, { pk: `FU#${id}`, sk: 'ATTEMPT#001', answers: { overall: 4, explained: 'yes', wantsComplaint: 'no' } }] });
    expect(await handler(contactFinal, context)).toEqual({ followUpId: id, status: 'completed' });
    const update = db.commandCalls(UpdateCommand)[0]!.args[0].input;
    expect(update.ExpressionAttributeValues![':outcome']).toMatchObject({ status: 'completed', onTime: true, assessment: { scores: { overall: 4 }, complaint: false } });
    expect(update.ConditionExpression).toBe('size(attempts) = :before');
    expect(detailTypes()).toEqual(['Follow-up Completed']);
    expect(JSON.stringify(events.commandCalls(PutEventsCommand).map((c) => c.args[0].input))).not.toContain('孙八');
  });

  it('raises a complaint when a score is at the complaint threshold', async () => {
    db.on(QueryCommand).resolves({ Items: [{ pk: `FU#${id}`, sk: 'META', ...followUp }, { pk: `FU#${id}`, sk: 'ATTEMPT#001', answers: { overall: 1, explained: 'no', wantsComplaint: 'no' } }] });
    await handler(contactFinal, context);
    expect(detailTypes()).toEqual(['Follow-up Completed', 'Complaint Raised']);
    const complaint = JSON.parse(events.commandCalls(PutEventsCommand)[1]!.args[0].input.Entries![0]!.Detail!);
    expect(complaint).toMatchObject({ followUpId: id, customerId: 'C1', departmentId: 'service', complaintQuestions: ['overall'], raisedByAgent: false });
  });

  it('raises a complaint the agent marked even with good scores', async () => {
    db.on(QueryCommand).resolves({ Items: [{ pk: `FU#${id}`, sk: 'META', ...followUp }, { pk: `FU#${id}`, sk: 'ATTEMPT#001', answers: { overall: 5, explained: 'yes', wantsComplaint: 'no' }, agentMarkedComplaint: true }] });
    await handler(contactFinal, context);
    expect(detailTypes()).toContain('Complaint Raised');
  });

  it('records a follow-up that failed on every channel as failed, with the channel and AWS code, and counts it', async () => {
    await handler({ followUpId: id, action: 'finish', status: 'failed', reason: 'contact-failed', error: 'email:MessageRejected' }, context);
    const update = db.commandCalls(UpdateCommand).map((c) => c.args[0].input).find((i) => i.ExpressionAttributeValues?.[':status'])!;
    expect(update.ExpressionAttributeValues![':outcome']).toMatchObject({ status: 'failed', reason: 'contact-failed', error: 'email:MessageRejected' });
    const completed = JSON.parse(events.commandCalls(PutEventsCommand)[0]!.args[0].input.Entries![0]!.Detail!);
    expect(completed).toMatchObject({ followUpId: id, status: 'failed', reason: 'contact-failed' });
  });

  it('records a follow-up whose Plan step kept failing as failed with the error name, whatever else the state holds', async () => {
    const state = { ...contactFinal, outcome: { result: 'no_answer' }, failure: { Error: 'Sandbox.Timedout', Cause: '{"errorMessage":"Task timed out after 30.00 seconds"}' } };
    expect(await handler(state, context)).toEqual({ followUpId: id, status: 'failed' });
    const update = db.commandCalls(UpdateCommand).map((c) => c.args[0].input).find((i) => i.ExpressionAttributeValues?.[':status'])!;
    expect(update.ExpressionAttributeValues![':outcome']).toMatchObject({ status: 'failed', reason: 'step-failed', error: 'Sandbox.Timedout' });
  });

  it('fails with FollowUpNotFound when the record is gone', async () => {
    db.on(GetCommand, { Key: { pk: `FU#${id}`, sk: 'META' } }).resolves({});
    await expect(handler({ followUpId: id, action: 'finish', status: 'skipped', reason: 'not-sampled' }, context)).rejects.toMatchObject({ name: 'FollowUpNotFound' });
  });

  it('records a planned skip without an attempt', async () => {
    await handler({ followUpId: id, action: 'finish', status: 'skipped', reason: 'not-sampled' }, context);
    const update = db.commandCalls(UpdateCommand)[0]!.args[0].input;
    expect(update.ConditionExpression).toBeUndefined();
    expect(update.ExpressionAttributeValues![':status']).toBe('skipped');
  });
});
