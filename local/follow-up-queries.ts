import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { countersOfItem } from '../functions/shared/adapters/dynamo-aggregate-store.js';
import { keys, sortKeyPrefix } from '../functions/shared/adapters/table.js';
import type { Complaint } from '../functions/shared/domain/complaint.js';
import type { FollowUp } from '../functions/shared/domain/follow-up.js';
import type { AggregateRow } from '../functions/shared/ports/aggregate-store.js';
import type { AttemptRecord, EventWarningRecord, FinalOutcome, RejectionRecord } from '../functions/shared/ports/follow-up-store.js';
import { InProcessHttpHandler } from './in-process-transport.js';

export type StoredFollowUp = FollowUp & { outcome?: FinalOutcome; nextAttempt?: number; nextChannel?: string; expiresAt?: number };

/**
 * Read-only views of the local table for the web page and the simulator's output. Scans are
 * fine here: this is a laptop-sized table, never the production read path.
 */
export class FollowUpQueries {
  private readonly db: DynamoDBDocumentClient;

  constructor(
    endpoint: string,
    private readonly tableName: string,
  ) {
    this.db = DynamoDBDocumentClient.from(
      new DynamoDBClient({
        endpoint,
        region: 'us-east-1',
        credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
        requestHandler: new InProcessHttpHandler(),
      }),
    );
  }

  private async scanKind<T>(kind: string): Promise<T[]> {
    const items: T[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.db.send(
        new ScanCommand({
          TableName: this.tableName,
          ExclusiveStartKey: start,
          FilterExpression: 'kind = :k',
          ExpressionAttributeValues: { ':k': kind },
        }),
      );
      items.push(...((page.Items ?? []) as T[]));
      start = page.LastEvaluatedKey;
    } while (start);
    return items;
  }

  async followUps(): Promise<StoredFollowUp[]> {
    const items = await this.scanKind<StoredFollowUp>('FollowUp');
    return items.sort((a, b) => b.createdAt.localeCompare(a.createdAt) || a.followUpId.localeCompare(b.followUpId));
  }

  async attempts(followUpId: string): Promise<AttemptRecord[]> {
    const { Items } = await this.db.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :a)',
        ExpressionAttributeValues: { ':pk': keys.followUpPk(followUpId), ':a': sortKeyPrefix.attempt },
      }),
    );
    return (Items ?? []) as AttemptRecord[];
  }

  async complaints(): Promise<Complaint[]> {
    const items = await this.scanKind<Complaint>('Complaint');
    return items.sort((a, b) => b.raisedAt.localeCompare(a.raisedAt) || a.complaintId.localeCompare(b.complaintId));
  }

  /** Every daily aggregate row, in day order (for the simulator's output and the report CLI). */
  async aggregates(): Promise<AggregateRow[]> {
    const items = await this.scanKind<Record<string, unknown>>('Aggregate');
    return items
      .map((item) => ({
        day: String(item.day),
        subject: String(item.subject),
        departmentId: String(item.departmentId),
        counters: Object.fromEntries(Object.entries(countersOfItem(item)).sort(([a], [b]) => a.localeCompare(b))),
      }))
      .sort(
        (a, b) =>
          a.day.localeCompare(b.day) ||
          a.subject.localeCompare(b.subject) ||
          a.departmentId.localeCompare(b.departmentId) ||
          JSON.stringify(a.counters).localeCompare(JSON.stringify(b.counters)),
      );
  }

  /** Every contact attempt, in no order (the simulator's summary reads which contacts carried other matters). */
  async contactAttempts(): Promise<AttemptRecord[]> {
    return this.scanKind<AttemptRecord>('Attempt');
  }

  /** Rejected events, newest first. */
  async rejections(): Promise<RejectionRecord[]> {
    const items = await this.scanKind<RejectionRecord>('Rejection');
    return items.sort((a, b) => b.receivedAt.localeCompare(a.receivedAt) || a.eventId.localeCompare(b.eventId));
  }

  /** Accepted events that lost an unusable field, newest first. */
  async eventWarnings(): Promise<EventWarningRecord[]> {
    const items = await this.scanKind<EventWarningRecord>('EventWarning');
    return items.sort((a, b) => b.receivedAt.localeCompare(a.receivedAt) || a.eventId.localeCompare(b.eventId));
  }

  /** Care messages claimed, with what became of each (sent or suppressed; none while a send is under way). */
  async careClaims(): Promise<{ occasionKind?: string; outcome?: string }[]> {
    return this.scanKind<{ occasionKind?: string; outcome?: string }>('CareClaim');
  }

  close(): void {
    this.db.destroy();
  }
}

export { appointmentOf, outcomeFactOf } from '../functions/shared/domain/outcome-fact.js';
