import { DateTime } from 'luxon';
import type { CallingWindow, Duration } from './policy-schema.js';
import type { WorkingCalendar } from './working-calendar.js';

/** Where and when a customer may be contacted. */
export interface ContactHours {
  timeZone: string;
  windows: CallingWindow[];
  calendar: WorkingCalendar;
}

/** Two years of days: no real calendar has a longer run of non-working days. */
const MAX_DAYS_SEARCHED = 730;

export function minutesOf(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
}

function isWorkingDate(day: DateTime, hours: ContactHours): boolean {
  return hours.calendar.isWorkingDay(day.toISODate()!, day.weekday);
}

/** The window's edges on one local date; luxon moves a DST-gap time forward, never back. */
function windowOn(day: DateTime, window: CallingWindow): { start: DateTime; end: DateTime } {
  const at = (minutes: number) =>
    DateTime.fromObject(
      { year: day.year, month: day.month, day: day.day, hour: Math.floor(minutes / 60), minute: minutes % 60 },
      { zone: day.zone },
    );
  return { start: at(minutesOf(window.start)), end: at(minutesOf(window.end)) };
}

/** The calling window open at or after `from`: where it starts for us, and when it closes. */
function nextWindow(from: Date, hours: ContactHours): { start: DateTime; end: DateTime } {
  const start = DateTime.fromJSDate(from, { zone: hours.timeZone });
  let day = start.startOf('day');
  const windows = [...hours.windows].sort((a, b) => a.start.localeCompare(b.start));
  for (let i = 0; i < MAX_DAYS_SEARCHED; i += 1, day = day.plus({ days: 1 }).startOf('day')) {
    if (!isWorkingDate(day, hours)) continue;
    for (const window of windows) {
      const { start: opens, end: closes } = windowOn(day, window);
      if (closes <= start) continue;
      return { start: DateTime.max(start, opens), end: closes };
    }
  }
  throw new Error(`no working calling window within ${MAX_DAYS_SEARCHED} days of ${from.toISOString()}`);
}

/**
 * The earliest instant at or after `from` that lies inside a calling window on a working day
 * in the customer's zone. A window's end is exclusive: nobody is called at 20:00 sharp.
 */
export function nextCallSlot(from: Date, hours: ContactHours): Date {
  return nextWindow(from, hours).start.toJSDate();
}

/**
 * `from` moved forward by working time only: nights, weekends and holidays do not count, so
 * "within 4 working hours" raised on Friday at 17:00 ends on Monday afternoon.
 */
export function addWorkingMinutes(from: Date, minutes: number, hours: ContactHours): Date {
  let remaining = minutes * 60_000;
  let cursor = from;
  for (let i = 0; i < 10 * MAX_DAYS_SEARCHED; i += 1) {
    const window = nextWindow(cursor, hours);
    const available = window.end.toMillis() - window.start.toMillis();
    if (remaining <= available) return new Date(window.start.toMillis() + remaining);
    remaining -= available;
    cursor = window.end.toJSDate();
  }
  throw new Error(`cannot add ${minutes} working minutes to ${from.toISOString()}`);
}

/** Working minutes in one working day of these hours (a "working day" of SLA time). */
export function workingDayMinutes(hours: ContactHours): number {
  return hours.windows.reduce((sum, w) => sum + minutesOf(w.end) - minutesOf(w.start), 0);
}

/** Working minutes between two instants (how long a complaint really waited). */
export function workingMinutesBetween(from: Date, to: Date, hours: ContactHours): number {
  let total = 0;
  let cursor = from;
  while (cursor < to) {
    const window = nextWindow(cursor, hours);
    if (window.start.toMillis() >= to.getTime()) break;
    const end = Math.min(window.end.toMillis(), to.getTime());
    total += end - window.start.toMillis();
    cursor = new Date(window.end.toMillis());
  }
  return Math.round(total / 60_000);
}

/** True when `at` is inside a calling window on a working day. */
export function isCallable(at: Date, hours: ContactHours): boolean {
  return nextCallSlot(at, hours).getTime() === at.getTime();
}

/** The local date `n` working days after the date of `from` (same local time of day). */
function plusWorkingDays(from: DateTime, n: number, hours: ContactHours): DateTime {
  let day = from;
  let counted = 0;
  for (let i = 0; counted < n; i += 1) {
    if (i > MAX_DAYS_SEARCHED) throw new Error(`fewer than ${n} working days in ${MAX_DAYS_SEARCHED} days`);
    day = day.plus({ days: 1 });
    if (isWorkingDate(day, hours)) counted += 1;
  }
  return day;
}

/** `from` moved forward by a duration; working days count in the customer's calendar. */
export function addDuration(from: Date, duration: Duration, hours: ContactHours): Date {
  const local = DateTime.fromJSDate(from, { zone: hours.timeZone });
  if ('minutes' in duration) return local.plus({ minutes: duration.minutes }).toJSDate();
  if ('hours' in duration) return new Date(from.getTime() + duration.hours * 3_600_000);
  if ('days' in duration) return local.plus({ days: duration.days }).toJSDate();
  return plusWorkingDays(local, duration.workingDays, hours).toJSDate();
}

/**
 * The latest moment a contact still counts as on time. A deadline in working days ends when
 * the last calling window of that working day closes, so "within 3 working days" means the
 * whole third day.
 */
export function deadlineAfter(from: Date, duration: Duration, hours: ContactHours): Date {
  if (!('workingDays' in duration)) return addDuration(from, duration, hours);
  const day = DateTime.fromJSDate(addDuration(from, duration, hours), { zone: hours.timeZone }).startOf('day');
  const lastClose = hours.windows.map((w) => windowOn(day, w).end).reduce((latest, close) => DateTime.max(latest, close));
  return lastClose.toJSDate();
}

/** Converts a duration to seconds for a Step Functions timeout (working days count as days). */
export function durationSeconds(duration: Duration): number {
  if ('minutes' in duration) return duration.minutes * 60;
  if ('hours' in duration) return Math.round(duration.hours * 3600);
  if ('days' in duration) return duration.days * 86_400;
  return duration.workingDays * 86_400;
}

/** The calendar quarter a moment falls in, in the customer's zone: "2026-Q4". */
export function quarterOf(at: Date, timeZone: string): string {
  const local = DateTime.fromJSDate(at, { zone: timeZone });
  return `${local.year}-Q${local.quarter}`;
}

/** The calendar date of an instant in a zone: "2026-11-03". Reports count days this way. */
export function localDate(at: Date | string, timeZone: string): string {
  return DateTime.fromJSDate(typeof at === 'string' ? new Date(at) : at, { zone: timeZone }).toISODate()!;
}
