import { describe, expect, it } from 'vitest';
import { policyConfig } from '../../functions/shared/config/policies.js';
import { joinedToId } from '../../functions/shared/domain/merge.js';
import { plannedEvents, scenarioSchema } from '../../local/scenario.js';
import { matterKey, surveyAnswers } from '../../local/simulated-people.js';
import { runScenario } from '../../local/simulation.js';
import { summarise } from '../../local/simulation-summary.js';

/**
 * One contact for several matters (一事一扰) in a simulated week: half the morning's repairs are
 * followed by the same customer's new-car delivery a few hours later, so both follow-ups fall due
 * the next morning and one call or one survey email carries them. The simulated agents and
 * customers answer every matter on it; summary.json counts the shared contacts.
 */
const scenario = scenarioSchema.parse({
  name: 'Repairs followed by deliveries (test)',
  seed: 7,
  start: '2026-11-02T00:00:00+08:00',
  days: 3,
  drainDays: 4,
  source: 'dealer.dms',
  customers: { count: 40, phoneShare: 0.7, emailShare: 1 },
  ses: { production: false, verified: ['example.com'] },
  services: [
    {
      serviceType: 'vehicle-repair',
      perDay: 6,
      hours: ['09:00', '12:00'],
      departments: ['after-sales'],
      followedBy: { serviceType: 'vehicle-delivery', share: 0.5, afterHours: [2, 6], departments: ['sales'] },
    },
  ],
  agents: { count: 2, shift: ['09:00', '18:00'], handlingMinutes: [3, 6] },
  behaviour: { answerRate: 0.9, callbackRate: 0, refuseRate: 0, emailReplyRate: 0.9, emailReplyHours: [1, 6] },
});

describe('simulation with customers who have two services close together', () => {
  it('adds a later service for the same customer only when the scenario asks, leaving the other events as they were', () => {
    const withFollowOns = plannedEvents(scenario);
    const without = plannedEvents({ ...scenario, services: scenario.services.map(({ followedBy: _, ...service }) => service) });
    const followOns = withFollowOns.filter((e) => String(e.detail.serviceId).includes('-AFTER-'));
    expect(followOns.length).toBeGreaterThan(0);
    expect(without.some((e) => String(e.detail.serviceId).includes('-AFTER-'))).toBe(false);
    expect(withFollowOns.filter((e) => !followOns.includes(e))).toEqual(without);
    for (const later of followOns) {
      const base = withFollowOns.find(
        (e) => e.detail.serviceId === String(later.detail.serviceId).split('-AFTER-')[0]!.replace('DELIVERY', 'REPAIR'),
      );
      expect(later.detail.customer).toEqual(base!.detail.customer);
      expect(later.detail.serviceType).toBe('vehicle-delivery');
      expect(later.at - base!.at).toBeGreaterThanOrEqual(2 * 3_600_000);
    }
  });

  it('answers every matter a call or an email carries, each with its own answers, and counts the shared contacts', {
    timeout: 180_000,
  }, async () => {
    const run = await runScenario(scenario);
    const summary = summarise(run);
    expect(summary.mergedContacts.contacts).toBeGreaterThan(0);
    // A matter given back by an unanswered call and carried again counts once; the contacts count each time.
    expect(summary.mergedContacts.matters).toBeGreaterThan(0);
    expect(summary.mergedContacts.matters).toBeLessThan(summary.followUps.total);

    const byId = new Map(run.followUps.map((f) => [f.followUpId, f]));
    const attemptOf = (followUpId: string, attempt: number) =>
      run.attempts.find((a) => a.followUpId === followUpId && a.attempt === attempt);
    // Shared contacts someone answered: by phone (the agent reached the customer) or by email (the survey came back).
    const answered = run.attempts.filter((a) => a.contactedAt && (a.joined?.length ?? 0) > 0 && a.result === 'reached');
    expect(answered.length).toBeGreaterThan(0);
    expect(new Set(answered.map((a) => a.channel)).size).toBe(2);
    for (const lead of answered) {
      // The key the simulated person answered under: the task's client token on a call, the attempt on an email.
      const key =
        lead.channel === 'phone'
          ? run.cloud.agentTasks.find((t) => t.attributes.followUpId === lead.followUpId && t.attributes.attempt === String(lead.attempt))!
              .clientToken
          : `${lead.followUpId}-${lead.attempt}`;
      for (const matter of lead.joined!) {
        const followUp = byId.get(matter.followUpId)!;
        const survey = policyConfig.surveys[policyConfig.policies[followUp.serviceType]!.survey]!;
        const own = surveyAnswers(scenario.seed, matterKey(key, matter.followUpId), survey, scenario.behaviour);
        expect(attemptOf(matter.followUpId, matter.attempt)).toMatchObject({
          joinedTo: joinedToId(lead.followUpId, lead.attempt),
          result: 'reached',
          answers: own,
        });
        expect(followUp.status).toBe('completed');
        expect(followUp.outcome).toMatchObject({ status: 'completed', channel: lead.channel, answers: own });
      }
    }
  });
});
