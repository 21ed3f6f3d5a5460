import { html, raw } from 'hono/html';
import { DateTime } from 'luxon';
import { policyConfig } from '../functions/shared/config/policies.js';
import type { Locale } from '../functions/shared/domain/policy-schema.js';
import { agentOutcomeFields } from '../functions/outcome-api/pages.js';
import type { AgentTaskRecord, SentEmail } from './local-cloud.js';
import type { StoredFollowUp } from './follow-up-queries.js';
import type { AttemptRecord } from '../functions/shared/adapters/follow-up-store.js';
import { catalogues } from '../functions/shared/i18n/index.js';

/** The local web page: agent desk, sent mail, follow-ups, complaints and a sample-event form. */
export type Words = (typeof catalogues)['en']['web'];
export const wordsFor = (locale: Locale): Words => catalogues[locale].web;

const zone = policyConfig.defaults.timeZone;
export const localTime = (iso: string | undefined) => (iso ? DateTime.fromISO(iso).setZone(zone).toFormat('yyyy-MM-dd HH:mm') : '—');

export function layout(locale: Locale, now: Date, active: string, body: unknown, notice?: string) {
  const w = wordsFor(locale);
  const tabs: [string, string][] = [['/desk', w.desk], ['/manager', w.manager], ['/mail', w.mail], ['/follow-ups', w.followUps], ['/complaints', w.complaints], ['/send', w.send], ['/rejections', catalogues[locale].events.nav]];
  return html`<!doctype html>
<html lang="${locale}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${w.title}</title>
<style>
body{font-family:system-ui,"PingFang SC","Noto Sans CJK SC",sans-serif;margin:0;color:#1d2733;background:#f6f8fa}
header{background:#0b3d6e;color:#fff;padding:.6rem 1rem;display:flex;gap:1rem;align-items:center;flex-wrap:wrap}
header a{color:#fff;text-decoration:none;padding:.3rem .6rem;border-radius:4px}header a.active{background:#ffffff33}
main{max-width:1100px;margin:1rem auto;padding:0 1rem}.card{background:#fff;border:1px solid #d8dee4;border-radius:8px;padding:1rem;margin:0 0 1rem}
table{border-collapse:collapse;width:100%;background:#fff}th,td{border-bottom:1px solid #e1e4e8;padding:.4rem .5rem;text-align:left;font-size:.92rem;vertical-align:top}
pre{white-space:pre-wrap;background:#f4f6f8;padding:.6rem;border-radius:4px}fieldset{border:1px solid #d8dee4;border-radius:6px;margin:0 0 .6rem}
label{display:inline-block;margin:.2rem .8rem .2rem 0}button{padding:.5rem 1rem;background:#0b5cad;color:#fff;border:0;border-radius:4px;cursor:pointer}
.notice{background:#e6f4ea;border:1px solid #9bd3ae;padding:.6rem;border-radius:4px}.error{background:#fde8e8;border:1px solid #e0a0a0;padding:.6rem;border-radius:4px}
.clock{margin-left:auto;display:flex;gap:.5rem;align-items:center}.clock button{background:#ffffff22;border:1px solid #ffffff66}
.status{font-weight:600}
</style></head><body>
<header><strong>${w.title}</strong>
${tabs.map(([href, label]) => html`<a href="${href}" class="${href === active ? 'active' : ''}">${label}</a>`)}
<span class="clock"><span>${w.now}: <time data-testid="clock">${localTime(now.toISOString())}</time></span>
<form method="post" action="/clock/next"><button type="submit">${w.skip}</button></form>
<a href="?lang=${locale === 'zh-CN' ? 'en' : 'zh-CN'}">${locale === 'zh-CN' ? 'English' : '中文'}</a></span></header>
<main>${notice ? html`<p class="notice" role="status">${notice}</p>` : ''}${body}</main></body></html>`.toString();
}

export function deskPage(locale: Locale, tasks: AgentTaskRecord[], error?: { contactId: string; message: string }) {
  const w = wordsFor(locale);
  if (tasks.length === 0) return html`<h1>${w.desk}</h1><p>${w.noTasks}</p>`;
  return html`<h1>${w.desk}</h1>${tasks.map((task) => {
    const survey = policyConfig.surveys[policyConfig.policies[task.attributes.serviceType ?? '']?.survey ?? ''];
    return html`<section class="card" data-testid="task" data-follow-up="${task.attributes.followUpId}">
<h2>${task.name}</h2>
<p>${w.customer}: <strong>${task.references.customerName}</strong> · ${w.phone}: ${task.references.customerPhone} · ${w.created}: ${localTime(task.createdAt)}</p>
<pre>${task.description}</pre>
${error?.contactId === task.contactId ? html`<p class="error" role="alert">${error.message}</p>` : ''}
${survey ? html`<form method="post" action="/desk/tasks/${task.contactId}">${agentOutcomeFields(locale, survey)}</form>` : ''}
</section>`;
  })}`;
}

export function mailPage(locale: Locale, outbox: SentEmail[]) {
  const w = wordsFor(locale);
  if (outbox.length === 0) return html`<h1>${w.mail}</h1><p>${w.noMail}</p>`;
  return html`<h1>${w.mail}</h1>${[...outbox].reverse().map((mail) => {
    const link = /https?:\/\/\S+\/links\/[\w.-]+/.exec(mail.text)?.[0];
    return html`<section class="card" data-testid="mail"><h2>${mail.subject}</h2>
<p>${mail.to.join(', ')} · ${localTime(mail.sentAt)}</p><pre>${mail.text}</pre>
${link ? html`<p><a href="${link.replace(/^https?:\/\/[^/]+/, '')}">${w.open}</a></p>` : ''}</section>`;
  })}`;
}

function answersText(answers: Record<string, unknown> | undefined) {
  return answers && Object.keys(answers).length > 0 ? Object.entries(answers).map(([k, v]) => `${k}: ${String(v)}`).join(', ') : '—';
}

export function followUpsPage(locale: Locale, followUps: StoredFollowUp[], title: string, empty: string) {
  const w = wordsFor(locale);
  if (followUps.length === 0) return html`<h1>${title}</h1><p>${empty}</p>`;
  return html`<h1>${title}</h1><table><thead><tr><th>ID</th><th>${w.type}</th><th>${w.customer}</th><th>${w.status}</th><th>${w.due}</th><th>${w.attempts}</th><th>${w.answers}</th></tr></thead><tbody>
${followUps.map((f) => html`<tr data-testid="follow-up" data-follow-up="${f.followUpId}"><td><a href="/follow-ups/${f.followUpId}">${f.followUpId.slice(0, 11)}</a></td>
<td>${policyConfig.policies[f.serviceType]?.label[locale] ?? f.serviceType}</td><td>${f.customer.id}</td>
<td class="status">${f.outcome?.status ?? f.status}${f.outcome?.reason ? ` (${f.outcome.reason})` : ''}${f.outcome?.assessment?.complaint ? ' ⚠' : ''}</td>
<td>${localTime(f.dueAt)}</td><td>${(f.attempts ?? []).map((a) => `${a.channel}:${a.result}`).join(' → ') || '—'}</td>
<td>${answersText(f.outcome?.answers)}</td></tr>`)}
</tbody></table>`;
}

export function followUpDetailPage(locale: Locale, f: StoredFollowUp, attempts: AttemptRecord[]) {
  const w = wordsFor(locale);
  return html`<h1>${policyConfig.policies[f.serviceType]?.label[locale] ?? f.serviceType} · ${f.serviceId}</h1>
<section class="card"><p>${w.customer}: ${f.customer.name} (${f.customer.id}) · ${w.status}: <span class="status">${f.outcome?.status ?? f.status}</span></p>
<p>${w.completedAt}: ${localTime(f.completedAt)} · ${w.due}: ${localTime(f.dueAt)}</p>
<h2>${w.history}</h2><table><thead><tr><th>#</th><th>Channel</th><th>${w.created}</th><th>${w.outcome}</th><th>${w.answers}</th></tr></thead><tbody>
${attempts.map((a) => html`<tr><td>${a.attempt}</td><td>${a.channel}</td><td>${localTime(a.openedAt)}</td><td>${a.result ?? '…'}${a.callbackAt ? ` → ${localTime(a.callbackAt)}` : ''}</td><td>${answersText(a.answers as Record<string, unknown>)}</td></tr>`)}
</tbody></table>
${f.outcome ? html`<h2>${w.outcome}</h2><pre>${JSON.stringify({ ...f.outcome, answers: undefined }, null, 2)}</pre>` : ''}
<p><a href="/follow-ups">${w.back}</a></p></section>`;
}

export function sendPage(locale: Locale, now: Date) {
  const w = wordsFor(locale);
  const completed = DateTime.fromJSDate(now).setZone(zone).minus({ hours: 1 }).toFormat("yyyy-MM-dd'T'HH:mm");
  return html`<h1>${w.send}</h1><form class="card" method="post" action="/send">
<p><label>${w.type} <select name="serviceType">${Object.entries(policyConfig.policies).map(([id, p]) => html`<option value="${id}">${p.label[locale]}</option>`)}</select></label></p>
<p><label>${w.name} <input name="name" value="${locale === 'zh-CN' ? '张三' : 'Alex Chen'}" required></label>
<label>${w.phone} <input name="phone" value="+8613800138000"></label>
<label>${w.email} <input name="email" type="email" value="customer@example.com"></label>
<label>${w.language} <select name="locale"><option value="zh-CN">中文</option><option value="en"${raw(locale === 'en' ? ' selected' : '')}>English</option></select></label></p>
<p><label>${w.completedAt} <input type="datetime-local" name="completedAt" value="${completed}"></label></p>
<p><button type="submit">${w.sendButton}</button></p></form>`;
}
