import { DateTime } from 'luxon';
import { policyConfig } from '../functions/shared/config/policies.js';
import type { Survey } from '../functions/shared/domain/policy-schema.js';
import { between, draw, type Scenario } from './scenario.js';
import type { LocalStack } from './stack.js';

/**
 * How simulated customers answer. Every decision is a draw keyed by the follow-up and attempt,
 * so a replay of the same scenario gives the same answers whatever order things happen in.
 */
export type Behaviour = Scenario['behaviour'];

export function pickScore(seed: number, key: string, weights: readonly number[]): number {
  const total = weights.reduce((a, b) => a + b, 0);
  let r = draw(seed, key) * total;
  for (let i = 0; i < weights.length; i += 1) {
    r -= weights[i]!;
    if (r < 0) return i + 1;
  }
  return weights.length;
}

export function surveyAnswers(seed: number, key: string, survey: Survey, behaviour: Behaviour): Record<string, string | number> {
  const complaining = draw(seed, `complaint:${key}`) < behaviour.complaintRate;
  const answers: Record<string, string | number> = {};
  for (const q of survey.questions) {
    if (q.kind === 'score') {
      answers[q.id] =
        complaining && q.complaintAtOrBelow !== undefined ? 1 : pickScore(seed, `score:${key}:${q.id}`, behaviour.scoreWeights);
    } else if (q.kind === 'yesNo') {
      if (q.id === 'appointmentBooked') answers[q.id] = draw(seed, `appointment:${key}`) < behaviour.appointmentRate ? 'yes' : 'no';
      else if (q.complaintWhen) answers[q.id] = complaining ? q.complaintWhen : q.complaintWhen === 'yes' ? 'no' : 'yes';
      else answers[q.id] = draw(seed, `yes:${key}:${q.id}`) < 0.9 ? 'yes' : 'no';
    } else if (draw(seed, `text:${key}:${q.id}`) < 0.3) {
      answers[q.id] = complaining ? 'Not happy with the service.' : 'Fine, thank you.';
    }
  }
  return answers;
}

/** A matter a shared contact (一事一扰) carries besides its lead's, as the link's JSON lists it. */
export interface CarriedMatter {
  followUpId: string;
  survey: Survey;
}

/** The matters a contact link carries besides its lead's, read from its JSON form (none when the link no longer opens). */
export async function carriedMatters(stack: Pick<LocalStack, 'fetch'>, link: string): Promise<CarriedMatter[]> {
  const page = await stack.fetch(link, { headers: { accept: 'application/json' } });
  if (page.status !== 200) return [];
  const { joined = [] } = (await page.json()) as { joined?: { followUpId: string; survey: string }[] };
  return joined.map((m) => ({ followUpId: m.followUpId, survey: policyConfig.surveys[m.survey]! }));
}

/** The key a carried matter's answers are drawn under: its own, so the matters of one contact answer independently. */
export const matterKey = (key: string, followUpId: string) => `${key}:matter:${followUpId}`;

/** The submission's `joined` part: each carried matter answered under its own key, as the customer answers it on the call or page. */
export function joinedAnswers(
  seed: number,
  key: string,
  matters: CarriedMatter[],
  behaviour: Behaviour,
): Record<string, { answers: Record<string, string | number> }> {
  return Object.fromEntries(
    matters.map((m) => [m.followUpId, { answers: surveyAnswers(seed, matterKey(key, m.followUpId), m.survey, behaviour) }]),
  );
}

/** What happens when an agent calls: the body the agent submits on the outcome form. */
export function phoneCall(
  seed: number,
  key: string,
  survey: Survey,
  behaviour: Behaviour,
  now: number,
  timeZone: string,
): Record<string, unknown> {
  if (draw(seed, `answer:${key}`) >= behaviour.answerRate) {
    return { result: draw(seed, `busy:${key}`) < behaviour.busyShare ? 'busy' : 'no_answer' };
  }
  const r = draw(seed, `reached:${key}`);
  if (r < behaviour.refuseRate) return { result: 'refused' };
  if (r < behaviour.refuseRate + behaviour.callbackRate) {
    const at = DateTime.fromMillis(now, { zone: timeZone }).plus({ hours: Math.round(between(seed, `callback:${key}`, [2, 26])) });
    return { result: 'call_back', callbackAt: at.toISO() };
  }
  return { result: 'reached', answers: surveyAnswers(seed, key, survey, behaviour) };
}

/** Whether and when a customer answers an emailed survey. */
export function emailReply(seed: number, key: string, behaviour: Behaviour): { afterMs: number } | undefined {
  if (draw(seed, `reply:${key}`) >= behaviour.emailReplyRate) return undefined;
  return { afterMs: Math.round(between(seed, `replyDelay:${key}`, behaviour.emailReplyHours) * 3_600_000) };
}
