import { DateTime } from 'luxon';
import { z } from 'zod';
import type { PolicyConfig, Locale } from '../shared/domain/policy-schema.js';
import type { FollowUpStore } from '../shared/adapters/follow-up-store.js';
import type { Workflow } from '../shared/adapters/workflow.js';
import { verifyLink, type SigningKeys } from '../shared/domain/signed-link.js';
import { answersSchema, type Answers } from '../shared/domain/survey.js';
import { agentTaskFor, localeOf } from '../shared/domain/contact-content.js';
import { agentFormPage, messagePage, surveyPage, thanksText } from './pages.js';

export interface LinkRequest {
  method: string;
  token: string;
  /** The submitted fields: a parsed JSON body, or form fields ("answers.overall" → answers.overall). */
  body?: Record<string, unknown>;
  wantsJson: boolean;
  /** The path the form posts back to. */
  action: string;
}

export interface LinkResponse {
  statusCode: number;
  contentType: 'text/html; charset=utf-8' | 'application/json';
  body: string;
}

export interface LinkDeps {
  config: PolicyConfig;
  store: FollowUpStore;
  workflow: Workflow;
  keys: SigningKeys;
  now: Date;
}

const agentResults = ['reached', 'no_answer', 'busy', 'call_back', 'refused', 'wrong_number'] as const;

const agentSubmissionSchema = z.object({
  result: z.enum(agentResults, { message: `expected one of ${agentResults.join(', ')}` }),
  callbackAt: z.string().optional(),
  complaint: z.union([z.boolean(), z.enum(['yes', 'on', 'true'])]).optional(),
  answers: z.record(z.string(), z.unknown()).optional(),
});

/** Form fields arrive flat and as strings; blank ones mean "not answered". */
export function formToObject(fields: URLSearchParams): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of fields) {
    if (value === '') continue;
    const [head, tail] = name.split('.', 2);
    if (tail !== undefined && head === 'answers') {
      out.answers = { ...(out.answers as object), [tail]: value };
    } else {
      out[name] = value;
    }
  }
  return out;
}

function respond(request: LinkRequest, locale: Locale, statusCode: number, code: string, message: string, html?: string): LinkResponse {
  if (request.wantsJson) return { statusCode, contentType: 'application/json', body: JSON.stringify({ code, message }) };
  return { statusCode, contentType: 'text/html; charset=utf-8', body: html ?? messagePage(locale, code, message) };
}

function fieldError(error: z.ZodError, prefix: string[] = []): { field: string; message: string } {
  const issue = error.issues[0]!;
  return { field: [...prefix, ...issue.path.map(String)].join('.'), message: issue.message };
}

/** Answers a signed link: shows the form (GET) or records the submission and resumes the workflow (POST). */
export async function handleLink(request: LinkRequest, deps: LinkDeps): Promise<LinkResponse> {
  const fallbackLocale = deps.config.defaults.locale;
  const check = verifyLink(request.token, deps.keys, deps.now);
  if (!check.ok) {
    const status = check.reason === 'expired' ? 410 : check.reason === 'tampered' ? 403 : 400;
    return respond(request, fallbackLocale, status, `link-${check.reason}`, check.message);
  }
  const { claims } = check;
  const [attempt, followUp] = await Promise.all([deps.store.getAttempt(claims.followUpId, claims.attempt), deps.store.get(claims.followUpId)]);
  if (!attempt || !followUp) return respond(request, fallbackLocale, 404, 'link-unknown', 'This follow-up no longer exists.');
  const locale = localeOf(followUp, deps.config);
  if (attempt.usedAt) return respond(request, locale, 409, 'link-used', 'This link has already been used. Thank you.');
  const policy = deps.config.policies[followUp.serviceType];
  const survey = policy ? deps.config.surveys[policy.survey] : undefined;
  if (!survey) return respond(request, locale, 410, 'follow-up-closed', 'This follow-up is closed.');

  const formFor = (error?: string) =>
    claims.purpose === 'agent'
      ? agentFormPage(locale, survey, agentTaskFor(followUp, deps.config, survey, claims.attempt, request.action).description, request.action, error)
      : surveyPage(locale, survey, request.action, error);

  if (request.method === 'GET') {
    if (request.wantsJson) {
      return { statusCode: 200, contentType: 'application/json', body: JSON.stringify({ purpose: claims.purpose, followUpId: claims.followUpId, attempt: claims.attempt, survey: policy!.survey, questions: survey.questions.map((q) => ({ id: q.id, kind: q.kind, text: q.text[locale] })) }) };
    }
    return { statusCode: 200, contentType: 'text/html; charset=utf-8', body: formFor() };
  }
  if (request.method !== 'POST') return respond(request, locale, 405, 'method-not-allowed', 'Use GET to open the link and POST to submit it.');

  let result: (typeof agentResults)[number] = 'reached';
  let callbackAt: string | undefined;
  let complaint = false;
  let rawAnswers: unknown = request.body?.answers ?? {};
  if (claims.purpose === 'agent') {
    const parsed = agentSubmissionSchema.safeParse(request.body ?? {});
    if (!parsed.success) {
      const { field, message } = fieldError(parsed.error);
      return respond(request, locale, 400, 'invalid-field', `${field}: ${message}`, formFor(`${field}: ${message}`));
    }
    result = parsed.data.result;
    complaint = parsed.data.complaint !== undefined && parsed.data.complaint !== false;
    rawAnswers = parsed.data.answers ?? {};
    if (result === 'call_back') {
      const when = parsed.data.callbackAt;
      const at = when ? (/[zZ]|[+-]\d\d:\d\d$/.test(when) ? DateTime.fromISO(when) : DateTime.fromISO(when, { zone: followUp.customer.timeZone ?? deps.config.defaults.timeZone })) : undefined;
      if (!at || !at.isValid || at.toJSDate() <= deps.now) {
        const message = 'callbackAt: expected a future date and time for the call back';
        return respond(request, locale, 400, 'invalid-field', message, formFor(message));
      }
      callbackAt = at.toJSDate().toISOString();
    }
  }
  const answers = answersSchema(survey, { requireAll: result === 'reached' }).safeParse(result === 'reached' ? rawAnswers : {});
  if (!answers.success) {
    const { field, message } = fieldError(answers.error, ['answers']);
    return respond(request, locale, 400, 'invalid-field', `${field}: ${message}`, formFor(`${field}: ${message}`));
  }

  const stored = await deps.store.answerAttempt(claims.followUpId, claims.attempt, {
    result,
    callbackAt,
    answers: answers.data as Answers,
    agentMarkedComplaint: complaint,
    usedAt: deps.now.toISOString(),
  });
  if (!stored) return respond(request, locale, 409, 'link-used', 'This link has already been used. Thank you.');
  try {
    await deps.workflow.completeTask(attempt.taskToken, { result, ...(callbackAt ? { callbackAt } : {}) });
  } catch (error) {
    const name = (error as { name?: string }).name ?? '';
    if (['TaskTimedOut', 'TaskDoesNotExist', 'InvalidToken'].includes(name)) {
      return respond(request, locale, 410, 'follow-up-closed', 'This follow-up was closed before your answer arrived.');
    }
    await deps.store.reopenAttempt(claims.followUpId, claims.attempt);
    return respond(request, locale, 503, 'try-again', 'We could not record this right now. Please try again in a minute.');
  }
  return respond(request, locale, 200, 'recorded', thanksText(locale));
}
