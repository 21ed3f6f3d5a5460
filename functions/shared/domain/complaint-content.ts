import { html } from 'hono/html';
import { codeLabel, formatDateTime, translator } from '../i18n/index.js';
import type { AgentTask, OutgoingEmail } from '../ports/contact-channels.js';
import type { Complaint } from './complaint.js';
import type { EscalationConfig } from './escalation-schema.js';
import type { Locale, PolicyConfig } from './policy-schema.js';
import { type ReadableAnswer, readableAnswers } from './survey.js';

/** Department names per locale (reports.json `departments`); an unnamed department shows its id. */
export type DepartmentNames = Record<string, Partial<Record<Locale, string>>>;

/**
 * What a complaint is about, in the reader's words: the service by its label, the customer, each
 * answer under its question's text (those that raised the complaint flagged), the customer's own
 * words (the survey's free-text answers) and the agent's note. The email, the Connect task, the
 * acknowledge/resolve page and the manager view all show this one summary.
 */
export interface ComplaintSummary {
  service: string;
  customer: string;
  department: string;
  severity: string;
  answers: (ReadableAnswer & { raisedComplaint: boolean })[];
  comments: ReadableAnswer[];
  agentNote?: string;
}

export function complaintSummary(
  complaint: Complaint,
  locale: Locale,
  policies: PolicyConfig,
  departments: DepartmentNames = {},
): ComplaintSummary {
  const t = translator(locale);
  const policy = policies.policies[complaint.serviceType];
  const survey = policy ? policies.surveys[policy.survey] : undefined;
  const readable = readableAnswers(survey, complaint.answers, locale, (value) => codeLabel(locale, 'yesNo', value));
  const isText = (id: string) => survey?.questions.find((q) => q.id === id)?.kind === 'text';
  return {
    service: `${policy?.label[locale] ?? complaint.serviceType} · ${complaint.serviceId}`,
    customer: [complaint.customer.name, complaint.customer.phone].filter(Boolean).join(' '),
    department: complaint.departmentId
      ? (departments[complaint.departmentId]?.[locale] ?? complaint.departmentId)
      : t('complaints.fields.noDepartment'),
    severity: codeLabel(locale, 'severity', complaint.severity),
    answers: readable
      .filter((a) => !isText(a.questionId))
      .map((a) => ({ ...a, raisedComplaint: complaint.complaintQuestions.includes(a.questionId) })),
    comments: readable.filter((a) => isText(a.questionId)),
    ...(complaint.agentNote ? { agentNote: complaint.agentNote } : {}),
  };
}

export interface ManagerLinks {
  acknowledge?: string;
  resolve: string;
}

function intro(locale: Locale, notice: number, escalated: boolean): string {
  const t = translator(locale);
  if (escalated) return t('complaints.email.introEscalated');
  return notice > 1 ? t('complaints.email.introReminder', { notice }) : t('complaints.email.introFirst');
}

function subject(complaint: Complaint, level: number, policies: PolicyConfig, config: EscalationConfig): string {
  const locale = config.locale;
  return translator(locale)('complaints.email.subject', {
    level,
    title: config.levels[level - 1]!.title[locale],
    service: policies.policies[complaint.serviceType]?.label[locale] ?? complaint.serviceType,
    severity: codeLabel(locale, 'severity', complaint.severity),
  });
}

/** The facts a manager reads first, as label/value rows, times in the managers' zone. */
function factRows(complaint: Complaint, summary: ComplaintSummary, config: EscalationConfig): [string, string][] {
  const locale = config.locale;
  const t = translator(locale);
  const time = (iso: string) => formatDateTime(iso, locale, config.timeZone);
  return [
    [t('complaints.fields.service'), summary.service],
    [t('complaints.fields.customer'), summary.customer],
    [t('complaints.fields.department'), summary.department],
    [t('complaints.fields.severity'), summary.severity],
    [t('complaints.fields.raised'), time(complaint.raisedAt)],
    [t('complaints.fields.ackBy'), time(complaint.acknowledgeBy)],
    [t('complaints.fields.resolveBy'), time(complaint.resolveBy)],
  ];
}

/** The summary as plain text (the email's text part and the Connect task's description). */
function summaryText(complaint: Complaint, summary: ComplaintSummary, config: EscalationConfig): string[] {
  const t = translator(config.locale);
  const none = t('complaints.fields.none');
  return [
    ...factRows(complaint, summary, config).map(([k, v]) => `${k}: ${v}`),
    '',
    `${t('complaints.fields.answers')}:`,
    ...(summary.answers.length ? summary.answers.map((a) => `- ${a.question} ${a.answer}${a.raisedComplaint ? ' ⚠' : ''}`) : [none]),
    '',
    `${t('complaints.fields.comment')}: ${summary.comments.map((c) => c.answer).join(' / ') || none}`,
    `${t('complaints.fields.agentNote')}: ${summary.agentNote ?? none}`,
  ];
}

/** Styles are inline: mail clients drop style sheets. */
const MANAGER_EMAIL_STYLE = {
  cell: 'text-align:left;padding:4px 12px 4px 0;vertical-align:top',
  quote: 'margin:0 0 1em;padding:6px 12px;border-left:3px solid #ccc;white-space:pre-wrap',
  raised: 'color:#b42318;font-weight:bold',
  button: (colour: string) =>
    `display:inline-block;padding:8px 14px;background:${colour};color:#fff;text-decoration:none;border-radius:4px;margin-right:8px`,
};

export function managerEmail(
  complaint: Complaint,
  to: string,
  level: number,
  notice: number,
  escalated: boolean,
  links: ManagerLinks,
  policies: PolicyConfig,
  config: EscalationConfig,
  departments: DepartmentNames = {},
): OutgoingEmail {
  const locale = config.locale;
  const t = translator(locale);
  const summary = complaintSummary(complaint, locale, policies, departments);
  const none = t('complaints.fields.none');
  const { cell, quote } = MANAGER_EMAIL_STYLE;
  const button = (href: string, colour: string, label: string) =>
    html`<a href="${href}" style="${MANAGER_EMAIL_STYLE.button(colour)}">${label}</a>`;
  const factTable = factRows(complaint, summary, config).map(([k, v]) => html`<tr><th style="${cell}">${k}</th><td>${v}</td></tr>`);
  const answerRow = (a: ComplaintSummary['answers'][number]) => {
    const style = a.raisedComplaint ? MANAGER_EMAIL_STYLE.raised : '';
    return html`<tr><td style="${cell}">${a.question}</td><td style="${style}">${a.answer}${a.raisedComplaint ? ' ⚠' : ''}</td></tr>`;
  };
  const acknowledgeButton = links.acknowledge ? button(links.acknowledge, '#0b5cad', t('complaints.email.acknowledge')) : '';
  const body = html`<!doctype html><html lang="${locale}"><body style="font-family:sans-serif;max-width:620px">
<p>${intro(locale, notice, escalated)}</p>
<table style="border-collapse:collapse">${factTable}</table>
<h3>${t('complaints.fields.answers')}</h3>
${summary.answers.length ? html`<table style="border-collapse:collapse">${summary.answers.map(answerRow)}</table>` : html`<p>${none}</p>`}
<h3>${t('complaints.fields.comment')}</h3>
<blockquote style="${quote}">${summary.comments.map((c) => c.answer).join('\n') || none}</blockquote>
<h3>${t('complaints.fields.agentNote')}</h3>
<blockquote style="${quote}">${summary.agentNote ?? none}</blockquote>
<p>${acknowledgeButton}${button(links.resolve, '#1a7f37', t('complaints.email.resolve'))}</p>
<p style="color:#555;font-size:12px">${t('complaints.email.linksNote')}</p>
</body></html>`;
  return {
    to,
    subject: subject(complaint, level, policies, config),
    html: body.toString(),
    text: [
      intro(locale, notice, escalated),
      '',
      ...summaryText(complaint, summary, config),
      '',
      ...(links.acknowledge ? [`${t('complaints.email.acknowledge')}: ${links.acknowledge}`] : []),
      `${t('complaints.email.resolve')}: ${links.resolve}`,
      t('complaints.email.linksNote'),
    ].join('\n'),
  };
}

export function managerTask(
  complaint: Complaint,
  level: number,
  notice: number,
  queue: string | undefined,
  links: ManagerLinks,
  policies: PolicyConfig,
  config: EscalationConfig,
  departments: DepartmentNames = {},
): AgentTask {
  const summary = complaintSummary(complaint, config.locale, policies, departments);
  return {
    followUpId: complaint.complaintId,
    attempt: linkSequence(complaint.cycle, level, notice),
    name: subject(complaint, level, policies, config),
    // Connect caps a task's description at 4,096 characters: the customer's words are kept whole
    // in the complaint, the task carries the start.
    description: truncate(summaryText(complaint, summary, config).join('\n'), 4_000),
    outcomeFormUrl: links.resolve,
    extraReferences: links.acknowledge ? { acknowledge: links.acknowledge } : {},
    attributes: {
      complaintId: complaint.complaintId,
      level: String(level),
      cycle: String(complaint.cycle),
      severity: complaint.severity,
      ...(queue ? { queue } : {}),
    },
  };
}

const truncate = (text: string, max: number) => (text.length <= max ? text : `${text.slice(0, max - 1)}…`);

/** One number per notification, unique within a complaint: used in link claims and ClientTokens. */
export const linkSequence = (cycle: number, level: number, notice: number) => cycle * 10_000 + level * 1_000 + Math.min(notice, 999);
