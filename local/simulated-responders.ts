import { policyConfig } from '../functions/shared/config/policies.js';
import { between, draw, type Scenario } from './scenario.js';
import { emailReply, surveyAnswers } from './simulated-people.js';
import type { LocalStack } from './stack.js';

/**
 * Managers reading complaint notifications: some acknowledge after a while, some resolve later;
 * a manager who lets it slide is chased and, in time, passed over.
 */
export function simulateManagers(stack: LocalStack, s: Scenario) {
  const post = (url: string, body: Record<string, unknown>) =>
    fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json' }, body: JSON.stringify(body) });
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
      () =>
        void stack.clock.track(async () => {
          const page = await fetch(link, { headers: { accept: 'application/json' } });
          if (page.status !== 200) return;
          const { survey: surveyName } = (await page.json()) as { survey: string };
          const survey = policyConfig.surveys[surveyName]!;
          await fetch(link, {
            method: 'POST',
            headers: { 'content-type': 'application/json', accept: 'application/json' },
            body: JSON.stringify({ answers: surveyAnswers(s.seed, key, survey, s.behaviour) }),
          });
        }),
      `reply:${followUp}:${claims.a}`,
    );
  });
}
