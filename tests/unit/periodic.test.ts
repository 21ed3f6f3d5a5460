import fc from 'fast-check';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { periodicConfig } from '../../functions/shared/config/periodic.js';
import { policyConfig } from '../../functions/shared/config/policies.js';
import { customerTiers, parsePeriodicConfig, periodicDueMonth, periodicRunMonth, tierOf } from '../../functions/shared/domain/periodic.js';
import { parseServiceCompleted } from '../../functions/shared/domain/service-event.js';

const ZONE = 'Asia/Shanghai';
const monthsBetween = (from: string, to: string) =>
  DateTime.fromFormat(to, 'yyyy-MM').diff(DateTime.fromFormat(from, 'yyyy-MM'), 'months').months;

describe('periodic follow-ups: which month a customer is due', () => {
  it('follows a key customer up 6 months after the month of their last follow-up, an ordinary one 12', () => {
    const at = new Date('2026-05-31T18:00:00Z'); // 1 June 02:00 in Shanghai: a June follow-up there
    expect(periodicDueMonth(at, 'key', periodicConfig, ZONE)).toBe('2026-12');
    expect(periodicDueMonth(at, 'ordinary', periodicConfig, ZONE)).toBe('2027-06');
    expect(periodicDueMonth(at, 'key', periodicConfig, 'UTC')).toBe('2026-11');
  });

  it('treats a customer without a tier as an ordinary customer (seed 002: every customer at least yearly)', () => {
    expect(tierOf({}, periodicConfig)).toBe('ordinary');
    expect(tierOf({ tier: 'key' }, periodicConfig)).toBe('key');
  });

  it('is due exactly the tier interval of months later, never in the month of the follow-up, for any time and tier', () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date('2020-01-01T00:00:00Z'), max: new Date('2040-12-31T23:59:59Z'), noInvalidDate: true }),
        fc.constantFrom(...customerTiers),
        fc.constantFrom('Asia/Shanghai', 'Europe/Berlin', 'America/Los_Angeles', 'UTC'),
        (at, tier, zone) => {
          const due = periodicDueMonth(at, tier, periodicConfig, zone);
          const month = periodicRunMonth(at, zone);
          expect(monthsBetween(month, due)).toBe(periodicConfig.tiers[tier].everyMonths);
          // The run of the due month (its day in the zone) comes 1 to 13 months after the follow-up, never before it.
          const run = DateTime.fromFormat(due, 'yyyy-MM', { zone }).set({ day: periodicConfig.schedule.day }).toJSDate();
          expect(run.getTime()).toBeGreaterThan(at.getTime());
        },
      ),
    );
  });

  it('moves a key customer on by the same interval each time: followed up every 6 months', () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date('2024-01-01T00:00:00Z'), max: new Date('2030-01-01T00:00:00Z'), noInvalidDate: true }),
        (start) => {
          let at = start;
          const months: string[] = [periodicRunMonth(at, ZONE)];
          for (let n = 0; n < 4; n += 1) {
            const due = periodicDueMonth(at, 'key', periodicConfig, ZONE);
            months.push(due);
            // The run on the configured day of the due month is the next follow-up.
            const { day, hour, minute } = periodicConfig.schedule;
            at = DateTime.fromFormat(due, 'yyyy-MM', { zone: ZONE }).set({ day, hour, minute }).toJSDate();
          }
          for (let n = 1; n < months.length; n += 1) expect(monthsBetween(months[n - 1]!, months[n]!)).toBe(6);
        },
      ),
    );
  });

  it('runs every tier under a configured policy with a survey and labels in both languages', () => {
    for (const tier of customerTiers) {
      const policy = policyConfig.policies[periodicConfig.tiers[tier].serviceType]!;
      expect(policy.label['zh-CN'].length).toBeGreaterThan(0);
      expect(policy.label.en.length).toBeGreaterThan(0);
      expect(policyConfig.surveys[policy.survey]).toBeDefined();
    }
  });

  it('refuses a configuration naming the key that is wrong', () => {
    expect(() =>
      parsePeriodicConfig({ ...periodicConfig, tiers: { ...periodicConfig.tiers, key: { everyMonths: 0, serviceType: 'x' } } }),
    ).toThrow(/tiers\.key\.everyMonths/);
    expect(() => parsePeriodicConfig({ ...periodicConfig, defaultTier: 'vip' })).toThrow(/defaultTier/);
  });
});

describe('customer.tier on the Service Completed event', () => {
  const detail = (customer: Record<string, unknown>) => ({
    serviceId: 'RO-1',
    serviceType: 'vehicle-repair',
    completedAt: '2026-11-20T15:00:00+08:00',
    customer: { id: 'C1', name: '王五', phone: '+8613800138000', ...customer },
  });

  it('is optional and kept when it is key or ordinary', () => {
    expect(parseServiceCompleted(detail({ tier: 'key' }))).toMatchObject({ ok: true, detail: { customer: { tier: 'key' } } });
    const parsed = parseServiceCompleted(detail({}));
    expect(parsed.ok && parsed.detail.customer.tier).toBe(undefined);
  });

  it('rejects an unknown tier, naming the field and the allowed values', () => {
    expect(parseServiceCompleted(detail({ tier: 'vip' }))).toEqual({
      ok: false,
      issue: expect.objectContaining({ field: 'detail.customer.tier', reason: 'not-allowed-value', params: { values: 'key, ordinary' } }),
    });
  });
});
