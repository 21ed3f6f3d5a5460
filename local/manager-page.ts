import { html } from 'hono/html';
import { policyConfig } from '../functions/shared/config/policies.js';
import type { Locale } from '../functions/shared/domain/policy-schema.js';
import type { Complaint } from '../functions/shared/domain/complaint.js';
import { workingMinutesBetween, type ContactHours } from '../functions/shared/domain/schedule.js';
import { localTime, wordsFor } from './web-pages.js';

/** The manager view: escalated complaints, their level, SLA clock, history and actions. */
export function managerPage(locale: Locale, complaints: Complaint[], now: Date, hours: ContactHours, error?: { complaintId: string; message: string }) {
  const w = wordsFor(locale);
  if (complaints.length === 0) return html`<h1>${w.manager}</h1><p>${w.noOpenComplaints}</p>`;
  const clock = (deadline: string, done?: string) => {
    if (done) return html`✓ ${localTime(done)}`;
    if (new Date(deadline) <= now) return html`<strong style="color:#b42318">${w.overdue}</strong>`;
    const minutes = workingMinutesBetween(now, new Date(deadline), hours);
    return html`${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, '0')}`;
  };
  return html`<h1>${w.manager}</h1>${complaints.map((c) => {
    const open = !['resolved', 'closed', 'unconfirmed'].includes(c.status);
    return html`<section class="card" data-testid="complaint" data-complaint="${c.complaintId}">
<h2>${policyConfig.policies[c.serviceType]?.label[locale] ?? c.serviceType} · ${c.serviceId} · <span class="status">${c.status}</span></h2>
<p>${w.customer}: ${c.customer.name} ${c.customer.phone ?? ''} · ${w.severity}: ${c.severity} · ${w.level}: L${c.level}${c.cycle > 1 ? ` · cycle ${c.cycle}` : ''}</p>
<table><tr><th>${w.ackBy}</th><td>${localTime(c.acknowledgeBy)}</td><td data-testid="ack-clock">${clock(c.acknowledgeBy, c.acknowledgedAt)}</td></tr>
<tr><th>${w.resolveBy}</th><td>${localTime(c.resolveBy)}</td><td data-testid="resolve-clock">${clock(c.resolveBy, c.resolvedAt)}</td></tr></table>
<details><summary>${w.history} (${c.history.length})</summary><ul>${c.history.map((e) => html`<li>${localTime(e.at)} · ${e.type} · L${e.level}${e.note ? ` · ${e.note}` : ''}</li>`)}</ul></details>
${error?.complaintId === c.complaintId ? html`<p class="error" role="alert">${error.message}</p>` : ''}
${open
  ? html`<div style="display:flex;gap:1rem;flex-wrap:wrap;margin-top:.6rem">
${c.status !== 'acknowledged' ? html`<form method="post" action="/manager/${c.complaintId}/acknowledge"><button type="submit">${w.acknowledge}</button></form>` : ''}
<form method="post" action="/manager/${c.complaintId}/resolve"><input name="note" placeholder="${w.note}" style="width:18rem"> <button type="submit">${w.resolve}</button></form></div>`
  : ''}
</section>`;
  })}`;
}
