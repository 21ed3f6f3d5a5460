import fc from 'fast-check';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { escalationConfig as config } from '../../functions/shared/config/escalation.js';
import raw from '../../functions/shared/config/escalation-ladder.json' with { type: 'json' };
import {
  addWork,
  assessSeverity,
  type Complaint,
  escalationHours,
  nextEscalationStep,
  slaDeadlines,
} from '../../functions/shared/domain/complaint.js';
import { parseEscalationConfig } from '../../functions/shared/domain/escalation-schema.js';
import { addWorkingMinutes, isCallable, workingMinutesBetween } from '../../functions/shared/domain/schedule.js';

const sh = (iso: string) => DateTime.fromISO(iso, { zone: 'Asia/Shanghai' }).toJSDate();
const show = (d: Date | string) =>
  DateTime.fromJSDate(typeof d === 'string' ? new Date(d) : d, { zone: 'Asia/Shanghai' }).toFormat("yyyy-MM-dd'T'HH:mm");
const hours = escalationHours(config);

describe('SLA clock in working time', () => {
  it('skips the night: a general complaint raised Friday 17:00 must be acknowledged by Monday 17:00', () => {
    expect(slaDeadlines(sh('2026-11-20T17:00'), 'general', config)).toEqual({
      acknowledgeBy: sh('2026-11-23T17:00').toISOString(),
      resolveBy: sh('2026-11-25T17:00').toISOString(),
    });
  });
  it('skips the lunch break and the National Day holiday, and counts the make-up Saturday', () => {
    expect(show(addWork(sh('2026-11-23T11:00'), { workingHours: 2 }, hours))).toBe('2026-11-23T14:30');
    expect(show(addWork(sh('2026-09-30T17:00'), { workingHours: 2 }, hours))).toBe('2026-10-08T09:30');
    expect(show(addWork(sh('2026-10-09T17:30'), { workingHours: 1 }, hours))).toBe('2026-10-10T09:00');
  });
  it('lets an urgent acknowledgement run through the night: 1 hour is 1 hour', () => {
    expect(slaDeadlines(sh('2026-11-20T23:30'), 'urgent', config).acknowledgeBy).toBe(sh('2026-11-21T00:30').toISOString());
  });
  it('adds exactly the working minutes asked for, and lands inside working hours', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: Date.parse('2026-01-01T00:00:00Z'), max: Date.parse('2027-06-01T00:00:00Z') }),
        fc.integer({ min: 1, max: 3000 }),
        (from, minutes) => {
          const start = new Date(Math.floor(from / 60_000) * 60_000);
          const end = addWorkingMinutes(start, minutes, hours);
          const justBefore = new Date(end.getTime() - 60_000);
          return workingMinutesBetween(start, end, hours) === minutes && isCallable(justBefore, hours);
        },
      ),
      { seed: 11, numRuns: 200 },
    );
  });
});

describe('severity', () => {
  const base = { scores: { overall: 2 }, previousComplaints: 0, reopened: false };
  it('is general for a low score, major for a 1, and what the agent said when the agent said it', () => {
    expect(assessSeverity(base, config)).toBe('general');
    expect(assessSeverity({ ...base, scores: { overall: 1 } }, config)).toBe('major');
    expect(assessSeverity({ ...base, agentSeverity: 'urgent' }, config)).toBe('urgent');
  });
  it('makes a repeat major: the same issue twice, a repair reworked 3 times, a reopened complaint', () => {
    expect(assessSeverity({ ...base, previousComplaints: 1 }, config)).toBe('major');
    expect(assessSeverity({ ...base, reworkCount: 3 }, config)).toBe('major');
    expect(assessSeverity({ ...base, reopened: true }, config)).toBe('major');
    expect(assessSeverity({ ...base, reworkCount: 2 }, config)).toBe('general');
  });
});

describe('nextEscalationStep', () => {
  const now = sh('2026-11-23T09:00');
  const complaint = (over: Partial<Complaint>): Complaint => ({
    complaintId: 'cp-x',
    followUpId: 'fu-x',
    serviceType: 'vehicle-repair',
    serviceId: 'RO',
    customer: { id: 'c', name: 'n' },
    customerSource: 'dealer.dms',
    severity: 'general',
    status: 'open',
    cycle: 1,
    level: 1,
    notices: 1,
    raisedAt: now.toISOString(),
    acknowledgeBy: now.toISOString(),
    resolveBy: sh('2026-11-26T09:00').toISOString(),
    complaintQuestions: [],
    repeat: false,
    history: [],
    ...over,
  });
  it('re-notifies a level renotifyTimes times, then moves up, and keeps chasing the top', () => {
    expect(nextEscalationStep(complaint({ notices: 2 }), 'timeout', now, config)).toMatchObject({ action: 'notify', level: 1, notice: 3 });
    expect(nextEscalationStep(complaint({ notices: 3 }), 'timeout', now, config)).toMatchObject({
      action: 'notify',
      level: 2,
      notice: 1,
      escalated: true,
    });
    expect(nextEscalationStep(complaint({ level: 3, notices: 101 }), 'timeout', now, config)).toMatchObject({
      action: 'notify',
      level: 3,
      notice: 102,
      escalated: false,
    });
  });
  it('after an acknowledgement waits for the resolution deadline, then escalates', () => {
    expect(nextEscalationStep(complaint({ status: 'acknowledged' }), 'acknowledged', now, config)).toMatchObject({
      action: 'await',
      waitUntil: sh('2026-11-26T09:00').toISOString(),
    });
    expect(nextEscalationStep(complaint({ status: 'acknowledged', notices: 1 }), 'timeout', now, config)).toMatchObject({
      action: 'notify',
      level: 2,
    });
  });
  it('closes once resolved', () => {
    expect(nextEscalationStep(complaint({}), 'resolved', now, config)).toEqual({ action: 'close' });
  });
});

describe('escalation configuration', () => {
  it('names the key of a mistake', () => {
    const broken = structuredClone(raw);
    const afterSalesContacts: Record<string, unknown> = broken.contacts['after-sales'];
    delete afterSalesContacts['2'];
    expect(() => parseEscalationConfig(broken)).toThrow('contacts.after-sales.2');
    const renumbered = structuredClone(raw);
    renumbered.levels[1]!.level = 5;
    expect(() => parseEscalationConfig(renumbered)).toThrow('levels.1.level');
  });
});
