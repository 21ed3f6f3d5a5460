import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DORMANT_SOURCE, dormantServiceId, findDormant } from '../../functions/find-dormant/find-dormant.js';
import { DynamoCustomerIndex } from '../../functions/shared/adapters/dynamo-customer-index.js';
import { awsPublishInBatches } from '../../functions/shared/adapters/event-batches.js';
import { keys } from '../../functions/shared/adapters/table.js';
import { reportConfig } from '../../functions/shared/config/reports.js';
import { followUpIdFor } from '../../functions/shared/domain/follow-up.js';
import { at, idOf, serviceCompleted } from '../support/follow-up-fixtures.js';
import { Harness } from '../support/local-harness.js';

/**
 * End to end: a survey email's RFC 8058 one-click unsubscribe, as a mail client uses it, opts the
 * customer out of every later follow-up of that source (and only that source's).
 */
let h: Harness;
beforeAll(async () => {
  h = await Harness.start(new Date('2026-11-20T08:00:00Z'));
});
afterAll(async () => {
  await h?.stop();
});

const header = (email: { headers?: { name: string; value: string }[] }, name: string) =>
  email.headers?.find((x) => x.name.toLowerCase() === name.toLowerCase())?.value;

describe('one-click unsubscribe through the local stack', () => {
  it('a customer who clicks the email unsubscribe is opted out and no later follow-up contacts them', async () => {
    const customer = { id: 'P-unsub', phone: undefined, email: 'unsub@example.com', locale: 'en' };
    const first = serviceCompleted(0, { serviceType: 'hospital-discharge' }, customer);
    await h.runUntil(at(0, 0, '16:00'));
    await h.publish('Service Completed', first);
    await h.runUntil(at(0, 3, '15:00'));
    const [email] = h.emailsTo(customer.email);
    expect(email).toBeDefined();
    expect(header(email!, 'List-Unsubscribe-Post')).toBe('List-Unsubscribe=One-Click');
    const unsubscribe = new URL(/^<(.+)>$/.exec(header(email!, 'List-Unsubscribe') ?? '')![1]!);
    expect(unsubscribe.pathname).toMatch(/^\/links\//);
    expect(email!.text).toContain(unsubscribe.href);
    expect(email!.html).toContain(`href="${unsubscribe.href}"`);

    // Opening the link (a scanner, a preview) changes nothing; the mail client's one-click POST does.
    const page = await (await fetch(`${h.stack.webUrl}${unsubscribe.pathname}`)).text();
    expect(page).toContain('Unsubscribe from follow-ups');
    expect(await h.items('OptOut')).toHaveLength(0);
    const click = await h.stack.clock.track(() =>
      fetch(`${h.stack.webUrl}${unsubscribe.pathname}`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'List-Unsubscribe=One-Click',
      }),
    );
    expect(click.status).toBe(200);
    expect(await click.text()).toContain('You are unsubscribed');
    await h.stack.clock.settle();
    expect(await h.items('OptOut')).toEqual([
      expect.objectContaining({ ...keys.optOut({ source: 'dealer.dms', id: 'P-unsub' }), at: expect.any(String) }),
    ]);

    // A later service of the same source: the follow-up is suppressed before any contact.
    const later = serviceCompleted(1, { serviceType: 'hospital-discharge' }, customer);
    await h.runUntil(at(1, 0, '16:00'));
    await h.publish('Service Completed', later);
    await h.runUntil(at(1, 4, '20:00'));
    expect(h.emailsTo(customer.email)).toHaveLength(1);
    expect((await h.followUp(idOf(later)))!.outcome).toMatchObject({ status: 'suppressed', reason: 'opted-out' });

    // The same customer id from another upstream system is another customer: still followed up.
    const otherSource = serviceCompleted(2, { serviceType: 'hospital-discharge' }, { ...customer, email: 'other-system@example.com' });
    await h.runUntil(at(2, 0, '16:00'));
    await h.publish('Service Completed', otherSource, 'hospital.his');
    await h.runUntil(at(2, 4, '20:00'));
    expect(h.emailsTo('other-system@example.com')).toHaveLength(1);
  });

  it("a dormant customer's reactivation honours the opt-out of the source that owns the customer", async () => {
    await h.runUntil(at(3, 0, '10:00'));
    const index = new DynamoCustomerIndex(
      h.stack.tableName,
      { afterMonths: reportConfig.dormant.afterMonths, timeZone: reportConfig.timeZone },
      () => h.now(),
    );
    for (const source of ['dealer.dms', 'hospital.his'])
      await index.touch(source, { id: 'C-dormant', name: '周九', phone: '+8613600136000' }, 'sales', '2024-12-05T02:00:00.000Z');
    await h.publish('Customer Opted Out', { customerId: 'C-dormant' }, 'dealer.dms');
    const result = await h.stack.clock.track(() => findDormant(undefined, { index, publish: awsPublishInBatches, now: h.now() }));
    await h.stack.clock.settle();
    expect(result).toMatchObject({ lastServiceMonth: '2024-12', reactivations: 2, requests: 1 });
    const idFor = (source: string) =>
      followUpIdFor(DORMANT_SOURCE, reportConfig.dormant.serviceType, dormantServiceId(source, 'C-dormant', '2026-12'), 0);
    await h.runUntil(at(3, 4, '20:00'));
    expect(h.tasksFor(idFor('hospital.his')).length).toBeGreaterThan(0);
    expect(h.tasksFor(idFor('dealer.dms'))).toHaveLength(0);
    expect((await h.followUp(idFor('dealer.dms')))!.outcome).toMatchObject({ status: 'suppressed', reason: 'opted-out' });
  });
});
