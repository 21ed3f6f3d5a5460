import '../handlers/setup-env.js';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { DynamoFollowUpStore } from '../../functions/shared/adapters/dynamo-follow-up-store.js';
import { keys } from '../../functions/shared/adapters/table.js';
import type { AttemptSummary, FollowUp } from '../../functions/shared/domain/follow-up.js';
import type { PlanDecision } from '../../functions/shared/domain/plan.js';

/** The DynamoDB requests behind the follow-up store: keys, expressions and the conditions that make retries harmless. */
const db = mockClient(DynamoDBDocumentClient);
const now = new Date('2026-11-25T00:00:00Z');
const store = new DynamoFollowUpStore('FollowUps', 760, () => now);
const epoch = (iso: string) => Math.floor(Date.parse(iso) / 1000);
const conditionFailed = () => new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });
const updates = () => db.commandCalls(UpdateCommand).map((c) => c.args[0].input);
const customer = { source: 'crm', id: 'c' };

beforeEach(() => db.reset());

describe('follow-up store retention', () => {
  it('writes every record with an expiry at least two years out', async () => {
    db.on(PutCommand).resolves({});
    await store.recordRejection({
      eventId: 'e',
      source: 's',
      detailType: 'd',
      field: 'f',
      reason: 'field-required',
      message: 'm',
      receivedAt: now.toISOString(),
    });
    const item = db.commandCalls(PutCommand)[0]!.args[0].input.Item!;
    expect(item).toMatchObject(keys.rejection('e'));
    expect(item.expiresAt).toBe(epoch('2026-11-25T00:00:00Z') + 760 * 86_400);
    expect(item.expiresAt - epoch(now.toISOString())).toBeGreaterThanOrEqual(730 * 86_400);
  });

  it('treats an expired item as gone, even before TTL deletes it', async () => {
    db.on(GetCommand).resolves({ Item: { ...keys.followUp('x'), followUpId: 'x', expiresAt: epoch('2026-11-24T00:00:00Z') } });
    expect(await store.get('x')).toBeUndefined();
    db.on(GetCommand).resolves({ Item: { ...keys.followUp('x'), followUpId: 'x', expiresAt: epoch('2027-11-24T00:00:00Z') } });
    expect(await store.get('x')).toMatchObject({ followUpId: 'x' });
  });

  it('ignores an expired opt-out or pause in the customer state', async () => {
    db.on(QueryCommand).resolves({
      Items: [
        { ...keys.optOut(customer), until: '2025-12-31T00:00:00Z', expiresAt: epoch('2026-01-01T00:00:00Z') },
        { ...keys.contactPause(customer), until: '2026-11-26T00:00:00Z', expiresAt: epoch('2028-01-01T00:00:00Z') },
      ],
    });
    expect(await store.customerState(customer, now)).toEqual({
      optedOut: false,
      pausedUntil: '2026-11-26T00:00:00Z',
      contactsByQuarter: {},
      pending: [],
    });
  });

  it('keeps a permanent opt-out without an expiry and lets a temporary one lapse at its end', async () => {
    db.on(PutCommand).resolves({});
    await store.optOut(customer, now.toISOString());
    await store.optOut(customer, now.toISOString(), '2027-01-01T00:00:00Z');
    const [forever, until] = db.commandCalls(PutCommand).map((c) => c.args[0].input.Item!);
    expect(forever).toMatchObject({ ...keys.optOut(customer), kind: 'OptOut' });
    expect(forever!.expiresAt).toBeUndefined();
    expect(until!.expiresAt).toBe(epoch('2027-01-01T00:00:00Z'));
  });
});

describe('follow-up store writes', () => {
  const followUp = {
    followUpId: 'fu-1',
    source: 'dms',
    serviceId: 'RO-1',
    serviceType: 'vehicle-repair',
    attempts: [],
  } as unknown as FollowUp;

  it('creates a follow-up only where none is, and returns the stored one for a repeated business key', async () => {
    db.on(PutCommand).resolves({});
    expect(await store.create(followUp)).toEqual({ created: true });
    const put = db.commandCalls(PutCommand)[0]!.args[0].input;
    expect(put.ConditionExpression).toBe('attribute_not_exists(pk)');
    expect(put.Item).toMatchObject({ ...keys.followUp('fu-1'), kind: 'FollowUp', serviceId: 'RO-1' });

    db.on(PutCommand).rejects(conditionFailed());
    db.on(GetCommand, { Key: keys.followUp('fu-1') }).resolves({ Item: { ...keys.followUp('fu-1'), ...followUp, executionStarted: true } });
    expect(await store.create(followUp)).toEqual({ created: false, existing: { ...followUp, executionStarted: true } });
  });

  it('counts a contact against the quarter only under the cap, or when this follow-up is already counted', async () => {
    db.on(UpdateCommand).resolves({});
    expect(await store.reserveContact(customer, '2026-Q4', 'fu-1', 2)).toBe(true);
    db.on(UpdateCommand).rejects(conditionFailed());
    expect(await store.reserveContact(customer, '2026-Q4', 'fu-1', 2)).toBe(false);
    const [reserve] = updates();
    expect(reserve!.Key).toEqual(keys.quarterContacts(customer, '2026-Q4'));
    expect(reserve!.ConditionExpression).toBe('attribute_not_exists(followUps) OR size(followUps) < :max OR contains(followUps, :fid)');
  });

  it('appends an attempt to the plan once: a replayed Plan step meets the size condition and changes nothing', async () => {
    db.on(UpdateCommand).rejects(conditionFailed());
    const last: AttemptSummary = {
      attempt: 2,
      channel: 'phone',
      dueAt: now.toISOString(),
      result: 'no_answer',
      endedAt: now.toISOString(),
    };
    await expect(
      store.savePlan('fu-1', last, { action: 'finish', status: 'unreachable', reason: 'attempts-exhausted' } as PlanDecision),
    ).resolves.toBeUndefined();
    expect(updates()[0]).toMatchObject({
      Key: keys.followUp('fu-1'),
      UpdateExpression: 'SET attempts = list_append(attempts, :last)',
      ConditionExpression: 'size(attempts) = :before',
    });
    expect(updates()[0]!.ExpressionAttributeValues![':before']).toBe(1);
  });

  it('re-opens an attempt with a new token only while nobody answered, and returns what was there', async () => {
    db.on(UpdateCommand).resolves({ Attributes: { ...keys.attempt('fu-1', 2), followUpId: 'fu-1', attempt: 2, taskToken: 'old' } });
    const before = await store.openAttempt({
      followUpId: 'fu-1',
      attempt: 2,
      channel: 'phone',
      taskToken: 'new',
      openedAt: now.toISOString(),
    });
    expect(before).toEqual({ followUpId: 'fu-1', attempt: 2, taskToken: 'old' });
    expect(updates()[0]).toMatchObject({
      Key: { pk: 'FU#fu-1', sk: 'ATTEMPT#002' },
      ConditionExpression: 'attribute_not_exists(usedAt)',
      ReturnValues: 'ALL_OLD',
    });
    expect(updates()[0]!.ExpressionAttributeValues![':t']).toBe('new');
  });

  it('claims a send once, releases only its own claim, and notes the contact', async () => {
    // The claim answers with the matters joined to the attempt, each once (a matter that added itself and was pulled in is listed twice).
    const joined = [{ followUpId: 'fu-2', attempt: 1 }];
    db.on(UpdateCommand).resolves({ Attributes: { joined: [...joined, ...joined] } });
    expect(await store.claimContact('fu-1', 1, 't1')).toEqual(joined);
    db.on(UpdateCommand).resolves({});
    await store.releaseContact('fu-1', 1, 't1');
    await store.markContacted('fu-1', 1, 't2');
    await store.markContacted('fu-1', 1, 't3', 'contact-1');
    const [claim, release, contacted, contactedTask] = updates();
    expect(claim).toMatchObject({
      Key: keys.attempt('fu-1', 1),
      UpdateExpression: 'SET sendingAt = :at',
      ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(sendingAt) AND attribute_not_exists(contactedAt)',
      ReturnValues: 'ALL_NEW',
    });
    expect(release).toMatchObject({
      UpdateExpression: 'REMOVE sendingAt',
      ConditionExpression: 'sendingAt = :at AND attribute_not_exists(contactedAt)',
    });
    expect(contacted).toMatchObject({ UpdateExpression: 'SET contactedAt = :at', ExpressionAttributeValues: { ':at': 't2' } });
    expect(contactedTask).toMatchObject({
      UpdateExpression: 'SET contactedAt = :at, contactId = :contact',
      ExpressionAttributeValues: { ':at': 't3', ':contact': 'contact-1' },
    });

    db.on(UpdateCommand).rejects(conditionFailed());
    expect(await store.claimContact('fu-1', 1, 't4')).toBeUndefined();
    // Another try claimed since: its claim stays, and the release is not an error.
    await expect(store.releaseContact('fu-1', 1, 't4')).resolves.toBeUndefined();
  });

  it('reads the follow-up and one attempt in one query', async () => {
    db.on(QueryCommand).resolves({
      Items: [
        { ...keys.followUp('fu-1'), followUpId: 'fu-1' },
        { ...keys.attempt('fu-1', 1), attempt: 1 },
        { ...keys.attempt('fu-1', 2), attempt: 2 },
      ],
    });
    expect(await store.getWithAttempt('fu-1', 2)).toEqual({ followUp: { followUpId: 'fu-1' }, attempt: { attempt: 2 } });
    expect(db.commandCalls(QueryCommand)[0]!.args[0].input.ExpressionAttributeValues).toEqual({ ':pk': keys.followUpPk('fu-1') });
  });

  it('takes an answer once: a second use of the link is refused', async () => {
    db.on(UpdateCommand).resolves({});
    expect(await store.answerAttempt('fu-1', 1, { result: 'reached', answers: { overall: 5 }, usedAt: now.toISOString() })).toBe(true);
    db.on(UpdateCommand).rejects(conditionFailed());
    expect(await store.answerAttempt('fu-1', 1, { result: 'reached', usedAt: now.toISOString() })).toBe(false);
    expect(updates()[0]!.ConditionExpression).toBe('attribute_exists(pk) AND attribute_not_exists(usedAt)');
  });

  it('finishes with the last attempt appended once; a replayed Record step writes the outcome alone', async () => {
    const outcome = { status: 'completed', finishedAt: now.toISOString() } as const;
    const last: AttemptSummary = { attempt: 1, channel: 'phone', dueAt: now.toISOString(), result: 'reached', endedAt: now.toISOString() };
    db.on(UpdateCommand).rejectsOnce(conditionFailed()).resolves({});
    await store.finish('fu-1', outcome, last);
    const [first, replay] = updates();
    expect(first).toMatchObject({
      Key: keys.followUp('fu-1'),
      UpdateExpression: 'SET #status = :status, outcome = :outcome, expiresAt = :exp, attempts = list_append(attempts, :last)',
      ConditionExpression: 'size(attempts) = :before',
    });
    expect(replay).toMatchObject({
      Key: keys.followUp('fu-1'),
      UpdateExpression: 'SET #status = :status, outcome = :outcome, expiresAt = :exp',
    });
    expect(replay!.ConditionExpression).toBeUndefined();
    expect(replay!.ExpressionAttributeValues).not.toHaveProperty(':last');
  });
});

describe('follow-up store: shared contacts (一事一扰)', () => {
  it('gives each joined matter once, though a matter that joined on its own and was then taken by the lead is written twice', async () => {
    const twice = [
      { followUpId: 'fu-b', attempt: 1 },
      { followUpId: 'fu-c', attempt: 2 },
      { followUpId: 'fu-b', attempt: 1 },
    ];
    db.on(QueryCommand).resolves({ Items: [{ ...keys.attempt('fu-a', 1), followUpId: 'fu-a', attempt: 1, joined: twice }] });
    const { attempt } = await store.getWithAttempt('fu-a', 1);
    expect(attempt?.joined).toEqual([
      { followUpId: 'fu-b', attempt: 1 },
      { followUpId: 'fu-c', attempt: 2 },
    ]);
    db.on(UpdateCommand).resolves({ Attributes: { ...keys.attempt('fu-a', 1), joined: twice } });
    const before = await store.openAttempt({
      followUpId: 'fu-a',
      attempt: 1,
      channel: 'phone',
      taskToken: 't',
      openedAt: now.toISOString(),
    });
    expect(before?.joined).toHaveLength(2);
  });
});
