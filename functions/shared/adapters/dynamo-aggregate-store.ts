import { createHash } from 'node:crypto';
import type { Counters } from '../domain/kpi.js';
import type { AggregateRow, AggregateStore } from '../ports/aggregate-store.js';
import { keys, partitionPages, RetainedItems, writtenTogether } from './table.js';

/** Items per day and key are split over a few shards so concurrent writers rarely meet on one item. */
const SHARDS = 4;
/**
 * Tries before giving up when other transactions keep meeting this one on its aggregate (the calling
 * step is retried by its state machine).
 */
const MAX_TRIES = 25;

/**
 * Attributes of an aggregate item that are not counters. `version` and `lastContribution` were the
 * bookkeeping of the optimistic protocol before transactions: items written then still carry them.
 */
const BOOKKEEPING = new Set(['pk', 'sk', 'kind', 'expiresAt', 'day', 'subject', 'departmentId', 'version', 'lastContribution', 'counted']);

/** The counters of a stored aggregate item, whatever bookkeeping it carries. */
export function countersOfItem(item: Record<string, unknown>): Counters {
  return Object.fromEntries(Object.entries(item).filter(([name]) => !BOOKKEEPING.has(name))) as Counters;
}

/** What every contribution sets beside its counters. */
const SET_BOOKKEEPING = 'SET kind = :kind, expiresAt = :exp, #day = :day, subject = :subject, departmentId = :dept';

/**
 * Daily aggregates maintained as outcomes are written: one item per day, subject, department and
 * shard holding additive counters. A report reads O(days × subjects) items, never the follow-ups.
 *
 * Each contribution is counted exactly once by one transaction of two items: the contribution's
 * marker (AGGMARK#<id>), put only if it is not there yet, and the counters' addition. A retry at any
 * point (request or response lost, the step run again) either finds the marker and writes nothing,
 * or writes both; two racing copies of one contribution cannot both create the marker. Cost per
 * contribution: one request (two items written).
 */
export class DynamoAggregateStore extends RetainedItems implements AggregateStore {
  /** What the reports read, for the benchmark's cost figures. */
  readonly reads = { queries: 0, items: 0 };

  async add(day: string, subject: string, departmentId: string | undefined, counters: Counters, contributionId: string): Promise<boolean> {
    const shard = createHash('sha256').update(contributionId).digest().readUInt8(0) % SHARDS;
    const key = keys.aggregate(day, subject, departmentId ?? '-', shard);
    const expiresAt = this.expiresAt();
    const names: Record<string, string> = { '#day': 'day' };
    const values: Record<string, unknown> = {
      ':kind': 'Aggregate',
      ':exp': expiresAt,
      ':day': day,
      ':subject': subject,
      ':dept': departmentId ?? '-',
    };
    const adds: string[] = [];
    Object.entries(counters).forEach(([name, value], i) => {
      names[`#c${i}`] = name;
      values[`:c${i}`] = value;
      adds.push(`#c${i} :c${i}`);
    });
    const addition = {
      TableName: this.tableName,
      Key: key,
      UpdateExpression: `${adds.length ? `ADD ${adds.join(', ')} ` : ''}${SET_BOOKKEEPING}`,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    };
    const marker = {
      TableName: this.tableName,
      Item: { ...keys.aggregateMarker(contributionId, key), kind: 'AggregateMarker', applied: true, expiresAt },
      ConditionExpression: 'attribute_not_exists(pk)',
    };
    // Only the marker has a condition: not written means this contribution was counted before.
    return writtenTogether(this.db, [{ Put: marker }, { Update: addition }], MAX_TRIES);
  }

  async day(day: string): Promise<AggregateRow[]> {
    const rows: AggregateRow[] = [];
    for await (const items of partitionPages(this.db, this.tableName, keys.aggregateDayPk(day))) {
      this.reads.queries += 1;
      for (const item of items) {
        this.reads.items += 1;
        rows.push({
          day: String(item.day),
          subject: String(item.subject),
          departmentId: String(item.departmentId),
          counters: countersOfItem(item),
        });
      }
    }
    return rows;
  }

  async days(days: string[]): Promise<AggregateRow[]> {
    return (await Promise.all(days.map((d) => this.day(d)))).flat();
  }
}
