import { DateTime } from 'luxon';
import type { ReportKind } from './report-schema.js';

/** The days a report covers, and the period before it for trends. All dates are local dates. */
export interface ReportPeriod {
  kind: ReportKind;
  /** "2026-11-03", "2026-W45" or "2026-10". */
  label: string;
  days: string[];
  previous: { label: string; days: string[] };
}

function daysBetween(first: DateTime, last: DateTime): string[] {
  const days: string[] = [];
  for (let d = first; d <= last; d = d.plus({ days: 1 })) days.push(d.toISODate()!);
  return days;
}

function periodStarting(kind: ReportKind, first: DateTime): ReportPeriod {
  const unit = kind === 'daily' ? { days: 1 } : kind === 'weekly' ? { weeks: 1 } : { months: 1 };
  const label = (d: DateTime) =>
    kind === 'daily'
      ? d.toISODate()!
      : kind === 'weekly'
        ? `${d.weekYear}-W${String(d.weekNumber).padStart(2, '0')}`
        : d.toFormat('yyyy-MM');
  const before = first.minus(unit);
  return {
    kind,
    label: label(first),
    days: daysBetween(first, first.plus(unit).minus({ days: 1 })),
    previous: { label: label(before), days: daysBetween(before, first.minus({ days: 1 })) },
  };
}

/** The period a scheduled report sends at `now`: yesterday, last week (Mon–Sun), last month. */
export function periodEndingBefore(kind: ReportKind, now: Date, timeZone: string): ReportPeriod {
  const today = DateTime.fromJSDate(now, { zone: timeZone }).startOf('day');
  if (kind === 'daily') return periodStarting(kind, today.minus({ days: 1 }));
  if (kind === 'weekly') return periodStarting(kind, today.startOf('week').minus({ weeks: 1 }));
  return periodStarting(kind, today.startOf('month').minus({ months: 1 }));
}

/** Parses "2026-10" (month), "2026-W45" (ISO week) or "2026-11-03" (day). */
export function parsePeriod(text: string, timeZone: string): ReportPeriod | undefined {
  if (/^\d{4}-\d{2}$/.test(text)) {
    const d = DateTime.fromFormat(text, 'yyyy-MM', { zone: timeZone });
    return d.isValid ? periodStarting('monthly', d) : undefined;
  }
  const week = /^(\d{4})-W(\d{2})$/.exec(text);
  if (week) {
    const d = DateTime.fromObject({ weekYear: Number(week[1]), weekNumber: Number(week[2]), weekday: 1 }, { zone: timeZone });
    return d.isValid ? periodStarting('weekly', d) : undefined;
  }
  const d = DateTime.fromISO(text, { zone: timeZone });
  return /^\d{4}-\d{2}-\d{2}$/.test(text) && d.isValid ? periodStarting('daily', d.startOf('day')) : undefined;
}
