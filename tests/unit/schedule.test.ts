import fc from 'fast-check';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import {
  addDuration,
  type ContactHours,
  deadlineAfter,
  isCallable,
  nextCallSlot,
  quarterOf,
} from '../../functions/shared/domain/schedule.js';
import { workingCalendar } from '../../functions/shared/domain/working-calendar.js';

const cn = workingCalendar({ base: 'CN', weekend: [6, 7], holidays: [], makeUpWorkdays: [] });
const shanghai: ContactHours = {
  timeZone: 'Asia/Shanghai',
  windows: [
    { start: '09:00', end: '12:00' },
    { start: '14:00', end: '20:00' },
  ],
  calendar: cn,
};
const local = (iso: string, zone = 'Asia/Shanghai') => DateTime.fromISO(iso, { zone }).toJSDate();
const show = (d: Date, zone = 'Asia/Shanghai') => DateTime.fromJSDate(d, { zone }).toFormat("yyyy-MM-dd'T'HH:mm");

describe('nextCallSlot', () => {
  it('calls on the next working morning when a repair finishes on Friday evening', () => {
    expect(show(nextCallSlot(local('2026-11-20T21:30'), shanghai))).toBe('2026-11-23T09:00');
  });
  it('waits out the lunch break', () => {
    expect(show(nextCallSlot(local('2026-11-23T12:00'), shanghai))).toBe('2026-11-23T14:00');
    expect(show(nextCallSlot(local('2026-11-23T11:59'), shanghai))).toBe('2026-11-23T11:59');
  });
  it('skips the National Day holiday and calls on the make-up Saturday (2026-10-10)', () => {
    expect(show(nextCallSlot(local('2026-09-30T20:30'), shanghai))).toBe('2026-10-08T09:00');
    expect(show(nextCallSlot(local('2026-10-09T20:30'), shanghai))).toBe('2026-10-10T09:00');
  });
  it("honours the operator's own holidays and make-up days over the built-in calendar", () => {
    const custom: ContactHours = {
      ...shanghai,
      calendar: workingCalendar({ base: 'CN', weekend: [6, 7], holidays: ['2026-11-23'], makeUpWorkdays: ['2026-11-22'] }),
    };
    expect(show(nextCallSlot(local('2026-11-21T10:00'), custom))).toBe('2026-11-22T09:00');
    expect(show(nextCallSlot(local('2026-11-22T20:00'), custom))).toBe('2026-11-24T09:00');
  });
  it('is DST-safe: a New York window on the spring-forward day', () => {
    const ny: ContactHours = {
      timeZone: 'America/New_York',
      windows: [{ start: '02:00', end: '03:30' }],
      calendar: workingCalendar({ base: 'none', weekend: [], holidays: [], makeUpWorkdays: [] }),
    };
    // 02:00 does not exist on 2026-03-08; the window opens at 03:00 local instead.
    expect(show(nextCallSlot(local('2026-03-08T00:30', 'America/New_York'), ny), 'America/New_York')).toBe('2026-03-08T03:00');
  });
});

describe('durations and deadlines', () => {
  it('counts working days in the calendar and ends a working-day deadline when calling hours close', () => {
    expect(show(addDuration(local('2026-11-20T16:00'), { workingDays: 1 }, shanghai))).toBe('2026-11-23T16:00');
    expect(show(deadlineAfter(local('2026-11-20T16:00'), { workingDays: 2 }, shanghai))).toBe('2026-11-24T20:00');
    expect(show(addDuration(local('2026-11-20T16:00'), { hours: 20 }, shanghai))).toBe('2026-11-21T12:00');
  });
  it('names the quarter in the customer zone', () => {
    expect(quarterOf(new Date('2026-12-31T17:00:00Z'), 'Asia/Shanghai')).toBe('2027-Q1');
    expect(quarterOf(new Date('2026-12-31T17:00:00Z'), 'Europe/London')).toBe('2026-Q4');
  });
});

const zones = ['Asia/Shanghai', 'Europe/London', 'America/New_York', 'Australia/Sydney', 'Asia/Kolkata'];
const windowArb = fc
  .tuple(fc.integer({ min: 0, max: 22 }), fc.integer({ min: 1, max: 8 }), fc.integer({ min: 0, max: 3 }))
  .map(([startHour, length, quarter]) => {
    const start = `${String(startHour).padStart(2, '0')}:${String(quarter * 15).padStart(2, '0')}`;
    const endHour = Math.min(startHour + length, 23);
    return { start, end: `${String(endHour).padStart(2, '0')}:59` };
  });
const hoursArb = fc.record({
  timeZone: fc.constantFrom(...zones),
  windows: fc.array(windowArb, { minLength: 1, maxLength: 2 }),
  makeUp: fc.array(fc.integer({ min: 0, max: 400 }), { maxLength: 5 }),
  holidays: fc.array(fc.integer({ min: 0, max: 400 }), { maxLength: 10 }),
});
const dayAfter = (n: number) => DateTime.fromISO('2026-01-01').plus({ days: n }).toISODate()!;
const fromArb = fc.integer({ min: Date.parse('2026-01-01T00:00:00Z'), max: Date.parse('2027-06-30T00:00:00Z') }).map((ms) => new Date(ms));

function hoursOf(h: { timeZone: string; windows: { start: string; end: string }[]; makeUp: number[]; holidays: number[] }): ContactHours {
  return {
    timeZone: h.timeZone,
    windows: h.windows,
    calendar: workingCalendar({ base: 'CN', weekend: [6, 7], holidays: h.holidays.map(dayAfter), makeUpWorkdays: h.makeUp.map(dayAfter) }),
  };
}

describe('nextCallSlot properties', () => {
  const params = { seed: 20261125, numRuns: 300 };

  it('never returns a time outside calling hours, on a holiday or on a weekend that is not a make-up day', () => {
    fc.assert(
      fc.property(hoursArb, fromArb, (h, from) => {
        const hours = hoursOf(h);
        const slot = nextCallSlot(from, hours);
        const t = DateTime.fromJSDate(slot, { zone: hours.timeZone });
        const date = t.toISODate()!;
        const minutes = t.hour * 60 + t.minute;
        const inWindow = h.windows.some((w) => {
          const [sh, sm] = w.start.split(':').map(Number);
          const [eh, em] = w.end.split(':').map(Number);
          return minutes >= sh! * 60 + sm! && minutes < eh! * 60 + em!;
        });
        return slot >= from && inWindow && hours.calendar.isWorkingDay(date, t.weekday) && isCallable(slot, hours);
      }),
      params,
    );
  });

  it('honours make-up working days that fall on a weekend', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 360 }), (n) => {
        const date = DateTime.fromISO(dayAfter(n), { zone: 'Asia/Shanghai' });
        const hours = hoursOf({ timeZone: 'Asia/Shanghai', windows: [{ start: '09:00', end: '18:00' }], makeUp: [n], holidays: [] });
        return show(nextCallSlot(date.set({ hour: 8 }).toJSDate(), hours)) === `${date.toISODate()}T09:00`;
      }),
      params,
    );
  });

  it('is the earliest slot: no callable quarter-hour is skipped, so a deadline is met whenever it can be', () => {
    fc.assert(
      fc.property(hoursArb, fromArb, (h, from) => {
        const hours = hoursOf(h);
        const slot = nextCallSlot(from, hours);
        const step = 15 * 60_000;
        for (let t = Math.ceil(from.getTime() / step) * step; t < slot.getTime(); t += step) {
          if (isCallable(new Date(t), hours)) return false;
        }
        return true;
      }),
      { ...params, numRuns: 60 },
    );
  });
});
