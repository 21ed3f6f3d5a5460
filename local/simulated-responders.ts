import { policyConfig } from '../functions/shared/config/policies.js';
import type { SentSms } from './cloud/sms.js';
import { LOCAL_TWO_WAY_NUMBER } from './cloud/sms-replies.js';
import { between, draw, type Scenario } from './scenario.js';
import { emailReply, joinedAnswers, pickScore, surveyAnswers } from './simulated-people.js';
import type { LocalStack } from './stack.js';

/**
 * Managers reading complaint notifications: some acknowledge after a while, some resolve later;
 * a manager who lets it slide is chased and, in time, passed over.
 */
export function simulateManagers(stack: LocalStack, s: Scenario) {
  const post = (url: string, body: Record<string, unknown>) =>
    stack.fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify(body),
    });
  stack.cloud.onAgentTask((task) => {
    if (!task.attributes.complaintId) return;
    const key = task.clientToken || task.contactId;
    const created = Date.parse(task.createdAt);
    const m = s.managers;
    if (task.references.acknowledge && draw(s.seed, `ack:${key}`) < m.acknowledgeRate) {
      const when = created + Math.round(between(s.seed, `ackAfter:${key}`, m.acknowledgeAfterHours) * 3_600_000);
      stack.clock.timer(when, () => void stack.clock.track(() => post(task.references.acknowledge!, {})), `ack:${key}`);
    }
    if (draw(s.seed, `resolve:${key}`) < m.resolveRate) {
      const when = created + Math.round(between(s.seed, `resolveAfter:${key}`, m.resolveAfterHours) * 3_600_000);
      stack.clock.timer(
        when,
        () => void stack.clock.track(() => post(task.outcomeFormUrl, { note: 'handled in simulation' })),
        `resolve:${key}`,
      );
    }
  });
}

/** A customer opening a survey link and submitting the answers: every matter's, when the email covers several (一事一扰). */
async function answerSurveyLink(stack: LocalStack, s: Scenario, link: string, key: string) {
  const page = await stack.fetch(link, { headers: { accept: 'application/json' } });
  if (page.status !== 200) return;
  const form = (await page.json()) as { survey: string; joined?: { followUpId: string; survey: string }[] };
  const survey = policyConfig.surveys[form.survey]!;
  const matters = (form.joined ?? []).map((m) => ({ followUpId: m.followUpId, survey: policyConfig.surveys[m.survey]! }));
  await stack.fetch(link, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({
      answers: surveyAnswers(s.seed, key, survey, s.behaviour),
      ...(matters.length > 0 ? { joined: joinedAnswers(s.seed, key, matters, s.behaviour) } : {}),
    }),
  });
}

/** Customers reading their mail: some answer the survey after a while. */
export function simulateInboxes(stack: LocalStack, s: Scenario) {
  stack.cloud.onEmail((email) => {
    const link = /https?:\/\/\S+\/links\/[\w.-]+/.exec(email.text)?.[0];
    if (!link) return;
    const token = link.split('/links/')[1]!;
    const claims = JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString('utf8')) as { f: string; a: number; p: string };
    if (claims.p !== 'survey') return;
    const key = `${claims.f}-${claims.a}`;
    const reply = emailReply(s.seed, key, s.behaviour);
    if (!reply) return;
    const followUp = claims.f;
    stack.clock.timer(
      stack.clock.nowMs() + reply.afterMs,
      () => void stack.clock.track(() => answerSurveyLink(stack, s, link, key)),
      `reply:${followUp}:${claims.a}`,
    );
  });
}

/** The follow-up attempt a survey text is for (AWS Context, Alibaba OutId "<followUpId>#<attempt>"); care texts have none. */
function surveyTextKey(sms: SentSms): string | undefined {
  if (sms.provider === 'aws') return sms.context.kind === 'follow-up' ? `${sms.context.followUpId}-${sms.context.attempt}` : undefined;
  const match = /^(.+)#(\d+)$/.exec(sms.context.outId ?? '');
  return match ? `${match[1]}-${match[2]}` : undefined;
}

/**
 * Customers reading a survey text: `sms.replyRate` of them answer after a while. An End User
 * Messaging text is answered with a score through the same local reply path as the /sms page's
 * reply box (the two-way topic); an Alibaba (+86) text through its survey link, since a reply to
 * Alibaba's number never reaches the two-way topic.
 */
export function simulateTexts(stack: LocalStack, s: Scenario) {
  const sms = s.sms;
  if (!sms) return;
  stack.cloud.onSms((sent) => {
    const key = surveyTextKey(sent);
    if (!key || draw(s.seed, `smsReply:${key}`) >= sms.replyRate) return;
    const when = stack.clock.nowMs() + Math.round(between(s.seed, `smsReplyAfter:${key}`, sms.replyHours) * 3_600_000);
    const link = /https?:\/\/\S+\/links\/[\w.-]+/.exec(sent.text)?.[0];
    const answer =
      sent.provider === 'aws'
        ? () => stack.cloud.smsReply(sent.to, LOCAL_TWO_WAY_NUMBER, String(pickScore(s.seed, `smsScore:${key}`, s.behaviour.scoreWeights)))
        : link
          ? () => answerSurveyLink(stack, s, link, key)
          : undefined;
    if (answer) stack.clock.timer(when, () => void stack.clock.track(answer), `smsReply:${key}`);
  });
}
