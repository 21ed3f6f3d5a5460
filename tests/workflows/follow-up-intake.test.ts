import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { policyConfig } from '../../functions/shared/config/policies.js';
import { samplingDraw } from '../../functions/shared/domain/follow-up.js';
import { at, idOf, serviceCompleted } from '../support/follow-up-fixtures.js';
import { Harness } from '../support/local-harness.js';

/** Who gets followed up at all: opt-outs, the quarterly cap, duplicates, rounds, sampling, bad events. */
let h: Harness;
beforeAll(async () => {
  h = await Harness.start(new Date('2026-11-20T08:00:00Z'));
});
afterAll(async () => {
  await h?.stop();
});

describe('FollowUp workflow: intake and suppression', () => {
  it('suppresses the contact when the customer opts out while the follow-up waits', async () => {
    const detail = serviceCompleted(0);
    const id = idOf(detail);
    await h.runUntil(at(0, 0, '16:00'));
    await h.publish('Service Completed', detail);
    await h.runUntil(at(0, 1, '12:00'));
    // Customer ids belong to their source: the opt-out comes from the system that sent the service.
    await h.publish('Customer Opted Out', { customerId: detail.customer.id });
    await h.runUntil(at(0, 3, '10:00'));
    expect(h.tasksFor(id)).toHaveLength(0);
    expect(h.emailsTo(detail.customer.email!)).toHaveLength(0);
    expect((await h.followUp(id))!.outcome).toMatchObject({ status: 'suppressed', reason: 'opted-out' });
    expect(h.executionOf(id)!.status).toBe('SUCCEEDED');
  });

  it('skips a routine follow-up once the customer had two this quarter, but not an exempt one', async () => {
    // Three repairs due the same morning would share one call (一事一扰, tests/workflows/merge.test.ts): here, separate calls.
    const merging = policyConfig.merging.maxMatters;
    policyConfig.merging.maxMatters = 1;
    onTestFinished(() => {
      policyConfig.merging.maxMatters = merging;
    });
    const customer = { id: 'C-capped', name: '李四', phone: '+8613900139000' };
    const routine = [0, 1, 2].map(() => serviceCompleted(1, {}, customer));
    await h.runUntil(at(1, 0, '16:00'));
    for (const detail of routine) await h.publish('Service Completed', detail);
    const exempt = serviceCompleted(1, { serviceType: 'complaint-resolved-general' }, customer);
    await h.publish('Service Completed', exempt);
    await h.runUntil(at(1, 3, '09:01'));
    const outcomes = await Promise.all(routine.map(async (d) => (await h.followUp(idOf(d)))!.outcome));
    expect(outcomes.filter((o) => o?.status === 'skipped').map((o) => o?.reason)).toEqual(['frequency-cap']);
    expect(routine.flatMap((d) => h.tasksFor(idOf(d)))).toHaveLength(2);
    await h.runUntil(at(1, 4, '20:00'));
    expect(h.tasksFor(idOf(exempt)).length).toBeGreaterThan(0);
  });

  it('creates exactly one follow-up when the same event arrives three times', async () => {
    const detail = serviceCompleted(2);
    const id = idOf(detail);
    await h.runUntil(at(2, 0, '16:00'));
    for (let i = 0; i < 3; i += 1) await h.publish('Service Completed', detail);
    expect([...h.cloud.executions.values()].filter((e) => e.name === id)).toHaveLength(1);
    await h.runUntil(at(2, 3, '09:00'));
    expect(h.tasksFor(id)).toHaveLength(1);
  });

  it('follows up an urgent repair twice: within 24 hours, then again 2 days later', async () => {
    const detail = serviceCompleted(3, { serviceType: 'urgent-repair', completedAt: at(3, 0, '17:00').replace('Z', '+00:00') });
    await h.runUntil(at(3, 0, '17:05'));
    await h.publish('Service Completed', detail);
    await h.runUntil(at(3, 0, '19:00'));
    expect(h.tasksFor(idOf(detail, 0)).map((t) => t.createdAt)).toEqual([at(3, 0, '19:00')]);
    // Urgent repairs are followed up every day of the week, or "within 24 h" could not hold after a
    // Friday evening: two days after Friday 17:00 is Sunday 17:00, and the second round calls then.
    await h.runUntil(at(3, 2, '17:00'));
    expect(h.tasksFor(idOf(detail, 1)).map((t) => t.createdAt)).toEqual([at(3, 2, '17:00')]);
  });

  it('samples 20% of gas repairs, the same ones on every run, and records the others at intake without an execution', async () => {
    const details = Array.from({ length: 40 }, () => serviceCompleted(4, { serviceType: 'gas-repair' }));
    await h.runUntil(at(4, 0, '16:00'));
    for (const detail of details) await h.publish('Service Completed', detail);
    const sampled = details.filter((d) => samplingDraw(idOf(d)) < 0.2).length;
    const stored = await Promise.all(details.map((d) => h.followUp(idOf(d))));
    expect(stored.filter((s) => s?.outcome?.reason === 'not-sampled')).toHaveLength(40 - sampled);
    expect(sampled).toBeGreaterThanOrEqual(3);
    const left = details.filter((d) => samplingDraw(idOf(d)) >= 0.2).map((d) => idOf(d));
    // Left out: skipped at intake, as Record would have written it, with no execution at all.
    expect(left.filter((id) => h.executionOf(id))).toEqual([]);
    expect(details.filter((d) => h.executionOf(idOf(d)))).toHaveLength(sampled);
    for (const s of stored.filter((f) => left.includes(f!.followUpId)))
      expect(s).toMatchObject({ status: 'skipped', outcome: { status: 'skipped', reason: 'not-sampled', finishedAt: at(4, 0, '16:00') } });
    // Counted in the day's aggregate (not due: the KPIs' meaning is unchanged) and announced, once each.
    const rows = (await h.items('Aggregate')).filter((a) => a.day === '2026-12-18' && a.subject === 'gas-repair');
    const sum = (counter: string) => rows.reduce((n, row) => n + Number(row[counter] ?? 0), 0);
    expect({ total: sum('total'), skipped: sum('status_skipped'), due: sum('due') }).toEqual({
      total: left.length,
      skipped: left.length,
      due: 0,
    });
    const completed = h.cloud.publishedEvents
      .map(({ event }) => event as { 'detail-type': string; detail: { followUpId: string; status: string; reason: string } })
      .filter((e) => e['detail-type'] === 'Follow-up Completed' && left.includes(e.detail.followUpId));
    expect(completed.map((e) => `${e.detail.status}/${e.detail.reason}`)).toEqual(left.map(() => 'skipped/not-sampled'));
    // A redelivery changes nothing: no execution, no second contribution, no second event.
    const events = h.cloud.publishedEvents.length;
    await h.publish(
      'Service Completed',
      details.find((d) => idOf(d) === left[0]),
    );
    const again = (await h.items('Aggregate')).filter((a) => a.day === '2026-12-18' && a.subject === 'gas-repair');
    expect(again.reduce((n, row) => n + Number(row.total ?? 0), 0)).toBe(left.length);
    expect(h.cloud.publishedEvents.slice(events).map(({ event }) => event['detail-type'])).toEqual(['Service Completed']);
    expect(h.executionOf(left[0]!)).toBeUndefined();
  });

  it.each([
    ['detail.customer.phone', serviceCompleted(0, {}, { phone: undefined, email: undefined })],
    ['detail.serviceType', serviceCompleted(0, { serviceType: 'teleportation' })],
    ['detail.completedAt', serviceCompleted(0, { completedAt: '2099-01-01T00:00:00+08:00' })],
    ['detail.completedAt', serviceCompleted(0, { completedAt: 'yesterday' })],
    ['detail.customer.phone', serviceCompleted(0, {}, { phone: 'not-a-phone', email: 'not-an-email' })],
    ['detail.serviceId', serviceCompleted(0, { serviceId: '' })],
  ])('rejects an event with a bad %s, names the field and starts nothing', async (field, detail) => {
    const before = h.cloud.executions.size;
    const result = await h.publish('Service Completed', detail, 'bad.upstream');
    expect(h.cloud.executions.size).toBe(before);
    const eventId = result.Entries![0]!.EventId;
    const rejection = (await h.items('Rejection')).find((r) => r.eventId === eventId)!;
    expect(rejection.field).toBe(field);
    expect(String(rejection.message).length).toBeGreaterThan(5);
    expect(JSON.stringify(rejection)).not.toContain('张三');
  });

  it('refuses malformed JSON at the bus, as EventBridge does', async () => {
    const result = await h.publish('Service Completed', '{"serviceId": ');
    expect(result.FailedEntryCount).toBe(1);
    expect(result.Entries?.[0]?.ErrorCode).toBe('MalformedDetail');
  });
});
