import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { FollowUp } from '../functions/shared/domain/follow-up.js';
import type { AttemptRecord, FinalOutcome, RejectionRecord } from '../functions/shared/adapters/follow-up-store.js';
import type { OutcomeFact } from '../functions/shared/domain/kpi.js';
import type { Complaint } from '../functions/shared/domain/complaint.js';

export type StoredFollowUp = FollowUp & { outcome?: FinalOutcome; nextAttempt?: number; nextChannel?: string; expiresAt?: number };

/**
 * Read-only views of the local table for the web page and the simulator's output. Scans are
 * fine here: this is a laptop-sized table, never the production read path.
 */
export class FollowUpQueries {
  private readonly db: DynamoDBDocumentClient;

  constructor(endpoint: string, private readonly tableName: string) {
    this.db = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }));
  }

  private async scanKind<T>(kind: string): Promise<T[]> {
    const items: T[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.db.send(new ScanCommand({ TableName: this.tableName, ExclusiveStartKey: start, FilterExpression: 'kind = :k', ExpressionAttributeValues: { ':k': kind } }));
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
    const { Items } = await this.db.send(new QueryCommand({ TableName: this.tableName, KeyConditionExpression: 'pk = :pk AND begins_with(sk, :a)', ExpressionAttributeValues: { ':pk': `FU#${followUpId}`, ':a': 'ATTEMPT#' } }));
    return (Items ?? []) as AttemptRecord[];
  }

  async complaints(): Promise<Complaint[]> {
    const items = await this.scanKind<Complaint>('Complaint');
    return items.sort((a, b) => b.raisedAt.localeCompare(a.raisedAt) || a.complaintId.localeCompare(b.complaintId));
  }

  async rejections(): Promise<RejectionRecord[]> {
    return this.scanKind<RejectionRecord>('Rejection');
  }

  close(): void {
    this.db.destroy();
  }
}

export function outcomeFactOf(followUp: StoredFollowUp): OutcomeFact {
  return {
    serviceType: followUp.serviceType,
    departmentId: followUp.departmentId,
    status: followUp.outcome?.status ?? followUp.status,
    reason: followUp.outcome?.reason,
    attempts: (followUp.attempts ?? []).filter((a) => a.result !== 'suppressed' && a.result !== 'skipped').length,
    onTime: followUp.outcome?.onTime,
    scores: followUp.outcome?.assessment?.scores ?? {},
    complaint: followUp.outcome?.assessment?.complaint ?? false,
  };
}
