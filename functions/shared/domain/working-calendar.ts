import chineseDays from 'chinese-days/dist/chinese-days.json' with { type: 'json' };
import type { CalendarConfig } from './policy-schema.js';

/**
 * Which dates are working days: weekends, public holidays and the make-up working days
 * (调休) that move a weekend day into the week. The CN base comes from the State Council
 * schedule shipped by chinese-days; the operator's own lists override it.
 */
export interface WorkingCalendar {
  isWorkingDay(isoDate: string, isoWeekday: number): boolean;
}

const cnHolidays = new Set(Object.keys((chineseDays as { holidays: Record<string, unknown> }).holidays));
const cnMakeUpWorkdays = new Set(Object.keys((chineseDays as { workdays: Record<string, unknown> }).workdays));

export function workingCalendar(config: CalendarConfig): WorkingCalendar {
  const weekend = new Set(config.weekend);
  const holidays = new Set(config.holidays);
  const makeUp = new Set(config.makeUpWorkdays);
  const useCn = config.base === 'CN';
  return {
    isWorkingDay(isoDate, isoWeekday) {
      if (makeUp.has(isoDate)) return true;
      if (holidays.has(isoDate)) return false;
      if (useCn && cnMakeUpWorkdays.has(isoDate)) return true;
      if (useCn && cnHolidays.has(isoDate)) return false;
      return !weekend.has(isoWeekday);
    },
  };
}
