import { DeleteCommand, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { keys, RetainedItems, writtenIf } from '../shared/adapters/table.js';
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

/**
 * One claim item per notification and channel, so the email and the Connect task of a notification
 * are each sent at most once, whichever of the two a retried step failed on.
 */
export class NotificationClaims extends RetainedItems {
  /** Claims the send; when an earlier try claimed it, returns what that try left. */
  async claim(
    complaintId: string,
    sequence: number,
    channel: NoticeChannel,
    at: string,
  ): Promise<{ claimed: true } | { claimed: false; existing: NoticeClaim }> {
    const key = keys.notice(complaintId, sequence, channel);
    if (await this.putNew({ ...key, kind: 'NoticeClaim', sendingAt: at, expiresAt: this.expiresAt() })) return { claimed: true };
    return { claimed: false, existing: (await this.get(complaintId, sequence, channel)) ?? {} };
  }

  /** Expired or not, as the claim's condition sees it: an item that blocked a claim is what an earlier try left. */
  async get(complaintId: string, sequence: number, channel: NoticeChannel): Promise<NoticeClaim | undefined> {
    const key = keys.notice(complaintId, sequence, channel);
    const { Item } = await this.db.send(new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: true }));
    if (!Item) return undefined;
    return { sendingAt: Item.sendingAt, sentAt: Item.sentAt, contactId: Item.contactId, failedCode: Item.failedCode };
  }

  async sent(complaintId: string, sequence: number, channel: NoticeChannel, at: string, contactId?: string): Promise<void> {
    await this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: keys.notice(complaintId, sequence, channel),
        UpdateExpression: contactId ? 'SET sentAt = :at, contactId = :c' : 'SET sentAt = :at',
        ExpressionAttributeValues: { ':at': at, ...(contactId ? { ':c': contactId } : {}) },
      }),
    );
  }

  async failed(complaintId: string, sequence: number, channel: NoticeChannel, code: string): Promise<void> {
    await this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: keys.notice(complaintId, sequence, channel),
        UpdateExpression: 'SET failedCode = :code',
        ExpressionAttributeValues: { ':code': code },
      }),
    );
  }

  /** The channel answered with an error: nothing was sent, so the claim goes and a retry may send. */
  async release(complaintId: string, sequence: number, channel: NoticeChannel, at: string): Promise<void> {
    // A claim that is no longer this try's to give up (sent, failed for good, or claimed again) stays.
    await writtenIf(
      this.db.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: keys.notice(complaintId, sequence, channel),
          ConditionExpression: 'sendingAt = :at AND attribute_not_exists(sentAt) AND attribute_not_exists(failedCode)',
          ExpressionAttributeValues: { ':at': at },
        }),
      ),
    );
  }
}

let claims: NotificationClaims | undefined;
/** The claims the handler uses, built on first use so a missing table name names itself. */
export function notificationClaims(): NotificationClaims {
  claims ??= new NotificationClaims(requireEnv('FOLLOW_UP_TABLE'), policyConfig.retentionDays, clock.now);
  return claims;
}
