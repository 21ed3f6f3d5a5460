import type * as z from 'zod';
import { completeAttemptIfWaiting, type PlanningDeps } from '../shared/attempt-planning.js';
import { messagesFor } from '../shared/domain/contact-content.js';
import type { FollowUp } from '../shared/domain/follow-up.js';
import { joinedToId } from '../shared/domain/merge.js';
import type { Locale, PolicyConfig, Survey } from '../shared/domain/policy-schema.js';
import { type Answers, answersSchema } from '../shared/domain/survey.js';
import type { AttemptRecord, FollowUpStore, JoinedSettlement } from '../shared/ports/follow-up-store.js';

/**
 * The other matters a shared contact (一事一扰) carries, as its form shows and records them: each
 * with its own survey, answers and complaint flag, under `joined.<followUpId>` in the submission.
 */
export interface JoinedMatterForm {
  followUpId: string;
  attempt: number;
  /** "Matter 2: Vehicle repair (service S-2)", in the reader's language. */
  heading: string;
  survey: Survey;
  surveyName: string;
  /** The matter's follow-up, for the agent's script. */
  followUp: FollowUp;
}

/** The lead attempt's joined matters that still have a policy and survey; matter 1 is the lead's own. */
export async function joinedMatterForms(
  lead: AttemptRecord,
  locale: Locale,
  config: PolicyConfig,
  store: Pick<FollowUpStore, 'get'>,
): Promise<JoinedMatterForm[]> {
  const w = messagesFor(locale);
  const loaded = await Promise.all((lead.joined ?? []).map(async (matter) => ({ matter, followUp: await store.get(matter.followUpId) })));
  const forms: JoinedMatterForm[] = [];
  for (const { matter, followUp } of loaded) {
    const policy = followUp ? config.policies[followUp.serviceType] : undefined;
    const survey = policy ? config.surveys[policy.survey] : undefined;
    if (!followUp || !policy || !survey) continue;
    forms.push({
      ...matter,
      heading: w.matter(forms.length + 2, policy.label[locale], followUp.serviceId),
      survey,
      surveyName: policy.survey,
      followUp,
    });
  }
  return forms;
}

/** The lead matter's heading on a shared contact's form. */
export function leadHeading(followUp: FollowUp, locale: Locale, config: PolicyConfig): string {
  return messagesFor(locale).matter(1, config.policies[followUp.serviceType]!.label[locale], followUp.serviceId);
}

/** What a submission says about one joined matter. */
function submittedFor(body: Record<string, unknown>, followUpId: string): { answers: Record<string, unknown>; complaint: boolean } {
  const joined = body.joined && typeof body.joined === 'object' ? (body.joined as Record<string, unknown>) : {};
  const entry = joined[followUpId] && typeof joined[followUpId] === 'object' ? (joined[followUpId] as Record<string, unknown>) : {};
  const answers = entry.answers && typeof entry.answers === 'object' ? (entry.answers as Record<string, unknown>) : {};
  const complaint = entry.complaint !== undefined && entry.complaint !== false && entry.complaint !== 'false';
  return { answers, complaint };
}

export interface JoinedAnswer {
  form: JoinedMatterForm;
  answers: Answers;
  complaint: boolean;
}

/**
 * Each joined matter's answers checked against its own survey (all required when the customer was
 * reached); the first refusal names its field (`joined.<id>.answers.<question>`), and `refusal` words it with the matter.
 */
export function readJoinedAnswers(
  forms: JoinedMatterForm[],
  body: Record<string, unknown>,
  reached: boolean,
  refusal: (form: JoinedMatterForm, error: z.ZodError, submitted: Record<string, unknown>) => { field: string; message: string },
): { ok: true; answers: JoinedAnswer[] } | { ok: false; field: string; message: string } {
  const answers: JoinedAnswer[] = [];
  for (const form of forms) {
    const submitted = submittedFor(body, form.followUpId);
    const parsed = answersSchema(form.survey, { requireAll: reached }).safeParse(reached ? submitted.answers : {});
    if (!parsed.success) {
      const { field, message } = refusal(form, parsed.error, submitted.answers);
      return { ok: false, field: `joined.${form.followUpId}.${field}`, message };
    }
    answers.push({ form, answers: parsed.data as Answers, complaint: submitted.complaint });
  }
  return { ok: true, answers };
}

/**
 * Records the shared contact's result and each matter's own answers on the matter's attempt, and
 * hands it to the matter's workflow if it already waits; one still before its due time finds it there.
 */
export async function settleJoinedMatters(
  lead: AttemptRecord,
  answered: JoinedAnswer[],
  shared: Omit<JoinedSettlement, 'answers' | 'agentMarkedComplaint' | 'agentSeverity' | 'joinedTo' | 'channel'> & {
    severity?: JoinedSettlement['agentSeverity'];
  },
  deps: PlanningDeps,
): Promise<void> {
  const joinedTo = joinedToId(lead.followUpId, lead.attempt);
  for (const { form, answers, complaint } of answered) {
    const { settled, taskToken } = await deps.store.settleJoined(form.followUpId, form.attempt, {
      channel: lead.channel,
      result: shared.result,
      callbackAt: shared.callbackAt,
      answers,
      agentMarkedComplaint: complaint,
      agentSeverity: complaint ? shared.severity : undefined,
      agentNote: shared.agentNote,
      usedAt: shared.usedAt,
      joinedTo,
    });
    if (settled && taskToken)
      await completeAttemptIfWaiting(
        { followUpId: form.followUpId, attempt: form.attempt, channel: lead.channel, taskToken },
        { result: shared.result, ...(shared.callbackAt ? { callbackAt: shared.callbackAt } : {}) },
        deps,
      );
  }
}
