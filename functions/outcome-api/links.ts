import { createHash } from 'node:crypto';
import { DateTime } from 'luxon';
import * as z from 'zod';
import { completeAttempt } from '../shared/attempt-planning.js';
import type { DepartmentNames } from '../shared/domain/complaint-content.js';
import { agentTaskFor, localeOf } from '../shared/domain/contact-content.js';
import { customerOf } from '../shared/domain/customer-key.js';
import type { EscalationConfig } from '../shared/domain/escalation-schema.js';
import { type Locale, localeSchema, type PolicyConfig, type Survey } from '../shared/domain/policy-schema.js';
import { type SigningKeys, verifyLink } from '../shared/domain/signed-link.js';
import { type Answers, answerProblem, answersSchema } from '../shared/domain/survey.js';
import { catalogues, translator } from '../shared/i18n/index.js';
import type { ComplaintStore } from '../shared/ports/complaint-store.js';
import type { FollowUpStore } from '../shared/ports/follow-up-store.js';
import type { RateLimiter } from '../shared/ports/rate-limiter.js';
import { taskClosed, type Workflow } from '../shared/ports/workflow.js';
import { joinedMatterForms, leadHeading, readJoinedAnswers, settleJoinedMatters } from './joined-matters.js';
import { agentFormPage, complaintPage, messagePage, surveyPage, thanksText, unsubscribedText, unsubscribePage } from './pages.js';

export interface LinkRequest {
  method: string;
  token: string;
  /** The submitted fields: a parsed JSON body, or form fields ("answers.overall" → answers.overall). */
  body?: Record<string, unknown>;
  wantsJson: boolean;
  /** The path the form posts back to. */
  action: string;
  /** The language the reader chose (`?lang=`): it wins over the customer's. */
  lang?: string;
  /** The browser's Accept-Language: used only when the link does not tell whose it is. */
  languages?: string;
}

export interface LinkResponse {
  statusCode: number;
  contentType: 'text/html; charset=utf-8' | 'application/json';
  body: string;
  headers?: Record<string, string>;
}

/** What a link answers to: GET shows its page, POST submits it. */
export const LINK_METHODS = ['GET', 'POST'] as const;

export interface LinkDeps {
  config: PolicyConfig;
  store: FollowUpStore;
  /** The next attempt is planned where its result is learnt: its contact's second under the channel's rate. */
  limiter: Pick<RateLimiter, 'reserve'>;
  complaints: ComplaintStore;
  workflow: Workflow;
  keys: SigningKeys;
  now: Date;
  /** For managers' links: their zone, language and level titles, and department names. */
  managers?: ManagerContext;
}

const agentResults = ['reached', 'no_answer', 'busy', 'call_back', 'refused', 'wrong_number'] as const;

const agentSubmissionSchema = z.object({
  result: z.enum(agentResults, { message: `expected one of ${agentResults.join(', ')}` }),
  callbackAt: z.string().optional(),
  complaint: z.union([z.boolean(), z.enum(['yes', 'on', 'true'])]).optional(),
  severity: z.enum(['urgent', 'major', 'general'], { message: 'expected urgent, major or general' }).optional(),
  answers: z.record(z.string(), z.unknown()).optional(),
  /** The agent's note (坐席备注): kept with the outcome and shown to managers if the call raised a complaint. */
  note: z.string().trim().max(2000, 'at most 2000 characters').optional(),
});

/** The codes a link answers with; each has a page title in the catalogue (`links.titles`). */
export type LinkCode = keyof (typeof catalogues)['en']['links']['titles'];
type LinkMessage = keyof (typeof catalogues)['en']['links']['messages'];

/** A catalogue message of section `links`, in the reader's language. */
export function linkMessage(locale: Locale, key: LinkMessage): string {
  return catalogues[locale].links.messages[key];
}

/**
 * Answers with a stable code for machines and words for people: the page's title comes from the
 * catalogue by code, the message is already in the reader's language.
 */
function respond(
  request: LinkRequest,
  locale: Locale,
  statusCode: number,
  code: LinkCode,
  message: string,
  html?: string,
  headers?: Record<string, string>,
): LinkResponse {
  if (request.wantsJson)
    return { statusCode, contentType: 'application/json', body: JSON.stringify({ code, message }), ...(headers ? { headers } : {}) };
  return {
    statusCode,
    contentType: 'text/html; charset=utf-8',
    body: html ?? messagePage(locale, catalogues[locale].links.titles[code], message),
    ...(headers ? { headers } : {}),
  };
}

/** A refused submission: the field for machines, a sentence naming the question for people, the form again with what was typed. */
function refuse(request: LinkRequest, field: string, message: string, form: (error: string) => string): LinkResponse {
  if (request.wantsJson)
    return { statusCode: 400, contentType: 'application/json', body: JSON.stringify({ code: 'invalid-field', field, message }) };
  return { statusCode: 400, contentType: 'text/html; charset=utf-8', body: form(message) };
}

function fieldError(error: z.ZodError, prefix: string[] = []): { field: string; message: string } {
  const issue = error.issues[0]!;
  return { field: [...prefix, ...issue.path.map(String)].join('.'), message: issue.message };
}

/** The agent's fields in words: which one is wrong, said as the form says it. */
function agentFieldMessage(locale: Locale, field: string): string {
  const t = translator(locale);
  if (field === 'result') return t('forms.errors.resultMissing');
  if (field === 'severity') return t('forms.errors.severity');
  if (field === 'callbackAt') return t('forms.errors.callbackAt');
  if (field === 'note') return t('complaints.errors.agentNoteTooLong');
  return t('forms.errors.field', { field });
}

/** The answer the survey refused, named by its question's text in the reader's language. */
function answerMessage(
  locale: Locale,
  survey: Survey,
  error: z.ZodError,
  submitted: Record<string, unknown>,
): { field: string; message: string } {
  const { questionId, problem } = answerProblem(survey, error.issues[0]!, submitted);
  const question = survey.questions.find((q) => q.id === questionId)?.text[locale] ?? questionId;
  const t = translator(locale);
  const message =
    problem === 'missing'
      ? t('forms.errors.answerMissing', { question })
      : problem === 'tooLong'
        ? t('forms.errors.answerTooLong', { question })
        : problem === 'unknown'
          ? t('forms.errors.answerUnknown', { field: questionId })
          : t('forms.errors.answerInvalid', { question });
  return { field: `answers.${questionId}`, message };
}

/** The reader's language when the link does not tell (a refused link): `?lang=` or Accept-Language, else the default. */
export function preferredLocale(languages: string | undefined, fallback: Locale): Locale {
  for (const part of (languages ?? '').split(',')) {
    const tag = part.split(';')[0]!.trim().toLowerCase();
    if (tag.startsWith('zh')) return 'zh-CN';
    if (tag.startsWith('en')) return 'en';
  }
  return fallback;
}

/** Answers a signed link: shows the form (GET) or records the submission and resumes the workflow (POST). */
export async function handleLink(request: LinkRequest, deps: LinkDeps): Promise<LinkResponse> {
  const chosen = localeSchema.safeParse(request.lang);
  const readerLocale = chosen.success ? chosen.data : preferredLocale(request.languages, deps.config.defaults.locale);
  // Any other method reaches the function (the route takes them all) and gets what HTTP says: 405 and Allow.
  if (!(LINK_METHODS as readonly string[]).includes(request.method)) {
    return respond(request, readerLocale, 405, 'method-not-allowed', linkMessage(readerLocale, 'methodNotAllowed'), undefined, {
      allow: LINK_METHODS.join(', '),
    });
  }
  const check = verifyLink(request.token, deps.keys, deps.now);
  if (!check.ok) {
    const status = check.reason === 'expired' ? 410 : check.reason === 'tampered' ? 403 : 400;
    return respond(request, readerLocale, status, `link-${check.reason}`, linkMessage(readerLocale, check.reason));
  }
  const { claims } = check;
  if (claims.purpose === 'acknowledge' || claims.purpose === 'resolve') return handleComplaintLink(request, claims, deps);
  if (claims.purpose === 'unsubscribe') return handleUnsubscribe(request, claims, deps);
  const { attempt, followUp } = await deps.store.getWithAttempt(claims.followUpId, claims.attempt);
  if (!attempt || !followUp) return respond(request, readerLocale, 404, 'link-unknown', linkMessage(readerLocale, 'unknown'));
  const locale = chosen.success ? chosen.data : localeOf(followUp, deps.config);
  if (attempt.usedAt) return respond(request, locale, 409, 'link-used', linkMessage(locale, 'used'));
  const policy = deps.config.policies[followUp.serviceType];
  const survey = policy ? deps.config.surveys[policy.survey] : undefined;
  if (!survey) return respond(request, locale, 410, 'follow-up-closed', linkMessage(locale, 'closed'));
  // A shared contact (一事一扰) records every matter it carried, each under its own survey.
  const joined = await joinedMatterForms(attempt, locale, deps.config, deps.store);
  const matters = joined.length > 0 ? { lead: leadHeading(followUp, locale, deps.config), joined } : undefined;

  const submitted = request.body ?? {};
  // A refused form comes back with what was typed: nobody enters the answers twice.
  const formFor = (error?: string, values?: Record<string, unknown>) =>
    claims.purpose === 'agent'
      ? agentFormPage(
          locale,
          survey,
          agentTaskFor(
            followUp,
            deps.config,
            survey,
            claims.attempt,
            request.action,
            undefined,
            joined.map((m) => m.followUp),
          ).description,
          request.action,
          error,
          values,
          matters,
        )
      : surveyPage(locale, survey, request.action, error, values, matters);

  if (request.method === 'GET') {
    if (request.wantsJson) {
      return {
        statusCode: 200,
        contentType: 'application/json',
        body: JSON.stringify({
          purpose: claims.purpose,
          followUpId: claims.followUpId,
          attempt: claims.attempt,
          survey: policy!.survey,
          questions: survey.questions.map((q) => ({ id: q.id, kind: q.kind, text: q.text[locale] })),
          ...(joined.length > 0
            ? {
                joined: joined.map((m) => ({
                  followUpId: m.followUpId,
                  heading: m.heading,
                  survey: m.surveyName,
                  questions: m.survey.questions.map((q) => ({ id: q.id, kind: q.kind, text: q.text[locale] })),
                })),
              }
            : {}),
        }),
      };
    }
    return { statusCode: 200, contentType: 'text/html; charset=utf-8', body: formFor() };
  }

  let result: (typeof agentResults)[number] = 'reached';
  let callbackAt: string | undefined;
  let complaint = false;
  let severity: 'urgent' | 'major' | 'general' | undefined;
  /** The form's one severity, for whichever matters are marked as complaints. */
  let chosenSeverity: typeof severity;
  let agentNote: string | undefined;
  let rawAnswers: unknown = submitted.answers ?? {};
  if (claims.purpose === 'agent') {
    const parsed = agentSubmissionSchema.safeParse(submitted);
    if (!parsed.success) {
      const { field } = fieldError(parsed.error);
      return refuse(request, field, agentFieldMessage(locale, field.split('.')[0]!), (message) => formFor(message, submitted));
    }
    result = parsed.data.result;
    complaint = parsed.data.complaint !== undefined && parsed.data.complaint !== false;
    severity = complaint ? parsed.data.severity : undefined;
    chosenSeverity = parsed.data.severity;
    agentNote = parsed.data.note || undefined;
    rawAnswers = parsed.data.answers ?? {};
    if (result === 'call_back') {
      const when = parsed.data.callbackAt;
      const at = when
        ? /[zZ]|[+-]\d\d:\d\d$/.test(when)
          ? DateTime.fromISO(when)
          : DateTime.fromISO(when, { zone: followUp.customer.timeZone ?? deps.config.defaults.timeZone })
        : undefined;
      if (!at?.isValid || at.toJSDate() <= deps.now) {
        return refuse(request, 'callbackAt', agentFieldMessage(locale, 'callbackAt'), (message) => formFor(message, submitted));
      }
      callbackAt = at.toJSDate().toISOString();
    }
  }
  const answers = answersSchema(survey, { requireAll: result === 'reached' }).safeParse(result === 'reached' ? rawAnswers : {});
  if (!answers.success) {
    const { field, message } = answerMessage(locale, survey, answers.error, (rawAnswers ?? {}) as Record<string, unknown>);
    return refuse(request, field, message, (text) => formFor(text, submitted));
  }
  const joinedAnswers = readJoinedAnswers(joined, submitted, result === 'reached', (form, error, typed) => {
    const { field, message } = answerMessage(locale, form.survey, error, typed);
    // "Matter 2: Vehicle delivery (service S-2): Please answer: …", punctuated as the reader's language is.
    return { field, message: translator(locale)('forms.errors.inMatter', { matter: form.heading, message }) };
  });
  if (!joinedAnswers.ok) return refuse(request, joinedAnswers.field, joinedAnswers.message, (text) => formFor(text, submitted));

  const stored = await deps.store.answerAttempt(claims.followUpId, claims.attempt, {
    result,
    callbackAt,
    answers: answers.data as Answers,
    agentMarkedComplaint: complaint,
    agentSeverity: severity,
    agentNote,
    usedAt: deps.now.toISOString(),
  });
  if (!stored) return respond(request, locale, 409, 'link-used', linkMessage(locale, 'used'));
  // The other matters first: should the lead's workflow have moved on, their answers are still kept.
  await settleJoinedMatters(
    attempt,
    joinedAnswers.answers,
    { result, callbackAt, agentNote, usedAt: deps.now.toISOString(), severity: chosenSeverity },
    deps,
  );
  try {
    await completeAttempt(
      { followUpId: claims.followUpId, attempt: claims.attempt, channel: attempt.channel, taskToken: attempt.taskToken },
      { result, ...(callbackAt ? { callbackAt } : {}) },
      deps,
      { followUp, attempt: { ...attempt, usedAt: deps.now.toISOString() } },
    );
  } catch (error) {
    if (taskClosed(error)) {
      return respond(request, locale, 410, 'follow-up-closed', linkMessage(locale, 'closedBeforeAnswer'));
    }
    await deps.store.reopenAttempt(claims.followUpId, claims.attempt);
    return respond(request, locale, 503, 'try-again', linkMessage(locale, 'tryAgain'));
  }
  return respond(request, locale, 200, 'recorded', thanksText(locale));
}

const resolutionSchema = z.object({ note: z.string().trim().max(2000, 'at most 2000 characters').optional() });

/** The managers' side of the links: their ladder (zone, language, level titles) and department names. */
export interface ManagerContext {
  escalation: Pick<EscalationConfig, 'locale' | 'timeZone' | 'levels'>;
  departments: DepartmentNames;
}

/**
 * A manager's acknowledge or resolve link: single use, only while the complaint is open, every
 * answer in the reader's language. A resolution needs a note saying what was done. What the
 * manager did is written on the complaint as soon as the workflow took it, so any reader (the
 * local manager view, a second link) sees it without waiting for the escalation's next step.
 */
async function handleComplaintLink(
  request: LinkRequest,
  claims: { followUpId: string; purpose: string },
  deps: LinkDeps,
): Promise<LinkResponse> {
  const chosen = localeSchema.safeParse(request.lang);
  const locale = chosen.success
    ? chosen.data
    : preferredLocale(request.languages, deps.managers?.escalation.locale ?? deps.config.defaults.locale);
  const t = translator(locale);
  const complaint = await deps.complaints.get(claims.followUpId);
  if (!complaint) return respond(request, locale, 404, 'link-unknown', linkMessage(locale, 'complaintUnknown'));
  if (['resolved', 'closed', 'unconfirmed'].includes(complaint.status))
    return respond(request, locale, 409, 'complaint-resolved', linkMessage(locale, 'complaintResolved'));
  if (claims.purpose === 'acknowledge' && complaint.status === 'acknowledged')
    return respond(request, locale, 409, 'complaint-acknowledged', linkMessage(locale, 'complaintAcknowledged'));
  const purpose = claims.purpose as 'acknowledge' | 'resolve';
  const context = {
    policies: deps.config,
    timeZone: deps.managers?.escalation.timeZone ?? deps.config.defaults.timeZone,
    levelTitle: (level: number, reader: Locale) => deps.managers?.escalation.levels[level - 1]?.title[reader],
    departments: deps.managers?.departments,
  };
  const pageWith = (error?: string, note?: string) => complaintPage(locale, complaint, purpose, request.action, context, error, note);
  if (request.method === 'GET') {
    if (request.wantsJson)
      return {
        statusCode: 200,
        contentType: 'application/json',
        body: JSON.stringify({ purpose, complaintId: complaint.complaintId, status: complaint.status, level: complaint.level }),
      };
    return { statusCode: 200, contentType: 'text/html; charset=utf-8', body: pageWith() };
  }
  const submitted = request.body ?? {};
  const parsed = resolutionSchema.safeParse(submitted);
  const typed = typeof submitted.note === 'string' ? submitted.note : '';
  if (!parsed.success) return refuse(request, 'note', t('complaints.errors.noteTooLong'), (message) => pageWith(message, typed));
  const note = parsed.data.note ?? '';
  if (purpose === 'resolve' && note === '')
    return refuse(request, 'note', t('complaints.errors.noteRequired'), (message) => pageWith(message, typed));
  if (!complaint.waitingToken) return respond(request, locale, 503, 'try-again', linkMessage(locale, 'escalationMoving'));
  const linkId = createHash('sha256').update(request.token).digest('hex');
  if (!(await deps.complaints.useLink(linkId, deps.now.toISOString())))
    return respond(request, locale, 409, 'link-used', t('complaints.messages.linkUsed'));
  const at = deps.now.toISOString();
  try {
    await deps.workflow.completeTask(complaint.waitingToken, {
      result: purpose === 'acknowledge' ? 'acknowledged' : 'resolved',
      note,
      by: `level-${complaint.level}`,
      at,
    });
  } catch (error) {
    if (taskClosed(error)) return respond(request, locale, 503, 'try-again', linkMessage(locale, 'escalationMovedOn'));
    throw error;
  }
  // After the workflow took it, never before: a task that timed out meanwhile leaves the complaint as it was.
  await deps.complaints.recordManagerAction(
    complaint.complaintId,
    complaint.cycle,
    purpose === 'acknowledge' ? { type: 'acknowledged', at } : { type: 'resolved', at, resolution: note },
  );
  return respond(
    request,
    locale,
    200,
    purpose === 'acknowledge' ? 'acknowledged' : 'resolved',
    linkMessage(locale, purpose === 'acknowledge' ? 'acknowledged' : 'resolved'),
  );
}

/** RFC 8058: a one-click POST carries exactly this field; the page's button posts it too. */
const unsubscribeSchema = z.object({ 'List-Unsubscribe': z.literal('One-Click', { message: 'expected One-Click' }).optional() });

/**
 * An email's unsubscribe link (the List-Unsubscribe header and the body's link). GET only shows a
 * confirmation page, since mail scanners and previews open links; POST, including a mail client's
 * RFC 8058 one-click request, records the opt-out with the same store call as a "Customer Opted
 * Out" event from the follow-up's source. Repeating it changes nothing, so it is not single use.
 */
async function handleUnsubscribe(request: LinkRequest, claims: { followUpId: string }, deps: LinkDeps): Promise<LinkResponse> {
  const followUp = await deps.store.get(claims.followUpId);
  if (!followUp)
    return respond(
      request,
      preferredLocale(request.languages, deps.config.defaults.locale),
      404,
      'link-unknown',
      linkMessage(preferredLocale(request.languages, deps.config.defaults.locale), 'unknown'),
    );
  const locale = localeOf(followUp, deps.config);
  if (request.method === 'GET') {
    if (request.wantsJson)
      return {
        statusCode: 200,
        contentType: 'application/json',
        body: JSON.stringify({ purpose: 'unsubscribe', followUpId: claims.followUpId }),
      };
    return { statusCode: 200, contentType: 'text/html; charset=utf-8', body: unsubscribePage(locale, request.action) };
  }
  const parsed = unsubscribeSchema.safeParse(request.body ?? {});
  if (!parsed.success) {
    const { field } = fieldError(parsed.error);
    return refuse(request, field, translator(locale)('forms.errors.field', { field }), () => unsubscribePage(locale, request.action));
  }
  await deps.store.optOut(customerOf(followUp), deps.now.toISOString());
  return respond(request, locale, 200, 'unsubscribed', unsubscribedText(locale));
}
