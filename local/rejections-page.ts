import { html } from 'hono/html';
import { policyConfig } from '../functions/shared/config/policies.js';
import type { EventIssue } from '../functions/shared/domain/event-issues.js';
import type { Locale } from '../functions/shared/domain/policy-schema.js';
import { catalogues, codeLabel, formatDateTime, translator } from '../functions/shared/i18n/index.js';
import type { EventWarningRecord, RejectionRecord } from '../functions/shared/ports/follow-up-store.js';

/**
 * The "Rejected events" view: what upstream systems sent that started nothing, and what was
 * accepted without an unusable field, each as the field and the reason in the reader's words.
 * Records hold no personal data, so neither does this page.
 */
const zone = policyConfig.defaults.timeZone;

/** A field's name for a reader: `detail.customer.email` → "Customer email"; a list item gets its position. */
export function fieldLabel(locale: Locale, field: string): string {
  const segments = field.split('.');
  const index = segments.findIndex((segment) => /^\d+$/.test(segment));
  const key = (index === -1 ? segments : segments.slice(0, index)).join('/');
  const label = (catalogues[locale].events.fields as Record<string, string>)[key];
  if (label === undefined) return field;
  return index === -1 ? label : `${label} #${Number(segments[index]) + 1}`;
}

/** Why the field could not be used, as a sentence in the reader's language. */
export function reasonText(locale: Locale, issue: Pick<EventIssue, 'reason' | 'params'>): string {
  const words = catalogues[locale].events;
  const params: Record<string, string | number> = { ...issue.params };
  if (issue.reason === 'wrong-type')
    params.expected = (words.valueTypes as Record<string, string>)[String(params.expected)] ?? String(params.expected);
  if (issue.reason === 'no-usable-channel')
    params.channels = String(params.channels ?? '')
      .split(',')
      .filter(Boolean)
      .map((c) => (words.channels as Record<string, string>)[c] ?? codeLabel(locale, 'channel', c))
      .join(words.or);
  if (issue.reason === 'unknown-service-type')
    params.known = Object.values(policyConfig.policies)
      .map((p) => p.label[locale])
      .join(words.knownSeparator);
  const t = translator(locale) as unknown as (key: string, options: Record<string, unknown>) => string;
  return t(`events.reasons.${issue.reason}`, params);
}

const detailTypeLabel = (locale: Locale, detailType: string) =>
  (catalogues[locale].events.detailTypes as Record<string, string>)[detailType] ?? (detailType === 'unknown' ? '—' : detailType);

interface Row {
  receivedAt: string;
  source: string;
  detailType: string;
  eventId: string;
  outcome: 'rejected' | 'accepted';
  issue: EventIssue;
  followUpIds: string[];
}

function rowsOf(rejections: RejectionRecord[], warnings: EventWarningRecord[]): Row[] {
  const rows: Row[] = [
    ...rejections.map((r): Row => ({ ...r, outcome: 'rejected', issue: r, followUpIds: [] })),
    ...warnings.flatMap((w) => w.warnings.map((issue): Row => ({ ...w, outcome: 'accepted', issue }))),
  ];
  return rows.sort((a, b) => b.receivedAt.localeCompare(a.receivedAt) || a.eventId.localeCompare(b.eventId));
}

/** One field of one event: when, from where, what became of the event, the field and why. */
function issueRow(locale: Locale, row: Row, highlight: string | undefined) {
  const w = catalogues[locale].events;
  const rejected = row.outcome === 'rejected';
  const data = html`data-event-id="${row.eventId}" data-field="${row.issue.field}" data-outcome="${row.outcome}"`;
  const highlighted = row.eventId === highlight ? html` class="highlight"` : '';
  const source = row.source === 'unknown' ? '—' : row.source;
  const followUps = row.followUpIds.length ? row.followUpIds.map((id) => html`<a href="/follow-ups/${id}">${id.slice(0, 11)}</a> `) : '—';
  return html`<tr data-testid="event-issue" ${data}${highlighted}>
<td>${formatDateTime(row.receivedAt, locale, zone)}</td><td>${source}</td><td>${detailTypeLabel(locale, row.detailType)}</td>
<td class="${rejected ? 'status' : ''}">${rejected ? w.rejected : w.accepted}</td>
<td title="${row.issue.field}">${fieldLabel(locale, row.issue.field)}</td><td>${reasonText(locale, row.issue)}</td><td>${row.eventId}</td>
<td>${followUps}</td></tr>`;
}

export function rejectionsPage(locale: Locale, rejections: RejectionRecord[], warnings: EventWarningRecord[], highlight?: string) {
  const w = catalogues[locale].events;
  const rows = rowsOf(rejections, warnings);
  const headings = [w.receivedAt, w.source, w.detailType, w.outcome, w.field, w.reason, w.eventId, w.followUps];
  const table = html`<table><thead><tr>${headings.map((h) => html`<th>${h}</th>`)}</tr></thead><tbody>
${rows.map((row) => issueRow(locale, row, highlight))}
</tbody></table>`;
  return html`<h1>${w.title}</h1><p>${w.intro}</p>
${rows.length === 0 ? html`<p>${w.empty}</p>` : table}
<style>tr.highlight td{background:#fff8c5}</style>`;
}

/** The notice after the send form: what became of the event, in the reader's words. */
export function sentNotice(locale: Locale, rejection: RejectionRecord | undefined, warning: EventWarningRecord | undefined): string {
  const t = translator(locale) as unknown as (key: string, options?: Record<string, unknown>) => string;
  if (rejection) return t('events.sentRejected', { field: fieldLabel(locale, rejection.field), reason: reasonText(locale, rejection) });
  const dropped = warning?.warnings[0];
  if (dropped) return t('events.sentWarning', { field: fieldLabel(locale, dropped.field), reason: reasonText(locale, dropped) });
  return t('events.sentAccepted');
}
