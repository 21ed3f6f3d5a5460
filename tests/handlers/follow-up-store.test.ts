import './setup-env.js';
import { beforeEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoFollowUpStore } from '../../functions/shared/adapters/dynamo-follow-up-store.js';

/** Retention: records expire after the configured period, and reads ignore expired items TTL has not removed yet. */
const db = mockClient(DynamoDBDocumentClient);
const now = new Date('2026-11-25T00:00:00Z');
const store = new DynamoFollowUpStore('FollowUps', 760, () => now);
const epoch = (iso: string) => Math.floor(Date.parse(iso) / 1000);

beforeEach(() => db.reset());

describe('follow-up store retention', () => {
  it('writes every record with an expiry at least two years out', async () => {
    db.on(PutCommand).resolves({});
    await store.recordRejection({ eventId: 'e', source: 's', detailType: 'd', field: 'f', reason: 'field-required', message: 'm', receivedAt: now.toISOString() });
    const item = db.commandCalls(PutCommand)[0]!.args[0].input.Item!;
    expect(item.expiresAt).toBe(epoch('2026-11-25T00:00:00Z') + 760 * 86_400);
    expect(item.expiresAt - epoch(now.toISOString())).toBeGreaterThanOrEqual(730 * 86_400);
  });

  it('treats an expired item as gone, even before TTL deletes it', async () => {
    db.on(GetCommand).resolves({ Item: { pk: 'FU#x', sk: 'META', followUpId: 'x', expiresAt: epoch('2026-11-24T00:00:00Z') } });
    expect(await store.get('x')).toBeUndefined();
    db.on(GetCommand).resolves({ Item: { pk: 'FU#x', sk: 'META', followUpId: 'x', expiresAt: epoch('2027-11-24T00:00:00Z') } });
    expect(await store.get('x')).toMatchObject({ followUpId: 'x' });
  });

  it('ignores an expired opt-out or pause in the customer state', async () => {
    db.on(QueryCommand).resolves({ Items: [{ pk: 'CUST#crm#c', sk: 'OPTOUT', until: '2025-12-31T00:00:00Z', expiresAt: epoch('2026-01-01T00:00:00Z') }, { pk: 'CUST#crm#c', sk: 'PAUSE', until: '2026-11-26T00:00:00Z', expiresAt: epoch('2028-01-01T00:00:00Z') }] });
    expect(await store.customerState({ source: 'crm', id: 'c' }, now)).toEqual({ optedOut: false, pausedUntil: '2026-11-26T00:00:00Z', contactsByQuarter: {} });
  });
});
