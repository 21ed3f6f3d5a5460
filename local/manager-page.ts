import { html } from 'hono/html';
import { policyConfig } from '../functions/shared/config/policies.js';
import { reportConfig } from '../functions/shared/config/reports.js';
import { escalationConfig } from '../functions/shared/config/escalation.js';
import type { Locale } from '../functions/shared/domain/policy-schema.js';
import type { Complaint, ComplaintEvent } from '../functions/shared/domain/complaint.js';
import { complaintSummary } from '../functions/shared/domain/complaint-content.js';
import { workingMinutesBetween, type ContactHours } from '../functions/shared/domain/schedule.js';
import { codeLabel, formatDateTime, translator, type Translate } from '../functions/shared/i18n/index.js';
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
  return html`<h1>${w.manager}</h1>${complaints.map((c) => {
    const open = !FINISHED.includes(c.status);
    const summary = complaintSummary(c, locale, policyConfig, reportConfig.departments);
    const levelTitle = escalationConfig.levels[c.level - 1]?.title[locale];
    const flags = [c.cycle > 1 ? t('complaints.values.cycle', { cycle: c.cycle }) : '', c.repeat ? t('complaints.values.repeat') : '']
      .filter(Boolean)
      .join(' · ');
    return html`<section class="card" data-testid="complaint" data-complaint="${c.complaintId}">
<h2>${summary.service} · <span class="status" data-testid="complaint-status">${codeLabel(locale, 'complaintStatus', c.status)}</span></h2>
<p>${w.customer}: <strong>${summary.customer}</strong> · ${t('complaints.fields.department')}: ${summary.department} · ${w.severity}: ${summary.severity} · ${w.level}: ${levelTitle ? t('complaints.values.level', { level: c.level, title: levelTitle }) : `L${c.level}`}${flags ? ` · ${flags}` : ''}</p>
<div style="display:flex;gap:1.5rem;flex-wrap:wrap">
<div style="flex:1 1 20rem"><h3>${t('complaints.fields.answers')}</h3>
${summary.answers.length ? html`<ul data-testid="complaint-answers">${summary.answers.map((a) => html`<li>${a.question} <strong${a.raisedComplaint ? html` style="color:#b42318"` : ''}>${a.answer}${a.raisedComplaint ? ' ⚠' : ''}</strong></li>`)}</ul>` : html`<p>${none}</p>`}</div>
<div style="flex:1 1 16rem"><h3>${t('complaints.fields.comment')}</h3><p data-testid="complaint-comment" style="white-space:pre-wrap">${summary.comments.map((a) => a.answer).join('\n') || none}</p>
<h3>${t('complaints.fields.agentNote')}</h3><p data-testid="complaint-agent-note" style="white-space:pre-wrap">${summary.agentNote ?? none}</p>
${c.resolution ? html`<h3>${t('complaints.fields.resolution')}</h3><p data-testid="complaint-resolution" style="white-space:pre-wrap">${c.resolution}</p>` : ''}</div></div>
<table><tr><th>${w.ackBy}</th><td>${time(c.acknowledgeBy)}</td><td data-testid="ack-clock">${clock(c.acknowledgeBy, c.acknowledgedAt)}</td></tr>
<tr><th>${w.resolveBy}</th><td>${time(c.resolveBy)}</td><td data-testid="resolve-clock">${clock(c.resolveBy, c.resolvedAt)}</td></tr></table>
<details><summary>${w.history} (${c.history.length})</summary><ul>${c.history.map((e) => {
      const note = historyNote(e, locale, t);
      return html`<li>${time(e.at)} · ${codeLabel(locale, 'complaintEvent', e.type)} · L${e.level}${note ? ` · ${note}` : ''}</li>`;
    })}</ul></details>
${error?.complaintId === c.complaintId ? html`<p class="error" role="alert">${error.message}</p>` : ''}
${
  open
    ? html`<div style="display:flex;gap:1rem;flex-wrap:wrap;margin-top:.6rem;align-items:flex-start">
${c.status !== 'acknowledged' ? html`<form method="post" action="/manager/${c.complaintId}/acknowledge"><button type="submit">${w.acknowledge}</button></form>` : ''}
<form method="post" action="/manager/${c.complaintId}/resolve" style="display:flex;gap:.5rem;align-items:flex-start;flex-wrap:wrap"><label>${t('complaints.fields.resolution')}<br><textarea name="note" rows="2" maxlength="2000" placeholder="${t('complaints.page.notePlaceholder')}" style="width:22rem">${error?.complaintId === c.complaintId ? (error.note ?? '') : ''}</textarea></label> <button type="submit">${w.resolve}</button></form></div>`
    : ''
}
</section>`;
  })}`;
}
