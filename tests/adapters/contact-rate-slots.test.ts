import '../handlers/setup-env.js';
import { DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { DynamoRateLimiter } from '../../functions/shared/adapters/dynamo-rate-limiter.js';
import { keys } from '../../functions/shared/adapters/table.js';

/** The per-second contact slots as DynamoDB items: one counter per channel and second. */
const db = mockClient(DynamoDBDocumentClient);
const limiter = new DynamoRateLimiter('FollowUps');
const slotKeys = () => db.commandCalls(UpdateCommand).map((c) => c.args[0].input.Key);

beforeEach(() => db.reset());

describe('contact rate slots', () => {
  it("counts a contact on its second's item and takes that second while it has room", async () => {
    db.on(UpdateCommand).resolves({ Attributes: { reserved: 1 } });
    expect(await limiter.reserve('phone', new Date('2026-11-23T01:00:00.400Z'), 2)).toEqual(new Date('2026-11-23T01:00:00.000Z'));
    expect(slotKeys()).toEqual([{ pk: 'RATE#phone', sk: '2026-11-23T01:00:00.000Z' }]);
  });

  it('sends the 7th caller of a full second at 2 a second three seconds ahead, where its place in the queue falls', async () => {
    const second = Date.parse('2026-11-23T01:00:00.000Z');
    db.on(UpdateCommand).resolves({ Attributes: { reserved: 1 } });
    db.on(UpdateCommand, { Key: keys.rateSlot('phone', second) }).resolves({ Attributes: { reserved: 7 } });
    expect(await limiter.reserve('phone', new Date(second), 2)).toEqual(new Date(second + 3000));
    expect(slotKeys().map((k) => k!.sk)).toEqual(['2026-11-23T01:00:00.000Z', '2026-11-23T01:00:03.000Z']);
  });
});
