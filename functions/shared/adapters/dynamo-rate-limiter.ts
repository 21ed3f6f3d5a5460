import { BatchGetCommand, type DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { RateLimiter } from '../ports/rate-limiter.js';
import { keys, tableClient } from './table.js';

const SECOND = 1000;
/** Reads per BatchGetItem request: DynamoDB's maximum. */
const BATCH = 100;
/** How far ahead a free second is looked for: 2^21 s, about 24 days (far beyond any calling window). */
const HORIZON_POWERS = 21;

/**
 * Per-second contact slots per channel. A reservation is one atomic counter increment on the
 * second's item; a caller over the limit learns from the count where it stands in that second's
 * queue and takes the second its place falls in — so a burst of 10,000 due at once spreads evenly
 * with about two writes a contact.
 *
 * A caller can also land in a stretch that other reservations already packed (a contact running
 * late into the morning's burst, two bursts overlapping). Walking it second by second would cost
 * one write per packed second — thousands after a big burst — so the end of the stretch is found
 * by reading (exponential probes, then narrowing, up to 100 seconds per BatchGetItem), and the
 * caller reserves there: a constant number of writes whatever the stretch's length.
 */
export class DynamoRateLimiter implements RateLimiter {
  constructor(
    private readonly tableName: string,
    private readonly db: Pick<DynamoDBDocumentClient, 'send'> = tableClient(),
  ) {}

  async reserve(channel: string, from: Date, perSecond: number): Promise<Date> {
    let second = Math.floor(from.getTime() / SECOND) * SECOND;
    for (let round = 0; round < 20; round += 1) {
      const count = await this.add(channel, second);
      if (count <= perSecond) return new Date(second);
      // Our place in this second's queue: every `perSecond` callers before us fill one more second.
      const place = second + Math.ceil((count - perSecond) / perSecond) * SECOND;
      if ((await this.add(channel, place)) <= perSecond) return new Date(place);
      // That second was taken by others too: the stretch is packed; read where it ends.
      second = await this.firstFree(channel, place + SECOND, perSecond);
    }
    throw new Error(`no ${channel} contact slot found after ${from.toISOString()}`);
  }

  private async add(channel: string, second: number): Promise<number> {
    const { Attributes } = await this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: keys.rateSlot(channel, second),
        UpdateExpression: 'ADD reserved :one SET kind = :kind, expiresAt = :exp',
        ExpressionAttributeValues: { ':one': 1, ':kind': 'RateSlot', ':exp': Math.floor(second / SECOND) + 86_400 },
        ReturnValues: 'UPDATED_NEW',
      }),
    );
    return Number(Attributes?.reserved ?? 1);
  }

  /** Reservations already made in each of `seconds` (eventually consistent: a stale count only costs another round). */
  private async counts(channel: string, seconds: number[]): Promise<Map<number, number>> {
    const found = new Map<number, number>(seconds.map((s) => [s, 0]));
    let unread: Record<string, unknown>[] = seconds.map((s) => keys.rateSlot(channel, s));
    for (let tries = 0; unread.length > 0 && tries < 8; tries += 1) {
      const response = await this.db.send(
        new BatchGetCommand({ RequestItems: { [this.tableName]: { Keys: unread, ProjectionExpression: 'sk, reserved' } } }),
      );
      for (const item of response.Responses?.[this.tableName] ?? []) found.set(Date.parse(String(item.sk)), Number(item.reserved ?? 0));
      unread = (response.UnprocessedKeys?.[this.tableName]?.Keys as Record<string, unknown>[] | undefined) ?? [];
    }
    return found;
  }

  /**
   * A second at or after `start` with room left: probes 1, 2, 4, … seconds on, then narrows down
   * between the last full probe and the first free one.
   */
  private async firstFree(channel: string, start: number, perSecond: number): Promise<number> {
    const probes = [start, ...Array.from({ length: HORIZON_POWERS }, (_, i) => start + 2 ** i * SECOND)];
    const probed = await this.counts(channel, probes);
    const free = probes.findIndex((s) => probed.get(s)! < perSecond);
    if (free <= 0) return free === 0 ? start : probes.at(-1)! + SECOND;
    let lo = probes[free - 1]! + SECOND;
    let hi = probes[free]!;
    while (hi > lo) {
      const span = (hi - lo) / SECOND;
      const samples = Array.from({ length: Math.min(BATCH, span) }, (_, j) => lo + Math.floor((j * span) / Math.min(BATCH, span)) * SECOND);
      const counted = await this.counts(channel, samples);
      const index = samples.findIndex((s) => counted.get(s)! < perSecond);
      if (index === -1) lo = samples.at(-1)! + SECOND;
      else {
        hi = samples[index]!;
        if (index > 0) lo = samples[index - 1]! + SECOND;
        else break;
      }
    }
    return hi;
  }
}
