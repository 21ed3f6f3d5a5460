import { UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { documentClient } from './dynamo-follow-up-store.js';

/**
 * Per-second contact slots per channel. Each reservation is one atomic counter increment; a
 * caller over the limit is sent as many seconds ahead as its overflow position says, and reserves
 * there the same way, so a burst of 10,000 spreads evenly with about one or two writes a contact.
 */
export class RateLimiter {
  constructor(
    private readonly tableName: string,
    private readonly db: DynamoDBDocumentClient = documentClient,
  ) {}

  /** Reserves a slot in the second of `from` or later; returns the second it got. */
  async reserve(channel: string, from: Date, perSecond: number): Promise<Date> {
    let second = new Date(Math.floor(from.getTime() / 1000) * 1000);
    for (let hops = 0; hops < 100_000; hops += 1) {
      const { Attributes } = await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: `RATE#${channel}`, sk: second.toISOString() },
          UpdateExpression: 'ADD reserved :one SET kind = :kind, expiresAt = :exp',
          ExpressionAttributeValues: { ':one': 1, ':kind': 'RateSlot', ':exp': Math.floor(second.getTime() / 1000) + 86_400 },
          ReturnValues: 'UPDATED_NEW',
        }),
      );
      const count = Number(Attributes?.reserved ?? 1);
      if (count <= perSecond) return second;
      second = new Date(second.getTime() + Math.ceil((count - perSecond) / perSecond) * 1000);
    }
    throw new Error(`no ${channel} contact slot found after ${from.toISOString()}`);
  }
}
