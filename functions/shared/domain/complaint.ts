import { createHash } from 'node:crypto';
import type { EscalationConfig, Severity, WorkDuration } from './escalation-schema.js';
import { addWorkingMinutes, type ContactHours, workingDayMinutes } from './schedule.js';
import type { Customer } from './service-event.js';
import type { Answers } from './survey.js';
import { workingCalendar } from './working-calendar.js';

/** A complaint found in a follow-up, chased up the ladder until someone resolves it. */
export type ComplaintStatus = 'open' | 'acknowledged' | 'resolved' | 'closed' | 'unconfirmed';

export interface ComplaintEvent {
  at: string;
  /** notification-failed: a channel refused a notice for good, or the notice could not be sent at all (`note` says which). */
  type: 'raised' | 'notified' | 'escalated' | 'notification-failed' | 'acknowledged' | 'resolved' | 'reopened' | 'closed' | 'unconfirmed';
  level: number;
  cycle: number;
  note?: string;
}

export interface Complaint {
  complaintId: string;
  followUpId: string;
  serviceType: string;
  serviceId: string;
  customer: Customer;
  /** The upstream source that owns `customer.id` (see customer-key.ts). */
  customerSource: string;
  departmentId?: string;
  severity: Severity;
  status: ComplaintStatus;
  cycle: number;
  level: number;
  /** Notifications sent at the current level in this cycle. */
  notices: number;
  raisedAt: string;
  acknowledgeBy: string;
  resolveBy: string;
  acknowledgedAt?: string;
  resolvedAt?: string;
  resolution?: string;
  complaintQuestions: string[];
  /**
   * What the customer answered in the follow-up that raised it (question id → answer, free text
   * included) and what the agent noted: kept on the complaint item, never in workflow state or
   * events, so managers see them without reading the follow-up. Each text is at most 2,000 characters.
   */
  answers?: Answers;
  agentNote?: string;
  repeat: boolean;
  history: ComplaintEvent[];
}

export function complaintIdFor(followUpId: string): string {
  return `cp-${createHash('sha256').update(`complaint:${followUpId}`).digest('hex').slice(0, 32)}`;
}

/** The execution name of one escalation cycle (a reopened complaint starts a new cycle). */
export const escalationExecutionName = (complaintId: string, cycle: number) => `${complaintId}-c${cycle}`;

export function escalationHours(config: EscalationConfig): ContactHours {
  return { timeZone: config.timeZone, windows: config.workingHours, calendar: workingCalendar(config.calendar) };
}

/** `from` plus an SLA duration: plain hours run through the night, working time does not. */
export function addWork(from: Date, duration: WorkDuration, hours: ContactHours): Date {
  if ('hours' in duration) return new Date(from.getTime() + duration.hours * 3_600_000);
  const minutes = 'workingHours' in duration ? duration.workingHours * 60 : duration.workingDays * workingDayMinutes(hours);
  return addWorkingMinutes(from, minutes, hours);
}

export interface SeverityFacts {
  agentSeverity?: Severity;
  scores: Record<string, number>;
  /** Complaints this customer made about the same kind of service before this one. */
  previousComplaints: number;
  reworkCount?: number;
  reopened: boolean;
}

/**
 * Severity: the agent's judgement when given; a score of 1 is major; a repeat (the same issue
 * complained about again, a reopened complaint, or a repair reworked too often) is major at least.
 */
export function assessSeverity(facts: SeverityFacts, config: EscalationConfig): Severity {
  const repeat =
    facts.reopened ||
    facts.previousComplaints + 1 >= config.repeat.sameIssueComplaints ||
    (facts.reworkCount ?? 0) >= config.repeat.reworks;
  const base: Severity = facts.agentSeverity ?? (Object.values(facts.scores).some((s) => s <= 1) ? 'major' : 'general');
  return repeat && base === 'general' ? 'major' : base;
}

export function slaDeadlines(raisedAt: Date, severity: Severity, config: EscalationConfig): { acknowledgeBy: string; resolveBy: string } {
  const hours = escalationHours(config);
  const sla = config.severities[severity];
  return {
    acknowledgeBy: addWork(raisedAt, sla.acknowledgeWithin, hours).toISOString(),
    resolveBy: addWork(raisedAt, sla.resolveWithin, hours).toISOString(),
  };
}

export type EscalationStep =
  | { action: 'notify'; level: number; notice: number; waitUntil: string; timeoutSeconds: number; escalated: boolean }
  | { action: 'await'; level: number; waitUntil: string; timeoutSeconds: number }
  | { action: 'close' };

export type StepTrigger = 'start' | 'timeout' | 'acknowledged' | 'resolved';

const seconds = (from: Date, until: Date) => Math.max(1, Math.ceil((until.getTime() - from.getTime()) / 1000));

/**
 * nextEscalationStep: notify the level, wait (re-notify after the level's interval, up to its
 * count), then move up; after an acknowledgement wait for the resolution deadline, then move up;
 * the top level is chased until someone acts.
 */
export function nextEscalationStep(complaint: Complaint, trigger: StepTrigger, now: Date, config: EscalationConfig): EscalationStep {
  if (trigger === 'resolved') return { action: 'close' };
  const hours = escalationHours(config);
  const top = config.levels.length;
  const notify = (level: number, notice: number, escalated: boolean): EscalationStep => {
    const ladder = config.levels[level - 1]!;
    const waitUntil = addWork(now, ladder.renotifyAfter, hours);
    return { action: 'notify', level, notice, waitUntil: waitUntil.toISOString(), timeoutSeconds: seconds(now, waitUntil), escalated };
  };
  if (trigger === 'start') return notify(complaint.level, 1, false);
  if (trigger === 'acknowledged') {
    const deadline = new Date(complaint.resolveBy);
    const waitUntil = deadline > now ? deadline : addWork(now, config.levels[complaint.level - 1]!.renotifyAfter, hours);
    return { action: 'await', level: complaint.level, waitUntil: waitUntil.toISOString(), timeoutSeconds: seconds(now, waitUntil) };
  }
  const ladder = config.levels[complaint.level - 1]!;
  if (complaint.status !== 'acknowledged' && complaint.notices <= ladder.renotifyTimes)
    return notify(complaint.level, complaint.notices + 1, false);
  if (complaint.level < top) return notify(complaint.level + 1, 1, true);
  return notify(top, complaint.notices + 1, false);
}

export function managerFor(config: EscalationConfig, departmentId: string | undefined, level: number) {
  return (config.contacts[departmentId ?? 'default'] ?? config.contacts.default!)[String(level)]!;
}
