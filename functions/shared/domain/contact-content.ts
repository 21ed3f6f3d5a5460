import { html } from 'hono/html';
import Mustache from 'mustache';
import { translator } from '../i18n/index.js';
import type { AgentTask, OutgoingEmail } from '../ports/contact-channels.js';
import type { FollowUp } from './follow-up.js';
import type { Locale, PolicyConfig, Survey } from './policy-schema.js';

/** Plain-text placeholders ({{customerName}}): no HTML escaping, the caller escapes per medium. */
function fill(template: string, view: Record<string, string>): string {
  return Mustache.render(template, view, {}, { escape: (value: string) => value });
}

export function localeOf(followUp: FollowUp, config: PolicyConfig): Locale {
  return followUp.customer.locale ?? config.defaults.locale;
}

/** The words of the agent's task and the survey email, in the customer's language (catalogue section `email`). */
export function messagesFor(locale: Locale) {
  const t = translator(locale);
  return {
    taskName: (label: string, attempt: number) => t('email.taskName', { label, attempt }),
    customer: t('email.customer'),
    phone: t('email.phone'),
    script: t('email.script'),
    questions: t('email.questions'),
    emailSubject: (label: string) => t('email.subject', { label }),
    emailGreeting: (name: string) => t('email.greeting', { name }),
    emailIntro: t('email.intro'),
    emailButton: t('email.button'),
    emailExpiry: (hours: number) => t('email.expiry', { hours }),
    emailOptOut: t('email.optOut'),
    emailUnsubscribe: t('email.unsubscribe'),
  };
}

/** Who to call and what to say: the opening and one question per line, in `locale`. */
export function callScript(locale: Locale, config: PolicyConfig, survey: Survey, customerName: string, phone: string): string {
  const w = messagesFor(locale);
  const view = { company: config.organization.name[locale], customerName };
  return [
    `${w.customer}: ${customerName}`,
    `${w.phone}: ${phone}`,
    `${w.script}: ${fill(survey.opening[locale], view)}`,
    `${w.questions}:`,
    ...survey.questions.map((q, i) => `${i + 1}. ${q.text[locale]}`),
  ].join('\n');
}

/**
 * The agent's task: who to call (the first lines of the description and two references: the
 * agent's workspace shows both for a task, not its attributes), the script (opening + one
 * question per line) and the outcome form. Attributes carry what the contact flow routes on
 * (`queue`, a queue ARN) and ids, never personal data.
 */
export function agentTaskFor(
  followUp: FollowUp,
  config: PolicyConfig,
  survey: Survey,
  attempt: number,
  outcomeFormUrl: string,
  queueArn?: string,
): AgentTask {
  const locale = localeOf(followUp, config);
  const w = messagesFor(locale);
  const policy = config.policies[followUp.serviceType]!;
  const phone = followUp.customer.phone ?? '—';
  const description = callScript(locale, config, survey, followUp.customer.name, phone);
  return {
    followUpId: followUp.followUpId,
    attempt,
    name: w.taskName(policy.label[locale], attempt),
    description,
    outcomeFormUrl,
    textReferences: { customerName: followUp.customer.name, customerPhone: phone },
    attributes: {
      followUpId: followUp.followUpId,
      attempt: String(attempt),
      serviceType: followUp.serviceType,
      ...(queueArn ? { queue: queueArn } : {}),
    },
  };
}

/**
 * RFC 8058 one-click unsubscribe: mail clients show an "Unsubscribe" button and POST
 * `List-Unsubscribe=One-Click` to the URL, which records the opt-out without any page.
 */
export function oneClickUnsubscribeHeaders(unsubscribeUrl: string): { name: string; value: string }[] {
  return [
    { name: 'List-Unsubscribe', value: `<${unsubscribeUrl}>` },
    { name: 'List-Unsubscribe-Post', value: 'List-Unsubscribe=One-Click' },
  ];
}

/** Styles are inline: mail clients drop style sheets. */
const SURVEY_BUTTON_STYLE = 'display:inline-block;padding:10px 16px;background:#0b5cad;color:#fff;text-decoration:none;border-radius:4px';

export function surveyEmailFor(
  followUp: FollowUp,
  config: PolicyConfig,
  surveyUrl: string,
  validHours: number,
  unsubscribeUrl: string,
): OutgoingEmail {
  const locale = localeOf(followUp, config);
  const w = messagesFor(locale);
  const policy = config.policies[followUp.serviceType]!;
  const company = config.organization.name[locale];
  const greeting = w.emailGreeting(followUp.customer.name);
  const optOut = html`${w.emailOptOut} <a href="${unsubscribeUrl}" style="color:#555">${w.emailUnsubscribe}</a>`;
  const body = html`<!doctype html>
<html lang="${locale}"><body style="font-family:sans-serif;max-width:560px">
<p>${greeting}</p>
<p>${w.emailIntro}</p>
<p><a href="${surveyUrl}" style="${SURVEY_BUTTON_STYLE}">${w.emailButton}</a></p>
<p style="color:#555;font-size:13px">${w.emailExpiry(validHours)}<br>${optOut}</p>
<p>${company}</p>
</body></html>`;
  return {
    to: followUp.customer.email!,
    subject: w.emailSubject(policy.label[locale]),
    html: body.toString(),
    text: [
      greeting,
      '',
      w.emailIntro,
      surveyUrl,
      '',
      w.emailExpiry(validHours),
      `${w.emailOptOut} ${w.emailUnsubscribe}: ${unsubscribeUrl}`,
      '',
      company,
    ].join('\n'),
    headers: oneClickUnsubscribeHeaders(unsubscribeUrl),
  };
}
