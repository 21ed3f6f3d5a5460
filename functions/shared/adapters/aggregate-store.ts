import { createHash } from 'node:crypto';
import { QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Counters } from '../domain/kpi.js';
import { documentClient, expiryFor, isConditionFailure } from './dynamo-follow-up-store.js';

/** Items per day and key are split over a few shards so no item nears DynamoDB's 400 KB limit. */
const SHARDS = 4;

export interface AggregateRow {
  day: string;
  /** serviceType, or "complaints" for complaint handling counters. */
  subject: string;
  departmentId: string;
  counters: Counters;
}

/**
 * Daily aggregates maintained as outcomes are written: one item per day, subject, department and
 * shard holding additive counters. A report reads O(days × subjects) items, never the follow-ups.
 * Each contribution is counted once: its id joins the item's `counted` set in the same write.
 */
export class AggregateStore {
  readonly reads = { queries: 0, items: 0 };

  constructor(
    private readonly tableName: string,
    private readonly retentionDays: number,
    private readonly now: () => Date,
    private readonly db: DynamoDBDocumentClient = documentClient,
  ) {}

  async add(day: string, subject: string, departmentId: string | undefined, counters: Counters, contributionId: string): Promise<boolean> {
    const shard = createHash('sha256').update(contributionId).digest().readUInt8(0) % SHARDS;
    const names: Record<string, string> = { '#counted': 'counted' };
    const values: Record<string, unknown> = { ':id': new Set([contributionId]), ':idValue': contributionId, ':kind': 'Aggregate', ':exp': expiryFor(this.now(), this.retentionDays), ':day': day, ':subject': subject, ':dept': departmentId ?? '-' };
    const adds = ['#counted :id'];
    Object.entries(counters).forEach(([name, value], i) => {
      names[`#c${i}`] = name;
      values[`:c${i}`] = value;
      adds.push(`#c${i} :c${i}`);
    });
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: `AGG#${day}`, sk: `${subject}#${departmentId ?? '-'}#${shard}` },
          UpdateExpression: `ADD ${adds.join(', ')} SET kind = :kind, expiresAt = :exp, #day = :day, subject = :subject, departmentId = :dept`,
          ConditionExpression: 'NOT contains(#counted, :idValue)',
          ExpressionAttributeNames: { ...names, '#day': 'day' },
          ExpressionAttributeValues: values,
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  /** Every aggregate row of one day: one Query, a handful of items. */
  async day(day: string): Promise<AggregateRow[]> {
    const rows: AggregateRow[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.db.send(new QueryCommand({ TableName: this.tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': `AGG#${day}` }, ExclusiveStartKey: start }));
      this.reads.queries += 1;
      for (const item of page.Items ?? []) {
        this.reads.items += 1;
        const { pk: _pk, sk: _sk, kind: _k, expiresAt: _e, counted: _c, day: d, subject, departmentId, ...counters } = item;
        rows.push({ day: String(d), subject: String(subject), departmentId: String(departmentId), counters: counters as Counters });
      }
      start = page.LastEvaluatedKey;
    } while (start);
    return rows;
  }

  async days(days: string[]): Promise<AggregateRow[]> {
    return (await Promise.all(days.map((d) => this.day(d)))).flat();
  }
}
