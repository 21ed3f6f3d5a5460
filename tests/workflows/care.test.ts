import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { synthesizeTemplate } from '../../local/template.js';
import { Harness } from '../support/local-harness.js';

/**
 * Care messages on the local stack, three days around National Day's eve on the virtual clock:
 * only the hourly care schedule runs (the reports' schedules are off in this copy of the
 * template). SMS goes first where the provider takes free text (AWS End User Messaging): the
 * customer with a +1 phone is texted, into the Sent SMS stand-in; the others have +86 phones
 * (Alibaba sends the survey's template only) or none, so their greetings go by email, into the
 * local SES outbox.
 */
let h: Harness;
let careFunction: string;
beforeAll(async () => {
  const template = synthesizeTemplate();
  careFunction = Object.entries(template.Resources).find(
    ([logicalId, r]) => r.Type === 'AWS::Lambda::Function' && logicalId.startsWith('CareSendFunction'),
  )![0];
  for (const [logicalId, resource] of Object.entries(template.Resources)) {
    if (resource.Type === 'AWS::Scheduler::Schedule' && !logicalId.startsWith('CareHourly'))
      resource.Properties = { ...resource.Properties, State: 'DISABLED' };
  }
  h = await Harness.start(new Date('2026-09-28T00:00:00Z'), { schedules: true, template });
});
afterAll(async () => {
  await h?.stop();
});

const service = (id: string, serviceType: string, customer: Record<string, unknown>) => ({
  serviceId: `RO-${id}-${serviceType}`,
  serviceType,
  completedAt: '2026-09-28T08:00:00+08:00',
  departmentId: 'sales',
  customer: { id, name: `Customer ${id}`, email: `${id.toLowerCase()}@example.com`, locale: 'en', ...customer },
});

/** The care emails sent to an address: their subject and the Shanghai time they went. */
const careEmailsTo = (address: string) =>
  h.cloud.outbox
    .filter((m) => m.to.includes(address) && /Thank you from|Happy birthday|happy National Day/.test(m.subject))
    .map((m) => ({ subject: m.subject, at: DateTime.fromISO(m.sentAt, { zone: 'Asia/Shanghai' }).toFormat('MM-dd HH:mm') }));

/** The care texts sent to a number: the provider and the Shanghai time they went. */
const careTextsTo = (phone: string) =>
  h.cloud.sentSms
    .filter((sms) => sms.to === phone && sms.context.kind === 'care')
    .map((sms) => ({ provider: sms.provider, at: DateTime.fromISO(sms.sentAt, { zone: 'Asia/Shanghai' }).toFormat('MM-dd HH:mm') }));

const insideCallingHours = (at: string) => {
  const time = at.slice(6);
  return (time >= '09:00' && time < '12:00') || (time >= '14:00' && time < '20:00');
};

describe('Care messages', () => {
  it('thanks on the day of a delivery, greets a birthday once inside calling hours, and greets the eve of National Day', {
    timeout: 120_000,
  }, async () => {
    await h.runUntil('2026-09-28T00:10:00Z');
    await h.publish('Service Completed', service('C-BDAY', 'vehicle-repair', { phone: '+8613800138000', birthday: '09-29' }));
    await h.publish('Service Completed', service('C-BUYER', 'vehicle-delivery', { phone: '+8613900139000' }));
    await h.publish('Service Completed', service('C-OUT', 'vehicle-repair', {}));
    await h.publish('Customer Opted Out', { customerId: 'C-OUT' });
    await h.publish('Service Completed', service('C-TEXT', 'vehicle-repair', { phone: '+14155550123', birthday: '09-29' }));

    await h.runUntil('2026-09-29T16:00:00Z');
    // The thank-you on the delivery's day at the first hourly run inside calling hours (09:05).
    expect(careEmailsTo('c-buyer@example.com')).toEqual([{ subject: 'Thank you from Example Services Ltd', at: '09-28 09:05' }]);
    // The birthday greeting once, on the day, in the calling hours, though the run repeats every hour.
    const birthday = careEmailsTo('c-bday@example.com');
    expect(birthday).toEqual([{ subject: 'Happy birthday from Example Services Ltd', at: '09-29 09:05' }]);
    expect(birthday.every(({ at }) => insideCallingHours(at))).toBe(true);
    // A number End User Messaging carries is texted first, through the care function's own grant; no email follows.
    const texted = h.cloud.sentSms.find((sms) => sms.to === '+14155550123' && sms.context.kind === 'care');
    expect(texted?.text).toMatch(/birthday/i);
    expect(texted?.configurationSet).toBe('CustomerFollowUp-sms');
    expect(careTextsTo('+14155550123')).toEqual([{ provider: 'aws', at: '09-29 09:05' }]);
    expect(careEmailsTo('c-text@example.com')).toEqual([]);

    // The eve of National Day: the customers served in the last months, not the opted-out one.
    await h.runUntil('2026-09-30T16:00:00Z');
    expect(careEmailsTo('c-bday@example.com').map((m) => m.at)).toEqual(['09-29 09:05', '09-30 09:05']);
    expect(careEmailsTo('c-buyer@example.com').at(-1)).toEqual({ subject: 'Example Services Ltd: happy National Day', at: '09-30 09:05' });
    expect(careEmailsTo('c-out@example.com')).toEqual([]);
    expect(careTextsTo('+14155550123').map((m) => m.at)).toEqual(['09-29 09:05', '09-30 09:05']);

    // The Scheduler delivers at least once: another run of the day sends nothing twice.
    const before = { emails: h.cloud.outbox.length, texts: h.cloud.sentSms.length };
    await h.stack.clock.track(() => h.cloud.invokeFunction(careFunction, { run: 'care' }));
    await h.stack.clock.settle();
    expect({ emails: h.cloud.outbox.length, texts: h.cloud.sentSms.length }).toEqual(before);
  });
});
