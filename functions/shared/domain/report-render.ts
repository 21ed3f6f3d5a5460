import { html, raw } from 'hono/html';
import { DateTime } from 'luxon';
import { catalogues, codeLabel, formatDateTime, translator } from '../i18n/index.js';
import { CHANNELS, type Kpis } from './kpi.js';
import type { Locale, PolicyConfig } from './policy-schema.js';
import type { ComplaintHandling, ReportModel } from './report.js';
import { COLOURS, type ColumnPoint, columnChart, rateBar, splitBar } from './report-charts.js';
import type { FollowUpTargets, ReportConfig } from './report-schema.js';

/**
 * The report as a manager reads it: an HTML email (tables, charts drawn with table cells so that
 * mail clients keep them), the same content as plain text, and a CSV of every figure. Every word
 * comes from the catalogue's `report` section, department names from reports.json, dates in the
 * report's time zone.
 */
export interface ReportContext {
  policies: PolicyConfig;
  config: Pick<ReportConfig, 'timeZone' | 'departments'>;
  /**
   * Where the archive keeps the whole report. Named, not linked: the archive is private (S3, or
   * .local/archive on a laptop), and a link to a local server would not outlive it.
   */
  archiveKey?: string;
  generatedAt?: Date;
}

type FollowUpKpi = keyof FollowUpTargets;

export const pct = (n: number | null | undefined) => (n === null || n === undefined ? '—' : `${(n * 100).toFixed(1)}%`);
const num = (n: number | null | undefined) => (n === null || n === undefined ? '—' : String(n));
const score = (n: number | null | undefined) => (n === null || n === undefined ? '—' : n.toFixed(2));

function kpiValue(k: Kpis, kpi: FollowUpKpi): number | null {
  return kpi === 'satisfaction' ? k.satisfaction.average : k[kpi];
}

const formatKpi = (kpi: FollowUpKpi, value: number | null | undefined) => (kpi === 'satisfaction' ? score(value) : pct(value));

type Status = 'met' | 'missed' | 'noData' | undefined;

/** met / missed against a minimum; noData when there was nothing to measure; undefined without a target. */
function status(value: number | null, target: number | undefined): Status {
  if (target === undefined) return undefined;
  if (value === null) return 'noData';
  return value >= target ? 'met' : 'missed';
}

export function reportTitle(model: ReportModel, locale: Locale): string {
  return `${translator(locale)(`report.title.${model.period.kind}`)} ${model.period.label}`;
}

function formatDay(day: string, locale: Locale, zone: string): string {
  const d = DateTime.fromISO(day, { zone }).setLocale(locale);
  return locale === 'zh-CN' ? d.toFormat('yyyy年M月d日') : d.toFormat('d LLL yyyy');
}

/** The words every part of a report shares. */
function wordsFor(model: ReportModel, locale: Locale, context: ReportContext) {
  const t = translator(locale);
  const zone = context.config.timeZone;
  const department = (id: string) => context.config.departments[id]?.[locale] ?? (id === '-' ? t('report.departments.none') : id);
  const everyone = model.departments === 'all' || model.departments.includes('*');
  const list = (items: string[]) => items.join(locale === 'zh-CN' ? '、' : ', ');
  const scope = everyone ? t('report.scopeAll') : t('report.scopeSome', { names: list((model.departments as string[]).map(department)) });
  const first = model.period.days[0]!;
  const last = model.period.days.at(-1)!;
  const zoneName = DateTime.fromISO(first, { zone }).setLocale(locale).offsetNameLong ?? zone;
  const dates = t('report.dates', { from: formatDay(first, locale, zone), to: formatDay(last, locale, zone), zone: zoneName });
  const generated = context.generatedAt ? t('report.generated', { at: formatDateTime(context.generatedAt, locale, zone) }) : undefined;
  const targetText = (kpi: FollowUpKpi | 'complaintsAcknowledgedInSla' | 'complaintsResolvedInSla', target: number | undefined) =>
    target === undefined ? '—' : t('report.atLeast', { value: kpi === 'satisfaction' ? score(target) : pct(target) });
  const statusText = (s: Status) => t(`report.status.${s ?? 'none'}`);
  const severities = (c: ComplaintHandling) =>
    list(Object.entries(c.bySeverity).map(([severity, n]) => `${codeLabel(locale, 'severity', severity)} ${n}`));
  return { t, zone, department, list, scope, dates, generated, targetText, statusText, severities };
}

type Words = ReturnType<typeof wordsFor>;

/** One summary row: what, this period, the period before, the target, met or not. */
interface SummaryRow {
  label: string;
  current: string;
  previous: string;
  target: string;
  status: Status;
}

function summaryRows(model: ReportModel, w: Words): SummaryRow[] {
  const { t } = w;
  const k = model.totals;
  const p = model.previous;
  const row = (kpi: FollowUpKpi): SummaryRow => ({
    label: t(`report.kpi.${kpi}`),
    current: formatKpi(kpi, kpiValue(k, kpi)),
    previous: formatKpi(kpi, kpiValue(p, kpi)),
    target: w.targetText(kpi, model.targets[kpi]),
    status: status(kpiValue(k, kpi), model.targets[kpi]),
  });
  const count = (label: string, current: number, previous: number | string): SummaryRow => ({
    label,
    current: String(current),
    previous: String(previous),
    target: '—',
    status: undefined,
  });
  const c = model.complaints;
  const pc = model.previousComplaints;
  const rows: SummaryRow[] = [
    count(t('report.kpi.total'), k.total, p.total),
    count(t('report.kpi.due'), k.due, p.due),
    row('coverageRate'),
    row('reachRate'),
    row('onTimeRate'),
    row('satisfaction'),
    ...(k.dormantAppointmentRate !== null || p.dormantAppointmentRate !== null ? [row('dormantAppointmentRate')] : []),
    count(t('report.kpi.lateOrUnreached'), model.lateOrUnreached, '—'),
    // Only where the period had care messages: a report without them reads as before.
    ...(model.care.sent + model.care.suppressed + model.previousCare.sent + model.previousCare.suppressed > 0
      ? [
          count(t('care.report.sent'), model.care.sent, model.previousCare.sent),
          count(t('care.report.suppressed'), model.care.suppressed, model.previousCare.suppressed),
        ]
      : []),
    count(t('report.kpi.complaintsFound'), k.complaints, p.complaints),
    count(t('report.complaints.newCases'), c.raised, pc.raised),
    {
      label: t('report.complaints.acknowledgedInSla'),
      current: pct(c.acknowledgedInSlaRate),
      previous: pct(pc.acknowledgedInSlaRate),
      target: w.targetText('complaintsAcknowledgedInSla', model.targets.complaintsAcknowledgedInSla),
      status: status(c.acknowledgedInSlaRate, model.targets.complaintsAcknowledgedInSla),
    },
    {
      label: t('report.complaints.resolvedInSla'),
      current: pct(c.resolvedInSlaRate),
      previous: pct(pc.resolvedInSlaRate),
      target: w.targetText('complaintsResolvedInSla', model.targets.complaintsResolvedInSla),
      status: status(c.resolvedInSlaRate, model.targets.complaintsResolvedInSla),
    },
  ];
  return rows;
}

/** The targets a service type has, each with whether it is met: "Reach rate ≥ 70.0% ✓ met". */
function typeTargets(kpis: Kpis, targets: FollowUpTargets, w: Words): string[] {
  return (Object.entries(targets) as [FollowUpKpi, number | undefined][])
    .filter(([kpi, target]) => target !== undefined && (kpi !== 'dormantAppointmentRate' || kpis.dormantAppointmentRate !== null))
    .map(
      ([kpi, target]) => `${w.t(`report.kpi.${kpi}`)} ${w.targetText(kpi, target)} ${w.statusText(status(kpiValue(kpis, kpi), target))}`,
    );
}

function complaintRows(model: ReportModel, w: Words): [string, string, string][] {
  const { t } = w;
  const c = model.complaints;
  const p = model.previousComplaints;
  const rateOf = (rate: number | null, count: number) => (count === 0 ? '—' : t('report.complaints.rateOf', { rate: pct(rate), count }));
  const severities = w.severities(c);
  return [
    [
      t('report.complaints.newCases'),
      `${c.raised}${severities ? ` (${t('report.complaints.bySeverity', { list: severities })})` : ''}`,
      String(p.raised),
    ],
    [t('report.complaints.repeats'), String(c.repeats), String(p.repeats)],
    [
      t('report.complaints.acknowledgedInSla'),
      rateOf(c.acknowledgedInSlaRate, c.acknowledged),
      rateOf(p.acknowledgedInSlaRate, p.acknowledged),
    ],
    [t('report.complaints.resolvedInSla'), rateOf(c.resolvedInSlaRate, c.resolved), rateOf(p.resolvedInSlaRate, p.resolved)],
    [t('report.complaints.resolutionRate'), pct(c.resolutionRate), pct(p.resolutionRate)],
    [t('report.complaints.reopened'), String(c.reopened), String(p.reopened)],
    ...[...new Set([...Object.keys(c.escalatedToLevel), ...Object.keys(p.escalatedToLevel)])]
      .sort()
      .map((level): [string, string, string] => [
        t('report.complaints.escalatedTo', { level }),
        String(c.escalatedToLevel[level] ?? 0),
        String(p.escalatedToLevel[level] ?? 0),
      ]),
  ];
}

const TREND_KPIS: FollowUpKpi[] = ['coverageRate', 'reachRate', 'onTimeRate', 'satisfaction'];

/** Round a maximum up to 1, 2 or 5 times a power of ten, so the axis reads easily. */
function niceMax(n: number): number {
  if (n <= 1) return 1;
  const power = 10 ** Math.floor(Math.log10(n));
  return [1, 2, 5, 10].map((m) => m * power).find((m) => m >= n)!;
}

function dayPoints(
  model: ReportModel,
  locale: Locale,
  w: Words,
  value: (k: Kpis) => number | null,
  format: (v: number | null) => string,
  inner?: (k: Kpis) => number | null,
): ColumnPoint[] {
  const weekly = model.period.days.length <= 7;
  return model.byDay.map(({ day, kpis }) => {
    const d = DateTime.fromISO(day, { zone: w.zone }).setLocale(locale);
    const label = weekly ? d.toFormat('ccc') : [1, 5, 10, 15, 20, 25, 30].includes(d.day) ? String(d.day) : '';
    const v = value(kpis);
    return {
      label,
      value: v,
      ...(inner ? { inner: inner(kpis) } : {}),
      title: `${formatDay(day, locale, w.zone)}: ${v === null ? w.t('report.trends.noData') : format(v)}`,
    };
  });
}

// Every style is inline: the one kind of CSS that every mail client keeps.
const h2 = (text: string) => html`<h2 style="font-size:18px;margin:22px 0 4px">${text}</h2>`;
const h3 = (text: string) => html`<h3 style="font-size:15px;margin:14px 0 2px">${text}</h3>`;
/** The line under a heading: what the figures are measured against. */
const note = (text: string) => html`<p style="margin:0 0 4px;font-size:13px">${text}</p>`;
const FIGURES_TABLE = raw('<table cellpadding="5" cellspacing="0" style="border-collapse:collapse;margin:4px 0 14px;font-size:14px">');
const META = raw('<meta charset="utf-8"><meta name="viewport" content="width=device-width">');
/** Latin and Chinese faces, whichever the reader's system has. */
const FONTS = "Arial,'PingFang SC','Microsoft YaHei','Noto Sans CJK SC',sans-serif";
const BODY_STYLE = raw(`margin:0;padding:16px;font-family:${FONTS};color:#1d2733;background:#fff`);
const DEFINITIONS = ['coverageRate', 'reachRate', 'onTimeRate', 'satisfaction', 'complaintsFound', 'newCases', 'sla'] as const;

/**
 * The definitions under "How the figures are counted": the by-channel one only where the section
 * is shown (a period whose aggregates carry no contact per channel has none).
 */
function definitions(model: ReportModel, t: Words['t']): string[] {
  return [...DEFINITIONS.map((key) => t(`report.definitions.${key}`)), ...(hasChannels(model) ? [t('report.byChannel.definition')] : [])];
}

const hasChannels = (model: ReportModel) => CHANNELS.some((c) => model.totals.byChannel[c].attempts > 0);

/** Per channel: attempts, customers contacted and reached on it, reach rate, satisfaction of the answers given on it. */
function channelRows(model: ReportModel, locale: Locale) {
  return CHANNELS.map((channel) => {
    const k = model.totals.byChannel[channel];
    return {
      channel: codeLabel(locale, 'channel', channel),
      attempts: String(k.attempts),
      contacted: String(k.contacted),
      reached: String(k.reached),
      reachRate: pct(k.reachRate),
      satisfaction: score(k.satisfaction.average),
    };
  });
}

function channelSection(model: ReportModel, locale: Locale, w: Words) {
  if (!hasChannels(model)) return '';
  const { t } = w;
  const head = [
    t('report.byChannel.channel'),
    t('report.byChannel.attempts'),
    t('report.byChannel.contacted'),
    t('report.byChannel.reached'),
    t('report.kpi.reachRate'),
    t('report.kpi.satisfaction'),
  ];
  const rows = channelRows(model, locale).map((r) => [r.channel, r.attempts, r.contacted, r.reached, r.reachRate, r.satisfaction]);
  return html`${h2(t('report.byChannel.heading'))}${table(head, rows)}`;
}

function trendCharts(model: ReportModel, locale: Locale, w: Words): string {
  const { t } = w;
  const charts = TREND_KPIS.map((kpi) => {
    const target = model.targets[kpi];
    const format = (v: number | null) => formatKpi(kpi, v);
    const current = kpiValue(model.totals, kpi);
    const value = format(current);
    const caption =
      target === undefined
        ? t('report.trends.captionNoTarget', { value })
        : `${t('report.trends.caption', { value, target: w.targetText(kpi, target) })} · ${w.statusText(status(current, target))}`;
    const chart = columnChart({
      title: t(`report.kpi.${kpi}`),
      points: dayPoints(model, locale, w, (k) => kpiValue(k, kpi), format),
      max: kpi === 'satisfaction' ? 5 : 1,
      target,
      format: (v) => (kpi === 'satisfaction' ? String(v) : `${Math.round(v * 100)}%`),
      targetLabel:
        target === undefined ? undefined : t('report.trends.targetMark', { value: kpi === 'satisfaction' ? score(target) : pct(target) }),
      axisX: t('report.trends.axisDay'),
      axisY: t(`report.kpi.${kpi}`),
      noData: t('report.trends.noData'),
      legend:
        target === undefined
          ? [{ colour: COLOURS.neutral, label: t('report.trends.legendValue') }]
          : [
              { colour: COLOURS.met, label: t('report.trends.legendMet') },
              { colour: COLOURS.missed, label: t('report.trends.legendMissed') },
              { colour: COLOURS.target, label: t('report.trends.legendTarget'), dashed: true },
            ],
    });
    return html`${h3(t(`report.kpi.${kpi}`))}${note(caption)}${raw(chart)}`;
  });
  const most = Math.max(0, ...model.byDay.map((d) => d.kpis.total));
  const volume = columnChart({
    title: t('report.trends.volume'),
    points: dayPoints(
      model,
      locale,
      w,
      (k) => k.total,
      num,
      (k) => k.reached,
    ),
    max: niceMax(most),
    format: String,
    axisX: t('report.trends.axisDay'),
    axisY: t('report.trends.axisCount'),
    noData: t('report.trends.noData'),
    legend: [
      { colour: COLOURS.light, label: t('report.trends.legendTotal') },
      { colour: COLOURS.neutral, label: t('report.trends.legendReached') },
    ],
  });
  return html`${h2(t('report.trends.heading'))}${charts}${h3(t('report.trends.volume'))}${raw(volume)}`.toString();
}

/** A table of figures: padding by attribute and a shaded band every other row, so no cell repeats a style. */
function table(head: string[], rows: (string | ReturnType<typeof raw>)[][]) {
  const heading = (h: string) => html`<th align="left" style="border-bottom:2px solid #c9d1dc;font-size:13px">${h}</th>`;
  const row = (r: (string | ReturnType<typeof raw>)[], i: number) =>
    html`<tr${i % 2 ? raw(' bgcolor="#f4f6f9"') : ''}>${r.map((c) => html`<td>${c}</td>`)}</tr>`;
  return html`${FIGURES_TABLE}<tr>${head.map(heading)}</tr>${rows.map(row)}</table>`;
}

function statusCell(s: Status, w: Words) {
  const colour = s === 'met' ? COLOURS.met : s === 'missed' ? COLOURS.missed : COLOURS.axis;
  return raw(
    html`<span style="color:${colour};font-weight:${s === 'met' || s === 'missed' ? 600 : 400}">${w.statusText(s)}</span>`.toString(),
  );
}

/** Reach and on-time rate per department that had follow-ups, as bars against their targets. */
function departmentSection(model: ReportModel, w: Words) {
  const { t } = w;
  const { targets } = model;
  const departments = model.byDepartment.filter((d) => d.kpis.total > 0);
  if (departments.length === 0) return '';
  const reach = w.targetText('reachRate', targets.reachRate);
  const onTime = w.targetText('onTimeRate', targets.onTimeRate);
  const head = [t('report.departments.name'), t('report.departments.count'), t('report.kpi.reachRate'), t('report.kpi.onTimeRate')];
  const rows = departments.map((d) => [
    w.department(d.departmentId),
    String(d.kpis.total),
    raw(rateBar(d.kpis.reachRate, targets.reachRate, pct(d.kpis.reachRate))),
    raw(rateBar(d.kpis.onTimeRate, targets.onTimeRate, pct(d.kpis.onTimeRate))),
  ]);
  return html`${h2(t('report.departments.heading'))}${note(t('report.departments.targets', { reach, onTime }))}${table(head, rows)}`;
}

/** Complaints acknowledged and resolved within their time limits: all, then each department that handled some. */
function slaSection(model: ReportModel, w: Words) {
  const { t } = w;
  const { targets } = model;
  const scopes = [
    { name: t('report.sla.all'), c: model.complaints },
    ...model.byDepartment
      .filter((d) => d.complaints.acknowledged + d.complaints.resolved > 0)
      .map((d) => ({ name: w.department(d.departmentId), c: d.complaints })),
  ];
  const bar = (inTime: number, total: number, rate: number | null) =>
    raw(splitBar(inTime, total, total === 0 ? t('report.sla.nothing') : t('report.sla.count', { inTime, total, rate: pct(rate) })));
  const acknowledged = w.targetText('complaintsAcknowledgedInSla', targets.complaintsAcknowledgedInSla);
  const resolved = w.targetText('complaintsResolvedInSla', targets.complaintsResolvedInSla);
  const rows = scopes.map(({ name, c }) => [
    name,
    bar(c.acknowledgedInSla, c.acknowledged, c.acknowledgedInSlaRate),
    bar(c.resolvedInSla, c.resolved, c.resolvedInSlaRate),
  ]);
  return html`${h2(t('report.sla.heading'))}${note(t('report.sla.targets', { acknowledged, resolved }))}
${table([t('report.sla.scope'), t('report.sla.acknowledged'), t('report.sla.resolved')], rows)}`;
}

export function renderReportHtml(model: ReportModel, locale: Locale, context: ReportContext): string {
  const w = wordsFor(model, locale, context);
  const { t } = w;
  const title = reportTitle(model, locale);
  const indicators = Object.entries(model.totals.satisfaction.byIndicator);
  const compared = [
    t('report.summary.metric'),
    t('report.summary.current'),
    t('report.summary.previous', { label: model.period.previous.label }),
  ];
  const definitionItems = definitions(model, t).map((text) => html`<li style="margin:2px 0">${text}</li>`);
  const archived = context.archiveKey && t('report.archived', { key: context.archiveKey });
  return html`<!doctype html><html lang="${locale}"><head>${META}<title>${title}</title></head>
<body style="${BODY_STYLE}">
<div style="max-width:760px">
<h1 style="font-size:22px;margin:0 0 6px">${title}</h1>
<p style="margin:0;color:#44505f">${w.scope} · ${w.dates}</p>
${w.generated ? html`<p style="margin:2px 0 0;color:#44505f;font-size:13px">${w.generated}</p>` : ''}
${h2(t('report.summary.heading'))}
${table(
  [...compared, t('report.summary.target'), t('report.summary.status')],
  summaryRows(model, w).map((r) => [r.label, r.current, r.previous, r.target, r.target === '—' ? '' : statusCell(r.status, w)]),
)}
${model.period.days.length > 1 ? raw(trendCharts(model, locale, w)) : ''}
${departmentSection(model, w)}
${channelSection(model, locale, w)}
${slaSection(model, w)}
${h2(t('report.complaints.heading'))}${table(compared, complaintRows(model, w))}
${h2(t('report.byResult.heading'))}${table(
  [t('report.byResult.result'), t('report.byResult.count')],
  Object.entries(model.totals.byStatus).map(([s, n]) => [codeLabel(locale, 'followUpStatus', s), String(n)]),
)}
${h2(t('report.byType.heading'))}${table(
  [
    t('report.byType.type'),
    t('report.kpi.total'),
    t('report.kpi.coverageRate'),
    t('report.kpi.reachRate'),
    t('report.kpi.onTimeRate'),
    t('report.kpi.satisfaction'),
    t('report.kpi.complaintsFound'),
    t('report.summary.target'),
  ],
  model.byServiceType.map((s) => [
    serviceLabel(context.policies, s.serviceType, locale),
    String(s.kpis.total),
    pct(s.kpis.coverageRate),
    pct(s.kpis.reachRate),
    pct(s.kpis.onTimeRate),
    score(s.kpis.satisfaction.average),
    String(s.kpis.complaints),
    raw(
      typeTargets(s.kpis, s.targets, w)
        .map((line) => html`<div style="white-space:nowrap;font-size:13px">${line}</div>`)
        .join(''),
    ),
  ]),
)}
${
  indicators.length
    ? html`${h2(t('report.indicators.heading'))}${table(
        [
          t('report.indicators.indicator'),
          t('report.indicators.average'),
          t('report.indicators.answers'),
          ...[1, 2, 3, 4, 5].map((n) => t('report.indicators.score', { score: n })),
        ],
        indicators.map(([name, s]) => [indicatorLabel(name, locale), score(s.average), String(s.count), ...s.distribution.map(String)]),
      )}`
    : ''
}
${h2(t('report.definitions.heading'))}
<ul style="font-size:13px;color:#44505f;padding-left:18px;margin:4px 0">${definitionItems}</ul>
${archived ? html`<p style="font-size:13px;color:#44505f;margin-top:16px">${archived}</p>` : ''}
</div>
</body></html>`.toString();
}

function serviceLabel(policies: PolicyConfig, serviceType: string, locale: Locale) {
  return policies.policies[serviceType]?.label[locale] ?? serviceType;
}

function indicatorLabel(indicator: string, locale: Locale): string {
  // An indicator added to a survey before the catalogue names it shows as configured.
  return (catalogues[locale].report.indicator as Record<string, string>)[indicator] ?? indicator;
}

export function renderReportText(model: ReportModel, locale: Locale, context: ReportContext): string {
  const w = wordsFor(model, locale, context);
  const { t } = w;
  const lines = [reportTitle(model, locale), `${w.scope} · ${w.dates}`, ...(w.generated ? [w.generated] : []), ''];
  lines.push(`${t('report.summary.heading')}:`);
  for (const r of summaryRows(model, w)) {
    const target = r.target === '—' ? '' : `, ${t('report.summary.target')} ${r.target} ${w.statusText(r.status)}`;
    lines.push(`  ${r.label}: ${r.current} (${t('report.textPrevious', { value: r.previous })}${target})`);
  }
  const departments = model.byDepartment.filter((d) => d.kpis.total > 0);
  if (departments.length) {
    lines.push('', `${t('report.departments.heading')}:`);
    for (const d of departments) {
      const figures = [
        `${t('report.departments.count')} ${d.kpis.total}`,
        `${t('report.kpi.reachRate')} ${pct(d.kpis.reachRate)}`,
        `${t('report.kpi.onTimeRate')} ${pct(d.kpis.onTimeRate)}`,
      ];
      lines.push(`  ${w.department(d.departmentId)}: ${figures.join(', ')}`);
    }
  }
  if (hasChannels(model)) {
    lines.push('', `${t('report.byChannel.heading')}:`);
    for (const r of channelRows(model, locale)) lines.push(`  ${r.channel}: ${t('report.byChannel.text', r)}`);
  }
  lines.push('', `${t('report.complaints.heading')}:`);
  for (const [name, current, previous] of complaintRows(model, w))
    lines.push(`  ${name}: ${current} (${t('report.textPrevious', { value: previous })})`);
  lines.push('', `${t('report.byType.heading')}:`);
  for (const s of model.byServiceType) {
    const figures = [
      `${t('report.kpi.total')} ${s.kpis.total}`,
      `${t('report.kpi.reachRate')} ${pct(s.kpis.reachRate)}`,
      `${t('report.kpi.onTimeRate')} ${pct(s.kpis.onTimeRate)}`,
      `${t('report.kpi.satisfaction')} ${score(s.kpis.satisfaction.average)}`,
    ];
    lines.push(`  ${serviceLabel(context.policies, s.serviceType, locale)}: ${figures.join(', ')}`);
    for (const line of typeTargets(s.kpis, s.targets, w)) lines.push(`    ${line}`);
  }
  lines.push('', `${t('report.definitions.heading')}:`);
  for (const text of definitions(model, t)) lines.push(`  - ${text}`);
  if (context.archiveKey) lines.push('', t('report.archived', { key: context.archiveKey }));
  return lines.join('\n');
}

/** One row per number, easy to load into a spreadsheet (codes, not words: a machine reads it). */
export function renderReportCsv(model: ReportModel): string {
  const rows: (string | number | null)[][] = [['section', 'key', 'metric', 'value']];
  const kpis = (section: string, key: string, k: Kpis) => {
    rows.push(
      [section, key, 'total', k.total],
      [section, key, 'due', k.due],
      [section, key, 'followedUp', k.followedUp],
      [section, key, 'reached', k.reached],
    );
    rows.push(
      [section, key, 'coverageRate', k.coverageRate],
      [section, key, 'reachRate', k.reachRate],
      [section, key, 'onTimeRate', k.onTimeRate],
      [section, key, 'satisfaction', k.satisfaction.average],
      [section, key, 'complaints', k.complaints],
      [section, key, 'dormantAppointmentRate', k.dormantAppointmentRate],
    );
    for (const [status, n] of Object.entries(k.byStatus)) rows.push([section, key, `status.${status}`, n]);
  };
  kpis('period', model.period.label, model.totals);
  kpis('previous', model.period.previous.label, model.previous);
  for (const channel of CHANNELS) {
    const k = model.totals.byChannel[channel];
    rows.push(
      ['channel', channel, 'attempts', k.attempts],
      ['channel', channel, 'contacted', k.contacted],
      ['channel', channel, 'reached', k.reached],
      ['channel', channel, 'reachRate', k.reachRate],
      ['channel', channel, 'satisfaction', k.satisfaction.average],
    );
  }
  for (const [metric, value] of Object.entries(model.targets)) rows.push(['target', 'all', metric, value ?? null]);
  for (const t of model.byServiceType) {
    kpis('serviceType', t.serviceType, t.kpis);
    for (const [metric, value] of Object.entries(t.targets)) rows.push(['target', t.serviceType, metric, value ?? null]);
  }
  for (const d of model.byDepartment) kpis('department', d.departmentId, d.kpis);
  for (const d of model.byDay)
    rows.push(
      ['day', d.day, 'total', d.kpis.total],
      ['day', d.day, 'reached', d.kpis.reached],
      ['day', d.day, 'coverageRate', d.kpis.coverageRate],
      ['day', d.day, 'reachRate', d.kpis.reachRate],
      ['day', d.day, 'onTimeRate', d.kpis.onTimeRate],
      ['day', d.day, 'satisfaction', d.kpis.satisfaction.average],
    );
  for (const [metric, value] of Object.entries(model.complaints))
    if (typeof value !== 'object') rows.push(['complaints', model.period.label, metric, value]);
  const cell = (v: string | number | null) =>
    v === null ? '' : /[",\n]/.test(String(v)) ? `"${String(v).replace(/"/g, '""')}"` : String(v);
  return `${rows.map((r) => r.map(cell).join(',')).join('\n')}\n`;
}
