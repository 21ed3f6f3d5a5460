import { createHash } from 'node:crypto';
import { type DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { keys, RetainedItems, writtenIf } from '../shared/adapters/table.js';
import { clock } from '../shared/clock.js';
import { requireEnv } from '../shared/env.js';

/**
 * Which recipients already have a report. The Scheduler retries a failed run (and Lambda retries
 * an asynchronous invocation), so a run that fails after some emails went out must not send them
 * again: each recipient's email is claimed before it is sent, and released only when SES
 * answered that it did not accept it. Recipients are keyed by a hash: no address in a key.
 */
export interface ReportDeliveries {
  claim(report: string, email: string): Promise<boolean>;
  release(report: string, email: string): Promise<void>;
}

/** Long enough to cover the Scheduler's retries (6 hours) with room to spare. */
const KEEP_DAYS = 30;

export class DynamoReportDeliveries extends RetainedItems implements ReportDeliveries {
  constructor(tableName: string, now: () => Date, db?: DynamoDBDocumentClient) {
    super(tableName, KEEP_DAYS, now, db);
  }

  private key(report: string, email: string) {
    return keys.reportDelivery(report, createHash('sha256').update(email.toLowerCase()).digest('hex').slice(0, 32));
  }

  claim(report: string, email: string): Promise<boolean> {
    return writtenIf(
      this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: this.key(report, email),
          UpdateExpression: 'SET kind = :kind, claimedAt = :at, expiresAt = :exp',
          ConditionExpression: 'attribute_not_exists(claimedAt)',
          ExpressionAttributeValues: { ':kind': 'ReportDelivery', ':at': this.now().toISOString(), ':exp': this.expiresAt() },
        }),
      ),
    );
  }

  async release(report: string, email: string): Promise<void> {
    const release = new UpdateCommand({ TableName: this.tableName, Key: this.key(report, email), UpdateExpression: 'REMOVE claimedAt' });
    await this.db.send(release);
  }
}

let deliveries: ReportDeliveries | undefined;
/** The deliveries the handler uses, built on first use so a missing table name names itself. */
export function reportDeliveries(): ReportDeliveries {
  deliveries ??= new DynamoReportDeliveries(requireEnv('FOLLOW_UP_TABLE'), clock.now);
  return deliveries;
}
