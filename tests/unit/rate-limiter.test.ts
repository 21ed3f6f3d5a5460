import { BatchGetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { DynamoRateLimiter } from '../../functions/shared/adapters/dynamo-rate-limiter.js';
import { keys as tableKeys } from '../../functions/shared/adapters/table.js';

/** A table of per-second counters that counts what the limiter costs: writes and items read. */
class CountingTable {
  readonly counters = new Map<string, number>();
  writes = 0;
  reads = 0;
  requests = 0;

  async send(command: unknown): Promise<Record<string, unknown>> {
    this.requests += 1;
    if (command instanceof UpdateCommand) {
      this.writes += 1;
      const { pk, sk } = command.input.Key as { pk: string; sk: string };
      const value = (this.counters.get(`${pk}|${sk}`) ?? 0) + 1;
      this.counters.set(`${pk}|${sk}`, value);
      return { Attributes: { reserved: value } };
    }
    if (command instanceof BatchGetCommand) {
      const [table, request] = Object.entries(command.input.RequestItems!)[0]!;
      const keys = request!.Keys as { pk: string; sk: string }[];
      expect(keys.length).toBeLessThanOrEqual(100);
      expect(new Set(keys.map((k) => k.sk)).size).toBe(keys.length);
      this.reads += keys.length;
      const items = keys
        .filter((k) => this.counters.has(`${k.pk}|${k.sk}`))
        .map((k) => ({ sk: k.sk, reserved: this.counters.get(`${k.pk}|${k.sk}`) }));
      return { Responses: { [table]: items } };
    }
    throw new Error('unexpected command');
  }

  perSecond(channel: string): Map<string, number> {
    return new Map(
      [...this.counters].filter(([k]) => k.startsWith(`${tableKeys.rateChannelPk(channel)}|`)).map(([k, v]) => [k.split('|')[1]!, v]),
    );
  }
}

const nineAm = new Date('2026-11-23T01:00:00.000Z');
const at = (seconds: number) => new Date(nineAm.getTime() + seconds * 1000);

describe('RateLimiter', () => {
  const spreadsABurst =
    'spreads a burst of 10,000 at 2 a second with about two writes each, ' +
    'then gives a late contact a slot past the packed stretch in a few writes';
  it(spreadsABurst, async () => {
    const table = new CountingTable();
    const limiter = new DynamoRateLimiter('T', table);
    const slots: number[] = [];
    for (let i = 0; i < 10_000; i += 1) slots.push((await limiter.reserve('phone', nineAm, 2)).getTime());
    const used = new Map<number, number>();
    for (const s of slots) used.set(s, (used.get(s) ?? 0) + 1);
    expect(Math.max(...used.values())).toBe(2);
    expect(Math.max(...slots)).toBe(at(4_999).getTime());
    expect(table.writes).toBeLessThanOrEqual(2 * 10_000);

    // Ten minutes in, a contact whose own second has long passed reserves again from "now".
    const before = { writes: table.writes, reads: table.reads, requests: table.requests };
    const late = await limiter.reserve('phone', at(600), 2);
    expect(late.getTime()).toBe(at(5_000).getTime()); // the first second with room
    expect(table.writes - before.writes).toBeLessThanOrEqual(3);
    expect(table.requests - before.requests).toBeLessThanOrEqual(10);
    expect(table.reads - before.reads).toBeLessThanOrEqual(300);
  });

  it('keeps every second within its limit when a second burst overlaps the first', async () => {
    const table = new CountingTable();
    const limiter = new DynamoRateLimiter('T', table);
    for (let i = 0; i < 2_000; i += 1) await limiter.reserve('email', nineAm, 1);
    const writesBefore = table.writes;
    const second: Date[] = [];
    for (let i = 0; i < 500; i += 1) second.push(await limiter.reserve('email', at(300), 1));
    // Real reservations per second: one per second, none over the limit.
    const taken = new Map<number, number>();
    for (const s of second) taken.set(s.getTime(), (taken.get(s.getTime()) ?? 0) + 1);
    expect(Math.max(...taken.values())).toBe(1);
    expect(Math.min(...second.map((d) => d.getTime()))).toBeGreaterThanOrEqual(at(2_000).getTime());
    expect((table.writes - writesBefore) / 500).toBeLessThan(5);
  });

  it('takes the asked second while it has room', async () => {
    const table = new CountingTable();
    const limiter = new DynamoRateLimiter('T', table);
    expect(await limiter.reserve('phone', new Date(nineAm.getTime() + 400), 2)).toEqual(nineAm);
    expect(await limiter.reserve('phone', nineAm, 2)).toEqual(nineAm);
    expect(await limiter.reserve('phone', nineAm, 2)).toEqual(at(1));
    expect(table.perSecond('phone').get(nineAm.toISOString())).toBe(3);
  });
});
