import { html } from 'hono/html';
import { complaintAnswers, resolutionField } from '../functions/outcome-api/pages.js';
import { escalationConfig } from '../functions/shared/config/escalation.js';
import { policyConfig } from '../functions/shared/config/policies.js';
import { reportConfig } from '../functions/shared/config/reports.js';
import type { Complaint, ComplaintEvent } from '../functions/shared/domain/complaint.js';
import { complaintSummary } from '../functions/shared/domain/complaint-content.js';
import type { Locale } from '../functions/shared/domain/policy-schema.js';
import { type ContactHours, workingMinutesBetween } from '../functions/shared/domain/schedule.js';
import { codeLabel, formatDateTime, type Translate, translator } from '../functions/shared/i18n/index.js';
import { wordsFor } from './web-pages.js';

const FINISHED = ['resolved', 'closed', 'unconfirmed'];

/** A history entry's note in words: the notice number, who acted, which channel refused. */
function historyNote(event: ComplaintEvent, locale: Locale, t: Translate): string | undefined {
  const note = event.note;
  if (!note) return undefined;
  if (event.type === 'raised') return codeLabel(locale, 'severity', note);
  const notice = /^notice (\d+)$/.exec(note);
  if (notice) return t('complaints.history.notice', { notice: notice[1] });
  const level = /^level-(\d+)$/.exec(note);
  if (level) return t('complaints.history.by', { level: level[1] });
  if (note === 'upstream') return t('complaints.history.byUpstream');
  const failed = /^(email|phone):(\w+)$/.exec(note);
  if (failed) return t('complaints.history.failed', { channel: codeLabel(locale, 'channel', failed[1]!), code: failed[2] });
  return note;
}

/**
 * The manager view: each complaint with what it is about (service, customer, the answers under
 * their questions, the customer's words, the agent's note), its level, time limits in the
 * managers' zone, history, and the acknowledge and resolve actions.
 */
export function managerPage(
  locale: Locale,
  complaints: Complaint[],
  now: Date,
  hours: ContactHours,
  error?: { complaintId: string; message: string; note?: string },
) {
  const w = wordsFor(locale);
  const t = translator(locale);
  const none = t('complaints.fields.none');
  const time = (iso: string) => formatDateTime(iso, locale, escalationConfig.timeZone);
  if (complaints.length === 0) return html`<h1>${w.manager}</h1><p>${w.noOpenComplaints}</p>`;
  const clock = (deadline: string, done?: string) => {
    if (done) return html`✓ ${time(done)}`;
    if (new Date(deadline) <= now) return html`<strong style="color:#b42318">${w.overdue}</strong>`;
    const minutes = workingMinutesBetween(now, new Date(deadline), hours);
    return html`${t('complaints.values.workLeft', { hours: Math.floor(minutes / 60), minutes: minutes % 60 })}`;
  };
  /** The customer's words, the agent's note, the resolution: kept as typed, line breaks included. */
  const asTyped = (heading: string, testId: string, text: string) =>
    html`<h3>${heading}</h3><p data-testid="${testId}" style="white-space:pre-wrap">${text}</p>`;
  const deadline = (label: string, testId: string, by: string, done?: string) =>
    html`<tr><th>${label}</th><td>${time(by)}</td><td data-testid="${testId}">${clock(by, done)}</td></tr>`;
  return html`<h1>${w.manager}</h1>${complaints.map((c) => {
    const summary = complaintSummary(c, locale, policyConfig, reportConfig.departments);
    const levelTitle = escalationConfig.levels[c.level - 1]?.title[locale];
    const about = [
      `${t('complaints.fields.department')}: ${summary.department}`,
      `${w.severity}: ${summary.severity}`,
      `${w.level}: ${levelTitle ? t('complaints.values.level', { level: c.level, title: levelTitle }) : `L${c.level}`}`,
      c.cycle > 1 ? t('complaints.values.cycle', { cycle: c.cycle }) : '',
      c.repeat ? t('complaints.values.repeat') : '',
    ]
      .filter(Boolean)
      .join(' · ');
    const comment = summary.comments.map((a) => a.answer).join('\n') || none;
    const history = c.history.map((e) => {
      const note = historyNote(e, locale, t);
      return html`<li>${time(e.at)} · ${codeLabel(locale, 'complaintEvent', e.type)} · L${e.level}${note ? ` · ${note}` : ''}</li>`;
    });
    const refused = error?.complaintId === c.complaintId ? error : undefined;
    return html`<section class="card" data-testid="complaint" data-complaint="${c.complaintId}">
<h2>${summary.service} · <span class="status" data-testid="complaint-status">${codeLabel(locale, 'complaintStatus', c.status)}</span></h2>
<p>${w.customer}: <strong>${summary.customer}</strong> · ${about}</p>
<div style="display:flex;gap:1.5rem;flex-wrap:wrap">
<div style="flex:1 1 20rem"><h3>${t('complaints.fields.answers')}</h3>
${complaintAnswers(summary.answers, none)}</div>
<div style="flex:1 1 16rem">${asTyped(t('complaints.fields.comment'), 'complaint-comment', comment)}
${asTyped(t('complaints.fields.agentNote'), 'complaint-agent-note', summary.agentNote ?? none)}
${c.resolution ? asTyped(t('complaints.fields.resolution'), 'complaint-resolution', c.resolution) : ''}</div></div>
<table>${deadline(w.ackBy, 'ack-clock', c.acknowledgeBy, c.acknowledgedAt)}
${deadline(w.resolveBy, 'resolve-clock', c.resolveBy, c.resolvedAt)}</table>
<details><summary>${w.history} (${c.history.length})</summary><ul>${history}</ul></details>
${refused ? html`<p class="error" role="alert">${refused.message}</p>` : ''}
${FINISHED.includes(c.status) ? '' : actions(locale, c, refused?.note ?? '')}
</section>`;
  })}`;
}

const RESOLVE_FORM_STYLE = 'display:flex;gap:.5rem;align-items:flex-start;flex-wrap:wrap';

/** An open complaint's actions: acknowledge (until it is) and resolve with a note, refilled when a resolution was refused. */
function actions(locale: Locale, c: Complaint, note: string) {
  const w = wordsFor(locale);
  const acknowledge =
    c.status === 'acknowledged'
      ? ''
      : html`<form method="post" action="/manager/${c.complaintId}/acknowledge"><button type="submit">${w.acknowledge}</button></form>`;
  const resolve = html`${resolutionField(locale, note, { rows: 2, width: '22rem' })} <button type="submit">${w.resolve}</button>`;
  return html`<div style="display:flex;gap:1rem;flex-wrap:wrap;margin-top:.6rem;align-items:flex-start">
${acknowledge}
<form method="post" action="/manager/${c.complaintId}/resolve" style="${RESOLVE_FORM_STYLE}">${resolve}</form></div>`;
}
