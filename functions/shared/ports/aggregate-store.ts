import type { Counters } from '../domain/kpi.js';

export interface AggregateRow {
  day: string;
  /** serviceType, or "complaints" for complaint handling counters. */
  subject: string;
  departmentId: string;
  counters: Counters;
}

/** Daily KPI counters kept as outcomes are written, so a report never reads the follow-ups. */
export interface AggregateStore {
  /** Adds the counters once per contributionId; false when this contribution was already counted. */
  add(day: string, subject: string, departmentId: string | undefined, counters: Counters, contributionId: string): Promise<boolean>;
  /** Every aggregate row of one day: one Query, a handful of items. */
  day(day: string): Promise<AggregateRow[]>;
  days(days: string[]): Promise<AggregateRow[]>;
}
