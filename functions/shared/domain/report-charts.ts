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

const escapeHtml = (text: string) => text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

/** The axis's words: tick labels, axis names and the legend. */
const AXIS_TEXT = `font-size:11px;color:${COLOURS.axis}`;
/** A tick label on the y axis, right-aligned against the axis line. */
const tickStyle = (colour: string) => `font-size:11px;color:${colour};padding:0 6px 0 0;border-right:1px solid ${COLOURS.axis}`;
/** Tables for layout only: screen readers skip them. */
const LAYOUT = 'role="presentation" cellpadding="0" cellspacing="0"';
const layoutTable = (cells: string, attributes = '') => `<table ${LAYOUT}${attributes}><tr>${cells}</tr></table>`;

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
    const border = top ? ` style="border-top:${top}"` : '';
    const open = `<td${border}${titled ? ` title="${escapeHtml(p.title)}"` : ''}>`;
    if (p.value === null) return `${open}</td>`;
    const outerPx = px(p.value, from, to, band);
    if (p.inner === undefined || p.inner === null) {
      return `${open}${block(outerPx, p.inner === undefined ? colourOf(p.value) : COLOURS.light)}</td>`;
    }
    // The inner value sits at the bottom of the outer one: two stacked blocks.
    const innerPx = px(p.inner, from, to, band);
    return `${open}${block(outerPx - innerPx, COLOURS.light)}${block(innerPx, COLOURS.neutral)}</td>`;
  };
  // The axis cell gives its row the band's height; the columns' cells follow it.
  const axisCell = (text: string, band: number, colour: string = COLOURS.axis) =>
    `<td valign="top" align="right" height="${band}" style="${tickStyle(colour)}">${escapeHtml(text)}</td>`;
  const bandRow = (axis: string, cells: string[]) => `<tr valign="bottom">${axis}${cells.join('')}</tr>`;
  const rows: string[] = [];
  if (target === undefined) {
    const grid = `1px solid ${COLOURS.grid}`;
    const cells = o.points.map((p) => column(p, 0, o.max, height, grid, true));
    rows.push(bandRow(axisCell(o.format(o.max), height), cells));
  } else {
    // In the upper band a column below target is drawn as reaching it: an empty cell.
    const fromTarget = (p: ColumnPoint) => ({ ...p, value: p.value === null ? null : Math.max(p.value, target) });
    const above = o.points.map((p) => column(fromTarget(p), target, o.max, upper, '', false));
    rows.push(bandRow(axisCell(o.format(o.max), upper), above));
    const targetLine = `2px dashed ${COLOURS.target}`;
    const below = o.points.map((p) => column(p, 0, target, lower, targetLine, true));
    rows.push(bandRow(axisCell(o.targetLabel ?? o.format(target), lower, COLOURS.target), below));
  }
  const labels = o.points.map((p) => `<td style="border-top:1px solid ${COLOURS.axis}">${escapeHtml(p.label)}</td>`).join('');
  const zero = `<td align="right" style="${tickStyle(COLOURS.axis)}">0</td>`;
  rows.push(`<tr valign="top" align="center" style="font-size:10px;color:${COLOURS.axis}">${zero}${labels}</tr>`);
  const axisX = `<td colspan="${o.points.length}" align="center" style="${AXIS_TEXT};padding-top:2px">${escapeHtml(o.axisX)}</td>`;
  rows.push(`<tr><td style="${AXIS_TEXT}">${escapeHtml(o.axisY)}</td>${axisX}</tr>`);
  const hasData = o.points.some((p) => p.value !== null);
  const colGroup = `<col width="70">${o.points.map(() => `<col width="${columnWidth}">`).join('')}`;
  const frame = `cellpadding="0" cellspacing="1" style="table-layout:fixed;margin:4px 0" width="${70 + columnWidth * o.points.length}"`;
  const chart = `<table role="img" aria-label="${escapeHtml(o.title)}" ${frame}>${colGroup}${rows.join('')}</table>`;
  const noData = hasData ? '' : `<p style="font-size:12px;color:${COLOURS.axis};margin:0">${escapeHtml(o.noData)}</p>`;
  return `${chart}${noData}${legend(o.legend)}`;
}

export function legend(items: { colour: string; label: string; dashed?: boolean }[]): string {
  const dash = (colour: string) => {
    const line = `<td width="16" height="6" style="border-bottom:2px dashed ${colour};font-size:1px">&nbsp;</td>`;
    return `<td style="padding:0 4px 0 0">${layoutTable(line)}</td>`;
  };
  const swatch = (colour: string) => `<td width="10" height="10" bgcolor="${colour}" style="font-size:1px">&nbsp;</td>`;
  const words = (label: string, padding: string) => `<td style="${AXIS_TEXT};padding:${padding}">${escapeHtml(label)}</td>`;
  const item = (i: { colour: string; label: string; dashed?: boolean }) =>
    i.dashed ? `${dash(i.colour)}${words(i.label, '0 12px 0 0')}` : `${swatch(i.colour)}${words(i.label, '0 12px 0 4px')}`;
  return layoutTable(items.map(item).join(''), ' style="margin:2px 0 12px"');
}

/** A piece of a bar's track. */
const segment = (w: number, bg: string) =>
  w > 0 ? `<td width="${w}" height="12" bgcolor="${bg}" style="font-size:1px;line-height:1px">&nbsp;</td>` : '';

/** A bar of the given cells and width, with its value in words beside it. */
const barWithText = (cells: string, width: number, text: string) =>
  layoutTable(
    `<td><table ${LAYOUT} width="${width}"><tr>${cells}</tr></table></td>` +
      `<td style="padding-left:6px;font-size:13px;white-space:nowrap">${escapeHtml(text)}</td>`,
  );

/** A horizontal bar on a 0–1 track with its value beside it: for rates in a table cell. */
export function rateBar(value: number | null, target: number | undefined, text: string, width = 140): string {
  if (value === null) return `<span style="color:${COLOURS.axis}">${escapeHtml(text)}</span>`;
  const filled = Math.round(Math.min(Math.max(value, 0), 1) * width);
  const colour = target === undefined ? COLOURS.neutral : value >= target ? COLOURS.met : COLOURS.missed;
  const mark = target === undefined ? undefined : Math.round(Math.min(Math.max(target, 0), 1) * width);
  // The target is a red tick on the track: the track is split into the cells before and after it.
  const cells: string[] = [];
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
  return barWithText(cells.join(''), width + (mark === undefined ? 0 : 2), text);
}

/** A bar split into the share done in time (green) and late (red), with the count beside it. */
export function splitBar(inTime: number, total: number, text: string, width = 140): string {
  if (total === 0) return `<span style="color:${COLOURS.axis}">${escapeHtml(text)}</span>`;
  const good = Math.round((inTime / total) * width);
  return barWithText(`${segment(good, COLOURS.met)}${segment(width - good, COLOURS.target)}`, width, text);
}
