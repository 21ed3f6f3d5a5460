import './setup-env.js';
import { beforeEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { SFNClient, SendTaskSuccessCommand } from '@aws-sdk/client-sfn';
import { ConnectClient, ContactNotFoundException, ResourceNotFoundException, StartTaskContactCommand, StopContactCommand } from '@aws-sdk/client-connect';
import { MessageRejected, SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { handler } from '../../functions/start-contact/handler.js';
import { useClock } from '../../functions/shared/clock.js';
import { verifyLink } from '../../functions/shared/domain/signed-link.js';

const db = mockClient(DynamoDBDocumentClient);
const sfn = mockClient(SFNClient);
const connect = mockClient(ConnectClient);
const ses = mockClient(SESv2Client);
const secrets = mockClient(SecretsManagerClient);
const context = { awsRequestId: 'r1', functionName: 'contact' } as never;
const now = new Date('2026-11-23T01:00:00Z');
useClock(() => now);
const id = 'fu-0123456789abcdef0123456789abcdef';
const followUp = {
  pk: `FU#${id}`, sk: 'META', followUpId: id, source: 'dms', serviceId: 'RO-1', serviceType: 'vehicle-repair', round: 0,
  completedAt: '2026-11-20T07:00:00.000Z', customer: { id: 'C1', name: '赵六', phone: '+8613800138000', email: 'zhao@example.com' },
  status: 'scheduled', createdAt: '2026-11-20T07:00:00.000Z', attempts: [],
};
const keys = { current: { id: 'k1', secret: 'a-very-secret-signing-key' }, previous: [] };

beforeEach(() => {
  for (const mock of [db, sfn, connect, ses, secrets]) mock.reset();
  db.on(GetCommand, { Key: { pk: `FU#${id}`, sk: 'META' } }).resolves({ Item: followUp });
  db.on(QueryCommand).resolves({ Items: [] });
  db.on(UpdateCommand).resolves({ Attributes: { reserved: 1 } });
  secrets.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify({ currentId: 'k1', current: keys.current.secret }) });
  connect.on(StartTaskContactCommand).resolves({ ContactId: 'contact-1' });
  ses.on(SendEmailCommand).resolves({ MessageId: 'm-1' });
});

function mockClientStop() {
  connect.on(StopContactCommand).resolves({});
  return () => connect.commandCalls(StopContactCommand).map((c) => c.args[0].input);
}

const input = (channel: 'phone' | 'email', attempt = 1) => ({ followUpId: id, attempt, channel, timeoutSeconds: 28_800, taskToken: 'token-abc' });

describe('start-contact handler', () => {
  it('creates a Connect task with a deterministic ClientToken, the script and a signed outcome-form link', async () => {
    await handler(input('phone', 2), context);
    const call = connect.commandCalls(StartTaskContactCommand)[0]!.args[0].input;
    expect(call).toMatchObject({ InstanceId: 'instance-1', ContactFlowId: 'flow-1', ClientToken: `${id}-2` });
    expect(call.Description).toContain('赵六');
    const url = call.References!.outcomeForm!.Value!;
    expect(url.startsWith('https://links.example.com/links/')).toBe(true);
    const check = verifyLink(url.split('/links/')[1]!, keys, now);
    expect(check).toMatchObject({ ok: true, claims: { followUpId: id, attempt: 2, purpose: 'agent', expiresAt: now.getTime() / 1000 + 28_800 } });
    const opened = db.commandCalls(UpdateCommand).map((c) => c.args[0].input).find((i) => i.Key?.sk === 'ATTEMPT#002' && i.ExpressionAttributeValues?.[':t']);
    expect(opened!.ExpressionAttributeValues![':t']).toBe('token-abc');
    const contacted = db.commandCalls(UpdateCommand).map((c) => c.args[0].input).find((i) => i.UpdateExpression?.startsWith('SET contactedAt'));
    expect(contacted!.ExpressionAttributeValues).toMatchObject({ ':contact': 'contact-1' });
    // Whom to call is in the description's first lines and in references; attributes hold no personal data.
    expect(call.Description!.split('\n').slice(0, 2)).toEqual(['客户: 赵六', '电话: +8613800138000']);
    expect(call.References).toMatchObject({ customerName: { Type: 'STRING', Value: '赵六' }, customerPhone: { Type: 'STRING', Value: '+8613800138000' } });
    expect(JSON.stringify(call.Attributes)).not.toMatch(/赵六|8613800138000/);
    expect(call.Attributes).not.toHaveProperty('queue');
    const reserve = db.commandCalls(UpdateCommand)[0]!.args[0].input;
    expect(reserve.Key).toEqual({ pk: 'CUST#dms#C1', sk: 'CONTACTS#2026-Q4' });
    expect(sfn.commandCalls(SendTaskSuccessCommand)).toHaveLength(0);
  });

  it('names the provisioned follow-up queue in the task attributes for the contact flow', async () => {
    process.env.FOLLOW_UP_QUEUE_ARN = 'arn:aws:connect:us-east-1:111122223333:instance/instance-1/queue/q-follow-up';
    try {
      await handler(input('phone'), context);
    } finally {
      delete process.env.FOLLOW_UP_QUEUE_ARN;
    }
    expect(connect.commandCalls(StartTaskContactCommand)[0]!.args[0].input.Attributes).toEqual({ followUpId: id, attempt: '1', serviceType: 'vehicle-repair', queue: 'arn:aws:connect:us-east-1:111122223333:instance/instance-1/queue/q-follow-up' });
  });

  it('turns a permanent Connect error into PermanentContactError naming the channel and code, not the message', async () => {
    connect.on(StartTaskContactCommand).rejects(new ResourceNotFoundException({ message: 'Contact flow flow-1 not found', $metadata: { httpStatusCode: 404 } }));
    const error = (await handler(input('phone'), context).catch((e: unknown) => e)) as Error;
    expect(error).toMatchObject({ name: 'PermanentContactError', channel: 'phone', code: 'ResourceNotFoundException', message: 'phone ResourceNotFoundException' });
  });

  it('turns SES MessageRejected into PermanentContactError without the rejected address', async () => {
    ses.on(SendEmailCommand).rejects(new MessageRejected({ message: 'Email address is not verified: zhao@example.com', $metadata: { httpStatusCode: 400 } }));
    const error = (await handler(input('email'), context).catch((e: unknown) => e)) as Error;
    expect(error).toMatchObject({ name: 'PermanentContactError', code: 'MessageRejected' });
    expect(JSON.stringify({ message: error.message, stack: error.stack })).not.toContain('zhao@example.com');
  });

  it('fails with FollowUpNotFound when the record is gone', async () => {
    db.on(GetCommand, { Key: { pk: `FU#${id}`, sk: 'META' } }).resolves({});
    await expect(handler(input('phone'), context)).rejects.toMatchObject({ name: 'FollowUpNotFound' });
  });

  it('uses its reserved second when it starts a few seconds late, and reserves again when much later', async () => {
    await handler({ ...input('phone'), reservedSlot: '2026-11-23T00:59:50.000Z' }, context);
    expect(db.commandCalls(UpdateCommand).filter((c) => c.args[0].input.Key?.pk === 'RATE#phone')).toHaveLength(0);
    db.resetHistory();
    await handler({ ...input('phone', 2), reservedSlot: '2026-11-23T00:55:00.000Z' }, context);
    expect(db.commandCalls(UpdateCommand).filter((c) => c.args[0].input.Key?.pk === 'RATE#phone').map((c) => c.args[0].input.Key!.sk)).toEqual(['2026-11-23T01:00:00.000Z']);
  });

  it('stops the Connect task of an attempt nobody completed in time', async () => {
    const stop = mockClientStop();
    db.on(QueryCommand).resolves({ Items: [followUp, { pk: `FU#${id}`, sk: 'ATTEMPT#001', followUpId: id, attempt: 1, contactId: 'contact-1' }] });
    expect(await handler({ action: 'stop-task', followUpId: id, attempt: 1 }, context)).toEqual({ stopped: true });
    expect(stop()).toEqual([{ InstanceId: 'instance-1', ContactId: 'contact-1' }]);
  });

  it('does not stop a task whose outcome was recorded, and takes an already ended task calmly', async () => {
    const stop = mockClientStop();
    db.on(QueryCommand).resolves({ Items: [{ pk: `FU#${id}`, sk: 'ATTEMPT#001', contactId: 'contact-1', usedAt: '2026-11-23T01:10:00.000Z' }] });
    expect(await handler({ action: 'stop-task', followUpId: id, attempt: 1 }, context)).toEqual({ stopped: false });
    expect(stop()).toEqual([]);
    db.on(QueryCommand).resolves({ Items: [{ pk: `FU#${id}`, sk: 'ATTEMPT#001', contactId: 'contact-1' }] });
    connect.on(StopContactCommand).rejects(new ContactNotFoundException({ message: 'gone', $metadata: { httpStatusCode: 404 } }));
    expect(await handler({ action: 'stop-task', followUpId: id, attempt: 1 }, context)).toEqual({ stopped: true });
  });

  it('emails the survey link for the email channel', async () => {
    await handler(input('email'), context);
    const call = ses.commandCalls(SendEmailCommand)[0]!.args[0].input;
    expect(call.Destination?.ToAddresses).toEqual(['zhao@example.com']);
    expect(call.FromEmailAddress).toBe('follow-up@example.com');
    expect(call.Content?.Simple?.Body?.Text?.Data).toMatch(/https:\/\/links\.example\.com\/links\/\S+/);
    expect(connect.commandCalls(StartTaskContactCommand)).toHaveLength(0);
  });

  it('does not contact an opted-out customer and ends the wait at once', async () => {
    db.on(QueryCommand).resolves({ Items: [{ pk: 'CUST#dms#C1', sk: 'OPTOUT', at: '2026-11-21T00:00:00Z' }] });
    expect(await handler(input('phone'), context)).toEqual({ started: false });
    expect(connect.commandCalls(StartTaskContactCommand)).toHaveLength(0);
    expect(JSON.parse(sfn.commandCalls(SendTaskSuccessCommand)[0]!.args[0].input.output!)).toEqual({ result: 'suppressed', reason: 'opted-out' });
  });

  it('postpones the contact while a complaint pause runs, without using an attempt', async () => {
    db.on(QueryCommand).resolves({ Items: [{ pk: 'CUST#dms#C1', sk: 'PAUSE', until: '2026-11-24T01:00:00.000Z' }] });
    expect(await handler(input('phone'), context)).toEqual({ started: false });
    expect(JSON.parse(sfn.commandCalls(SendTaskSuccessCommand)[0]!.args[0].input.output!)).toEqual({ result: 'paused', callbackAt: '2026-11-24T01:00:00.000Z' });
    expect(connect.commandCalls(StartTaskContactCommand)).toHaveLength(0);
  });

  it('defers the contact to the second the rate limiter gives it when this second is full', async () => {
    db.on(UpdateCommand, { Key: { pk: 'RATE#phone', sk: '2026-11-23T01:00:00.000Z' } }).resolves({ Attributes: { reserved: 7 } });
    expect(await handler(input('phone'), context)).toEqual({ started: false });
    // 7th caller with 2 per second: 5 over, so three seconds ahead, where it gets a slot.
    const reservations = db.commandCalls(UpdateCommand).map((c) => c.args[0].input.Key).filter((k) => k?.pk === 'RATE#phone');
    expect(reservations.map((k) => k!.sk)).toEqual(['2026-11-23T01:00:00.000Z', '2026-11-23T01:00:03.000Z']);
    expect(JSON.parse(sfn.commandCalls(SendTaskSuccessCommand)[0]!.args[0].input.output!)).toEqual({ result: 'deferred', callbackAt: '2026-11-23T01:00:03.000Z' });
    expect(connect.commandCalls(StartTaskContactCommand)).toHaveLength(0);
  });

  it('does not contact the customer again when the step repeats after the contact was made', async () => {
    db.on(UpdateCommand, { Key: { pk: `FU#${id}`, sk: 'ATTEMPT#001' } }).resolves({ Attributes: { followUpId: id, attempt: 1, contactedAt: '2026-11-23T01:00:00.000Z' } });
    expect(await handler(input('email'), context)).toEqual({ started: true });
    expect(ses.commandCalls(SendEmailCommand)).toHaveLength(0);
  });

  it('uses the slot it was given without reserving again', async () => {
    await handler({ ...input('phone', 2), reservedSlot: '2026-11-23T01:00:00.000Z' }, context);
    expect(db.commandCalls(UpdateCommand).filter((c) => c.args[0].input.Key?.pk === 'RATE#phone')).toHaveLength(0);
    expect(connect.commandCalls(StartTaskContactCommand)).toHaveLength(1);
  });

  it('skips the contact when the quarterly cap was reached since planning', async () => {
    db.on(UpdateCommand).rejects(new ConditionalCheckFailedException({ message: 'cap', $metadata: {} }));
    expect(await handler(input('phone'), context)).toEqual({ started: false });
    expect(JSON.parse(sfn.commandCalls(SendTaskSuccessCommand)[0]!.args[0].input.output!)).toEqual({ result: 'skipped', reason: 'frequency-cap' });
    expect(connect.commandCalls(StartTaskContactCommand)).toHaveLength(0);
  });

  it('rethrows Connect throttling so the workflow retries with backoff', async () => {
    const throttled = Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $metadata: {} });
    connect.on(StartTaskContactCommand).rejects(throttled);
    await expect(handler(input('phone'), context)).rejects.toMatchObject({ name: 'ThrottlingException' });
  });

  it('rejects a malformed workflow input naming the field', async () => {
    await expect(handler({ ...input('phone'), channel: 'pigeon' }, context)).rejects.toThrow(/channel/);
  });
});
