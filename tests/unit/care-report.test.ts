import { describe, expect, it } from 'vitest';
import { policyConfig } from '../../functions/shared/config/policies.js';
import { reportConfig } from '../../functions/shared/config/reports.js';
import { buildReport } from '../../functions/shared/domain/report.js';
import { parsePeriod, type ReportPeriod } from '../../functions/shared/domain/report-period.js';
import { type ReportContext, renderReportText } from '../../functions/shared/domain/report-render.js';
import type { AggregateRow } from '../../functions/shared/ports/aggregate-store.js';
import { monthOfAggregates } from '../support/report-fixtures.js';

/** Care messages in the reports: their own counters, never mixed into the follow-ups' KPIs or departments. */
const context: ReportContext = { policies: policyConfig, config: reportConfig, archiveKey: 'reports/monthly/2026-10/report.html' };
const period = parsePeriod('2026-10', reportConfig.timeZone)!;
const previous: ReportPeriod = { ...period, days: period.previous.days };
const care: AggregateRow[] = [
  { day: '2026-10-08', subject: 'care', departmentId: 'care-only-dept', counters: { holiday_sent: 40, holiday_suppressed: 3 } },
  { day: '2026-10-09', subject: 'care', departmentId: '-', counters: { birthday_sent: 2, thankYou_sent: 5 } },
];

describe('care messages in the reports', () => {
  it('counts care messages apart: the follow-ups, service types and departments are as without them', () => {
    const without = buildReport(period, monthOfAggregates(period), monthOfAggregates(previous), 'all', reportConfig);
    const withCare = buildReport(period, [...monthOfAggregates(period), ...care], monthOfAggregates(previous), 'all', reportConfig);
    expect(withCare.care).toEqual({ sent: 47, suppressed: 3 });
    expect(withCare.previousCare).toEqual({ sent: 0, suppressed: 0 });
    expect(withCare.totals).toEqual(without.totals);
    expect(withCare.byServiceType.map((t) => t.serviceType)).toEqual(without.byServiceType.map((t) => t.serviceType));
    expect(withCare.byDepartment.map((d) => d.departmentId)).toEqual(without.byDepartment.map((d) => d.departmentId));
  });
  it('shows the care rows only in a period that had care messages', () => {
    const plain = buildReport(period, monthOfAggregates(period), monthOfAggregates(previous), 'all', reportConfig);
    expect(renderReportText(plain, 'en', context)).not.toContain('Care messages');
    const withCare = buildReport(period, [...monthOfAggregates(period), ...care], monthOfAggregates(previous), 'all', reportConfig);
    const text = renderReportText(withCare, 'en', context);
    expect(text).toContain('Care messages sent (thank-yous, birthdays, holidays)');
    expect(renderReportText(withCare, 'zh-CN', context)).toContain('关怀消息已发送');
  });
});
