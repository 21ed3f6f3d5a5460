import { createHash } from 'node:crypto';
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Counters } from '../domain/kpi.js';
import type { AggregateRow, AggregateStore } from '../ports/aggregate-store.js';
import { keys, partitionPages, RetainedItems, writtenIf } from './table.js';

/** Items per day and key are split over a few shards so concurrent writers rarely meet on one item. */
const SHARDS = 4;
/** Optimistic rounds before giving up (the calling step is retried by its state machine). */
const MAX_ROUNDS = 25;

/** Attributes of an aggregate item that are not counters. */
const BOOKKEEPING = new Set(['pk', 'sk', 'kind', 'expiresAt', 'day', 'subject', 'departmentId', 'version', 'lastContribution', 'counted']);

/** What every contribution sets beside its counters: the next version, who applied it, and the item's bookkeeping. */
const SET_AGGREGATE = [
  'SET #v = :next, lastContribution = :id, kind = :kind, expiresAt = :exp',
  '#day = :day, subject = :subject, departmentId = :dept',
].join(', ');

/** The counters of a stored aggregate item, whatever bookkeeping it carries. */
export function countersOfItem(item: Record<string, unknown>): Counters {
  return Object.fromEntries(Object.entries(item).filter(([name]) => !BOOKKEEPING.has(name))) as Counters;
}

/**
 * Daily aggregates maintained as outcomes are written: one item per day, subject, department and
 * shard holding additive counters. A report reads O(days × subjects) items, never the follow-ups.
 *
 * Each contribution is counted exactly once without a transaction (DynamoDB's TransactWriteItems
 * has no local counterpart in dynalite) and without a growing set of ids in the item:
 * - the aggregate carries a `version` and the id of the contribution that wrote that version
 *   (`lastContribution`); every write is conditional on the version it read;
 * - before writing version v+1, a writer marks the contribution of version v as applied in that
 *   contribution's own marker item (AGGMARK#<id>), an idempotent write;
 * - so a contribution is already counted iff it wrote the current version or its marker says so:
 *   had it written an earlier version, the writer of the next version marked it before writing.
 * A retry at any point (request or response lost) re-reads and either finds itself counted or
 * writes once more under the version condition; two racing copies of one contribution cannot
 * both pass that condition. Cost per contribution: 2 reads and 2 writes of small items, constant.
 */
export class DynamoAggregateStore extends RetainedItems implements AggregateStore {
  /** What the reports read, for the benchmark's cost figures. */
  readonly reads = { queries: 0, items: 0 };

  async add(day: string, subject: string, departmentId: string | undefined, counters: Counters, contributionId: string): Promise<boolean> {
    const shard = createHash('sha256').update(contributionId).digest().readUInt8(0) % SHARDS;
    const key = keys.aggregate(day, subject, departmentId ?? '-', shard);
    const marker = (id: string) => keys.aggregateMarker(id, key);
    const expiresAt = this.expiresAt();
    for (let round = 0; round < MAX_ROUNDS; round += 1) {
      const { Item: current } = await this.db.send(
        new GetCommand({
          TableName: this.tableName,
          Key: key,
          ConsistentRead: true,
          ProjectionExpression: '#v, lastContribution',
          ExpressionAttributeNames: { '#v': 'version' },
        }),
      );
      const version = typeof current?.version === 'number' ? current.version : undefined;
      const last = current?.lastContribution as string | undefined;
      if (last === contributionId) return false;
      if (last) {
        await this.db.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: marker(last),
            UpdateExpression: 'SET kind = :kind, applied = :t, expiresAt = :exp',
            ExpressionAttributeValues: { ':kind': 'AggregateMarker', ':t': true, ':exp': expiresAt },
          }),
        );
      }
      const { Item: mine } = await this.db.send(
        new GetCommand({ TableName: this.tableName, Key: marker(contributionId), ConsistentRead: true }),
      );
      if (mine?.applied === true) return false;

      const names: Record<string, string> = { '#v': 'version', '#day': 'day' };
      const values: Record<string, unknown> = {
        ':next': (version ?? 0) + 1,
        ':id': contributionId,
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
      if (version !== undefined) values[':v'] = version;
      const written = await writtenIf(
        this.db.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: key,
            UpdateExpression: `${adds.length ? `ADD ${adds.join(', ')} ` : ''}${SET_AGGREGATE}`,
            ConditionExpression: version === undefined ? 'attribute_not_exists(#v)' : '#v = :v',
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: values,
          }),
        ),
      );
      if (written) return true;
      // Another contribution (or another copy of this one) wrote first: read again.
    }
    throw new Error(`aggregate ${key.pk} ${key.sk} stayed contended for ${MAX_ROUNDS} rounds`);
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
