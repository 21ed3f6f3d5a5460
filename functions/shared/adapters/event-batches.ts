import { EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry, type PutEventsResultEntry } from '@aws-sdk/client-eventbridge';
import { requireEnv } from '../env.js';
import { configuredRetryBaseMs, sdkClientConfig } from './sdk-config.js';

/** PutEvents takes at most 10 entries and 256 KB of entries per request (EventBridge quotas). */
export const PUT_EVENTS_MAX_ENTRIES = 10;
export const PUT_EVENTS_MAX_BYTES = 256 * 1024;

export interface EventEntry {
  source: string;
  detailType: string;
  detail: Record<string, unknown>;
}

type WireEntry = PutEventsRequestEntry & { Source: string; DetailType: string; Detail: string };

/** An entry's size as EventBridge counts it: the UTF-8 bytes of Source, DetailType and Detail. */
export function entrySize(entry: Pick<WireEntry, 'Source' | 'DetailType' | 'Detail'>): number {
  return Buffer.byteLength(entry.Source) + Buffer.byteLength(entry.DetailType) + Buffer.byteLength(entry.Detail);
}

/** Splits entries, in order, into requests within both PutEvents limits. */
export function batchesOf<T extends Pick<WireEntry, 'Source' | 'DetailType' | 'Detail'>>(entries: T[]): T[][] {
  const batches: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const entry of entries) {
    const size = entrySize(entry);
    if (size > PUT_EVENTS_MAX_BYTES) throw new Error(`an event of ${size} bytes exceeds PutEvents' ${PUT_EVENTS_MAX_BYTES}-byte limit`);
    if (current.length === PUT_EVENTS_MAX_ENTRIES || bytes + size > PUT_EVENTS_MAX_BYTES) {
      batches.push(current);
      current = [];
      bytes = 0;
    }
    current.push(entry);
    bytes += size;
  }
  if (current.length) batches.push(current);
  return batches;
}

export type SendPutEvents = (entries: WireEntry[]) => Promise<{ FailedEntryCount?: number; Entries?: PutEventsResultEntry[] }>;

export interface BatchOptions {
  /** Tries per entry, the first included. */
  attempts?: number;
  /** Waits before a retry of the failed entries (jittered by the caller's sleep). */
  sleep?: (ms: number) => Promise<void>;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Publishes every entry, batched within PutEvents' limits. PutEvents succeeds partially: the
 * response marks failed entries (FailedEntryCount, ErrorCode per entry, in request order), and
 * only those are sent again, so a delivered event is never published twice by this function.
 * Entries still failing after the last try make it throw, naming how many and why.
 */
export async function publishInBatches(
  send: SendPutEvents,
  busName: string,
  events: EventEntry[],
  options: BatchOptions = {},
): Promise<{ requests: number }> {
  const attempts = options.attempts ?? 4;
  const sleep = options.sleep ?? defaultSleep;
  // The first retry's wait before jitter, doubling after: SDK_RETRY_BASE_DELAY_MS (the simulator's 0) or 200 ms.
  const baseDelayMs = configuredRetryBaseMs() ?? 200;
  let pending: WireEntry[] = events.map((e) => ({
    EventBusName: busName,
    Source: e.source,
    DetailType: e.detailType,
    Detail: JSON.stringify(e.detail),
  }));
  let requests = 0;
  const errors = new Map<string, number>();
  for (let attempt = 1; attempt <= attempts && pending.length; attempt += 1) {
    // Like the SDK clients' retries: the simulator waits no real time, where its clock stands still.
    if (attempt > 1 && baseDelayMs > 0) await sleep(baseDelayMs * 2 ** (attempt - 2) * (1 + Math.random()));
    const failed: WireEntry[] = [];
    errors.clear();
    for (const batch of batchesOf(pending)) {
      requests += 1;
      const response = await send(batch);
      if (!response.FailedEntryCount) continue;
      batch.forEach((entry, i) => {
        const code = response.Entries?.[i]?.ErrorCode;
        if (code) {
          failed.push(entry);
          errors.set(code, (errors.get(code) ?? 0) + 1);
        }
      });
    }
    pending = failed;
  }
  if (pending.length) {
    const reasons = [...errors].map(([code, n]) => `${code} ×${n}`).join(', ');
    throw new Error(`PutEvents: ${pending.length} of ${events.length} events still failed after ${attempts} tries (${reasons})`);
  }
  return { requests };
}

let client: EventBridgeClient | undefined;

/** The bus of this deployment, through the container's one EventBridge client. */
export function awsPublishInBatches(events: EventEntry[]): Promise<{ requests: number }> {
  client ??= new EventBridgeClient(sdkClientConfig());
  const eventBridge = client;
  return publishInBatches((Entries) => eventBridge.send(new PutEventsCommand({ Entries })), requireEnv('EVENT_BUS_NAME'), events);
}
