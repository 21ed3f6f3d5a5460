import { html } from 'hono/html';
import type { Locale } from '../functions/shared/domain/policy-schema.js';
import { unverifiedPurpose } from '../functions/shared/domain/signed-link.js';
import { smsLength } from '../functions/shared/domain/sms-length.js';
import { catalogues, translator } from '../functions/shared/i18n/index.js';
import type { SentSms } from './cloud/sms.js';
import { timeOn } from './web-pages.js';

/** The "Sent SMS" page: every text either provider carried, newest first, with its length as the carrier bills it. */
export function smsPage(locale: Locale, sent: SentSms[]) {
  const w = catalogues[locale].sms;
  if (sent.length === 0) return html`<h1>${w.title}</h1><p>${w.empty}</p>`;
  return html`<h1>${w.title}</h1><p class="muted">${w.intro}</p>${[...sent].reverse().map((sms) => {
    const length = smsLength(sms.text);
    const size = translator(locale)('sms.size', { parts: length.parts, units: length.units });
    return html`<section class="card" data-testid="sms" data-provider="${sms.provider}">
<p class="muted">${w.to}: ${sms.to} · ${w.provider}: ${w.providers[sms.provider]} · ${timeOn(locale, sms.sentAt)} · ${size}</p>
<pre>${sms.text}</pre>${surveyLink(w.answer, sms.text)}${sms.provider === 'aws' ? replyBox(w, sms.to) : ''}</section>`;
  })}`;
}

/** The text's survey link as a local path, so a person can answer as the customer would. */
function surveyLink(label: string, text: string) {
  const url = /https?:\/\/\S+\/links\/[\w.-]+/.exec(text)?.[0];
  if (!url || unverifiedPurpose(url.split('/links/')[1] ?? '') !== 'survey') return '';
  return html`<p><a class="sms-link" href="${url.replace(/^https?:\/\/[^/]+/, '')}">${label}</a></p>`;
}

/** End User Messaging texts are two-way: a person answers as the customer would, by a reply to our number. */
function replyBox(w: (typeof catalogues)['en']['sms'], from: string) {
  const field = html`<input name="body" size="12" placeholder="1–5, TD, HELP">`;
  return html`<form method="post" action="/sms/reply" data-testid="sms-reply"><input type="hidden" name="from" value="${from}">
<label>${w.replyLabel} ${field}</label> <button type="submit">${w.replySend}</button></form>`;
}
