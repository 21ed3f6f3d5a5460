import './setup-env.js';
import {
  ConnectClient,
  ContactNotFoundException,
  ResourceNotFoundException,
  StartTaskContactCommand,
  StopContactCommand,
} from '@aws-sdk/client-connect';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { MessageRejected, SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { SFNClient } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient, GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { keys as tableKeys } from '../../functions/shared/adapters/table.js';
import { useClock } from '../../functions/shared/clock.js';
import { policyConfig } from '../../functions/shared/config/policies.js';
import { PermanentContactError } from '../../functions/shared/domain/errors.js';
import type { FollowUp } from '../../functions/shared/domain/follow-up.js';
import { verifyLink } from '../../functions/shared/domain/signed-link.js';
import { handler } from '../../functions/start-contact/handler.js';
import {
  AGENT_CAPACITY_RETRY_MS,
  type ContactDeps,
  startContact,
  stopUnansweredTask,
} from '../../functions/start-contact/start-contact.js';
import { FakeChannels, FakeWorkflow } from '../support/fake-channels.js';
import { storedFollowUp, storedFollowUpId } from '../support/follow-up-fixtures.js';
import { MemoryFollowUpStore } from '../support/memory-store.js';

const now = new Date('2026-11-23T01:00:00Z');
const id = storedFollowUpId;
const followUp: FollowUp = storedFollowUp();
const keys = { current: { id: 'k1', secret: 'a-very-secret-signing-key' }, previous: [] };
const input = (channel: 'phone' | 'email', attempt = 1) => ({
  followUpId: id,
  attempt,
  channel,
  timeoutSeconds: 28_800,
  taskToken: 'token-abc',
});

describe('start-contact: the last look before a customer is disturbed', () => {
  let store: MemoryFollowUpStore;
  let channels: FakeChannels;
  let workflow: FakeWorkflow;
  let reservations: string[];
  let deps: ContactDeps;
  /** The rate limiter gives the second asked for, or the one set here for a channel. */
  let nextSlot: Date | undefined;
  beforeEach(() => {
    store = new MemoryFollowUpStore();
    store.followUps.set(id, structuredClone(followUp));
    channels = new FakeChannels();
    workflow = new FakeWorkflow();
    reservations = [];
    nextSlot = undefined;
    const limiter = {
      reserve: async (channel: string, from: Date) => {
        reservations.push(`${channel}@${from.toISOString()}`);
        return nextSlot ?? from;
      },
    };
    deps = { store, limiter, channels, workflow, keys: async () => keys, outcomeBaseUrl: 'https://links.example.com', now };
  });
  // The outcome part of what the step hands back (the rest is the next plan or Record's input).
  const answered = () => workflow.completed.map((c) => c.output.outcome);

  it('gives the agent a task with the script and a signed outcome-form link, whom to call outside its attributes', async () => {
    expect(await startContact(input('phone', 2), deps)).toEqual({ started: true });
    const task = channels.tasks[0]!;
    expect(task).toMatchObject({ followUpId: id, attempt: 2 });
    expect(task.outcomeFormUrl.startsWith('https://links.example.com/links/')).toBe(true);
    const check = verifyLink(task.outcomeFormUrl.split('/links/')[1]!, keys, now);
    expect(check).toMatchObject({
      ok: true,
      claims: { followUpId: id, attempt: 2, purpose: 'agent', expiresAt: now.getTime() / 1000 + 28_800 },
    });
    expect(task.description.split('\n').slice(0, 2)).toEqual(['客户: 赵六', '电话: +8613800138000']);
    expect(task.textReferences).toEqual({ customerName: '赵六', customerPhone: '+8613800138000' });
    expect(JSON.stringify(task.attributes)).not.toMatch(/赵六|8613800138000/);
    expect(task.attributes).not.toHaveProperty('queue');
    expect(store.attempts.get(`${id}#2`)).toMatchObject({ taskToken: 'token-abc', contactedAt: now.toISOString(), contactId: 'contact-1' });
    expect(workflow.completed).toEqual([]);
  });

  it('names the provisioned follow-up queue in the task attributes for the contact flow', async () => {
    const queue = 'arn:aws:connect:us-east-1:111122223333:instance/instance-1/queue/q-follow-up';
    await startContact(input('phone'), { ...deps, followUpQueueArn: queue });
    expect(channels.tasks[0]!.attributes).toEqual({ followUpId: id, attempt: '1', serviceType: 'vehicle-repair', queue });
  });

  it('emails the survey link for the email channel', async () => {
    await startContact(input('email'), deps);
    expect(channels.emails[0]!.to).toBe('zhao@example.com');
    expect(channels.emails[0]!.text).toMatch(/https:\/\/links\.example\.com\/links\/\S+/);
    expect(channels.tasks).toHaveLength(0);
  });

  it('fails with FollowUpNotFound when the record is gone', async () => {
    store.followUps.clear();
    await expect(startContact(input('phone'), deps)).rejects.toMatchObject({ name: 'FollowUpNotFound' });
  });

  it('does not contact an opted-out customer and ends the wait at once', async () => {
    store.customerState = async () => ({ optedOut: true, contactsByQuarter: {}, pending: [] });
    expect(await startContact(input('phone'), deps)).toEqual({ started: false });
    expect(channels.tasks).toHaveLength(0);
    expect(answered()).toEqual([{ result: 'suppressed', reason: 'opted-out' }]);
  });

  it('postpones the contact while a complaint pause runs, without using an attempt', async () => {
    store.customerState = async () => ({ optedOut: false, contactsByQuarter: {}, pending: [], pausedUntil: '2026-11-24T01:00:00.000Z' });
    expect(await startContact(input('phone'), deps)).toEqual({ started: false });
    expect(answered()).toEqual([{ result: 'paused', callbackAt: '2026-11-24T01:00:00.000Z' }]);
    expect(store.attempts.size).toBe(0);
  });

  it('skips the contact when the quarterly cap was reached since planning', async () => {
    const asked: unknown[][] = [];
    store.reserveContact = async (...args) => {
      asked.push(args);
      return false;
    };
    expect(await startContact(input('phone'), deps)).toEqual({ started: false });
    expect(asked).toEqual([[{ source: 'dms', id: 'C1' }, '2026-Q4', id, policyConfig.frequencyCap.maxPerQuarter]]);
    expect(answered()).toEqual([{ result: 'skipped', reason: 'frequency-cap' }]);
    expect(channels.tasks).toHaveLength(0);
  });

  it('defers the contact to the second the rate limiter gives it when this second is full', async () => {
    nextSlot = new Date('2026-11-23T01:00:03.000Z');
    expect(await startContact(input('phone'), deps)).toEqual({ started: false });
    expect(reservations).toEqual(['phone@2026-11-23T01:00:00.000Z']);
    expect(answered()).toEqual([{ result: 'deferred', callbackAt: '2026-11-23T01:00:03.000Z' }]);
    expect(channels.tasks).toHaveLength(0);
  });

  it('uses its reserved second when it starts a few seconds late, and reserves again when much later', async () => {
    await startContact({ ...input('phone'), reservedSlot: '2026-11-23T00:59:50.000Z' }, deps);
    expect(reservations).toEqual([]);
    await startContact({ ...input('phone', 2), reservedSlot: '2026-11-23T00:55:00.000Z' }, deps);
    expect(reservations).toEqual(['phone@2026-11-23T01:00:00.000Z']);
  });

  it('uses the slot it was given without reserving again', async () => {
    await startContact({ ...input('phone', 2), reservedSlot: '2026-11-23T01:00:00.000Z' }, deps);
    expect(reservations).toEqual([]);
    expect(channels.tasks).toHaveLength(1);
  });

  it('does not contact the customer again when the step repeats after the contact was made', async () => {
    store.attempts.set(`${id}#1`, { followUpId: id, attempt: 1, contactedAt: '2026-11-23T01:00:00.000Z' });
    expect(await startContact(input('email'), deps)).toEqual({ started: true });
    expect(channels.emails).toHaveLength(0);
  });

  it('waits for agent capacity while Connect is at its active-task quota and the deadline allows', async () => {
    store.followUps.get(id)!.deadline = '2026-11-24T10:00:00.000Z';
    channels.failNext.phone.push(new PermanentContactError('phone', 'ServiceQuotaExceededException'));
    expect(await startContact(input('phone'), deps)).toEqual({ started: false });
    expect(answered()).toEqual([{ result: 'at_capacity', callbackAt: new Date(now.getTime() + AGENT_CAPACITY_RETRY_MS).toISOString() }]);
  });

  it('stops the Connect task of an attempt nobody completed in time, and not one whose outcome was recorded', async () => {
    store.attempts.set(`${id}#1`, { followUpId: id, attempt: 1, contactId: 'contact-1' });
    expect(await stopUnansweredTask({ action: 'stop-task', followUpId: id, attempt: 1 }, deps)).toEqual({ stopped: true });
    expect(channels.stopped).toEqual(['contact-1']);
    store.attempts.set(`${id}#2`, { followUpId: id, attempt: 2, contactId: 'contact-2', usedAt: '2026-11-23T01:10:00.000Z' });
    expect(await stopUnansweredTask({ action: 'stop-task', followUpId: id, attempt: 2 }, deps)).toEqual({ stopped: false });
    expect(channels.stopped).toEqual(['contact-1']);
  });
});

describe('start-contact handler: wired to Connect, SES and the table', () => {
  const db = mockClient(DynamoDBDocumentClient);
  const sfn = mockClient(SFNClient);
  const connect = mockClient(ConnectClient);
  const ses = mockClient(SESv2Client);
  const secrets = mockClient(SecretsManagerClient);
  const context = { awsRequestId: 'r1', functionName: 'contact' } as never;
  useClock(() => now);
  beforeEach(() => {
    for (const mock of [db, sfn, connect, ses, secrets]) mock.reset();
    db.on(GetCommand, { Key: tableKeys.followUp(id) }).resolves({ Item: { ...tableKeys.followUp(id), ...followUp } });
    db.on(QueryCommand).resolves({ Items: [] });
    db.on(QueryCommand, { ExpressionAttributeValues: { ':pk': tableKeys.followUpPk(id) } }).resolves({
      Items: [{ ...tableKeys.followUp(id), ...followUp }],
    });
    db.on(UpdateCommand).resolves({ Attributes: { reserved: 1 } });
    secrets.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify({ currentId: 'k1', current: keys.current.secret }) });
    connect.on(StartTaskContactCommand).resolves({ ContactId: 'contact-1' });
    ses.on(SendEmailCommand).resolves({ MessageId: 'm-1' });
  });

  it('creates the Connect task with a deterministic ClientToken, whom to call as references', async () => {
    expect(await handler(input('phone', 2), context)).toEqual({ started: true });
    const call = connect.commandCalls(StartTaskContactCommand)[0]!.args[0].input;
    expect(call).toMatchObject({ InstanceId: 'instance-1', ContactFlowId: 'flow-1', ClientToken: `${id}-2` });
    expect(call.References).toMatchObject({
      customerName: { Type: 'STRING', Value: '赵六' },
      customerPhone: { Type: 'STRING', Value: '+8613800138000' },
    });
    expect(call.References!.outcomeForm!.Value!.startsWith('https://links.example.com/links/')).toBe(true);
  });

  it('turns a permanent Connect error into PermanentContactError naming the channel and code, not the message', async () => {
    connect
      .on(StartTaskContactCommand)
      .rejects(new ResourceNotFoundException({ message: 'Contact flow flow-1 not found', $metadata: { httpStatusCode: 404 } }));
    const error = (await handler(input('phone'), context).catch((e: unknown) => e)) as Error;
    expect(error).toMatchObject({
      name: 'PermanentContactError',
      channel: 'phone',
      code: 'ResourceNotFoundException',
      message: 'phone ResourceNotFoundException',
    });
  });

  it('turns SES MessageRejected into PermanentContactError without the rejected address', async () => {
    ses
      .on(SendEmailCommand)
      .rejects(new MessageRejected({ message: 'Email address is not verified: zhao@example.com', $metadata: { httpStatusCode: 400 } }));
    const error = (await handler(input('email'), context).catch((e: unknown) => e)) as Error;
    expect(error).toMatchObject({ name: 'PermanentContactError', code: 'MessageRejected' });
    expect(JSON.stringify({ message: error.message, stack: error.stack })).not.toContain('zhao@example.com');
  });

  it('rethrows Connect throttling so the workflow retries with backoff', async () => {
    const throttled = Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $metadata: {} });
    connect.on(StartTaskContactCommand).rejects(throttled);
    await expect(handler(input('phone'), context)).rejects.toMatchObject({ name: 'ThrottlingException' });
  });

  it('runs the stop step, and takes an already ended task calmly', async () => {
    db.on(QueryCommand).resolves({ Items: [{ ...tableKeys.attempt(id, 1), contactId: 'contact-1' }] });
    connect.on(StopContactCommand).rejects(new ContactNotFoundException({ message: 'gone', $metadata: { httpStatusCode: 404 } }));
    expect(await handler({ action: 'stop-task', followUpId: id, attempt: 1 }, context)).toEqual({ stopped: true });
    expect(connect.commandCalls(StopContactCommand).map((c) => c.args[0].input)).toEqual([
      { InstanceId: 'instance-1', ContactId: 'contact-1' },
    ]);
  });

  it('rejects a malformed workflow input naming the field', async () => {
    await expect(handler({ ...input('phone'), channel: 'pigeon' }, context)).rejects.toMatchObject({
      name: 'InvalidInput',
      message: expect.stringMatching(/^invalid input: channel: /),
    });
  });
});
