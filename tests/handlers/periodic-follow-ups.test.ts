import { startSingleTable } from '../../local/dynamo.js';
import './setup-env.js';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PERIODIC_SOURCE, startPeriodicFollowUps } from '../../functions/find-dormant/periodic-follow-ups.js';
import { type IngestDeps, ingest } from '../../functions/ingest-service-completed/ingest.js';
import { DynamoCustomerIndex } from '../../functions/shared/adapters/dynamo-customer-index.js';
import { DynamoFollowUpStore } from '../../functions/shared/adapters/dynamo-follow-up-store.js';
import type { EventEntry } from '../../functions/shared/adapters/event-batches.js';
import { periodicConfig } from '../../functions/shared/config/periodic.js';
import { policyConfig } from '../../functions/shared/config/policies.js';
import { reportConfig } from '../../functions/shared/config/reports.js';
import type { CustomerRef } from '../../functions/shared/domain/customer-key.js';
import type { PeriodicEntry } from '../../functions/shared/ports/customer-index.js';
import { recordedFinishes, roomyLimiter } from '../support/fake-channels.js';

const TABLE = 'FollowUps';
let table: Awaited<ReturnType<typeof startSingleTable>>;
let db: DynamoDBDocumentClient;
let clock = new Date('2026-05-10T02:00:00Z');
const index = () =>
  new DynamoCustomerIndex(TABLE, { afterMonths: reportConfig.dormant.afterMonths, timeZone: reportConfig.timeZone }, () => clock, db);

beforeAll(async () => {
  table = await startSingleTable(TABLE);
  db = DynamoDBDocumentClient.from(table.client, { marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: true } });
});
afterAll(async () => {
  await table?.close();
});

/** The follow-ups' executions are not what these tests are about. */
const noWorkflow = { startFollowUp: async () => {}, startEscalation: async () => {}, completeTask: async () => {} };
/** What intake needs, at the test's clock. */
const intakeDeps = (store: IngestDeps['store']): IngestDeps => ({
  store,
  workflow: noWorkflow,
  index: index(),
  limiter: roomyLimiter,
  finished: recordedFinishes(),
  now: clock,
});

/** A fake publish that hands each event to the intake, as the bus rule does. */
function intakeBus(store: DynamoFollowUpStore, published: EventEntry[]) {
  return async (events: EventEntry[]) => {
    published.push(...events);
    for (const [n, e] of events.entries()) {
      await ingest(
        { id: `ev-${published.length}-${n}`, source: e.source, 'detail-type': e.detailType, detail: e.detail },
        intakeDeps(store),
      );
    }
    return { requests: 1 };
  };
}

const service = (id: string, tier: string | undefined, completedAt: string) => ({
  id: `ev-${id}-${completedAt}`,
  source: 'dealer.dms',
  'detail-type': 'Service Completed',
  detail: {
    serviceId: `RO-${id}-${completedAt}`,
    serviceType: 'vehicle-repair',
    completedAt,
    departmentId: 'after-sales',
    customer: { id, name: '王五', phone: '+8613800138000', ...(tier ? { tier } : {}) },
  },
});

describe('periodic follow-ups: the monthly run over the index by month', () => {
  it('starts a key customer again after 6 months and an ordinary one after 12, not an opted-out one, and nothing twice', async () => {
    const store = new DynamoFollowUpStore(TABLE, policyConfig.retentionDays, () => clock, db);
    const published: EventEntry[] = [];
    clock = new Date('2026-05-10T02:00:00Z');
    for (const [id, tier] of [
      ['K1', 'key'],
      ['O1', 'ordinary'],
      ['N1', undefined],
      ['K-out', 'key'],
    ] as const) {
      expect(await ingest(service(id, tier, '2026-05-10T09:00:00+08:00'), intakeDeps(store))).toMatchObject({
        status: 'accepted',
      });
    }
    await store.optOut({ source: 'dealer.dms', id: 'K-out' }, clock.toISOString());
    const run = async (iso: string) => {
      clock = new Date(iso);
      return startPeriodicFollowUps(undefined, { index: index(), store, publish: intakeBus(store, published), now: clock });
    };

    // October 2026: nobody is due yet (key customers followed up in May are due in November).
    expect(await run('2026-10-02T02:30:00Z')).toMatchObject({ month: '2026-10', followUps: 0 });
    expect(await run('2026-11-02T02:30:00Z')).toMatchObject({
      month: '2026-11',
      followUps: 1,
      byTier: { key: 1, ordinary: 0 },
      optedOut: 1,
    });
    expect(published.map((e) => [e.source, (e.detail as { serviceType: string }).serviceType])).toEqual([
      [PERIODIC_SOURCE, 'periodic-key'],
    ]);
    expect(published[0]!.detail).toMatchObject({
      customerSource: 'dealer.dms',
      departmentId: 'after-sales',
      customer: { id: 'K1', tier: 'key' },
    });
    // A re-run of the month starts nothing twice: the follow-up moved K1 on.
    expect(await run('2026-11-02T05:00:00Z')).toMatchObject({ followUps: 0, optedOut: 1 });

    // May 2027: K1 again (6 months after its periodic follow-up), the ordinary and the untiered customer after 12.
    expect(await run('2027-05-02T02:30:00Z')).toMatchObject({ followUps: 3, byTier: { key: 1, ordinary: 2 } });
    expect(
      published
        .slice(1)
        .map((e) => (e.detail as { customer: { id: string } }).customer.id)
        .sort(),
    ).toEqual(['K1', 'N1', 'O1']);
    expect(published.map((e) => (e.detail as { customer: { id: string } }).customer.id)).not.toContain('K-out');
  });

  it('moves a customer who had any follow-up meanwhile: a service in between postpones the periodic one', async () => {
    const store = new DynamoFollowUpStore(TABLE, policyConfig.retentionDays, () => clock, db);
    clock = new Date('2026-01-10T02:00:00Z');
    await ingest(service('K2', 'key', '2026-01-10T09:00:00+08:00'), intakeDeps(store));
    clock = new Date('2026-04-10T02:00:00Z');
    await ingest(service('K2', 'key', '2026-04-10T09:00:00+08:00'), intakeDeps(store));
    expect((await index().periodicDueIn('2026-07')).map((e) => e.customer.id)).not.toContain('K2');
    expect((await index().periodicDueIn('2026-10')).map((e) => e.customer.id)).toContain('K2');
  });

  it('keeps the later follow-up when an earlier one is recorded late, and drops the old bucket entry', async () => {
    const ref = { source: 'dealer.dms', customer: { id: 'C-late', name: 'n', phone: '+8613800138000' } };
    const entry = (lastFollowUpAt: string): PeriodicEntry => ({ ...ref, lastFollowUpAt });
    await index().followedUp(entry('2026-03-01T00:00:00.000Z'), '2027-03');
    await index().followedUp(entry('2026-06-01T00:00:00.000Z'), '2027-06');
    await index().followedUp(entry('2026-04-01T00:00:00.000Z'), '2027-04');
    const ids = async (month: string) => (await index().periodicDueIn(month)).map((e) => e.customer.id);
    expect([await ids('2027-03'), await ids('2027-04'), await ids('2027-06')]).toEqual([[], [], ['C-late']]);
  });

  it('checks the opt-out under the customer source, not the periodic source', async () => {
    const asked: CustomerRef[] = [];
    const result = await startPeriodicFollowUps(undefined, {
      index: {
        periodicDueIn: async () => [
          { source: 'hospital.his', customer: { id: 'P1', name: 'n', phone: '+8613800138000' }, lastFollowUpAt: '2025-11-01T00:00:00Z' },
        ],
      },
      store: {
        customerState: async (customer) => {
          asked.push(customer);
          return { optedOut: false, contactsByQuarter: {}, pending: [] };
        },
      },
      publish: async () => ({ requests: 1 }),
      now: new Date('2026-11-02T02:30:00Z'),
      config: periodicConfig,
    });
    expect(asked).toEqual([{ source: 'hospital.his', id: 'P1' }]);
    expect(result).toMatchObject({ followUps: 1, byTier: { ordinary: 1 }, requests: 1 });
  });
});
