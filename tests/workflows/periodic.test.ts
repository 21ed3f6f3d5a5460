import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PERIODIC_SOURCE, periodicServiceId } from '../../functions/find-dormant/periodic-follow-ups.js';
import { followUpIdFor } from '../../functions/shared/domain/follow-up.js';
import { synthesizeTemplate } from '../../local/template.js';
import { Harness } from '../support/local-harness.js';

/**
 * Periodic follow-ups on the local stack, a year on the virtual clock: key customers every 6
 * months, ordinary ones every 12, opted-out ones never. Only the periodic schedule runs (the
 * reports' schedules are switched off in this copy of the template, to keep a year quick).
 */
let h: Harness;
let runsFunction: string;
beforeAll(async () => {
  const template = synthesizeTemplate();
  runsFunction = Object.entries(template.Resources).find(
    ([logicalId, r]) => r.Type === 'AWS::Lambda::Function' && logicalId.startsWith('ReportsDormantFunction'),
  )![0];
  for (const [logicalId, resource] of Object.entries(template.Resources)) {
    if (resource.Type === 'AWS::Scheduler::Schedule' && !logicalId.startsWith('ReportsPeriodicFollowUps'))
      resource.Properties = { ...resource.Properties, State: 'DISABLED' };
  }
  h = await Harness.start(new Date('2026-05-04T00:00:00Z'), { schedules: true, template });
});
afterAll(async () => {
  await h?.stop();
});

const service = (id: string, tier?: 'key' | 'ordinary') => ({
  serviceId: `RO-${id}`,
  serviceType: 'vehicle-repair',
  completedAt: '2026-05-04T09:00:00+08:00',
  departmentId: 'after-sales',
  customer: { id, name: '张三', phone: '+8613800138000', ...(tier ? { tier } : {}) },
});

/** The follow-up a month's periodic run starts for a customer of dealer.dms. */
const periodicId = (customerId: string, tier: 'key' | 'ordinary', month: string) =>
  followUpIdFor(PERIODIC_SOURCE, `periodic-${tier}`, periodicServiceId('dealer.dms', customerId, month), 0);

function periodicPublished(): { id: string; serviceType: string }[] {
  return h.cloud.publishedEvents
    .filter(({ event }) => event.source === PERIODIC_SOURCE)
    .map(({ event }) => {
      const detail = event.detail as { serviceType: string; customer: { id: string } };
      return { id: detail.customer.id, serviceType: detail.serviceType };
    });
}

describe('Periodic follow-ups', () => {
  it('follows a key customer up again after 6 months and an ordinary one after 12, an opted-out one not at all', {
    timeout: 120_000,
  }, async () => {
    await h.runUntil('2026-05-04T02:00:00Z');
    await h.publish('Service Completed', service('C-key', 'key'));
    await h.publish('Service Completed', service('C-ordinary'));
    await h.publish('Service Completed', service('C-out', 'key'));
    await h.publish('Customer Opted Out', { customerId: 'C-out' });

    // October's run finds nobody; November's (the 2nd, 10:30 in Shanghai) the key customer.
    await h.runUntil('2026-10-31T00:00:00Z');
    expect(periodicPublished()).toEqual([]);
    await h.runUntil('2026-11-02T04:00:00Z');
    expect(periodicPublished()).toEqual([{ id: 'C-key', serviceType: 'periodic-key' }]);
    const november = periodicId('C-key', 'key', '2026-11');
    expect(await h.followUp(november)).toMatchObject({ serviceType: 'periodic-key', customerSource: 'dealer.dms' });
    // One hour after the run, inside calling hours: an agent task with the periodic survey.
    expect(h.tasksFor(november)).toHaveLength(1);
    // The Scheduler delivers at least once: a second run of the month starts nothing twice.
    await h.stack.clock.track(() => h.cloud.invokeFunction(runsFunction, { run: 'periodic' }));
    await h.stack.clock.settle();
    expect(periodicPublished()).toHaveLength(1);
    expect([...h.cloud.executions.values()].filter((e) => e.name === november)).toHaveLength(1);

    // May 2027: the key customer 6 months after the periodic follow-up, the ordinary one 12 after the service.
    await h.runUntil('2027-05-02T04:00:00Z');
    expect(periodicPublished()).toEqual([
      { id: 'C-key', serviceType: 'periodic-key' },
      { id: 'C-key', serviceType: 'periodic-key' },
      { id: 'C-ordinary', serviceType: 'periodic-ordinary' },
    ]);
    // 2 May 2027 is a Sunday: the calls fall on Monday morning.
    await h.runUntil('2027-05-03T02:00:00Z');
    expect(h.tasksFor(periodicId('C-key', 'key', '2027-05'))).toHaveLength(1);
    expect(h.tasksFor(periodicId('C-ordinary', 'ordinary', '2027-05'))).toHaveLength(1);
    expect(periodicPublished().map((p) => p.id)).not.toContain('C-out');
    expect(h.cloud.deadLetters).toEqual([]);
  });
});
