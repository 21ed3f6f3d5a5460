import { describe, expect, it } from 'vitest';
import { policyConfig } from '../../functions/shared/config/policies.js';
import { reportConfig } from '../../functions/shared/config/reports.js';
import type { Locale } from '../../functions/shared/domain/policy-schema.js';
import { buildReport } from '../../functions/shared/domain/report.js';
import { COLOURS, columnChart } from '../../functions/shared/domain/report-charts.js';
import { parsePeriod, type ReportPeriod } from '../../functions/shared/domain/report-period.js';
import { type ReportContext, renderReportHtml, renderReportText } from '../../functions/shared/domain/report-render.js';
import { parseReportConfig } from '../../functions/shared/domain/report-schema.js';
import { catalogues, missingKeys } from '../../functions/shared/i18n/index.js';
import { rawCodesIn } from '../support/readable.js';
import { monthOfAggregates } from '../support/report-fixtures.js';

const context: ReportContext = {
  policies: policyConfig,
  config: reportConfig,
  archiveKey: 'reports/monthly/2026-10/report.html',
  generatedAt: new Date('2026-11-01T01:00:00Z'),
};
const previousOf = (period: ReportPeriod): ReportPeriod => ({ ...period, days: period.previous.days });

function model(text: string, departments: string[] | 'all' = 'all', scale = 1) {
  const period = parsePeriod(text, reportConfig.timeZone)!;
  return buildReport(period, monthOfAggregates(period, scale), monthOfAggregates(previousOf(period), scale), departments, reportConfig);
}

/** What a reader sees of an HTML email: its text, without tags or attribute values. */
const visibleText = (page: string) =>
  page
    .replace(/<(style|title)[^>]*>[\s\S]*?<\/\1>/g, ' ')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&nbsp;/g, ' ')
    .replace(/&amp;/g, '&');

/** A row of the summary table, cell by cell: the KPI, this period, the one before, the target and whether it is met. */
const summaryRow = (label: string, target: string, status: string) =>
  new RegExp(`${label}</td><td[^>]*>[\\d.]+%</td><td[^>]*>[\\d.]+%</td><td[^>]*>${target}</td><td[^>]*><span[^>]*>${status}<`);

describe('report renderer', () => {
  for (const locale of ['zh-CN', 'en'] as const) {
    it(`shows a ${locale} reader words, not codes, in the HTML and the text of every kind of report`, () => {
      for (const period of ['2026-10', '2026-W44', '2026-10-15']) {
        const m = model(period);
        expect(rawCodesIn(visibleText(renderReportHtml(m, locale, context)), locale), `${period} HTML`).toEqual([]);
        expect(rawCodesIn(renderReportText(m, locale, context), locale), `${period} text`).toEqual([]);
      }
      expect(missingKeys()).toEqual([]);
    });
  }

  it('draws a chart per KPI against its target, one of follow-ups per day, by department and the complaint time limits', () => {
    const page = renderReportHtml(model('2026-10'), 'en', context);
    for (const name of [
      'Coverage rate',
      'Reach rate',
      'On-time rate',
      'Satisfaction',
      'Follow-ups finished per day (dark: customer reached)',
    ])
      expect(page).toContain(`role="img" aria-label="${name}"`);
    // Axes: the top of the scale, the target and 0 on the y axis; days of the month under the columns.
    expect(page).toContain('>target 70.0%</td>');
    expect(page).toMatch(/>100%<\/td>/);
    expect(page).toMatch(/>15<\/td>/);
    expect(page).toContain('Reach and on-time rate by department');
    expect(page).toContain('Complaints handled within their time limit');
    // Nothing a mail client strips or blocks.
    expect(page).not.toMatch(/<svg|<script|<img|<link|url\(|href=/);
  });

  it('shows every configured target with whether the KPI meets it', () => {
    const m = model('2026-10');
    const page = renderReportHtml(m, 'en', context);
    expect(m.totals.reachRate).toBeGreaterThan(0.7);
    expect(page).toMatch(summaryRow('Reach rate', '≥ 70\\.0%', '✓ met'));
    expect(m.totals.onTimeRate).toBeLessThan(0.9);
    expect(page).toMatch(summaryRow('On-time rate', '≥ 90\\.0%', '× below target'));
    expect(page).toContain('Acknowledged in time</td>');
    // A service type's own target (hospital discharges: everyone followed up).
    expect(page).toContain('Coverage rate ≥ 100.0% ✓ met');
    const text = renderReportText(m, 'zh-CN', context);
    expect(text).toContain('接通率: 84.5% (上期 84.7%, 目标 ≥ 70.0% ✓ 达标)');
  });

  it('names the two complaint counts apart and says how each is counted', () => {
    const m = model('2026-10');
    expect(m.totals.complaints).not.toBe(m.complaints.raised);
    const text = renderReportText(m, 'zh-CN', context);
    expect(text).toContain(`回访中提出投诉: ${m.totals.complaints}`);
    expect(text).toContain(`新立投诉单: ${m.complaints.raised}`);
    expect(text).toContain(catalogues['zh-CN'].report.definitions.complaintsFound);
    expect(text).toContain(catalogues['zh-CN'].report.definitions.newCases);
    // Severities in words, not a JSON object.
    expect(text).toContain('(其中 一般 11、重大 11、紧急 11)');
  });

  it("names departments as configured, in the reader's language, with dates in the report's zone", () => {
    const m = model('2026-10', ['after-sales', 'body-shop']);
    const heading = (locale: Locale) => renderReportText(m, locale, context).split('\n').slice(0, 3);
    expect(heading('zh-CN')).toEqual([
      '回访月报 2026-10',
      '部门：售后服务部、钣喷车间 · 统计期间：2026年10月1日 – 2026年10月31日（中国标准时间）',
      '生成于 2026年11月1日 09:00',
    ]);
    expect(heading('en')).toEqual([
      'Monthly follow-up report 2026-10',
      'Departments: After-sales, Body shop · Period: 1 Oct 2026 – 31 Oct 2026 (China Standard Time)',
      'Generated 1 Nov 2026, 09:00',
    ]);
    const unnamed = buildReport(
      parsePeriod('2026-10-15', 'Asia/Shanghai')!,
      [{ day: '2026-10-15', subject: 'vehicle-repair', departmentId: '-', counters: { total: 1, due: 1 } }],
      [],
      'all',
      reportConfig,
    );
    expect(renderReportText(unnamed, 'en', context)).toContain('No department: Finished 1');
  });

  it('shows attempts, customers contacted and reached, reach rate and satisfaction per channel, and how they are counted', () => {
    const m = model('2026-10');
    // Every follow-up reached was reached on one channel; everyone was called first.
    const { phone, sms, email } = m.totals.byChannel;
    expect(phone.reached + sms.reached + email.reached).toBe(m.totals.reached);
    expect(phone.contacted).toBe(m.totals.followedUp);
    const page = renderReportHtml(m, 'en', context);
    const row = (cells: string[]) => new RegExp(`<tr[^>]*>${cells.map((c) => `<td>${c.replace('.', '\\.')}</td>`).join('')}</tr>`);
    expect(page).toContain('Reach and satisfaction by channel</h2>');
    expect(page).toMatch(row(['Phone', '937', '846', '418', '49.4%', '3.70']));
    expect(page).toMatch(row(['SMS', '428', '428', '130', '30.4%', '3.67']));
    expect(page).toMatch(row(['Email', '207', '207', '167', '80.7%', '3.30']));
    // hono escapes the apostrophe of "customer's".
    const definition = catalogues.en.report.byChannel.definition.replaceAll("'", '&#39;');
    expect(page).toContain(definition);
    const text = renderReportText(m, 'zh-CN', context);
    expect(text).toContain('按渠道的接通率与满意度:\n  电话: 联系 937 次，联系客户 846，接通 418，接通率 49.4%，满意度 3.70\n');
    expect(text).toContain('  短信: 联系 428 次，联系客户 428，接通 130，接通率 30.4%，满意度 3.67\n');
    expect(text).toContain('  邮件: 联系 207 次，联系客户 207，接通 167，接通率 80.7%，满意度 3.30\n');
    expect(text).toContain(catalogues['zh-CN'].report.byChannel.definition);
    // Days whose aggregates carry no channel: no section, no definition of it.
    const older = model('2026-10-15');
    const before = buildReport(
      older.period,
      [{ day: '2026-10-15', subject: 'vehicle-repair', departmentId: '-', counters: { total: 1, due: 1, followedUp: 1, reached: 1 } }],
      [],
      'all',
      reportConfig,
    );
    expect(renderReportText(before, 'en', context)).not.toContain('by channel');
    expect(renderReportHtml(before, 'en', context)).not.toContain(definition);
  });

  it('has a catalogue name for every satisfaction indicator the surveys define', () => {
    const indicators = new Set(
      Object.values(policyConfig.surveys).flatMap((s) =>
        s.questions.flatMap((q) => ('indicator' in q && q.indicator ? [q.indicator] : [])),
      ),
    );
    for (const locale of ['zh-CN', 'en'] as Locale[])
      for (const indicator of indicators) expect(catalogues[locale].report.indicator, `${locale} ${indicator}`).toHaveProperty(indicator);
  });

  it('stays under the 102 KB past which Gmail clips a message, for a month of every configured department', () => {
    const period = parsePeriod('2026-10', reportConfig.timeZone)!;
    const spread = (rows: ReturnType<typeof monthOfAggregates>) =>
      Object.keys(reportConfig.departments).flatMap((departmentId) => rows.map((r) => ({ ...r, departmentId })));
    const big = buildReport(period, spread(monthOfAggregates(period)), spread(monthOfAggregates(previousOf(period))), 'all', reportConfig);
    expect(big.byDepartment.length).toBeGreaterThanOrEqual(8);
    for (const locale of ['zh-CN', 'en'] as const) expect(Buffer.byteLength(renderReportHtml(big, locale, context))).toBeLessThan(102_000);
  });

  it('says where the whole report is archived, without a link that would not outlive the run', () => {
    const page = renderReportHtml(model('2026-10'), 'en', context);
    expect(page).toContain('kept in the report archive as reports/monthly/2026-10/report.html');
  });

  it('refuses a target outside its range, naming the field', () => {
    const raw = JSON.parse(JSON.stringify({ ...reportConfig, targets: { all: { reachRate: 70 }, serviceTypes: {} } }));
    expect(() => parseReportConfig(raw)).toThrow('targets.all.reachRate');
  });
});

describe('column chart', () => {
  const chart = (values: (number | null)[], target?: number) =>
    columnChart({
      title: 'Reach',
      points: values.map((value, i) => ({ label: String(i + 1), value, title: `day ${i + 1}` })),
      max: 1,
      target,
      format: (v) => `${v * 100}%`,
      axisX: 'Day',
      axisY: 'Reach',
      legend: [],
      noData: 'no data',
      height: 100,
    });

  it('splits the plot at the target: a column above it reaches the upper band in green, one below stays under the line in orange', () => {
    const page = chart([0.85, 0.35], 0.7);
    // Upper band 30 px, lower band 70 px: 0.85 fills the lower band and half the upper one.
    expect(page).toContain('<td valign="top" align="right" height="30"');
    expect(page).toContain(`<td height="15" bgcolor="${COLOURS.met}">`);
    expect(page).toContain(`<td height="70" bgcolor="${COLOURS.met}">`);
    expect(page).toContain(`<td height="35" bgcolor="${COLOURS.missed}">`);
    expect(page.match(/border-top:2px dashed/g)).toHaveLength(2);
  });

  it('leaves a day with nothing to measure empty, and says so when no day has data', () => {
    expect(chart([null, 0.5], 0.7)).toContain('title="day 1"></td>');
    expect(chart([null, null], 0.7)).toContain('no data');
  });
});
