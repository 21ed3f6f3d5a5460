/**
 * Write cost of counting one contribution into the daily aggregates, as first built (a `counted`
 * set of ids inside the aggregate item) and now (one transaction: the contribution's marker and
 * the counters), measured as the capacity units the local DynamoDB reports with DynamoDB's sizing
 * rules (a write costs 1 unit per started KB of the larger of the old and new item; a transaction
 * twice its items' units).
 * Run: npx tsx bench/aggregate-write-cost.ts
 */

import { createHash } from 'node:crypto';
import { DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoAggregateStore } from '../functions/shared/adapters/dynamo-aggregate-store.js';
import { keys } from '../functions/shared/adapters/table.js';
import { startSingleTable } from '../local/dynamo.js';

const table = await startSingleTable('aggregates');
const raw = table.client;
const db = DynamoDBDocumentClient.from(raw, { marshallOptions: { removeUndefinedValues: true } });
const units = { read: 0, write: 0, requests: 0 };
db.middlewareStack.add(
  (next, context) => async (args) => {
    (args.input as Record<string, unknown>).ReturnConsumedCapacity = 'TOTAL';
    const result = await next(args);
    // One entry for a single-item call, one per table for a transaction.
    const consumed = (result.output as { ConsumedCapacity?: { CapacityUnits?: number } | { CapacityUnits?: number }[] }).ConsumedCapacity;
    const used = [consumed ?? []].flat().reduce((sum, entry) => sum + (entry.CapacityUnits ?? 0), 0);
    units.requests += 1;
    if (/Get|Query/.test(String(context.commandName))) units.read += used;
    else units.write += used;
    return result;
  },
  { step: 'initialize', name: 'capacity' },
);

const counters = { due: 1, followedUp: 1, reached: 1, onTime: 1, score_overall_sum: 4, score_overall_n: 1 };

/** The former write: ADD counters and the id to the item's `counted` set, unless it is there. */
async function oldAdd(day: string, id: string) {
  const shard = createHash('sha256').update(id).digest().readUInt8(0) % 4;
  const names: Record<string, string> = { '#counted': 'counted' };
  const values: Record<string, unknown> = { ':id': new Set([id]), ':idValue': id };
  const adds = ['#counted :id'];
  Object.entries(counters).forEach(([name, value], i) => {
    names[`#c${i}`] = name;
    values[`:c${i}`] = value;
    adds.push(`#c${i} :c${i}`);
  });
  await db.send(
    new UpdateCommand({
      TableName: 'aggregates',
      Key: keys.aggregate(day, 'vehicle-repair', 'after-sales', shard),
      UpdateExpression: `ADD ${adds.join(', ')}`,
      ConditionExpression: 'NOT contains(#counted, :idValue)',
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    }),
  );
}

const store = new DynamoAggregateStore('aggregates', 760, () => new Date(), db);
const markdownRow = (cells: (string | number)[]) => `| ${cells.join(' | ')} |`;
const rows: string[] = [];
for (const perDay of [100, 1_000, 10_000]) {
  for (const [name, add] of [
    ['before: counted set', oldAdd],
    [
      'now: one transaction (marker + counters)',
      (day: string, id: string) => store.add(day, 'vehicle-repair', 'after-sales', counters, id),
    ],
  ] as const) {
    Object.assign(units, { read: 0, write: 0, requests: 0 });
    const day = `${perDay}-${name}`;
    let lastWrite = 0;
    for (let n = 0; n < perDay; n += 1) {
      const before = units.write;
      await add(day, `fu-${n.toString(16).padStart(32, '0')}`);
      lastWrite = units.write - before;
    }
    rows.push(
      markdownRow([
        `${perDay.toLocaleString('en')} per day and subject`,
        name,
        (units.write / perDay).toFixed(2),
        lastWrite,
        (units.read / perDay).toFixed(2),
        (units.requests / perDay).toFixed(1),
      ]),
    );
  }
}
console.log(
  markdownRow([
    'contributions',
    'scheme',
    'write units per contribution (mean)',
    'write units of the last one',
    'read units per contribution',
    'requests per contribution',
  ]),
);
console.log('|---|---|---|---|---|---|');
for (const row of rows) console.log(row);
await table.close();
