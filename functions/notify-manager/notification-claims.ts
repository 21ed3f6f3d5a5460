import { DeleteCommand, GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { documentClient, expiryFor, isConditionFailure } from '../shared/adapters/dynamo-follow-up-store.js';
import { clock } from '../shared/clock.js';
import { policyConfig } from '../shared/config/policies.js';
import { requireEnv } from '../shared/env.js';

export type NoticeChannel = 'email' | 'phone';

/** What is known about one channel of one manager notification. */
export interface NoticeClaim {
  /** Set before the send: a claim without `sentAt` means a send may have happened. */
  sendingAt?: string;
  sentAt?: string;
  /** The Connect task, to stop it when nobody acts in time. */
  contactId?: string;
  /** The AWS code of a permanent failure: this channel is not tried again for this notification. */
  failedCode?: string;
}

const key = (complaintId: string, sequence: number, channel: NoticeChannel) => ({ pk: `COMPLAINT#${complaintId}`, sk: `NOTICE#${sequence}#${channel}` });

/**
 * One claim item per notification and channel, so the email and the Connect task of a notification
 * are each sent at most once, whichever of the two a retried step failed on.
 */
export class NotificationClaims {
  constructor(
    private readonly tableName: string,
    private readonly retentionDays: number,
    private readonly now: () => Date,
    private readonly db: DynamoDBDocumentClient = documentClient,
  ) {}

  /** Claims the send; when an earlier try claimed it, returns what that try left. */
  async claim(complaintId: string, sequence: number, channel: NoticeChannel, at: string): Promise<{ claimed: true } | { claimed: false; existing: NoticeClaim }> {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...key(complaintId, sequence, channel), kind: 'NoticeClaim', sendingAt: at, expiresAt: expiryFor(this.now(), this.retentionDays) },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return { claimed: true };
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      return { claimed: false, existing: (await this.get(complaintId, sequence, channel)) ?? {} };
    }
  }

  async get(complaintId: string, sequence: number, channel: NoticeChannel): Promise<NoticeClaim | undefined> {
    const { Item } = await this.db.send(new GetCommand({ TableName: this.tableName, Key: key(complaintId, sequence, channel), ConsistentRead: true }));
    return Item ? { sendingAt: Item.sendingAt, sentAt: Item.sentAt, contactId: Item.contactId, failedCode: Item.failedCode } : undefined;
  }

  async sent(complaintId: string, sequence: number, channel: NoticeChannel, at: string, contactId?: string): Promise<void> {
    await this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: key(complaintId, sequence, channel),
        UpdateExpression: contactId ? 'SET sentAt = :at, contactId = :c' : 'SET sentAt = :at',
        ExpressionAttributeValues: { ':at': at, ...(contactId ? { ':c': contactId } : {}) },
      }),
    );
  }

  async failed(complaintId: string, sequence: number, channel: NoticeChannel, code: string): Promise<void> {
    await this.db.send(new UpdateCommand({ TableName: this.tableName, Key: key(complaintId, sequence, channel), UpdateExpression: 'SET failedCode = :code', ExpressionAttributeValues: { ':code': code } }));
  }

  /** The channel answered with an error: nothing was sent, so the claim goes and a retry may send. */
  async release(complaintId: string, sequence: number, channel: NoticeChannel, at: string): Promise<void> {
    try {
      await this.db.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: key(complaintId, sequence, channel),
          ConditionExpression: 'sendingAt = :at AND attribute_not_exists(sentAt) AND attribute_not_exists(failedCode)',
          ExpressionAttributeValues: { ':at': at },
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }
}

let claims: NotificationClaims | undefined;
/** The claims the handler uses, built on first use so a missing table name names itself. */
export function notificationClaims(): NotificationClaims {
  claims ??= new NotificationClaims(requireEnv('FOLLOW_UP_TABLE'), policyConfig.retentionDays, clock.now);
  return claims;
}
