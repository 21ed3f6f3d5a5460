import type { AggregateRow } from '../ports/aggregate-store.js';
import { CARE_SUBJECT } from './care.js';
import { addCounters, type Counters, type Kpis, kpisFromCounters, rate } from './kpi.js';
import type { ReportPeriod } from './report-period.js';
import type { FollowUpTargets, ReportConfig, ReportTargets } from './report-schema.js';

/** Complaint handling in a period, from the "complaints" aggregate rows. */
export interface ComplaintHandling {
  raised: number;
  bySeverity: Record<string, number>;
  repeats: number;
  reopened: number;
  acknowledged: number;
  acknowledgedInSla: number;
  acknowledgedInSlaRate: number | null;
  resolved: number;
  resolvedInSla: number;
  resolvedInSlaRate: number | null;
  /** Problem resolution rate: complaints resolved / complaints raised in the period. */
  resolutionRate: number | null;
  escalatedToLevel: Record<string, number>;
}

export interface ReportModel {
  period: ReportPeriod;
  departments: string[] | 'all';
  totals: Kpis;
  previous: Kpis;
  /** The targets of the whole report (`targets.all` in reports.json). */
  targets: ReportTargets;
  /** Reached after the deadline, or never reached: the follow-ups that need a look. */
  lateOrUnreached: number;
  byServiceType: { serviceType: string; kpis: Kpis; previous: Kpis; targets: FollowUpTargets }[];
  /** Every department with follow-ups or complaints in the period ('-': none given). */
  byDepartment: { departmentId: string; kpis: Kpis; complaints: ComplaintHandling }[];
  byDay: { day: string; kpis: Kpis }[];
  complaints: ComplaintHandling;
  previousComplaints: ComplaintHandling;
  /** Care messages (thank-yous, birthday and holiday greetings), counted apart from the follow-ups. */
  care: CareCounts;
  previousCare: CareCounts;
}

export interface CareCounts {
  sent: number;
  suppressed: number;
}

/** Rows that are not follow-ups: complaint handling and care messages have their own counters. */
const isFollowUpRow = (r: AggregateRow) => r.subject !== 'complaints' && r.subject !== CARE_SUBJECT;

function careCounts(rows: AggregateRow[]): CareCounts {
  const c = sum(rows.filter((r) => r.subject === CARE_SUBJECT));
  const total = (suffix: string) =>
    Object.entries(c)
      .filter(([k]) => k.endsWith(suffix))
      .reduce((n, [, v]) => n + v, 0);
  return { sent: total('_sent'), suppressed: total('_suppressed') };
}

const sum = (rows: AggregateRow[]): Counters => rows.reduce<Counters>((acc, r) => addCounters(acc, r.counters), {});

function complaintHandling(rows: AggregateRow[]): ComplaintHandling {
  const c = sum(rows.filter((r) => r.subject === 'complaints'));
  const n = (k: string) => c[k] ?? 0;
  const prefixed = (prefix: string) =>
    Object.fromEntries(
      Object.keys(c)
        .filter((k) => k.startsWith(prefix))
        .sort()
        .map((k) => [k.slice(prefix.length), n(k)]),
    );
  return {
    raised: n('raised'),
    bySeverity: prefixed('raised_'),
    repeats: n('repeats'),
    reopened: n('reopened'),
    acknowledged: n('acknowledged'),
    acknowledgedInSla: n('acknowledgedInSla'),
    acknowledgedInSlaRate: rate(n('acknowledgedInSla'), n('acknowledged')),
    resolved: n('resolved'),
    resolvedInSla: n('resolvedInSla'),
    resolvedInSlaRate: rate(n('resolvedInSla'), n('resolved')),
    resolutionRate: rate(n('resolved'), n('raised')),
    escalatedToLevel: prefixed('escalatedToLevel'),
  };
}

/** buildReport: the numbers of one report for a set of departments ('all' for the archive copy). */
export function buildReport(
  period: ReportPeriod,
  rows: AggregateRow[],
  previousRows: AggregateRow[],
  departments: string[] | 'all',
  config: ReportConfig,
): ReportModel {
  const visible = (r: AggregateRow) => departments === 'all' || departments.includes('*') || departments.includes(r.departmentId);
  const current = rows.filter(visible);
  const before = previousRows.filter(visible);
  const followUps = current.filter(isFollowUpRow);
  const previousFollowUps = before.filter(isFollowUpRow);
  const counters = sum(followUps);
  const totals = kpisFromCounters(counters);
  const types = [...new Set(followUps.map((r) => r.subject))].sort();
  const depts = [...new Set(current.filter((r) => r.subject !== CARE_SUBJECT).map((r) => r.departmentId))].sort();
  const { all, serviceTypes } = config.targets;
  return {
    period,
    departments,
    totals,
    previous: kpisFromCounters(sum(previousFollowUps)),
    targets: all,
    lateOrUnreached: (counters.reached ?? 0) - (counters.reachedOnTime ?? 0) + (counters.status_unreachable ?? 0),
    byServiceType: types.map((serviceType) => ({
      serviceType,
      kpis: kpisFromCounters(sum(followUps.filter((r) => r.subject === serviceType))),
      previous: kpisFromCounters(sum(previousFollowUps.filter((r) => r.subject === serviceType))),
      // A service type's own target where it has one, the report's otherwise.
      targets: { ...pickFollowUpTargets(all), ...serviceTypes[serviceType] },
    })),
    byDepartment: depts.map((departmentId) => ({
      departmentId,
      kpis: kpisFromCounters(sum(followUps.filter((r) => r.departmentId === departmentId))),
      complaints: complaintHandling(current.filter((r) => r.departmentId === departmentId)),
    })),
    byDay: period.days.map((day) => ({ day, kpis: kpisFromCounters(sum(followUps.filter((r) => r.day === day))) })),
    complaints: complaintHandling(current),
    previousComplaints: complaintHandling(before),
    care: careCounts(current),
    previousCare: careCounts(before),
  };
}

function pickFollowUpTargets(all: ReportTargets): FollowUpTargets {
  const { complaintsAcknowledgedInSla: _acknowledged, complaintsResolvedInSla: _resolved, ...followUps } = all;
  return followUps;
}
