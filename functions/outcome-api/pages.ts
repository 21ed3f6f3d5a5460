import { html, raw } from 'hono/html';
import type { Complaint } from '../shared/domain/complaint.js';
import { type ComplaintSummary, complaintSummary, type DepartmentNames } from '../shared/domain/complaint-content.js';
import type { Locale, PolicyConfig, Survey } from '../shared/domain/policy-schema.js';
import { catalogues, codeLabel, formatDateTime, translator } from '../shared/i18n/index.js';

/** Server-rendered pages of the outcome API: the agent's outcome form and the customer's survey. */
const t = (locale: Locale) => ({
  ...catalogues[locale].forms,
  severities: catalogues[locale].codes.severity,
  ...catalogues[locale].codes.yesNo,
});

const page = (locale: Locale, title: string, body: unknown) => html`<!doctype html>
<html lang="${locale}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${title}</title>
<style>
body{font-family:system-ui,"PingFang SC","Microsoft YaHei","Noto Sans CJK SC",sans-serif;
max-width:640px;margin:2rem auto;padding:0 1rem;color:#1d2733}
fieldset{border:1px solid #ccd;border-radius:6px;margin:0 0 1rem}
label{display:block;margin:.3rem 0}
button{padding:.6rem 1.2rem;background:#0b5cad;color:#fff;border:0;border-radius:4px;font-size:1rem}
.error{background:#fde8e8;border:1px solid #e0a0a0;padding:.6rem;border-radius:4px}</style></head>
<body><h1>${title}</h1>${body}</body></html>`;

/** What the reader had entered, when a refused form comes back: field name → submitted value. */
export type FormValues = Record<string, unknown>;

const checked = (on: boolean) => raw(on ? ' checked' : '');
const selected = (on: boolean) => raw(on ? ' selected' : '');
const required = (on: boolean) => raw(on ? ' required' : '');
const text = (value: unknown) => (typeof value === 'string' || typeof value === 'number' ? String(value) : '');

/** A shared contact's matters (一事一扰): the lead's heading and each other matter with its own survey. */
export interface FormMatters {
  lead: string;
  joined: { followUpId: string; heading: string; survey: Survey }[];
}

export function questionFields(survey: Survey, locale: Locale, enforceRequired: boolean, answers: FormValues = {}, prefix = 'answers') {
  const w = t(locale);
  return survey.questions.map((q) => {
    const name = `${prefix}.${q.id}`;
    const req = enforceRequired && q.required;
    const value = text(answers[q.id]);
    if (q.kind === 'yesNo') {
      return html`<fieldset><legend>${q.text[locale]}</legend>
<label><input type="radio" name="${name}" value="yes"${required(req)}${checked(value === 'yes')}> ${w.yes}</label>
<label><input type="radio" name="${name}" value="no"${checked(value === 'no')}> ${w.no}</label></fieldset>`;
    }
    if (q.kind === 'score') {
      const scale = [1, 2, 3, 4, 5].map((n) => {
        const radio = html`<input type="radio" name="${name}" value="${n}"${required(n === 1 && req)}${checked(value === String(n))}>`;
        return html`<label style="display:inline-block;margin-right:1rem">${radio} ${n}</label>`;
      });
      return html`<fieldset><legend>${q.text[locale]}</legend>${scale}</fieldset>`;
    }
    const legend = html`<legend>${q.text[locale]} ${w.optional}</legend>`;
    return html`<fieldset>${legend}<textarea name="${name}" rows="3" style="width:100%">${value}</textarea></fieldset>`;
  });
}

/** What was typed for a joined matter, when a refused form comes back. */
function joinedValues(values: FormValues, followUpId: string): FormValues {
  const joined = (values.joined && typeof values.joined === 'object' ? values.joined : {}) as Record<string, FormValues>;
  return joined[followUpId] ?? {};
}

/**
 * The questions of every matter, each under its heading: the lead's as `answers.*`, another
 * matter's as `joined.<followUpId>.answers.*` (and, for the agent, its own complaint flag).
 */
function matterSections(
  locale: Locale,
  survey: Survey,
  enforceRequired: boolean,
  values: FormValues,
  matters: FormMatters | undefined,
  agent: boolean,
) {
  const answers = (values.answers && typeof values.answers === 'object' ? values.answers : {}) as FormValues;
  const lead = questionFields(survey, locale, enforceRequired, answers);
  if (!matters) return lead;
  const others = matters.joined.map((m) => {
    const typed = joinedValues(values, m.followUpId);
    const typedAnswers = (typed.answers && typeof typed.answers === 'object' ? typed.answers : {}) as FormValues;
    const complaint = agent ? complaintBox(locale, `joined.${m.followUpId}.complaint`, typed.complaint) : '';
    const fields = questionFields(m.survey, locale, enforceRequired, typedAnswers, `joined.${m.followUpId}.answers`);
    return html`<section data-matter="${m.followUpId}"><h2>${m.heading}</h2>${fields}${complaint}</section>`;
  });
  // Each matter's complaint box sits in its own section, the lead's too: one box below them all would read as "any of them".
  const leadComplaint = agent ? complaintBox(locale, 'complaint', values.complaint) : '';
  return html`<section data-matter="lead"><h2>${matters.lead}</h2>${lead}${leadComplaint}</section>${others}`;
}

/** The agent's "the customer has a complaint" box, ticked again when a refused form comes back with it ticked. */
function complaintBox(locale: Locale, name: string, typed: unknown) {
  const flagged = typed !== undefined && typed !== false;
  return html`<label><input type="checkbox" name="${name}" value="yes"${checked(flagged)}> ${t(locale).complaint}</label>`;
}

/** The agent's outcome fields: result, call-back time, the survey's questions, complaint flag; `values` refills them. */
export function agentOutcomeFields(locale: Locale, survey: Survey, values: FormValues = {}, matters?: FormMatters) {
  const w = t(locale);
  const options = Object.entries(w.results).map(
    ([value, label]) =>
      html`<label><input type="radio" name="result" value="${value}" required${checked(values.result === value)}> ${label}</label>`,
  );
  const severities = (['urgent', 'major', 'general'] as const).map(
    (s) => html`<option value="${s}"${selected(values.severity === s)}>${w.severities[s]}</option>`,
  );
  const noteLabel = `${catalogues[locale].complaints.fields.agentNote} ${w.optional}`;
  return html`<fieldset><legend>${w.result}</legend>${options}</fieldset>
<label>${w.callbackAt} <input type="datetime-local" name="callbackAt" value="${text(values.callbackAt)}"></label>
${matterSections(locale, survey, false, values, matters, true)}
${matters ? '' : complaintBox(locale, 'complaint', values.complaint)}
<label>${w.severity} <select name="severity"><option value="">—</option>${severities}</select></label>
<label>${noteLabel}<br><textarea name="note" rows="3" maxlength="2000" style="width:100%">${text(values.note)}</textarea></label>
<p><button type="submit">${w.submit}</button></p>`;
}

export function agentFormPage(
  locale: Locale,
  survey: Survey,
  script: string,
  action: string,
  error?: string,
  values?: FormValues,
  matters?: FormMatters,
) {
  const w = t(locale);
  return page(
    locale,
    w.agentTitle,
    html`${error ? html`<p class="error" role="alert">${error}</p>` : ''}
<pre style="white-space:pre-wrap;background:#f4f6f8;padding:.8rem;border-radius:4px">${script}</pre>
<form method="post" action="${action}">${agentOutcomeFields(locale, survey, values, matters)}</form>`,
  ).toString();
}

export function surveyPage(locale: Locale, survey: Survey, action: string, error?: string, values: FormValues = {}, matters?: FormMatters) {
  const w = t(locale);
  return page(
    locale,
    survey.title[locale] ?? w.surveyTitle,
    html`${error ? html`<p class="error" role="alert">${error}</p>` : ''}
<form method="post" action="${action}">${matterSections(locale, survey, true, values, matters, false)}
<p><button type="submit">${w.submit}</button></p></form>`,
  ).toString();
}

/**
 * What the manager's page shows beside the complaint: the policies (labels, surveys), the
 * managers' zone, level titles, department names.
 */
export interface ComplaintPageContext {
  policies: PolicyConfig;
  timeZone: string;
  levelTitle?: (level: number, locale: Locale) => string | undefined;
  departments?: DepartmentNames;
}

/**
 * A manager's acknowledge or resolve page: what the complaint is about (service, customer, the
 * answers under their questions, the customer's words, the agent's note), its time limits in the
 * managers' zone, and the form; a refused resolution comes back with the note as typed.
 */
/** The customer's answers under their questions, those that raised the complaint marked; or "none". */
export function complaintAnswers(answers: ComplaintSummary['answers'], none: string) {
  if (answers.length === 0) return html`<p>${none}</p>`;
  const item = (a: ComplaintSummary['answers'][number]) => {
    const mark = a.raisedComplaint ? raw(' style="color:#b42318"') : '';
    return html`<li>${a.question} <strong${mark}>${a.answer}${a.raisedComplaint ? ' ⚠' : ''}</strong></li>`;
  };
  return html`<ul data-testid="complaint-answers">${answers.map(item)}</ul>`;
}

/** The resolution's text box, refilled with what the manager typed when a resolution was refused. */
export function resolutionField(locale: Locale, note: string, size: { rows: number; width: string }) {
  const t = translator(locale);
  const placeholder = t('complaints.page.notePlaceholder');
  const attributes = html`rows="${size.rows}" maxlength="2000" placeholder="${placeholder}" style="width:${size.width}"`;
  const box = html`<textarea name="note" ${attributes}>${note}</textarea>`;
  return html`<label>${t('complaints.fields.resolution')}<br>${box}</label>`;
}

const QUOTE_STYLE = 'white-space:pre-wrap;margin:0 0 1rem;padding:.4rem .8rem;border-left:3px solid #ccd';

export function complaintPage(
  locale: Locale,
  complaint: Complaint,
  purpose: 'acknowledge' | 'resolve',
  action: string,
  context: ComplaintPageContext,
  error?: string,
  note = '',
) {
  const t = translator(locale);
  const summary = complaintSummary(complaint, locale, context.policies, context.departments);
  const none = t('complaints.fields.none');
  const time = (iso: string) => formatDateTime(iso, locale, context.timeZone);
  const title = purpose === 'acknowledge' ? t('complaints.page.acknowledgeTitle') : t('complaints.page.resolveTitle');
  const button = purpose === 'acknowledge' ? t('complaints.page.acknowledgeButton') : t('complaints.page.resolveButton');
  const levelTitle = context.levelTitle?.(complaint.level, locale);
  const rows: [string, string][] = [
    [t('complaints.fields.service'), summary.service],
    [t('complaints.fields.customer'), summary.customer],
    [t('complaints.fields.department'), summary.department],
    [t('complaints.fields.severity'), summary.severity],
    [t('complaints.fields.status'), codeLabel(locale, 'complaintStatus', complaint.status)],
    [
      t('complaints.fields.level'),
      levelTitle ? t('complaints.values.level', { level: complaint.level, title: levelTitle }) : `L${complaint.level}`,
    ],
    [t('complaints.fields.raised'), time(complaint.raisedAt)],
    [t('complaints.fields.ackBy'), time(complaint.acknowledgeBy)],
    [t('complaints.fields.resolveBy'), time(complaint.resolveBy)],
  ];
  const fact = ([name, value]: [string, string]) =>
    html`<tr><th style="text-align:left;padding:.2rem 1rem .2rem 0">${name}</th><td>${value}</td></tr>`;
  const quote = (testId: string, text: string) => html`<blockquote data-testid="${testId}" style="${QUOTE_STYLE}">${text}</blockquote>`;
  return page(
    locale,
    title,
    html`${error ? html`<p class="error" role="alert">${error}</p>` : ''}
<table data-testid="complaint-facts" style="border-collapse:collapse">${rows.map(fact)}</table>
<h2>${t('complaints.fields.answers')}</h2>
${complaintAnswers(summary.answers, none)}
<h2>${t('complaints.fields.comment')}</h2>
${quote('complaint-comment', summary.comments.map((c) => c.answer).join('\n') || none)}
<h2>${t('complaints.fields.agentNote')}</h2>
${quote('complaint-agent-note', summary.agentNote ?? none)}
<form method="post" action="${action}">
${purpose === 'resolve' ? resolutionField(locale, note, { rows: 4, width: '100%' }) : ''}
<p><button type="submit">${button}</button></p></form>`,
  ).toString();
}

export function messagePage(locale: Locale, title: string, message: string) {
  return page(locale, title, html`<p role="status">${message}</p>`).toString();
}

export function thanksText(locale: Locale) {
  return t(locale).thanks;
}

const unsubscribeWords = (locale: Locale) => catalogues[locale].unsubscribe;

/** The unsubscribe link's page: opening it changes nothing (mail scanners open links); the button posts the one-click body. */
export function unsubscribePage(locale: Locale, action: string) {
  const w = unsubscribeWords(locale);
  return page(
    locale,
    w.title,
    html`<p>${w.confirm}</p>
<form method="post" action="${action}"><input type="hidden" name="List-Unsubscribe" value="One-Click">
<p><button type="submit">${w.button}</button></p></form>`,
  ).toString();
}

export function unsubscribedText(locale: Locale) {
  return unsubscribeWords(locale).done;
}
