import type { Complaint } from './complaint.js';
import { countBy } from './count-by.js';
import { rate } from './kpi.js';
import { type ContactHours, workingMinutesBetween } from './schedule.js';

/**
 * Complaint timeliness (DOMAIN.md "Complaints"): acknowledged within its SLA (1 working day for a
 * general complaint), resolved within its SLA, how far up the ladder complaints went, and the
 * median working time to acknowledge and to resolve.
 */
export interface ComplaintKpis {
  total: number;
  bySeverity: Record<string, number>;
  byStatus: Record<string, number>;
  /** Complaints by the highest level that was notified. */
  byHighestLevel: Record<string, number>;
  acknowledged: number;
  acknowledgedWithinSla: number;
  acknowledgedWithinSlaRate: number | null;
  resolved: number;
  resolvedWithinSla: number;
  resolvedWithinSlaRate: number | null;
  reopened: number;
  medianWorkingMinutesToAcknowledge: number | null;
  medianWorkingMinutesToResolve: number | null;
}

const median = (values: number[]) => {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
};

/** The highest ladder level a complaint was notified or escalated to (level 1 when none was). */
const highestLevel = (c: Complaint) =>
  Math.max(1, ...c.history.filter((e) => e.type === 'notified' || e.type === 'escalated').map((e) => e.level));

export function complaintKpis(complaints: Complaint[], hours: ContactHours): ComplaintKpis {
  const acknowledged = complaints.filter((c) => c.acknowledgedAt);
  const resolved = complaints.filter((c) => c.resolvedAt);
  const ackOnTime = acknowledged.filter((c) => c.acknowledgedAt! <= c.acknowledgeBy).length;
  const resolvedOnTime = resolved.filter((c) => c.resolvedAt! <= c.resolveBy).length;
  return {
    total: complaints.length,
    bySeverity: countBy(complaints, (c) => c.severity),
    byStatus: countBy(complaints, (c) => c.status),
    byHighestLevel: countBy(complaints, (c) => `level${highestLevel(c)}`),
    acknowledged: acknowledged.length,
    acknowledgedWithinSla: ackOnTime,
    acknowledgedWithinSlaRate: rate(ackOnTime, acknowledged.length),
    resolved: resolved.length,
    resolvedWithinSla: resolvedOnTime,
    resolvedWithinSlaRate: rate(resolvedOnTime, resolved.length),
    reopened: complaints.filter((c) => c.cycle > 1).length,
    medianWorkingMinutesToAcknowledge: median(
      acknowledged.map((c) => workingMinutesBetween(new Date(c.raisedAt), new Date(c.acknowledgedAt!), hours)),
    ),
    medianWorkingMinutesToResolve: median(resolved.map((c) => workingMinutesBetween(new Date(c.raisedAt), new Date(c.resolvedAt!), hours))),
  };
}
