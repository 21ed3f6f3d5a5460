import fc from 'fast-check';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { parseCareConfig } from '../../functions/shared/config/care.js';
import {
  birthdaySchema,
  birthdaysGreetedOn,
  careHours,
  careSendTime,
  datesAround,
  greetableDates,
  holidayOnEve,
  isBirthdayOn,
} from '../../functions/shared/domain/care.js';
import { isCallable } from '../../functions/shared/domain/schedule.js';
import { parseServiceCompleted } from '../../functions/shared/domain/service-event.js';

const windows = [
  { start: '09:00', end: '12:00' },
  { start: '14:00', end: '20:00' },
];
const shanghai = careHours(windows, 'Asia/Shanghai');
const local = (iso: string, zone = 'Asia/Shanghai') => DateTime.fromISO(iso, { zone }).toJSDate();
const show = (at: Date | undefined, zone = 'Asia/Shanghai') => at && DateTime.fromJSDate(at, { zone }).toFormat("yyyy-MM-dd'T'HH:mm");

describe('occasion dates', () => {
  it('finds the eve of configured holidays in the State Council calendar, and only of those', () => {
    const configured = ['Spring Festival', 'Mid-autumn Festival', 'National Day'];
    expect(holidayOnEve('2026-02-14', configured)).toBe('Spring Festival');
    expect(holidayOnEve('2026-09-24', configured)).toBe('Mid-autumn Festival');
    expect(holidayOnEve('2026-09-30', configured)).toBe('National Day');
    // Inside a period is not an eve, and an unconfigured holiday has none.
    expect(holidayOnEve('2026-02-15', configured)).toBeUndefined();
    expect(holidayOnEve('2026-04-03', configured)).toBeUndefined();
    expect(holidayOnEve('2026-04-03', ['Tomb-sweeping Day'])).toBe('Tomb-sweeping Day');
  });
  it('greets a 29 February birthday on 28 February outside leap years', () => {
    expect(isBirthdayOn('2027-02-28', '02-29')).toBe(true);
    expect(isBirthdayOn('2028-02-28', '02-29')).toBe(false);
    expect(isBirthdayOn('2028-02-29', '02-29')).toBe(true);
    expect(birthdaysGreetedOn('2027-02-28')).toEqual(['02-28', '02-29']);
    expect(birthdaysGreetedOn('2028-02-28')).toEqual(['02-28']);
  });
  it('accepts real MM-DD birthdays only', () => {
    expect(birthdaySchema.safeParse('02-29').success).toBe(true);
    for (const bad of ['02-30', '13-01', '3-15', '1990-03-15', '']) expect(birthdaySchema.safeParse(bad).success).toBe(false);
  });
  it('reads the days around the reference date, as zones from UTC−12 to UTC+14 see them', () => {
    expect(datesAround(local('2026-03-15T00:30'), 'Asia/Shanghai')).toEqual(['2026-03-14', '2026-03-15', '2026-03-16']);
  });
  it('rejects a holiday the calendar does not know, naming it', () => {
    expect(() => parseCareConfig({ servedWithinMonths: 12, maxPerYear: 4, birthday: true, holidays: ['Christmas'] })).toThrow(/Christmas/);
  });
});

describe('care send time', () => {
  it('sends now inside calling hours, at the next window the same day, and not after the last window', () => {
    expect(show(careSendTime(local('2026-03-15T10:00'), '2026-03-15', shanghai))).toBe('2026-03-15T10:00');
    expect(show(careSendTime(local('2026-03-15T07:00'), '2026-03-15', shanghai))).toBe('2026-03-15T09:00');
    expect(show(careSendTime(local('2026-03-15T12:30'), '2026-03-15', shanghai))).toBe('2026-03-15T14:00');
    expect(careSendTime(local('2026-03-15T20:00'), '2026-03-15', shanghai)).toBeUndefined();
    expect(careSendTime(local('2026-03-15T10:00'), '2026-03-16', shanghai)).toBeUndefined();
  });
  it('greets on a Sunday and on a public holiday: only the time of day is quiet', () => {
    expect(show(careSendTime(local('2026-10-04T08:00'), '2026-10-04', shanghai))).toBe('2026-10-04T09:00');
  });
  it('always lies inside the calling hours, on the occasion date, in the customer zone', () => {
    const zones = ['Asia/Shanghai', 'America/New_York', 'Europe/London', 'Pacific/Kiritimati', 'Pacific/Pago_Pago'];
    fc.assert(
      fc.property(fc.integer({ min: Date.UTC(2025, 0, 1), max: Date.UTC(2028, 11, 31) }), fc.constantFrom(...zones), (millis, zone) => {
        const hours = careHours(windows, zone);
        const now = new Date(millis);
        const today = DateTime.fromJSDate(now, { zone }).toISODate()!;
        const at = careSendTime(now, today, hours);
        if (!at) return DateTime.fromJSDate(now, { zone }).toFormat('HH:mm') >= '20:00';
        return isCallable(at, hours) && at >= now && DateTime.fromJSDate(at, { zone }).toISODate() === today;
      }),
      { seed: 12, numRuns: 500 },
    );
  });
});

describe('dates an hourly run reads', () => {
  it('skips a date no zone can be inside calling hours on right now', () => {
    // 10:00 in Shanghai: tomorrow starts nowhere yet with a window open (Kiritimati, 6 hours ahead, is at 04:00);
    // yesterday is still 18:00 in Los Angeles.
    const now = local('2026-03-15T10:00');
    expect(greetableDates(now, datesAround(now, 'Asia/Shanghai'), windows)).toEqual(['2026-03-14', '2026-03-15']);
    // 17:00 in Shanghai: 20:00 has passed on 2026-03-14 in every zone (Pago Pago, the last, is at 22:00 the day before).
    const evening = local('2026-03-15T17:00');
    expect(greetableDates(evening, datesAround(evening, 'Asia/Shanghai'), windows)).toEqual(['2026-03-15']);
  });
  it('keeps every date a customer in any zone would be greeted on now', () => {
    const zones = ['Asia/Shanghai', 'America/New_York', 'Etc/GMT+12', 'Pacific/Kiritimati', 'Pacific/Chatham', 'Asia/Kathmandu'];
    fc.assert(
      fc.property(fc.integer({ min: Date.UTC(2025, 0, 1), max: Date.UTC(2028, 11, 31) }), fc.constantFrom(...zones), (millis, zone) => {
        const now = new Date(millis);
        const dates = datesAround(now, 'Asia/Shanghai');
        const greetedNow = dates.filter((date) => {
          const at = careSendTime(now, date, careHours(windows, zone));
          return at !== undefined && at <= now;
        });
        const read = greetableDates(now, dates, windows);
        return greetedNow.every((date) => read.includes(date));
      }),
      { seed: 13, numRuns: 2000 },
    );
  });
});

describe('the birthday on the Service Completed event', () => {
  const detail = (birthday: unknown) => ({
    serviceId: 'RO-1',
    serviceType: 'vehicle-delivery',
    completedAt: '2026-11-20T15:00:00+08:00',
    customer: { id: 'C1', name: 'Ann', phone: '+8613800138000', birthday },
  });
  it('keeps a valid MM-DD birthday on the customer', () => {
    expect(parseServiceCompleted(detail('03-15'))).toMatchObject({ ok: true, detail: { customer: { birthday: '03-15' } }, dropped: [] });
  });
  it('drops an invalid birthday with a warning, like an unusable email, and keeps the event', () => {
    for (const [bad, reason] of [
      ['1990-03-15', 'bad-format'],
      ['02-30', 'bad-format'],
      [315, 'wrong-type'],
    ] as const) {
      const parsed = parseServiceCompleted(detail(bad));
      expect(parsed).toMatchObject({ ok: true, dropped: [{ field: 'detail.customer.birthday', reason }] });
      if (parsed.ok) expect(parsed.detail.customer).not.toHaveProperty('birthday');
    }
  });
});
