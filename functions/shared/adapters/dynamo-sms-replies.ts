import { createHash } from 'node:crypto';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { SmsReplies, SmsReplyRef } from '../ports/sms-replies.js';
import { keys, RetainedItems } from './table.js';

/** A phone number never appears in a key: its SHA-256 does. */
const numberHash = (number: string) => createHash('sha256').update(number).digest('base64url');

/**
 * Reply lookups: one item per customer number and origination number, pointing at the survey
 * attempt last texted. It lives as long as the text's survey can be answered, then expires.
 */
export class DynamoSmsReplies extends RetainedItems implements SmsReplies {
  constructor(tableName: string, now: () => Date, db?: ConstructorParameters<typeof RetainedItems>[3]) {
    super(tableName, 0, now, db);
  }

  async remember(customerNumber: string, originationNumber: string, ref: SmsReplyRef, until: Date): Promise<void> {
    await this.db.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          ...keys.smsReply(numberHash(customerNumber), originationNumber),
          kind: 'SmsReply',
          followUpId: ref.followUpId,
          attempt: ref.attempt,
          expiresAt: Math.ceil(until.getTime() / 1000),
        },
      }),
    );
  }

  async find(customerNumber: string, originationNumber: string): Promise<SmsReplyRef | undefined> {
    const item = await this.getLive(keys.smsReply(numberHash(customerNumber), originationNumber));
    return item ? { followUpId: String(item.followUpId), attempt: Number(item.attempt) } : undefined;
  }
}
