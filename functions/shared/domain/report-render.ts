import { html, raw } from 'hono/html';
import type { Locale, PolicyConfig } from './policy-schema.js';
import type { Kpis } from './kpi.js';
import type { ReportModel } from './report.js';

/** The report as a manager reads it: HTML email (tables and an inline SVG chart), plain text, CSV. */
const words = {
  'zh-CN': {
    title: { daily: '回访日报', weekly: '回访周报', monthly: '回访月报' },
    metric: '指标',
    current: '本期',
    previous: '上期',
    total: '回访总数',
    due: '应回访',
    coverage: '回访覆盖率',
    reach: '接通率',
    onTime: '及时率',
    satisfaction: '满意度（5分制）',
    complaints: '投诉',
    dormant: '沉寂客户预约率',
    late: '逾期或未接通',
    byType: '按服务类型',
    byDept: '按部门',
    byResult: '按结果',
    target: '目标',
    type: '服务类型',
    dept: '部门',
    handling: '投诉处理',
    raised: '新增投诉',
    ackSla: '时限内确认',
    resolvedSla: '时限内解决',
    resolution: '问题解决率',
    reopened: '重新打开',
    escalated: '升级到',
    chart: '每日回访量（深色为接通）',
    indicators: '满意度分项',
    allDepts: '全部部门',
  },
  en: {
    title: { daily: 'Daily follow-up report', weekly: 'Weekly follow-up report', monthly: 'Monthly follow-up report' },
    metric: 'Metric',
    current: 'This period',
    previous: 'Previous',
    total: 'Follow-ups',
    due: 'Due',
    coverage: 'Coverage rate',
    reach: 'Reach rate',
    onTime: 'On-time rate',
    satisfaction: 'Satisfaction (of 5)',
    complaints: 'Complaints',
    dormant: 'Dormant appointment rate',
    late: 'Late or unreached',
    byType: 'By service type',
    byDept: 'By department',
    byResult: 'By result',
    target: 'Target',
    type: 'Service type',
    dept: 'Department',
    handling: 'Complaint handling',
    raised: 'New complaints',
    ackSla: 'Acknowledged within SLA',
    resolvedSla: 'Resolved within SLA',
    resolution: 'Problem resolution rate',
    reopened: 'Reopened',
    escalated: 'Escalated to',
    chart: 'Follow-ups per day (dark: reached)',
    indicators: 'Satisfaction by indicator',
    allDepts: 'all departments',
  },
} as const;

export const pct = (n: number | null | undefined) => (n === null || n === undefined ? '—' : `${(n * 100).toFixed(1)}%`);
const num = (n: number | null | undefined) => (n === null || n === undefined ? '—' : String(n));

export function reportTitle(model: ReportModel, locale: Locale): string {
  return `${words[locale].title[model.period.kind]} ${model.period.label}`;
}

function kpiRows(locale: Locale, k: Kpis, p: Kpis, lateOrUnreached?: number): [string, string, string][] {
  const w = words[locale];
  return [
    [w.total, num(k.total), num(p.total)],
    [w.due, num(k.due), num(p.due)],
    [w.coverage, pct(k.coverageRate), pct(p.coverageRate)],
    [w.reach, pct(k.reachRate), pct(p.reachRate)],
    [w.onTime, pct(k.onTimeRate), pct(p.onTimeRate)],
    [w.satisfaction, num(k.satisfaction.average), num(p.satisfaction.average)],
    [w.complaints, num(k.complaints), num(p.complaints)],
    ...(k.dormantAppointmentRate !== null || p.dormantAppointmentRate !== null ? [[w.dormant, pct(k.dormantAppointmentRate), pct(p.dormantAppointmentRate)] as [string, string, string]] : []),
    ...(lateOrUnreached !== undefined ? [[w.late, num(lateOrUnreached), ''] as [string, string, string]] : []),
  ];
}

/** A small bar chart of follow-ups per day, drawn server-side as SVG (no external service). */
export function dailyChart(model: ReportModel, locale: Locale): string {
  const days = model.byDay;
  const max = Math.max(1, ...days.map((d) => d.total));
  const width = 560;
  const height = 120;
  const bar = Math.max(2, Math.floor(width / Math.max(days.length, 1)) - 2);
  const bars = days
    .map((d, i) => {
      const x = i * (bar + 2);
      const h = Math.round((d.total / max) * (height - 20));
      const hr = Math.round((d.reached / max) * (height - 20));
      return `<rect x="${x}" y="${height - 14 - h}" width="${bar}" height="${h}" fill="#9ec5ee"><title>${d.day}: ${d.total}</title></rect><rect x="${x}" y="${height - 14 - hr}" width="${bar}" height="${hr}" fill="#0b5cad"/>`;
    })
    .join('');
  const first = days[0]?.day.slice(5) ?? '';
  const last = days.at(-1)?.day.slice(5) ?? '';
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" role="img" aria-label="${words[locale].chart}">${bars}<text x="0" y="${height - 2}" font-size="10">${first}</text><text x="${width - 30}" y="${height - 2}" font-size="10">${last}</text><text x="${width - 60}" y="10" font-size="10">max ${max}</text></svg>`;
}

function label(policies: PolicyConfig, serviceType: string, locale: Locale) {
  return policies.policies[serviceType]?.label[locale] ?? serviceType;
}

export function renderReportHtml(model: ReportModel, locale: Locale, policies: PolicyConfig): string {
  const w = words[locale];
  const table = (head: string[], rows: (string | number)[][]) =>
    html`<table style="border-collapse:collapse;margin:.4rem 0 1rem">${html`<tr>${head.map((h) => html`<th style="text-align:left;border-bottom:2px solid #ccd;padding:4px 10px">${h}</th>`)}</tr>`}${rows.map((r) => html`<tr>${r.map((c) => html`<td style="border-bottom:1px solid #eee;padding:4px 10px">${c}</td>`)}</tr>`)}</table>`;
  const c = model.complaints;
  const indicators = Object.entries(model.totals.satisfaction.byIndicator);
  return html`<!doctype html><html lang="${locale}"><head><meta charset="utf-8"><title>${reportTitle(model, locale)}</title></head>
<body style="font-family:system-ui,'PingFang SC',sans-serif;color:#1d2733;max-width:760px">
<h1>${reportTitle(model, locale)}</h1>
<p>${model.departments === 'all' || model.departments.includes('*') ? w.allDepts : model.departments.join(', ')} · ${model.period.days[0]} – ${model.period.days.at(-1)}</p>
${table([w.metric, w.current, `${w.previous} (${model.period.previous.label})`], kpiRows(locale, model.totals, model.previous, model.lateOrUnreached))}
<h2>${w.chart}</h2>${raw(dailyChart(model, locale))}
<h2>${w.byResult}</h2>${table([w.byResult, w.current], Object.entries(model.totals.byStatus).map(([status, n]) => [status, n]))}
<h2>${w.byType}</h2>${table(
    [w.type, w.total, w.coverage, w.reach, w.onTime, w.satisfaction, w.complaints, w.target],
    model.byServiceType.map((t) => [
      label(policies, t.serviceType, locale),
      t.kpis.total,
      pct(t.kpis.coverageRate),
      `${pct(t.kpis.reachRate)} (${pct(t.previous.reachRate)})`,
      pct(t.kpis.onTimeRate),
      num(t.kpis.satisfaction.average),
      t.kpis.complaints,
      t.targets.reachRate !== undefined ? `${w.reach} ≥ ${pct(t.targets.reachRate)} ${t.kpis.reachRate !== null && t.kpis.reachRate >= t.targets.reachRate ? '✓' : '✗'}` : '',
    ]),
  )}
<h2>${w.byDept}</h2>${table([w.dept, w.total, w.reach, w.onTime, w.satisfaction, w.complaints], model.byDepartment.map((d) => [d.departmentId, d.kpis.total, pct(d.kpis.reachRate), pct(d.kpis.onTimeRate), num(d.kpis.satisfaction.average), d.kpis.complaints]))}
${indicators.length ? html`<h2>${w.indicators}</h2>${table([w.metric, 'avg', '1', '2', '3', '4', '5'], indicators.map(([name, s]) => [name, num(s.average), ...s.distribution]))}` : ''}
<h2>${w.handling}</h2>${table(
    [w.metric, w.current, w.previous],
    [
      [w.raised, `${c.raised} ${JSON.stringify(c.bySeverity)}`, model.previousComplaints.raised],
      [w.ackSla, `${pct(c.acknowledgedInSlaRate)} (${c.acknowledged})`, pct(model.previousComplaints.acknowledgedInSlaRate)],
      [w.resolvedSla, `${pct(c.resolvedInSlaRate)} (${c.resolved})`, pct(model.previousComplaints.resolvedInSlaRate)],
      [w.resolution, pct(c.resolutionRate), pct(model.previousComplaints.resolutionRate)],
      [w.reopened, c.reopened, model.previousComplaints.reopened],
      ...Object.entries(c.escalatedToLevel).map(([level, n]) => [`${w.escalated} L${level}`, n, model.previousComplaints.escalatedToLevel[level] ?? 0]),
    ],
  )}
</body></html>`.toString();
}

export function renderReportText(model: ReportModel, locale: Locale, policies: PolicyConfig): string {
  const w = words[locale];
  const lines = [reportTitle(model, locale), `${model.period.days[0]} – ${model.period.days.at(-1)}`, ''];
  for (const [name, current, previous] of kpiRows(locale, model.totals, model.previous, model.lateOrUnreached)) lines.push(`${name}: ${current}${previous ? ` (${w.previous} ${previous})` : ''}`);
  lines.push('', `${w.byType}:`);
  for (const t of model.byServiceType) lines.push(`  ${label(policies, t.serviceType, locale)}: ${t.kpis.total}, ${w.reach} ${pct(t.kpis.reachRate)}, ${w.onTime} ${pct(t.kpis.onTimeRate)}, ${w.satisfaction} ${num(t.kpis.satisfaction.average)}${t.targets.reachRate !== undefined ? `, ${w.target} ${pct(t.targets.reachRate)}` : ''}`);
  lines.push('', `${w.handling}: ${w.raised} ${model.complaints.raised}, ${w.ackSla} ${pct(model.complaints.acknowledgedInSlaRate)}, ${w.resolvedSla} ${pct(model.complaints.resolvedInSlaRate)}, ${w.resolution} ${pct(model.complaints.resolutionRate)}`);
  return lines.join('\n');
}

/** One row per number, easy to load into a spreadsheet. */
export function renderReportCsv(model: ReportModel): string {
  const rows: (string | number | null)[][] = [['section', 'key', 'metric', 'value']];
  const kpis = (section: string, key: string, k: Kpis) => {
    rows.push([section, key, 'total', k.total], [section, key, 'due', k.due], [section, key, 'followedUp', k.followedUp], [section, key, 'reached', k.reached]);
    rows.push([section, key, 'coverageRate', k.coverageRate], [section, key, 'reachRate', k.reachRate], [section, key, 'onTimeRate', k.onTimeRate], [section, key, 'satisfaction', k.satisfaction.average], [section, key, 'complaints', k.complaints], [section, key, 'dormantAppointmentRate', k.dormantAppointmentRate]);
    for (const [status, n] of Object.entries(k.byStatus)) rows.push([section, key, `status.${status}`, n]);
  };
  kpis('period', model.period.label, model.totals);
  kpis('previous', model.period.previous.label, model.previous);
  for (const t of model.byServiceType) kpis('serviceType', t.serviceType, t.kpis);
  for (const d of model.byDepartment) kpis('department', d.departmentId, d.kpis);
  for (const d of model.byDay) rows.push(['day', d.day, 'total', d.total], ['day', d.day, 'reached', d.reached]);
  for (const [metric, value] of Object.entries(model.complaints)) if (typeof value !== 'object') rows.push(['complaints', model.period.label, metric, value]);
  const cell = (v: string | number | null) => (v === null ? '' : /[",\n]/.test(String(v)) ? `"${String(v).replace(/"/g, '""')}"` : String(v));
  return rows.map((r) => r.map(cell).join(',')).join('\n') + '\n';
}
