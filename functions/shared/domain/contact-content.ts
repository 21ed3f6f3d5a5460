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
    mattersIntro: (count: number) => t('email.mattersIntro', { count }),
    matter: (number: number, label: string, serviceId: string) => t('email.matter', { number, label, serviceId }),
    labelSeparator: t('email.labelSeparator'),
  };
}

/** Who to call and what to say: the opening and one question per line, in `locale`. */
export function callScript(locale: Locale, config: PolicyConfig, survey: Survey, customerName: string, phone: string): string {
  const w = messagesFor(locale);
  return [
    ...callOpening(locale, config, survey, customerName, phone),
    `${w.questions}:`,
    ...survey.questions.map((q, i) => `${i + 1}. ${q.text[locale]}`),
  ].join('\n');
}

/** Whom to call and the opening the agent reads: the top of every call script. */
function callOpening(locale: Locale, config: PolicyConfig, survey: Survey, customerName: string, phone: string): string[] {
  const w = messagesFor(locale);
  const view = { company: config.organization.name[locale], customerName };
  return [`${w.customer}: ${customerName}`, `${w.phone}: ${phone}`, `${w.script}: ${fill(survey.opening[locale], view)}`];
}

/** Each matter a shared contact carries, numbered, with its survey's questions (一事一扰). */
function matterLines(locale: Locale, config: PolicyConfig, matters: FollowUp[]): string[] {
  const w = messagesFor(locale);
  return matters.flatMap((matter, i) => {
    const policy = config.policies[matter.serviceType]!;
    const survey = config.surveys[policy.survey]!;
    return [
      '',
      w.matter(i + 1, policy.label[locale], matter.serviceId),
      `${w.questions}:`,
      ...survey.questions.map((q, n) => `${n + 1}. ${q.text[locale]}`),
    ];
  });
}

/** The labels of every matter a contact is about, in the customer's language. */
function labelsOf(locale: Locale, config: PolicyConfig, matters: FollowUp[]): string {
  return matters.map((m) => config.policies[m.serviceType]!.label[locale]).join(messagesFor(locale).labelSeparator);
}

/**
 * The agent's task: who to call (the first lines of the description and two references: the
 * agent's workspace shows both for a task, not its attributes), the script (opening + one
 * question per line) and the outcome form. Attributes carry what the contact flow routes on
 * (`queue`, a queue ARN) and ids, never personal data. A shared contact (`joined`) lists every
 * matter with its questions, the lead's first; `matters` tells how many the form records.
 */
export function agentTaskFor(
  followUp: FollowUp,
  config: PolicyConfig,
  survey: Survey,
  attempt: number,
  outcomeFormUrl: string,
  queueArn?: string,
  joined: FollowUp[] = [],
): AgentTask {
  const locale = localeOf(followUp, config);
  const w = messagesFor(locale);
  const phone = followUp.customer.phone ?? '—';
  const matters = [followUp, ...joined];
  const description =
    joined.length === 0
      ? callScript(locale, config, survey, followUp.customer.name, phone)
      : [
          ...callOpening(locale, config, survey, followUp.customer.name, phone),
          w.mattersIntro(matters.length),
          ...matterLines(locale, config, matters),
        ].join('\n');
  return {
    followUpId: followUp.followUpId,
    attempt,
    name: w.taskName(labelsOf(locale, config, matters), attempt),
    description,
    outcomeFormUrl,
    textReferences: { customerName: followUp.customer.name, customerPhone: phone },
    attributes: {
      followUpId: followUp.followUpId,
      attempt: String(attempt),
      serviceType: followUp.serviceType,
      ...(joined.length > 0 ? { matters: String(matters.length) } : {}),
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
  joined: FollowUp[] = [],
): OutgoingEmail {
  const locale = localeOf(followUp, config);
  const w = messagesFor(locale);
  const matters = [followUp, ...joined];
  const company = config.organization.name[locale];
  const matterNames =
    joined.length === 0 ? [] : matters.map((m, i) => w.matter(i + 1, config.policies[m.serviceType]!.label[locale], m.serviceId));
  const covered =
    matterNames.length === 0 ? '' : html`<p>${w.mattersIntro(matters.length)}</p><ul>${matterNames.map((n) => html`<li>${n}</li>`)}</ul>`;
  const greeting = w.emailGreeting(followUp.customer.name);
  const optOut = html`${w.emailOptOut} <a href="${unsubscribeUrl}" style="color:#555">${w.emailUnsubscribe}</a>`;
  const body = html`<!doctype html>
<html lang="${locale}"><body style="font-family:sans-serif;max-width:560px">
<p>${greeting}</p>
<p>${w.emailIntro}</p>
${covered}
<p><a href="${surveyUrl}" style="${SURVEY_BUTTON_STYLE}">${w.emailButton}</a></p>
<p style="color:#555;font-size:13px">${w.emailExpiry(validHours)}<br>${optOut}</p>
<p>${company}</p>
</body></html>`;
  return {
    to: followUp.customer.email!,
    subject: w.emailSubject(labelsOf(locale, config, matters)),
    html: body.toString(),
    text: [
      greeting,
      '',
      w.emailIntro,
      ...(matterNames.length > 0 ? [w.mattersIntro(matters.length), ...matterNames] : []),
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
