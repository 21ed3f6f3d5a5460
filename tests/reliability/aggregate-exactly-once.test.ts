import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoAggregateStore } from '../../functions/shared/adapters/dynamo-aggregate-store.js';
import { startSingleTable } from '../../local/dynamo.js';

/**
 * The daily aggregates count each contribution exactly once: here the DynamoDB call of `add` (one
 * transaction) is made to fail, before the request reaches the table (request lost) or after it was
 * applied (response lost), then the step is retried, as Step Functions retries it; tries of the same
 * contribution race each other and a stalled one resumes late.
 */
const TABLE = 'aggregates';
let table: Awaited<ReturnType<typeof startSingleTable>>;
let raw: DynamoDBClient;
let db: DynamoDBDocumentClient;

type Fault = { call: number; when: 'before' | 'after' };
let fault: Fault | undefined;
let calls = 0;
let beforeCall: ((command: string) => Promise<void>) | undefined;

beforeAll(async () => {
  table = await startSingleTable(TABLE);
  raw = table.client;
  db = DynamoDBDocumentClient.from(raw, { marshallOptions: { removeUndefinedValues: true } });
  db.middlewareStack.add(
    (next, context) => async (args) => {
      calls += 1;
      const here = calls;
      await beforeCall?.(String(context.commandName));
      if (fault?.call === here && fault.when === 'before') throw Object.assign(new Error('socket hang up'), { name: 'TimeoutError' });
      const result = await next(args);
      if (fault?.call === here && fault.when === 'after') throw Object.assign(new Error('response lost'), { name: 'TimeoutError' });
      return result;
    },
    { step: 'initialize', name: 'faults' },
  );
});
afterAll(async () => {
  await table?.close();
});

const store = () => new DynamoAggregateStore(TABLE, 760, () => new Date('2026-11-20T00:00:00Z'), db);
let days = 0;
const freshDay = () => {
  days += 1;
  return `2030-01-${String((days % 28) + 1).padStart(2, '0')}-${days}`;
};

async function totals(day: string) {
  fault = undefined;
  const rows = await store().day(day);
  const sum: Record<string, number> = {};
  for (const row of rows) for (const [k, v] of Object.entries(row.counters)) sum[k] = (sum[k] ?? 0) + (v as number);
  return sum;
}

/** Tries `add` once per planned fault (a try that finishes before its fault ends the series), then retries cleanly. */
async function addWithFaults(day: string, id: string, faults: Fault[]) {
  const results: boolean[] = [];
  for (const planned of faults) {
    calls = 0;
    fault = planned;
    try {
      results.push(await store().add(day, 'vehicle-repair', 'after-sales', { due: 1, reached: 1 }, id));
      break;
    } catch (error) {
      expect((error as Error).name).toBe('TimeoutError');
    }
  }
  calls = 0;
  fault = undefined;
  results.push(await store().add(day, 'vehicle-repair', 'after-sales', { due: 1, reached: 1 }, id));
  return results;
}

// Ids whose hash lands on the same shard, so each add meets the previous contribution.
const sameShard = ['fu-p', 'fu-c', 'fu-d'].map((prefix) => {
  for (let n = 0; ; n += 1) {
    const id = `${prefix}${n}`;
    if (require('node:crypto').createHash('sha256').update(id).digest().readUInt8(0) % 4 === 0) return id;
  }
});
const [P, C, D] = sameShard as [string, string, string];

describe('daily aggregates: each contribution counted exactly once', () => {
  it('takes one request when the item already has a contribution', async () => {
    const day = freshDay();
    await store().add(day, 'vehicle-repair', 'after-sales', { due: 1 }, P);
    const seen: string[] = [];
    beforeCall = async (command) => void seen.push(command);
    await store().add(day, 'vehicle-repair', 'after-sales', { due: 1 }, C);
    beforeCall = undefined;
    expect(seen).toEqual(['TransactWriteItemsCommand']);
  });

  const points: Fault[] = (['before', 'after'] as const).map((when) => ({ call: 1, when }));

  it.each(points)('a failure at call $call ($when) then a retry counts it once', async (first) => {
    const day = freshDay();
    await store().add(day, 'vehicle-repair', 'after-sales', { due: 1, reached: 1 }, P);
    const results = await addWithFaults(day, C, [first]);
    expect(results.filter(Boolean).length).toBeLessThanOrEqual(1);
    // Whether the retry or the failed try applied it, the sum is the same and a further retry is refused.
    expect(await totals(day)).toEqual({ due: 2, reached: 2 });
    expect(await store().add(day, 'vehicle-repair', 'after-sales', { due: 1, reached: 1 }, C)).toBe(false);
    await store().add(day, 'vehicle-repair', 'after-sales', { due: 1, reached: 1 }, D);
    expect(await store().add(day, 'vehicle-repair', 'after-sales', { due: 1, reached: 1 }, C)).toBe(false);
    expect(await store().add(day, 'vehicle-repair', 'after-sales', { due: 1, reached: 1 }, P)).toBe(false);
    expect(await totals(day)).toEqual({ due: 3, reached: 3 });
  });

  it('survives a failure at every pair of points across two retries', async () => {
    for (const first of points) {
      for (const second of points) {
        const day = freshDay();
        await store().add(day, 'vehicle-repair', 'after-sales', { due: 1, reached: 1 }, P);
        await addWithFaults(day, C, [first, second]);
        expect(await totals(day), `${JSON.stringify(first)} then ${JSON.stringify(second)}`).toEqual({ due: 2, reached: 2 });
      }
    }
  });

  it('a stalled first try that resumes after its retry succeeded (and others moved on) does not count again', async () => {
    const day = freshDay();
    await store().add(day, 'vehicle-repair', 'after-sales', { due: 1 }, P);
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let stalled!: () => void;
    const reachedWrite = new Promise<void>((resolve) => (stalled = resolve));
    calls = 0;
    // The first try's request stops before it reaches the table.
    beforeCall = async () => {
      if (calls === 1) {
        stalled();
        await gate;
      }
    };
    const zombie = store().add(day, 'vehicle-repair', 'after-sales', { due: 1 }, C);
    await reachedWrite;
    expect(await store().add(day, 'vehicle-repair', 'after-sales', { due: 1 }, C)).toBe(true);
    expect(await store().add(day, 'vehicle-repair', 'after-sales', { due: 1 }, D)).toBe(true);
    beforeCall = undefined;
    release();
    expect(await zombie).toBe(false);
    expect(await totals(day)).toEqual({ due: 3 });
  });

  it('copies of contributions racing each other (seeded interleavings) are counted once each', async () => {
    for (let seed = 1; seed <= 8; seed += 1) {
      let state = seed;
      const random = () => {
        state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
        return state / 2 ** 31;
      };
      beforeCall = () => new Promise((r) => setTimeout(r, Math.floor(random() * 4)));
      const day = freshDay();
      const ids = Array.from({ length: 6 }, (_, i) => `fu-race-${seed}-${i}`);
      const tries = ids.flatMap((id) => [id, id, id]).map((id) => store().add(day, 'gas-repair', 'ops', { due: 1 }, id));
      const results = await Promise.all(tries);
      beforeCall = undefined;
      expect(results.filter(Boolean), `seed ${seed}`).toHaveLength(ids.length);
      expect(await totals(day), `seed ${seed}`).toEqual({ due: ids.length });
    }
  });
});
