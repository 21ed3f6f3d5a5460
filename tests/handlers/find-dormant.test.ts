import './setup-env.js';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { DORMANT_SOURCE, findDormant } from '../../functions/find-dormant/find-dormant.js';
import {
  batchesOf,
  entrySize,
  PUT_EVENTS_MAX_BYTES,
  publishInBatches,
  type SendPutEvents,
} from '../../functions/shared/adapters/event-batches.js';
import type { DormancyEntry } from '../../functions/shared/ports/customer-index.js';

const noWait = async () => {};
const event = (n: number, detailBytes = 50) => ({
  source: DORMANT_SOURCE,
  detailType: 'Service Completed',
  detail: { n, pad: 'x'.repeat(detailBytes) },
});

/** A fake PutEvents that records each request and fails the entries `fail` picks. */
function recorder(fail: (detail: { n: number }, call: number) => string | undefined = () => undefined) {
  const requests: { n: number }[][] = [];
  const send: SendPutEvents = async (entries) => {
    requests.push(entries.map((e) => JSON.parse(e.Detail) as { n: number }));
    const results = entries.map((e) => {
      const code = fail(JSON.parse(e.Detail) as { n: number }, requests.length);
      return code ? { ErrorCode: code, ErrorMessage: 'x' } : { EventId: `id-${requests.length}` };
    });
    return { FailedEntryCount: results.filter((r) => 'ErrorCode' in r).length, Entries: results };
  };
  return { requests, send };
}

describe('PutEvents batches', () => {
  it('sends at most 10 entries per request', async () => {
    const { requests, send } = recorder();
    await publishInBatches(
      send,
      'bus',
      Array.from({ length: 25 }, (_, n) => event(n)),
      { sleep: noWait },
    );
    expect(requests.map((r) => r.length)).toEqual([10, 10, 5]);
    expect(requests.flat().map((d) => d.n)).toEqual(Array.from({ length: 25 }, (_, n) => n));
  });

  it('keeps every request within 256 KB as EventBridge counts entry sizes', () => {
    const wire = Array.from({ length: 9 }, (_, n) => ({
      Source: DORMANT_SOURCE,
      DetailType: 'Service Completed',
      Detail: JSON.stringify(event(n, 60_000).detail),
    }));
    const batches = batchesOf(wire);
    expect(batches.map((b) => b.length)).toEqual([4, 4, 1]);
    for (const batch of batches) expect(batch.reduce((sum, e) => sum + entrySize(e), 0)).toBeLessThanOrEqual(PUT_EVENTS_MAX_BYTES);
    expect(() => batchesOf([{ Source: 's', DetailType: 'd', Detail: 'x'.repeat(PUT_EVENTS_MAX_BYTES) }])).toThrow(/exceeds/);
  });

  it('retries only the entries PutEvents reports as failed', async () => {
    const { requests, send } = recorder((d, call) => (call === 1 && (d.n === 2 || d.n === 7) ? 'ThrottlingException' : undefined));
    await publishInBatches(
      send,
      'bus',
      Array.from({ length: 10 }, (_, n) => event(n)),
      { sleep: noWait },
    );
    expect(requests.map((r) => r.map((d) => d.n))).toEqual([
      [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
      [2, 7],
    ]);
  });

  it('fails loudly when entries still fail after the last try, naming how many and why', async () => {
    const { requests, send } = recorder((d) => (d.n === 3 ? 'InternalFailure' : undefined));
    await expect(
      publishInBatches(
        send,
        'bus',
        Array.from({ length: 12 }, (_, n) => event(n)),
        { attempts: 3, sleep: noWait },
      ),
    ).rejects.toThrow('1 of 12 events still failed after 3 tries (InternalFailure ×1)');
    expect(requests.map((r) => r.length)).toEqual([10, 2, 1, 1]);
  });

  it('goes through the EventBridge client with the bus name', async () => {
    const eventBridge = mockClient(EventBridgeClient);
    eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [] });
    const { awsPublishInBatches } = await import('../../functions/shared/adapters/event-batches.js');
    expect(await awsPublishInBatches(Array.from({ length: 11 }, (_, n) => event(n)))).toEqual({ requests: 2 });
    expect(eventBridge.commandCalls(PutEventsCommand)[0]!.args[0].input.Entries![0]).toMatchObject({
      EventBusName: 'customer-follow-up',
      Source: DORMANT_SOURCE,
      DetailType: 'Service Completed',
    });
    eventBridge.restore();
  });
});

describe('find-dormant', () => {
  const now = new Date('2026-11-02T02:00:00Z');
  const entry = (source: string, id: string): DormancyEntry => ({
    source,
    customer: { id, name: 'n', phone: '+8613800138000' },
    departmentId: 'sales',
    lastServiceAt: '2024-11-10T02:00:00.000Z',
  });

  it("asks for one reactivation per customer and source, in batches, naming the customer's source", async () => {
    const dormant = [
      entry('dealer.dms', 'C-1'),
      entry('hospital.his', 'C-1'),
      ...Array.from({ length: 21 }, (_, n) => entry('dealer.dms', `C-${n + 2}`)),
    ];
    const { requests, send } = recorder();
    let asked = '';
    const result = await findDormant(undefined, {
      index: {
        lastServedIn: async (month) => {
          asked = month;
          return dormant;
        },
      },
      publish: (events) => publishInBatches(send, 'bus', events, { sleep: noWait }),
      now,
    });
    expect(asked).toBe('2024-11');
    expect(result).toEqual({ lastServiceMonth: '2024-11', reactivations: 23, requests: 3 });
    const details = requests.flat() as unknown as { serviceId: string; customerSource: string; customer: { id: string } }[];
    expect(new Set(details.map((d) => d.serviceId)).size).toBe(23);
    expect(
      details
        .filter((d) => d.customer.id === 'C-1')
        .map((d) => d.customerSource)
        .sort(),
    ).toEqual(['dealer.dms', 'hospital.his']);
    for (const d of details) expect(d.serviceId.length).toBeLessThanOrEqual(128);
  });

  it('publishes nothing in a month without dormant customers', async () => {
    let called = false;
    expect(
      await findDormant(undefined, {
        index: { lastServedIn: async () => [] },
        publish: async () => {
          called = true;
          return { requests: 1 };
        },
        now,
      }),
    ).toMatchObject({ reactivations: 0, requests: 0 });
    expect(called).toBe(false);
  });
});
