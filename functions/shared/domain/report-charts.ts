/**
 * Charts for report emails, drawn with HTML tables and coloured cells. Mail clients strip what a
 * chart is usually made of (Gmail and Outlook drop SVG, scripts and external images by default),
 * while a table with `bgcolor` and `height` cells survives every client, including Outlook's Word
 * engine, and needs nothing to render it (no native module, no font) inside the Lambda bundle.
 * Labels arrive translated; they are escaped here.
 */

export const COLOURS = {
  met: '#2e7d32',
  missed: '#e65100',
  neutral: '#1565c0',
  light: '#90caf9',
  target: '#c62828',
  grid: '#e3e7ee',
  track: '#eef1f5',
  axis: '#5f6b7a',
} as const;

const escape = (text: string) => text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

/**
 * A filled block of the given height: a one-cell table, the only box Outlook sizes reliably.
 * Kept terse: a month of daily columns in five charts must stay well under the 102 KB past which
 * Gmail clips a message.
 */
function block(height: number, colour: string): string {
  if (height <= 0) return '';
  return `<table width="100%" cellpadding="0" cellspacing="0"><tr><td height="${height}" bgcolor="${colour}"></td></tr></table>`;
}

export interface ColumnPoint {
  /** The x-axis label under the column (a day number, a weekday). */
  label: string;
  /** null: no data that day (nothing to divide by). */
  value: number | null;
  /** A second, darker value drawn inside the first (reached within finished). */
  inner?: number | null;
  /** Shown on hover: the day and its value in words. */
  title: string;
}

export interface ColumnChartOptions {
  /** The chart's accessible name and heading. */
  title: string;
  points: ColumnPoint[];
  /** The y axis runs from 0 to max. */
  max: number;
  /** A minimum to meet: drawn as a dashed line, columns coloured by whether they reach it. */
  target?: number;
  format: (value: number) => string;
  axisX: string;
  axisY: string;
  /** The words under the chart: which colour means what. */
  legend: { colour: string; label: string; dashed?: boolean }[];
  targetLabel?: string;
  noData: string;
  /** Plot height in pixels. */
  height?: number;
}

/**
 * Columns per day on a y axis from 0 to `max`, labelled at the top, at the target and at 0, with
 * the day under each column. With a target the plot is split at the target's height: the lower
 * band's top border is the target line, and a column above target continues into the upper band.
 */
export function columnChart(o: ColumnChartOptions): string {
  const height = o.height ?? 120;
  const target = o.target !== undefined && o.target > 0 && o.target < o.max ? o.target : undefined;
  const upper = target === undefined ? height : Math.round((height * (o.max - target)) / o.max);
  const lower = height - upper;
  const colourOf = (v: number) => (o.target === undefined ? COLOURS.neutral : v >= o.target ? COLOURS.met : COLOURS.missed);
  const px = (v: number, from: number, to: number, band: number) =>
    Math.round(((Math.min(Math.max(v, from), to) - from) / (to - from)) * band);
  const columnWidth = Math.max(10, Math.min(48, Math.floor(520 / Math.max(1, o.points.length))));
  const column = (p: ColumnPoint, from: number, to: number, band: number, top: string, titled: boolean) => {
    const open = `<td${top ? ` style="border-top:${top}"` : ''}${titled ? ` title="${escape(p.title)}"` : ''}>`;
    if (p.value === null) return `${open}</td>`;
    if (p.inner === undefined || p.inner === null)
      return `${open}${block(px(p.value, from, to, band), p.inner === undefined ? colourOf(p.value) : COLOURS.light)}</td>`;
    // The inner value sits at the bottom of the outer one: two stacked blocks.
    const innerPx = px(p.inner, from, to, band);
    return `${open}${block(px(p.value, from, to, band) - innerPx, COLOURS.light)}${block(innerPx, COLOURS.neutral)}</td>`;
  };
  // The axis cell gives its row the band's height; the columns' cells follow it.
  const axisCell = (text: string, band: number, colour: string = COLOURS.axis) =>
    `<td valign="top" align="right" height="${band}" style="font-size:11px;color:${colour};padding:0 6px 0 0;border-right:1px solid ${COLOURS.axis}">${escape(text)}</td>`;
  const rows: string[] = [];
  if (target === undefined) {
    rows.push(
      `<tr valign="bottom">${axisCell(o.format(o.max), height)}${o.points.map((p) => column(p, 0, o.max, height, `1px solid ${COLOURS.grid}`, true)).join('')}</tr>`,
    );
  } else {
    rows.push(
      `<tr valign="bottom">${axisCell(o.format(o.max), upper)}${o.points.map((p) => column({ ...p, value: p.value === null ? null : Math.max(p.value, target) }, target, o.max, upper, '', false)).join('')}</tr>`,
    );
    rows.push(
      `<tr valign="bottom">${axisCell(o.targetLabel ?? o.format(target), lower, COLOURS.target)}${o.points.map((p) => column(p, 0, target, lower, `2px dashed ${COLOURS.target}`, true)).join('')}</tr>`,
    );
  }
  rows.push(
    `<tr valign="top" align="center" style="font-size:10px;color:${COLOURS.axis}"><td align="right" style="font-size:11px;color:${COLOURS.axis};padding:0 6px 0 0;border-right:1px solid ${COLOURS.axis}">0</td>${o.points.map((p) => `<td style="border-top:1px solid ${COLOURS.axis}">${escape(p.label)}</td>`).join('')}</tr>`,
  );
  rows.push(
    `<tr><td style="font-size:11px;color:${COLOURS.axis}">${escape(o.axisY)}</td><td colspan="${o.points.length}" align="center" style="font-size:11px;color:${COLOURS.axis};padding-top:2px">${escape(o.axisX)}</td></tr>`,
  );
  const hasData = o.points.some((p) => p.value !== null);
  return `<table role="img" aria-label="${escape(o.title)}" cellpadding="0" cellspacing="1" style="table-layout:fixed;margin:4px 0" width="${70 + columnWidth * o.points.length}"><col width="70">${o.points.map(() => `<col width="${columnWidth}">`).join('')}${rows.join('')}</table>${hasData ? '' : `<p style="font-size:12px;color:${COLOURS.axis};margin:0">${escape(o.noData)}</p>`}${legend(o.legend)}`;
}

export function legend(items: { colour: string; label: string; dashed?: boolean }[]): string {
  const item = (i: { colour: string; label: string; dashed?: boolean }) =>
    i.dashed
      ? `<td style="padding:0 4px 0 0"><table role="presentation" cellpadding="0" cellspacing="0"><tr><td width="16" height="6" style="border-bottom:2px dashed ${i.colour};font-size:1px">&nbsp;</td></tr></table></td><td style="font-size:11px;color:${COLOURS.axis};padding:0 12px 0 0">${escape(i.label)}</td>`
      : `<td width="10" height="10" bgcolor="${i.colour}" style="font-size:1px">&nbsp;</td><td style="font-size:11px;color:${COLOURS.axis};padding:0 12px 0 4px">${escape(i.label)}</td>`;
  return `<table role="presentation" cellpadding="0" cellspacing="0" style="margin:2px 0 12px"><tr>${items.map(item).join('')}</tr></table>`;
}

/** A horizontal bar on a 0–1 track with its value beside it: for rates in a table cell. */
export function rateBar(value: number | null, target: number | undefined, text: string, width = 140): string {
  if (value === null) return `<span style="color:${COLOURS.axis}">${escape(text)}</span>`;
  const filled = Math.round(Math.min(Math.max(value, 0), 1) * width);
  const colour = target === undefined ? COLOURS.neutral : value >= target ? COLOURS.met : COLOURS.missed;
  const mark = target === undefined ? undefined : Math.round(Math.min(Math.max(target, 0), 1) * width);
  // The target is a red tick on the track: the track is split into the cells before and after it.
  const cells: string[] = [];
  const segment = (w: number, bg: string) =>
    w > 0 ? `<td width="${w}" height="12" bgcolor="${bg}" style="font-size:1px;line-height:1px">&nbsp;</td>` : '';
  if (mark === undefined) cells.push(segment(filled, colour), segment(width - filled, COLOURS.track));
  else {
    const before = Math.min(filled, mark);
    cells.push(
      segment(before, colour),
      segment(mark - before, COLOURS.track),
      `<td width="2" height="12" bgcolor="${COLOURS.target}" style="font-size:1px">&nbsp;</td>`,
    );
    const after = Math.max(0, filled - mark);
    cells.push(segment(after, colour), segment(width - mark - after, COLOURS.track));
  }
  return `<table role="presentation" cellpadding="0" cellspacing="0"><tr><td><table role="presentation" cellpadding="0" cellspacing="0" width="${width + (mark === undefined ? 0 : 2)}"><tr>${cells.join('')}</tr></table></td><td style="padding-left:6px;font-size:13px;white-space:nowrap">${escape(text)}</td></tr></table>`;
}

/** A bar split into the share done in time (green) and late (red), with the count beside it. */
export function splitBar(inTime: number, total: number, text: string, width = 140): string {
  if (total === 0) return `<span style="color:${COLOURS.axis}">${escape(text)}</span>`;
  const good = Math.round((inTime / total) * width);
  const segment = (w: number, bg: string) =>
    w > 0 ? `<td width="${w}" height="12" bgcolor="${bg}" style="font-size:1px;line-height:1px">&nbsp;</td>` : '';
  return `<table role="presentation" cellpadding="0" cellspacing="0"><tr><td><table role="presentation" cellpadding="0" cellspacing="0" width="${width}"><tr>${segment(good, COLOURS.met)}${segment(width - good, COLOURS.target)}</tr></table></td><td style="padding-left:6px;font-size:13px;white-space:nowrap">${escape(text)}</td></tr></table>`;
}
