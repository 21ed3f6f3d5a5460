import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { policyConfig } from '../../functions/shared/config/policies.js';
import { reportConfig } from '../../functions/shared/config/reports.js';
import type { ContactResult } from '../../functions/shared/domain/follow-up.js';
import { addCounters, computeKpis, countersOf, kpisFromCounters, type OutcomeFact } from '../../functions/shared/domain/kpi.js';
import { type FinishedFollowUp, outcomeFactOf } from '../../functions/shared/domain/outcome-fact.js';
import { buildReport } from '../../functions/shared/domain/report.js';
import { parsePeriod, periodEndingBefore } from '../../functions/shared/domain/report-period.js';
import { renderReportCsv, renderReportHtml } from '../../functions/shared/domain/report-render.js';
import { localDate } from '../../functions/shared/domain/schedule.js';

const finished: FinishedFollowUp = {
  followUpId: 'fu-1',
  source: 'dms',
  serviceId: 'RO-1',
  serviceType: 'vehicle-repair',
  round: 0,
  completedAt: '2026-11-20T07:00:00.000Z',
  customer: { id: 'C1', name: 'n', phone: '+8613800138000', email: 'e@example.com' },
  status: 'failed',
  createdAt: '2026-11-20T07:00:00.000Z',
  attempts: [],
};
const attempt = (channel: 'phone' | 'sms' | 'email', result: ContactResult, n = 1) => ({
  attempt: n,
  channel,
  result,
  dueAt: '2026-11-23T01:00:00.000Z',
  endedAt: '2026-11-23T01:00:00.000Z',
});
const fact = (over: Partial<OutcomeFact>): OutcomeFact => ({
  serviceType: 'vehicle-repair',
  status: 'completed',
  attempts: 1,
  onTime: true,
  scores: {},
  complaint: false,
  ...over,
});

describe('KPIs', () => {
  it('computes hand-checked rates', () => {
    const facts = [
      fact({ scores: { overall: 5 } }),
      fact({ onTime: false, scores: { overall: 3 } }),
      fact({ status: 'refused' }),
      fact({ status: 'unreachable', attempts: 4, onTime: undefined }),
      fact({ status: 'skipped', reason: 'not-sampled', attempts: 0, onTime: undefined }),
      fact({ status: 'suppressed', reason: 'opted-out', attempts: 0, onTime: undefined }),
      fact({ status: 'completed', complaint: true, scores: { overall: 1 }, onTime: true }),
    ];
    const k = computeKpis(facts);
    // due 5 (not the sampled-out and the opted-out), followed up 5, reached 4 (3 completed + 1 refused)
    expect(k).toMatchObject({
      total: 7,
      due: 5,
      followedUp: 5,
      reached: 4,
      coverageRate: 1,
      reachRate: 0.8,
      onTimeRate: 0.75,
      complaints: 1,
    });
    expect(k.satisfaction.average).toBe(3);
    expect(k.satisfaction.byIndicator.overall).toEqual({ count: 3, average: 3, distribution: [1, 0, 1, 0, 1] });
    expect(k.byStatus).toEqual({ completed: 3, refused: 1, skipped: 1, suppressed: 1, unreachable: 1 });
  });
  it('counts a failed follow-up as due and not reached, followed up only when a contact really happened', () => {
    const k = computeKpis([
      fact({ scores: { overall: 4 } }),
      // phone misconfigured, email rejected: no contact ever reached the customer
      fact({ status: 'failed', reason: 'contact-failed', attempts: 0, onTime: undefined }),
      // called twice without an answer, then the email fallback was rejected
      fact({ status: 'failed', reason: 'contact-failed', attempts: 2, onTime: undefined }),
    ]);
    expect(k).toMatchObject({ total: 3, due: 3, followedUp: 2, reached: 1, coverageRate: 0.6667, reachRate: 0.5, onTimeRate: 1 });
    expect(k.byStatus).toEqual({ completed: 1, failed: 2 });
  });
  it('does not count attempts a channel refused as contacts', () => {
    const failedOnly = outcomeFactOf({
      ...finished,
      attempts: [attempt('phone', 'failed'), attempt('email', 'failed')],
      outcome: { status: 'failed', reason: 'contact-failed', finishedAt: '2026-11-23T02:00:00.000Z' },
    });
    expect(failedOnly).toMatchObject({ status: 'failed', attempts: 0 });
    expect(countersOf(failedOnly)).toEqual({ total: 1, status_failed: 1, due: 1 });
    const calledFirst = outcomeFactOf({
      ...finished,
      attempts: [attempt('phone', 'no_answer'), attempt('email', 'failed')],
      outcome: { status: 'failed', reason: 'contact-failed', finishedAt: '2026-11-23T02:00:00.000Z' },
    });
    // The refused email is no contact on the email channel either.
    expect(countersOf(calledFirst)).toEqual({
      total: 1,
      status_failed: 1,
      due: 1,
      followedUp: 1,
      channel_phone_attempts: 1,
      channel_phone_contacted: 1,
    });
  });
  it('counts attempts, customers contacted, reached and satisfaction per channel, the answer on the channel it came by', () => {
    // Called twice unanswered, then answered the text (scores 4 and 2): reached by sms, not by phone.
    const byText = outcomeFactOf({
      ...finished,
      attempts: [attempt('phone', 'no_answer', 1), attempt('phone', 'busy', 2), attempt('sms', 'reached', 3)],
      outcome: {
        status: 'completed',
        finishedAt: '2026-11-23T02:00:00.000Z',
        channel: 'sms',
        onTime: true,
        assessment: { scores: { overall: 4, attitude: 2 }, complaint: false, complaintQuestions: [] },
      },
    });
    expect(byText).toMatchObject({ attempts: 3, channelAttempts: { phone: 2, sms: 1 }, answeredOn: 'sms' });
    const k = computeKpis([
      byText,
      // Answered the first call: 5.
      fact({ channelAttempts: { phone: 1 }, answeredOn: 'phone', scores: { overall: 5 } }),
      // Refused on the phone: reached there, no score.
      fact({ status: 'refused', channelAttempts: { phone: 1 }, answeredOn: 'phone' }),
      // Never answered a call, a text or the email.
      fact({ status: 'unreachable', attempts: 4, channelAttempts: { phone: 2, sms: 1, email: 1 }, onTime: undefined }),
      // Opted out before any contact: no attempt on any channel.
      fact({ status: 'suppressed', reason: 'opted-out', attempts: 0, onTime: undefined }),
    ]);
    expect(k.byChannel).toEqual({
      phone: { attempts: 6, contacted: 4, reached: 2, reachRate: 0.5, satisfaction: { count: 1, average: 5 } },
      sms: { attempts: 2, contacted: 2, reached: 1, reachRate: 0.5, satisfaction: { count: 2, average: 3 } },
      email: { attempts: 1, contacted: 1, reached: 0, reachRate: 0, satisfaction: { count: 0, average: null } },
    });
    // Every follow-up reached was reached on one channel; the scores per channel make up the overall average.
    expect(k.byChannel.phone.reached + k.byChannel.sms.reached + k.byChannel.email.reached).toBe(k.reached);
    expect(k.satisfaction.average).toBe(3.67);
    expect(computeKpis([]).byChannel.sms).toEqual({
      attempts: 0,
      contacted: 0,
      reached: 0,
      reachRate: null,
      satisfaction: { count: 0, average: null },
    });
  });
  it('answers null, not 0 or 100%, when nothing was due', () => {
    expect(computeKpis([])).toMatchObject({
      total: 0,
      coverageRate: null,
      reachRate: null,
      onTimeRate: null,
      dormantAppointmentRate: null,
      satisfaction: { average: null },
    });
    expect(computeKpis([fact({ status: 'skipped', reason: 'frequency-cap', attempts: 0 })])).toMatchObject({ due: 0, coverageRate: null });
  });
  it('reports 0% on time when every reached follow-up was late', () => {
    expect(computeKpis([fact({ onTime: false }), fact({ status: 'refused', onTime: false })]).onTimeRate).toBe(0);
  });
  it('counts the dormant appointment rate over reached reactivation calls', () => {
    const k = computeKpis([
      fact({ serviceType: 'dormant-reactivation', appointmentBooked: true }),
      fact({ serviceType: 'dormant-reactivation', appointmentBooked: false }),
      fact({ serviceType: 'dormant-reactivation', status: 'unreachable', attempts: 3 }),
    ]);
    expect(k.dormantAppointmentRate).toBe(0.5);
  });
  it('gives the same numbers from daily aggregates as from the outcomes, however they are split', () => {
    const factArb = fc.record({
      serviceType: fc.constantFrom('vehicle-repair', 'gas-repair'),
      status: fc.constantFrom('completed', 'refused', 'unreachable', 'skipped', 'suppressed'),
      reason: fc.constantFrom(undefined, 'not-sampled', 'opted-out', 'attempts-exhausted'),
      attempts: fc.nat({ max: 4 }),
      onTime: fc.constantFrom(true, false, undefined),
      scores: fc.dictionary(fc.constantFrom('overall', 'attitude'), fc.integer({ min: 1, max: 5 })),
      complaint: fc.boolean(),
      channelAttempts: fc.dictionary(fc.constantFrom('phone', 'sms', 'email'), fc.integer({ min: 1, max: 3 })),
      answeredOn: fc.constantFrom(undefined, 'phone', 'sms', 'email'),
    }) as fc.Arbitrary<OutcomeFact>;
    fc.assert(
      fc.property(fc.array(fc.tuple(factArb, fc.nat({ max: 6 })), { maxLength: 60 }), (items) => {
        const days = new Map<number, ReturnType<typeof countersOf>>();
        for (const [f, day] of items) days.set(day, addCounters(days.get(day) ?? {}, countersOf(f)));
        const fromAggregates = kpisFromCounters([...days.values()].reduce(addCounters, {}));
        expect(fromAggregates).toEqual(computeKpis(items.map(([f]) => f)));
      }),
      { seed: 5, numRuns: 200 },
    );
  });
});

describe('report periods in the report time zone', () => {
  it('puts an outcome finished at 00:30 on 1 November in Shanghai into November, not October', () => {
    expect(localDate('2026-10-31T16:30:00Z', 'Asia/Shanghai')).toBe('2026-11-01');
    expect(localDate('2026-10-31T15:59:00Z', 'Asia/Shanghai')).toBe('2026-10-31');
  });
  it('sends yesterday, last week and last month', () => {
    const now = new Date('2026-11-02T00:30:00Z'); // Monday 08:30 in Shanghai
    expect(periodEndingBefore('daily', now, 'Asia/Shanghai')).toMatchObject({ label: '2026-11-01', days: ['2026-11-01'] });
    expect(periodEndingBefore('weekly', now, 'Asia/Shanghai')).toMatchObject({ label: '2026-W44', previous: { label: '2026-W43' } });
    const month = periodEndingBefore('monthly', now, 'Asia/Shanghai');
    expect(month.label).toBe('2026-10');
    expect(month.days).toHaveLength(31);
    expect(month.previous.days).toHaveLength(30);
  });
  it('parses the report command periods', () => {
    expect(parsePeriod('2026-10', 'Asia/Shanghai')?.kind).toBe('monthly');
    expect(parsePeriod('2026-W45', 'Asia/Shanghai')?.days[0]).toBe('2026-11-02');
    expect(parsePeriod('2026-11-03', 'Asia/Shanghai')?.kind).toBe('daily');
    expect(parsePeriod('November', 'Asia/Shanghai')).toBeUndefined();
  });
});

describe('report', () => {
  const period = parsePeriod('2026-11-03', 'Asia/Shanghai')!;
  const rows = [
    {
      day: '2026-11-03',
      subject: 'hospital-discharge',
      departmentId: 'surgery',
      counters: countersOf(fact({ serviceType: 'hospital-discharge' })),
    },
    {
      day: '2026-11-03',
      subject: 'vehicle-repair',
      departmentId: 'after-sales',
      counters: addCounters(countersOf(fact({})), countersOf(fact({ status: 'unreachable', attempts: 3 }))),
    },
    {
      day: '2026-11-03',
      subject: 'complaints',
      departmentId: 'after-sales',
      counters: { raised: 2, raised_major: 2, acknowledged: 1, acknowledgedInSla: 1, resolved: 1, resolvedInSla: 0 },
    },
  ];
  it("shows a recipient only their departments' figures", () => {
    expect(buildReport(period, rows, [], ['after-sales'], reportConfig).totals.total).toBe(2);
    expect(buildReport(period, rows, [], ['*'], reportConfig).totals.total).toBe(3);
  });
  it('shows the hospital reach rate against its 70% target, complaint handling and the targets met', () => {
    const model = buildReport(period, rows, [], 'all', reportConfig);
    expect(model.byServiceType.find((t) => t.serviceType === 'hospital-discharge')!.targets.reachRate).toBe(0.7);
    // A service type without its own target is measured against the report's.
    expect(model.byServiceType.find((t) => t.serviceType === 'vehicle-repair')!.targets.onTimeRate).toBe(
      reportConfig.targets.all.onTimeRate,
    );
    expect(model.complaints).toMatchObject({ raised: 2, acknowledgedInSlaRate: 1, resolvedInSlaRate: 0, resolutionRate: 0.5 });
    expect(model.lateOrUnreached).toBe(1);
    const page = renderReportHtml(model, 'en', { policies: policyConfig, config: reportConfig });
    expect(page).toContain('Reach rate ≥ 70.0% ✓ met');
    expect(renderReportCsv(model)).toContain('period,2026-11-03,total,3');
    expect(renderReportCsv(model)).toContain('target,hospital-discharge,reachRate,0.7');
  });
  it('keeps the complaint cases of a department beside its follow-ups', () => {
    const model = buildReport(period, rows, [], 'all', reportConfig);
    expect(model.byDepartment.find((d) => d.departmentId === 'after-sales')!.complaints).toMatchObject({
      raised: 2,
      acknowledgedInSla: 1,
      resolvedInSla: 0,
    });
    expect(model.byDay).toEqual([expect.objectContaining({ day: '2026-11-03', kpis: expect.objectContaining({ total: 3 }) })]);
  });
});
