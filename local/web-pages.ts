import { html, raw } from 'hono/html';
import { DateTime } from 'luxon';
import type { FormMatters, FormValues } from '../functions/outcome-api/pages.js';
import { agentOutcomeFields } from '../functions/outcome-api/pages.js';
import { policyConfig } from '../functions/shared/config/policies.js';
import { callScript, messagesFor } from '../functions/shared/domain/contact-content.js';
import type { Locale } from '../functions/shared/domain/policy-schema.js';
import { type LinkPurpose, unverifiedPurpose } from '../functions/shared/domain/signed-link.js';
import { readableAnswers } from '../functions/shared/domain/survey.js';
import { type CodeGroup, catalogues, codeLabel, formatDateTime, translator } from '../functions/shared/i18n/index.js';
import type { AttemptRecord } from '../functions/shared/ports/follow-up-store.js';
import type { AgentTaskRecord, SentEmail } from './cloud/index.js';
import type { StoredFollowUp } from './follow-up-queries.js';

/** The local web page: agent desk, sent mail, follow-ups, complaints and a sample-event form. */
export type Words = (typeof catalogues)['en']['web'];
export const wordsFor = (locale: Locale): Words => catalogues[locale].web;

const zone = policyConfig.defaults.timeZone;
export const localTime = (iso: string | undefined) => (iso ? DateTime.fromISO(iso).setZone(zone).toFormat('yyyy-MM-dd HH:mm') : '—');
/** A moment on this page: in the configured zone (the operator's), in the reader's words. */
export const timeOn = (locale: Locale, iso: string | Date | undefined) => formatDateTime(iso, locale, zone);
const label = (locale: Locale, group: CodeGroup, code: string | undefined) => (code ? codeLabel(locale, group, code) : '—');
const serviceLabel = (locale: Locale, serviceType: string) => policyConfig.policies[serviceType]?.label[locale] ?? serviceType;
const surveyOf = (serviceType: string | undefined) => policyConfig.surveys[policyConfig.policies[serviceType ?? '']?.survey ?? ''];

/** What the clock jump the reader asked for did. */
export interface ClockJump {
  from: number;
  to: number;
  tasks: number;
  emails: number;
  finished: number;
}

export function layout(locale: Locale, now: Date, active: string, body: unknown, notice?: string) {
  const w = wordsFor(locale);
  const tabs: [string, string][] = [
    ['/desk', w.desk],
    ['/manager', w.manager],
    ['/mail', w.mail],
    ['/sms', catalogues[locale].sms.nav],
    ['/follow-ups', w.followUps],
    ['/complaints', w.complaints],
    ['/send', w.send],
    ['/rejections', catalogues[locale].events.nav],
  ];
  const nextAction = html`<button type="submit" title="${w.nextActionHint}" data-testid="next-action">${w.nextAction}</button>`;
  return html`<!doctype html>
<html lang="${locale}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${w.title}</title>
<style>
body{font-family:system-ui,"PingFang SC","Microsoft YaHei","Noto Sans CJK SC",sans-serif;margin:0;color:#1d2733;background:#f6f8fa}
header{background:#0b3d6e;color:#fff;padding:.6rem 1rem;display:flex;gap:1rem;align-items:center;flex-wrap:wrap}
header a{color:#fff;text-decoration:none;padding:.3rem .6rem;border-radius:4px}
header a.active{background:#ffffff33}
main{max-width:1100px;margin:1rem auto;padding:0 1rem}
.card{background:#fff;border:1px solid #d8dee4;border-radius:8px;padding:1rem;margin:0 0 1rem}
table{border-collapse:collapse;width:100%;background:#fff}
th,td{border-bottom:1px solid #e1e4e8;padding:.4rem .5rem;text-align:left;font-size:.92rem;vertical-align:top}
pre{white-space:pre-wrap;overflow-wrap:anywhere;background:#f4f6f8;padding:.6rem;border-radius:4px}
a{overflow-wrap:anywhere}
.guide li{margin:.3rem 0}
.muted{color:#57606a}
fieldset{border:1px solid #d8dee4;border-radius:6px;margin:0 0 .6rem}
label{display:inline-block;margin:.2rem .8rem .2rem 0}
button{padding:.5rem 1rem;background:#0b5cad;color:#fff;border:0;border-radius:4px;cursor:pointer}
.notice{background:#e6f4ea;border:1px solid #9bd3ae;padding:.6rem;border-radius:4px}
.error{background:#fde8e8;border:1px solid #e0a0a0;padding:.6rem;border-radius:4px}
.clock{margin-left:auto;display:flex;gap:.5rem;align-items:center}
.clock button{background:#ffffff22;border:1px solid #ffffff66}
.status{font-weight:600}
</style></head><body>
<header><strong>${w.title}</strong>
${tabs.map(([href, label]) => html`<a href="${href}" class="${href === active ? 'active' : ''}">${label}</a>`)}
<span class="clock"><span>${w.now}: <time data-testid="clock">${timeOn(locale, now)}</time></span>
<form method="post" action="/clock/next-action">${nextAction}</form>
<form method="post" action="/clock/next"><button type="submit" title="${w.skipHint}">${w.skip}</button></form>
<a href="/start">${w.guide}</a>
<a href="?lang=${locale === 'zh-CN' ? 'en' : 'zh-CN'}">${locale === 'zh-CN' ? 'English' : '中文'}</a></span></header>
<main>${notice ? html`<p class="notice" role="status">${notice}</p>` : ''}${body}</main></body></html>`.toString();
}

/** The four steps of a first try; on the empty desk and under "Getting started". */
export function guide(locale: Locale) {
  const w = wordsFor(locale);
  const steps = [html`<a href="/send">${w.guideSend}</a>`, w.guideSkip, html`<a href="/desk">${w.guideWork}</a>`, w.guideLook];
  return html`<section class="card guide" data-testid="guide"><h2>${w.guideTitle}</h2><ol>
${steps.map((step) => html`<li>${step}</li>`)}</ol></section>`;
}

export function guidePage(locale: Locale) {
  const w = wordsFor(locale);
  return html`<h1>${w.guide}</h1>${guide(locale)}<p><a href="/send">${w.guideStart}</a></p>`;
}

/** The notice after a clock jump: from → to, and what came of it. */
export function jumpNotice(locale: Locale, jump: ClockJump): string {
  const t = translator(locale);
  const what = [
    jump.tasks > 0 ? t('web.jumpTasks', { count: jump.tasks }) : '',
    jump.emails > 0 ? t('web.jumpEmails', { count: jump.emails }) : '',
    jump.finished > 0 ? t('web.jumpFinished', { count: jump.finished }) : '',
  ].filter(Boolean);
  return t('web.jumped', {
    from: timeOn(locale, new Date(jump.from)),
    to: timeOn(locale, new Date(jump.to)),
    what: what.length > 0 ? what.join(locale === 'zh-CN' ? '，' : ', ') : t('web.jumpNothing'),
  });
}

/** A task on the desk and the language its customer speaks. */
export interface DeskTask {
  task: AgentTaskRecord;
  customerLocale: Locale;
  /** A task about several matters (一事一扰): its own follow-up and the others it carries, each asked its own questions. */
  matters?: { lead: StoredFollowUp; joined: StoredFollowUp[] };
}

/** The form's sections of a task about several matters, headed as the link's form heads them. */
function deskMatters(locale: Locale, matters: NonNullable<DeskTask['matters']>): FormMatters {
  const heading = (f: StoredFollowUp, n: number) =>
    messagesFor(locale).matter(n, policyConfig.policies[f.serviceType]?.label[locale] ?? f.serviceType, f.serviceId);
  const joined: FormMatters['joined'] = [];
  for (const f of matters.joined) {
    const survey = surveyOf(f.serviceType);
    if (survey) joined.push({ followUpId: f.followUpId, heading: heading(f, joined.length + 2), survey });
  }
  return { lead: heading(matters.lead, 1), joined };
}

/**
 * The agent desk. The page is the agent's, so the script is in the page's language, with the
 * customer's language beside it (Connect's own task text, in the customer's language, is on the
 * outcome link page).
 */
export function deskPage(locale: Locale, tasks: DeskTask[], error?: { contactId: string; message: string; values?: FormValues }) {
  const w = wordsFor(locale);
  if (tasks.length === 0) return html`<h1>${w.desk}</h1><p>${w.noTasks}</p>${guide(locale)}`;
  return html`<h1>${w.desk}</h1>${tasks.map(({ task, customerLocale, matters }) => {
    const survey = surveyOf(task.attributes.serviceType);
    const attempt = Number(task.attributes.attempt ?? 1);
    const script = survey
      ? callScript(locale, policyConfig, survey, task.references.customerName ?? '', task.references.customerPhone ?? '—')
      : task.description;
    const customer = html`${w.customer}: <strong>${task.references.customerName}</strong> · ${w.phone}: ${task.references.customerPhone}`;
    const language = html`${w.customerLanguage}: <strong data-testid="customer-language">${w.languageNames[customerLocale]}</strong>`;
    const refused = error?.contactId === task.contactId ? error : undefined;
    const sections = matters && matters.joined.length > 0 ? deskMatters(locale, matters) : undefined;
    const fields = survey ? agentOutcomeFields(locale, survey, refused?.values, sections) : undefined;
    return html`<section class="card" data-testid="task" data-follow-up="${task.attributes.followUpId}">
<h2>${translator(locale)('email.taskName', { label: serviceLabel(locale, task.attributes.serviceType ?? ''), attempt })}</h2>
<p>${customer} · ${language} · ${w.created}: ${timeOn(locale, task.createdAt)}</p>
<pre>${script}</pre>
${refused ? html`<p class="error" role="alert">${refused.message}</p>` : ''}
${fields ? html`<form method="post" action="/desk/tasks/${task.contactId}">${fields}</form>` : ''}
</section>`;
  })}`;
}

const linkWords: Record<LinkPurpose, 'linkSurvey' | 'linkAgent' | 'linkAcknowledge' | 'linkResolve' | 'linkUnsubscribe'> = {
  survey: 'linkSurvey',
  agent: 'linkAgent',
  acknowledge: 'linkAcknowledge',
  resolve: 'linkResolve',
  unsubscribe: 'linkUnsubscribe',
};

export function mailPage(locale: Locale, outbox: SentEmail[]) {
  const w = wordsFor(locale);
  if (outbox.length === 0) return html`<h1>${w.mail}</h1><p>${w.noMail}</p>`;
  return html`<h1>${w.mail}</h1>${[...outbox].reverse().map(
    (mail) => html`<section class="card" data-testid="mail"><h2>${mail.subject}</h2>
<p class="muted">${w.to}: ${mail.to.join(', ')} · ${timeOn(locale, mail.sentAt)}</p><pre>${mail.text}</pre>
${mailLinks(w, mail.text)}</section>`,
  )}`;
}

/** The links in a mail, each labelled by what it does (its signed purpose): a manager's link acknowledges, it is no survey. */
function mailLinks(w: Words, text: string) {
  const links = [...new Set(text.match(/https?:\/\/\S+\/links\/[\w.-]+/g) ?? [])];
  if (links.length === 0) return '';
  const link = (url: string) => {
    const purpose = unverifiedPurpose(url.split('/links/')[1] ?? '');
    const path = url.replace(/^https?:\/\/[^/]+/, '');
    return html`<a class="mail-link" data-purpose="${purpose ?? ''}" href="${path}">${purpose ? w[linkWords[purpose]] : w.linkOther}</a> `;
  };
  return html`<p>${links.map(link)}</p>`;
}

/** Answers as "question text: readable value", in the survey's order. */
function answersText(locale: Locale, serviceType: string, answers: Record<string, unknown> | undefined) {
  const rows = readableAnswers(surveyOf(serviceType), answers, locale, (v) => codeLabel(locale, 'yesNo', v));
  return rows.length > 0 ? rows.map((r) => `${r.question} ${r.answer}`).join(locale === 'zh-CN' ? '；' : '; ') : '—';
}

function statusText(locale: Locale, f: StoredFollowUp) {
  const status = label(locale, 'followUpStatus', f.outcome?.status ?? f.status);
  return f.outcome?.reason
    ? locale === 'zh-CN'
      ? `${status}（${label(locale, 'reason', f.outcome.reason)}）`
      : `${status} (${label(locale, 'reason', f.outcome.reason)})`
    : status;
}

/** A table's head row. */
const headRow = (labels: string[]) => html`<tr>${labels.map((l) => html`<th>${l}</th>`)}</tr>`;

/** The contact attempts in a line: "Phone: no answer → Email: reached". */
function attemptsLine(locale: Locale, attempts: StoredFollowUp['attempts'] | undefined) {
  const colon = locale === 'zh-CN' ? '：' : ': ';
  return (
    (attempts ?? []).map((a) => `${label(locale, 'channel', a.channel)}${colon}${label(locale, 'result', a.result)}`).join(' → ') || '—'
  );
}

export function followUpsPage(locale: Locale, followUps: StoredFollowUp[], title: string, empty: string) {
  const w = wordsFor(locale);
  if (followUps.length === 0) return html`<h1>${title}</h1><p>${empty}</p>`;
  const head = headRow([w.service, w.type, w.customer, w.status, w.due, w.attempts, w.answers]);
  const row = (f: StoredFollowUp) => {
    const complaint = f.outcome?.assessment?.complaint ? html` <span title="${w.complaint}">⚠</span>` : '';
    const link = html`<a href="/follow-ups/${f.followUpId}">${f.serviceId}</a>`;
    return html`<tr data-testid="follow-up" data-follow-up="${f.followUpId}"><td>${link}</td>
<td>${serviceLabel(locale, f.serviceType)}</td><td>${f.customer.name}</td>
<td><span class="status">${statusText(locale, f)}</span>${complaint}</td>
<td>${timeOn(locale, f.dueAt)}</td><td>${attemptsLine(locale, f.attempts)}</td>
<td>${answersText(locale, f.serviceType, f.outcome?.answers)}</td></tr>`;
  };
  return html`<h1>${title}</h1><table><thead>${head}</thead><tbody>
${followUps.map(row)}
</tbody></table>`;
}

/** The follow-up's outcome as rows of name and value. */
function outcomeRows(locale: Locale, f: StoredFollowUp, outcome: NonNullable<StoredFollowUp['outcome']>): [string, unknown][] {
  const w = wordsFor(locale);
  const yesNo = (on: boolean | undefined) => (on === undefined ? '—' : codeLabel(locale, 'yesNo', on ? 'yes' : 'no'));
  const survey = surveyOf(f.serviceType);
  const indicatorText = (indicator: string) =>
    survey?.questions.find((q) => q.kind === 'score' && q.indicator === indicator)?.text[locale] ?? indicator;
  const severity = outcome.agentSeverity ? ` · ${label(locale, 'severity', outcome.agentSeverity)}` : '';
  const scores = Object.entries(outcome.assessment?.scores ?? {});
  const answers = readableAnswers(survey, outcome.answers, locale, (v) => codeLabel(locale, 'yesNo', v));
  const list = <T>(items: T[], item: (t: T) => unknown) => html`<ul>${items.map((t) => html`<li>${item(t)}</li>`)}</ul>`;
  return [
    [w.status, html`<span class="status">${statusText(locale, f)}</span>`],
    [w.finishedAt, timeOn(locale, outcome.finishedAt)],
    [w.channel, label(locale, 'channel', outcome.channel)],
    [w.onTime, yesNo(outcome.onTime)],
    [w.complaint, outcome.assessment?.complaint ? `${w.complaintRaised}${severity}` : yesNo(outcome.assessment ? false : undefined)],
    ...(scores.length > 0
      ? [[w.scores, list(scores, ([indicator, score]) => `${indicatorText(indicator)} ${score}/5`)] as [string, unknown]]
      : []),
    [w.answers, list(answers, (a) => html`${a.question} <strong>${a.answer}</strong>`)],
    ...(outcome.error ? [[w.error, label(locale, 'result', 'failed')] as [string, unknown]] : []),
  ];
}

export function followUpDetailPage(locale: Locale, f: StoredFollowUp, attempts: AttemptRecord[]) {
  const w = wordsFor(locale);
  const cells = (values: unknown[]) => html`<tr>${values.map((v) => html`<td>${v}</td>`)}</tr>`;
  const attemptRow = (a: AttemptRecord) =>
    cells([
      a.attempt,
      label(locale, 'channel', a.channel),
      timeOn(locale, a.openedAt),
      html`${a.result ? label(locale, 'result', a.result) : w.waiting}${a.callbackAt ? ` → ${timeOn(locale, a.callbackAt)}` : ''}`,
      answersText(locale, f.serviceType, a.answers as Record<string, unknown>),
    ]);
  const fact = ([name, value]: [string, unknown]) => html`<tr><th>${name}</th><td>${value}</td></tr>`;
  const outcome = f.outcome
    ? html`<h2>${w.outcome}</h2><table data-testid="outcome">${outcomeRows(locale, f, f.outcome).map(fact)}</table>`
    : '';
  return html`<h1>${serviceLabel(locale, f.serviceType)} · ${f.serviceId}</h1>
<section class="card"><p>${w.customer}: ${f.customer.name} · ${w.status}: <span class="status">${statusText(locale, f)}</span></p>
<p>${w.completedAt}: ${timeOn(locale, f.completedAt)} · ${w.due}: ${timeOn(locale, f.dueAt)}</p>
<h2>${w.history}</h2><table><thead>${headRow([w.attempt, w.channel, w.created, w.outcome, w.answers])}</thead><tbody>
${attempts.map(attemptRow)}
</tbody></table>
${outcome}
<p><a href="/follow-ups">${w.back}</a></p></section>`;
}

export function sendPage(locale: Locale, now: Date) {
  const w = wordsFor(locale);
  const completed = DateTime.fromJSDate(now).setZone(zone).minus({ hours: 1 }).toFormat("yyyy-MM-dd'T'HH:mm");
  const types = Object.entries(policyConfig.policies).map(([id, p]) => html`<option value="${id}">${p.label[locale]}</option>`);
  const english = raw(locale === 'en' ? ' selected' : '');
  const languages = html`<option value="zh-CN">中文</option><option value="en"${english}>English</option>`;
  return html`<h1>${w.send}</h1><form class="card" method="post" action="/send">
<p><label>${w.type} <select name="serviceType">${types}</select></label></p>
<p><label>${w.name} <input name="name" value="${locale === 'zh-CN' ? '张三' : 'Alex Chen'}" required></label>
<label>${w.phone} <input name="phone" value="+8613800138000"></label>
<label>${w.email} <input name="email" type="email" value="customer@example.com"></label>
<label>${w.language} <select name="locale">${languages}</select></label></p>
<p><label>${w.completedAt} <input type="datetime-local" name="completedAt" value="${completed}"></label></p>
<p><button type="submit">${w.sendButton}</button></p></form>`;
}
