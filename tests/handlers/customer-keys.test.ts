import { startSingleTable } from '../../local/dynamo.js';
import './setup-env.js';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { acceptServiceCompleted } from '../../functions/ingest-service-completed/intake.js';
import { recordOptOut } from '../../functions/record-opt-out/record-opt-out.js';
import { DynamoCustomerIndex, dormancyMonth, lastServiceExpiry } from '../../functions/shared/adapters/dynamo-customer-index.js';
import { DynamoFollowUpStore } from '../../functions/shared/adapters/dynamo-follow-up-store.js';
import { keys } from '../../functions/shared/adapters/table.js';
import { policyConfig } from '../../functions/shared/config/policies.js';
import { reportConfig } from '../../functions/shared/config/reports.js';
import { customerOf } from '../../functions/shared/domain/customer-key.js';

/** Everything kept per customer is keyed by the customer's source as well as the id. */
const TABLE = 'FollowUps';
let table: Awaited<ReturnType<typeof startSingleTable>>;
let raw: DynamoDBClient;
let db: DynamoDBDocumentClient;
let clock = new Date('2026-11-20T08:00:00Z');
const now = () => clock;
const rules = { afterMonths: reportConfig.dormant.afterMonths, timeZone: reportConfig.timeZone };

beforeAll(async () => {
  table = await startSingleTable(TABLE);
  raw = table.client;
  db = DynamoDBDocumentClient.from(raw, { marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: true } });
});
beforeEach(() => {
  clock = new Date('2026-11-20T08:00:00Z');
});
afterAll(async () => {
  await table?.close();
});

const store = () => new DynamoFollowUpStore(TABLE, policyConfig.retentionDays, now, db);
const index = () => new DynamoCustomerIndex(TABLE, rules, now, db);
const optedOutEvent = (source: string, detail: Record<string, unknown>) => ({
  id: `ev-${source}`,
  source,
  'detail-type': 'Customer Opted Out',
  detail,
});

describe('customer keys', () => {
  it('cannot make two (source, id) pairs spell the same key', () => {
    expect(keys.customerPk({ source: 'a#b', id: 'c' })).not.toBe(keys.customerPk({ source: 'a', id: 'b#c' }));
    expect(keys.customerPk({ source: 'dealer.dms', id: 'C-1' })).toBe('CUST#dealer.dms#C-1');
  });

  it('keeps the opt-out and the quarterly cap of C-1 from one source away from C-1 of another', async () => {
    await recordOptOut(optedOutEvent('hospital.his', { customerId: 'C-1' }), { store: store(), now: clock });
    expect((await store().customerState({ source: 'hospital.his', id: 'C-1' }, clock)).optedOut).toBe(true);
    expect((await store().customerState({ source: 'dealer.dms', id: 'C-1' }, clock)).optedOut).toBe(false);
    expect(await store().reserveContact({ source: 'dealer.dms', id: 'C-2' }, '2026-Q4', 'fu-a', 1)).toBe(true);
    expect(await store().reserveContact({ source: 'dealer.dms', id: 'C-2' }, '2026-Q4', 'fu-b', 1)).toBe(false);
    expect(await store().reserveContact({ source: 'hospital.his', id: 'C-2' }, '2026-Q4', 'fu-c', 1)).toBe(true);
  });

  it('keeps an opt-out without `until` for good, and lets one with `until` lapse then', async () => {
    await recordOptOut(optedOutEvent('crm.forever', { customerId: 'C-9' }), { store: store(), now: clock });
    await recordOptOut(optedOutEvent('crm.until', { customerId: 'C-9', until: '2027-01-01T00:00:00+08:00' }), {
      store: store(),
      now: clock,
    });
    const forever = (await db.send(new GetCommand({ TableName: TABLE, Key: keys.optOut({ source: 'crm.forever', id: 'C-9' }) }))).Item!;
    const until = (await db.send(new GetCommand({ TableName: TABLE, Key: keys.optOut({ source: 'crm.until', id: 'C-9' }) }))).Item!;
    expect(forever.expiresAt).toBeUndefined();
    expect(until.expiresAt).toBe(Date.parse('2027-01-01T00:00:00+08:00') / 1000);
    const later = new Date('2029-06-01T00:00:00Z'); // past the 760-day retention
    expect((await store().customerState({ source: 'crm.forever', id: 'C-9' }, later)).optedOut).toBe(true);
    expect((await store().customerState({ source: 'crm.until', id: 'C-9' }, new Date('2026-12-31T15:59:00Z'))).optedOut).toBe(true);
    expect((await store().customerState({ source: 'crm.until', id: 'C-9' }, new Date('2026-12-31T16:00:01Z'))).optedOut).toBe(false);
  });

  it("records an opt-out from a source that never sent the customer's services under that source, and says so", async () => {
    await index().touch('dealer.dms', { id: 'C-7', name: 'n' }, undefined, '2026-11-01T02:00:00.000Z');
    expect(await index().knows({ source: 'dealer.dms', id: 'C-7' })).toBe(true);
    expect(await index().knows({ source: 'crm', id: 'C-7' })).toBe(false);
    await recordOptOut(optedOutEvent('crm', { customerId: 'C-7' }), { store: store(), now: clock, index: index() });
    expect((await store().customerState({ source: 'crm', id: 'C-7' }, clock)).optedOut).toBe(true);
    expect((await store().customerState({ source: 'dealer.dms', id: 'C-7' }, clock)).optedOut).toBe(false);
  });
});

describe('the last-service index (dormant customers)', () => {
  it('buckets the month in the report time zone, not UTC', async () => {
    expect(reportConfig.timeZone).toBe('Asia/Shanghai');
    expect(dormancyMonth(new Date('2026-11-30T23:30:00+08:00').toISOString(), rules.timeZone)).toBe('2026-11');
    // 00:30 in Shanghai on December 1st is still November 30th in UTC.
    expect(dormancyMonth(new Date('2026-12-01T00:30:00+08:00').toISOString(), rules.timeZone)).toBe('2026-12');
    await index().touch('dealer.dms', { id: 'C-tz', name: 'n' }, 'sales', new Date('2026-11-30T23:30:00+08:00').toISOString());
    await index().touch('dealer.dms', { id: 'C-tz2', name: 'n' }, 'sales', new Date('2026-12-01T00:30:00+08:00').toISOString());
    expect((await index().lastServedIn('2026-11')).map((e) => e.customer.id)).toContain('C-tz');
    expect((await index().lastServedIn('2026-12')).map((e) => e.customer.id)).toEqual(['C-tz2']);
  });

  it('moves a customer touched by two services at once to the later one, leaving no entry of the earlier', async () => {
    const ids = async (entries: Promise<{ customer: { id: string } }[]>) => (await entries).map((e) => e.customer.id);
    for (let round = 0; round < 4; round += 1) {
      const id = `C-race-${round}`;
      const services = [
        index().touch('dealer.dms', { id, name: 'n', birthday: '03-14' }, 'sales', '2026-09-10T02:00:00.000Z'),
        index().touch('dealer.dms', { id, name: 'n', birthday: '03-15' }, 'sales', '2026-10-10T02:00:00.000Z'),
      ];
      // Either order of arrival: the earlier service may win the first write, then the later one moves it.
      await Promise.all(round % 2 ? services.reverse() : services);
      expect(await ids(index().lastServedIn('2026-10'))).toContain(id);
      expect(await ids(index().lastServedIn('2026-09'))).not.toContain(id);
      expect(await ids(index().bornOn('03-15'))).toContain(id);
      expect(await ids(index().bornOn('03-14'))).not.toContain(id);
    }
  });

  it('keeps two sources of the same customer id as two dormancy entries, each with its source', async () => {
    await index().touch('dealer.dms', { id: 'C-1', name: 'Dealer customer' }, 'sales', '2024-10-10T02:00:00.000Z');
    await index().touch('hospital.his', { id: 'C-1', name: 'Patient' }, undefined, '2024-10-12T02:00:00.000Z');
    clock = new Date('2026-10-02T02:00:00Z'); // the dormant run for October 2024
    const entries = await index().lastServedIn('2024-10');
    expect(entries.map((e) => [e.source, e.customer.name]).sort()).toEqual([
      ['dealer.dms', 'Dealer customer'],
      ['hospital.his', 'Patient'],
    ]);
  });

  it('expires the personal data one month past the 24-month horizon and ignores it once expired', async () => {
    const servedAt = '2024-09-15T02:00:00.000Z';
    expect(lastServiceExpiry(servedAt, rules)).toBe(Date.parse('2026-10-15T02:00:00.000Z') / 1000);
    await index().touch('dealer.dms', { id: 'C-old', name: 'n', phone: '+8613800138000' }, 'sales', servedAt);
    const item = (await db.send(new GetCommand({ TableName: TABLE, Key: keys.dormancy('2024-09', { source: 'dealer.dms', id: 'C-old' }) })))
      .Item!;
    expect(item.expiresAt).toBe(lastServiceExpiry(servedAt, rules));
    // The dormant run for September 2024 happens on 2026-09-02: the entry is still there.
    clock = new Date('2026-09-02T02:00:00Z');
    expect((await index().lastServedIn('2024-09')).map((e) => e.customer.id)).toContain('C-old');
    // After its TTL, before DynamoDB deletes it, a read treats it as gone; a new service starts afresh.
    clock = new Date('2026-10-16T00:00:00Z');
    expect((await index().lastServedIn('2024-09')).map((e) => e.customer.id)).not.toContain('C-old');
    expect(await index().knows({ source: 'dealer.dms', id: 'C-old' })).toBe(false);
    await index().touch('dealer.dms', { id: 'C-old', name: 'n' }, 'sales', '2026-10-15T08:00:00.000Z');
    expect((await index().lastServedIn('2026-10')).map((e) => e.customer.id)).toContain('C-old');
  });
});

describe('system follow-ups act for the upstream customer', () => {
  const event = (source: string, detail: Record<string, unknown>) => ({ id: 'e', source, 'detail-type': 'Service Completed', detail });
  const detail = {
    serviceId: 'dormant-1',
    serviceType: 'dormant-reactivation',
    completedAt: '2026-11-20T15:00:00+08:00',
    customer: { id: 'C-1', name: 'Ann', phone: '+8613800138000' },
  };

  it('carries the customer source from the system itself into the follow-up', () => {
    const intake = acceptServiceCompleted(
      event('customer-follow-up.dormant', { ...detail, customerSource: 'dealer.dms' }),
      policyConfig,
      clock,
    );
    expect(intake.ok).toBe(true);
    if (!intake.ok) return;
    expect(customerOf(intake.followUps[0]!)).toEqual({ source: 'dealer.dms', id: 'C-1' });
    const upstream = acceptServiceCompleted(event('dealer.dms', { ...detail, serviceType: 'vehicle-repair' }), policyConfig, clock);
    expect(upstream.ok && customerOf(upstream.followUps[0]!)).toEqual({ source: 'dealer.dms', id: 'C-1' });
  });

  it('refuses a customerSource from an upstream system, naming the field', () => {
    expect(
      acceptServiceCompleted(
        event('dealer.dms', { ...detail, serviceType: 'vehicle-repair', customerSource: 'hospital.his' }),
        policyConfig,
        clock,
      ),
    ).toMatchObject({
      ok: false,
      rejection: { field: 'detail.customerSource' },
    });
  });
});
