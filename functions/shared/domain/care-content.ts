import { html } from 'hono/html';
import { translator } from '../i18n/index.js';
import type { OutgoingEmail } from '../ports/contact-channels.js';
import type { CareOccasionKind } from './care.js';
import { oneClickUnsubscribeHeaders } from './contact-content.js';
import type { Locale } from './policy-schema.js';

/** What a care message says: who it is for, from whom, and the holiday's name in the customer's language. */
export interface CareView {
  name: string;
  company: string;
  holiday?: string;
}

/** The text message (catalogue `care.sms`): one short part where the carriers allow it. */
export function careSmsText(kind: CareOccasionKind, locale: Locale, view: CareView): string {
  return translator(locale)(`care.sms.${kind}`, { ...view });
}

/**
 * The email (catalogue `care.subject`, `care.text`): a greeting asks nothing, so its only link is the
 * unsubscribe link, in the body and as RFC 8058 one-click headers, as on a survey email. Without
 * one (the customer's index entry predates noting their follow-up), the email goes without.
 */
export function careEmail(kind: CareOccasionKind, locale: Locale, view: CareView, to: string, unsubscribeUrl?: string): OutgoingEmail {
  const t = translator(locale);
  const subject = t(`care.subject.${kind}`, { ...view });
  const text = t(`care.text.${kind}`, { ...view });
  const footer = t('care.footer');
  const optOut = t('care.optOut');
  const unsubscribe = t('email.unsubscribe');
  const link = unsubscribeUrl ? html`<br>${optOut} <a href="${unsubscribeUrl}" style="color:#555">${unsubscribe}</a>` : '';
  const body = html`<p>${text}</p><p style="color:#555">${footer}${link}</p>`;
  return {
    to,
    subject,
    text: [text, '', footer, ...(unsubscribeUrl ? [`${optOut} ${unsubscribe}: ${unsubscribeUrl}`] : []), ''].join('\n'),
    html: `<!doctype html><html lang="${locale}"><body>${body}</body></html>`,
    ...(unsubscribeUrl ? { headers: oneClickUnsubscribeHeaders(unsubscribeUrl) } : {}),
  };
}
