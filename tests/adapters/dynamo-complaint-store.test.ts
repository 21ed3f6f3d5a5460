import '../handlers/setup-env.js';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { DynamoComplaintStore } from '../../functions/shared/adapters/dynamo-complaint-store.js';
import { keys } from '../../functions/shared/adapters/table.js';
import type { Complaint } from '../../functions/shared/domain/complaint.js';

/** The DynamoDB requests behind the complaint store. */
const db = mockClient(DynamoDBDocumentClient);
const now = new Date('2026-11-25T00:00:00Z');
const store = new DynamoComplaintStore('FollowUps', 760, () => now);
const conditionFailed = () => new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });
const complaintId = `cp-${'a'.repeat(32)}`;

beforeEach(() => db.reset());

describe('complaint store', () => {
  it('creates a complaint once and returns the stored one to a repeated raise', async () => {
    const complaint = { complaintId, cycle: 1, status: 'open', history: [] } as unknown as Complaint;
    db.on(PutCommand).rejects(conditionFailed());
    db.on(GetCommand, { Key: keys.complaint(complaintId) }).resolves({
      Item: { ...keys.complaint(complaintId), kind: 'Complaint', ...complaint, status: 'acknowledged' },
    });
    expect(await store.create(complaint)).toEqual({ created: false, existing: { ...complaint, status: 'acknowledged' } });
    expect(db.commandCalls(PutCommand)[0]!.args[0].input).toMatchObject({
      Item: { ...keys.complaint(complaintId), kind: 'Complaint' },
      ConditionExpression: 'attribute_not_exists(pk)',
    });
  });

  it("records a manager's action only in the cycle and state the manager acted on", async () => {
    db.on(UpdateCommand).resolves({});
    expect(await store.recordManagerAction(complaintId, 2, { type: 'acknowledged', at: now.toISOString() })).toBe(true);
    db.on(UpdateCommand).rejects(conditionFailed());
    expect(await store.recordManagerAction(complaintId, 2, { type: 'resolved', at: now.toISOString(), resolution: 'refunded' })).toBe(
      false,
    );
    const [acknowledge, resolve] = db.commandCalls(UpdateCommand).map((c) => c.args[0].input);
    expect(acknowledge).toMatchObject({
      Key: keys.complaint(complaintId),
      ConditionExpression: 'attribute_exists(pk) AND #cycle = :cycle AND #status = :open',
    });
    expect(resolve!.ConditionExpression).toBe('attribute_exists(pk) AND #cycle = :cycle AND #status IN (:open, :acknowledged)');
  });

  it('writes a step once per key and never for a stale cycle', async () => {
    db.on(UpdateCommand).resolves({});
    await store.update(complaintId, { status: 'acknowledged', waitingToken: null }, [], 3, 'plan-3-1');
    const update = db.commandCalls(UpdateCommand)[0]!.args[0].input;
    expect(update.UpdateExpression).toBe(
      'SET history = list_append(history, :events), expiresAt = :exp, #status = :status, lastStepKey = :once REMOVE #waitingToken',
    );
    expect(update.ConditionExpression).toBe(
      'attribute_exists(pk) AND #cycle = :guardCycle AND (attribute_not_exists(lastStepKey) OR lastStepKey <> :once)',
    );
  });

  it("uses a manager's link once", async () => {
    db.on(PutCommand).resolvesOnce({}).rejects(conditionFailed());
    expect(await store.useLink('link-1', now.toISOString())).toBe(true);
    expect(await store.useLink('link-1', now.toISOString())).toBe(false);
    expect(db.commandCalls(PutCommand)[0]!.args[0].input).toMatchObject({
      Item: { ...keys.usedLink('link-1'), kind: 'UsedLink' },
      ConditionExpression: 'attribute_not_exists(pk)',
    });
  });
});
