import chineseDays from 'chinese-days/dist/chinese-days.json' with { type: 'json' };
import { DateTime } from 'luxon';
import * as z from 'zod';
import { type CallingWindow, callingWindowSchema } from './policy-schema.js';
import { type ContactHours, minutesOf, nextCallSlot } from './schedule.js';
import type { WorkingCalendar } from './working-calendar.js';

/**
 * Care messages: a thank-you on the day of a purchase or delivery, a birthday greeting and a
 * greeting on the eve of a public holiday. They ask nothing, so they are not follow-ups: they
 * have their own cap, their own once-per-occasion claim and their own count in the reports.
 */

export type CareOccasionKind = 'thankYou' | 'birthday' | 'holiday';

/** The daily aggregates' subject of care messages: counters `<occasion>_sent` and `<occasion>_suppressed`. */
export const CARE_SUBJECT = 'care';

/** "MM-DD" of a real calendar day; 02-29 is one (it is greeted on 02-28 in other years). */
export const birthdaySchema = z.string().refine(
  (value) => {
    const match = /^(\d{2})-(\d{2})$/.exec(value);
    return !!match && DateTime.fromObject({ year: 2024, month: Number(match[1]), day: Number(match[2]) }).isValid;
  },
  { message: 'expected a birthday as MM-DD, e.g. 03-15', params: { reason: 'bad-format' } },
);

export const careConfigSchema = z.strictObject({
  /** Holiday greetings go to customers whose last service is at most this many months old. */
  servedWithinMonths: z.number().int().min(1).max(24),
  /** Care messages per customer and calendar year (in the customer's zone); the follow-up cap is separate. */
  maxPerYear: z.number().int().min(1).max(52),
  birthday: z.boolean(),
  /** Holidays greeted on their eve, by their English name in the State Council schedule (chinese-days). */
  holidays: z.array(z.string().min(1)),
  /** When greetings may arrive, in the customer's zone; absent: the follow-up default calling hours. */
  callingHours: z.array(callingWindowSchema).min(1).optional(),
});
export type CareConfig = z.infer<typeof careConfigSchema>;

/** The holiday names chinese-days knows, for validating the configuration. */
const cnHolidayDays = Object.entries((chineseDays as { holidays: Record<string, string> }).holidays)
  .map(([date, label]) => ({ date, name: label.split(',')[0] ?? label }))
  .sort((a, b) => a.date.localeCompare(b.date));
export const knownHolidays = new Set(cnHolidayDays.map((d) => d.name));

/** A holiday's name in the customer's language: chinese-days labels each day "Spring Festival,春节,4". */
const holidayNames = new Map(
  Object.values((chineseDays as { holidays: Record<string, string> }).holidays).map((label) => {
    const [en = label, zh = label] = label.split(',');
    return [en, { en, 'zh-CN': zh }] as const;
  }),
);
export function holidayName(holiday: string, locale: 'zh-CN' | 'en'): string {
  return holidayNames.get(holiday)?.[locale] ?? holiday;
}

/**
 * The eve of each holiday period: the day before its first day off. A period is a run of
 * consecutive dates with the same name (the Spring Festival's nine days are one period).
 */
const holidayEves: Map<string, string> = (() => {
  const eves = new Map<string, string>();
  let previous: { date: string; name: string } | undefined;
  for (const day of cnHolidayDays) {
    // Calendar dates, no zone: plain UTC arithmetic is exact; luxon took ~15 ms over the ~700 dates at every cold start.
    const dayBefore = new Date(Date.parse(`${day.date}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
    const continues = previous && previous.name === day.name && previous.date === dayBefore;
    if (!continues) eves.set(dayBefore, day.name);
    previous = day;
  }
  return eves;
})();

/** The configured holiday whose period starts the day after this local date, if any. */
export function holidayOnEve(isoDate: string, holidays: readonly string[]): string | undefined {
  const name = holidayEves.get(isoDate);
  return name && holidays.includes(name) ? name : undefined;
}

const isLeap = (year: number) => DateTime.fromObject({ year }).isInLeapYear;

/** Whether a birthday ("MM-DD") is greeted on this local date: 02-29 falls on 02-28 outside leap years. */
export function isBirthdayOn(isoDate: string, birthday: string): boolean {
  const monthDay = isoDate.slice(5);
  if (monthDay === birthday) return true;
  return birthday === '02-29' && monthDay === '02-28' && !isLeap(Number(isoDate.slice(0, 4)));
}

/** The birthday buckets ("MM-DD") greeted on a local date: 02-28 also reads 02-29 outside leap years. */
export function birthdaysGreetedOn(isoDate: string): string[] {
  const monthDay = isoDate.slice(5);
  return monthDay === '02-28' && !isLeap(Number(isoDate.slice(0, 4))) ? [monthDay, '02-29'] : [monthDay];
}

/**
 * The local dates that are "today" somewhere: an occasion is a day in the customer's own zone,
 * and zones run from UTC−12 to UTC+14, so a run reads the day before and after the reference too.
 */
export function datesAround(now: Date, timeZone: string): string[] {
  const local = DateTime.fromJSDate(now, { zone: timeZone }).startOf('day');
  return [-1, 0, 1].map((offset) => local.plus({ days: offset }).toISODate()!);
}

/** Every IANA zone's offset from UTC lies between these: Etc/GMT+12 (-12:00) and Pacific/Kiritimati (+14:00). */
const EARLIEST_OFFSET_MS = -12 * 3_600_000;
const LATEST_OFFSET_MS = 14 * 3_600_000;

/**
 * The dates among `dates` on which a customer in some zone can be inside `windows` at `now`: only
 * those can give a greeting now, so an hourly run reads no other date's buckets. A date qualifies
 * when, for some offset, its local time falls between the first window's start and the last one's end.
 */
export function greetableDates(now: Date, dates: readonly string[], windows: readonly CallingWindow[]): string[] {
  if (windows.length === 0) return [];
  const opensMs = Math.min(...windows.map((w) => minutesOf(w.start))) * 60_000;
  const closesMs = Math.max(...windows.map((w) => minutesOf(w.end))) * 60_000;
  return dates.filter((date) => {
    const midnight = Date.parse(`${date}T00:00:00Z`);
    return now.getTime() >= midnight + opensMs - LATEST_OFFSET_MS && now.getTime() <= midnight + closesMs - EARLIEST_OFFSET_MS;
  });
}

/** The claim's name: one greeting per customer and occasion, whatever runs again. */
export function occasionId(kind: CareOccasionKind, key: string): string {
  return `${kind}-${key}`;
}

/** Greetings arrive on any day, weekends and holidays included: only the time of day is quiet. */
const everyDay: WorkingCalendar = { isWorkingDay: () => true };

/** The hours a customer may receive a care message: calling windows in their zone, on every day. */
export function careHours(windows: CallingWindow[], timeZone: string): ContactHours {
  return { timeZone, windows, calendar: everyDay };
}

/**
 * When a care message due on `occasionDate` (the customer's local date) may go, seen at `now`:
 * now if it is inside the calling hours of that date, the window's opening if one is still to
 * come that day, and undefined once the day's last window has closed (or the date is another).
 */
export function careSendTime(now: Date, occasionDate: string, hours: ContactHours): Date | undefined {
  const today = DateTime.fromJSDate(now, { zone: hours.timeZone }).toISODate();
  if (today !== occasionDate) return undefined;
  const slot = nextCallSlot(now, hours);
  return DateTime.fromJSDate(slot, { zone: hours.timeZone }).toISODate() === occasionDate ? slot : undefined;
}

/**
 * The local date a thank-you goes on: the day of the service, or the next morning when the
 * service completed after the day's last calling window.
 */
export function thankYouDate(completedAt: Date, hours: ContactHours): string {
  return DateTime.fromJSDate(nextCallSlot(completedAt, hours), { zone: hours.timeZone }).toISODate()!;
}

/** The calendar year a greeting counts against, in the customer's zone. */
export function careYear(at: Date, timeZone: string): string {
  return String(DateTime.fromJSDate(at, { zone: timeZone }).year);
}
