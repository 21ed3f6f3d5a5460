import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { policyConfig } from '../../functions/shared/config/policies.js';
import { smsConfig } from '../../functions/shared/config/sms.js';
import { type PolicyConfig, parsePolicyConfig } from '../../functions/shared/domain/policy-schema.js';
import { plannedEvents, scenarioSchema } from '../../local/scenario.js';
import { runSimulation } from '../../local/simulation.js';

/**
 * Texts in a simulated month: vehicle repairs try phone once, then sms, then email (the shipped
 * policy has no sms step: this file's process changes its copy, as tests/workflows/sms.test.ts does).
 * Half the numbers are +86 (Alibaba Cloud SMS), three in ten refused by the provider, half the texted reply.
 */
const scenario = scenarioSchema.parse({
  name: 'SMS (test)',
  seed: 7,
  start: '2026-11-23T00:00:00+08:00',
  days: 2,
  drainDays: 4,
  source: 'dealer.dms',
  customers: { count: 40, phoneShare: 1, emailShare: 1 },
  ses: { production: false, verified: ['example.com'] },
  services: [{ serviceType: 'vehicle-repair', perDay: 8, departments: ['service'], hours: ['09:00', '16:00'] }],
  agents: { count: 1, shift: ['09:00', '18:00'], handlingMinutes: [5, 10] },
  behaviour: { answerRate: 0.2, emailReplyRate: 0 },
  sms: { replyRate: 0.5, replyHours: [0.1, 2], mainlandShare: 0.5, failureRate: 0.3 },
  prices: { connectTask: 0.06, sesEmail: 0.0001, smsPerPart: { alibaba: 0.05 } },
});

let shipped: PolicyConfig['policies'][string]['channels'];
beforeAll(() => {
  const repair = policyConfig.policies['vehicle-repair']!;
  shipped = repair.channels;
  repair.channels = parsePolicyConfig({
    ...policyConfig,
    policies: {
      'vehicle-repair': {
        ...repair,
        channels: [
          { channel: 'phone', attempts: 1, retryAfter: { hours: 3 }, responseTimeout: { hours: 8 } },
          { channel: 'sms', attempts: 1, retryAfter: { hours: 4 }, responseTimeout: { days: 1 } },
          { channel: 'email', attempts: 1, retryAfter: { days: 1 }, responseTimeout: { days: 3 } },
        ],
      },
    },
  }).policies['vehicle-repair']!.channels;
});
afterAll(() => {
  policyConfig.policies['vehicle-repair']!.channels = shipped;
});

describe('simulation with SMS', () => {
  it('rejects SMS settings out of range, naming the field', () => {
    const parsed = scenarioSchema.safeParse({ ...scenario, sms: { replyRate: 1.5 } });
    expect(parsed.success).toBe(false);
    expect(parsed.error!.issues[0]!.path.join('.')).toBe('sms.replyRate');
  });

  it('gives mainlandShare of customers a +86 number and the rest a +1 one; without sms settings every number is +86', () => {
    const phones = plannedEvents(scenario).map((e) => (e.detail.customer as { phone: string }).phone);
    expect(phones.some((p) => p.startsWith('+86')) && phones.some((p) => p.startsWith('+1'))).toBe(true);
    const { sms: _sms, ...without } = scenario;
    const plain = plannedEvents(scenarioSchema.parse(without)).map((e) => (e.detail.customer as { phone: string }).phone);
    expect(plain.every((p) => p.startsWith('+86139'))).toBe(true);
  });

  it('counts attempts and reached by channel, and prices each channel at the list prices', { timeout: 240_000 }, async () => {
    const { summary, outcomes } = await runSimulation(scenario, undefined);
    const { byChannel } = summary.contacts;
    expect(byChannel.sms.attempts).toBeGreaterThan(0);
    expect(byChannel.sms.reached).toBeGreaterThan(0);
    for (const channel of ['phone', 'sms', 'email'] as const)
      expect(byChannel[channel].reached).toBeLessThanOrEqual(byChannel[channel].attempts);
    // Refused texts are failed attempts: End User Messaging refuses the send; Alibaba accepts it (the carrier's refusal)
    // and its delivery report fails the attempt a minute later, so every Alibaba refusal is a failed sms attempt.
    const { aws, alibaba } = summary.cost.sms;
    expect(aws.texts + alibaba.texts).toBeLessThanOrEqual(byChannel.sms.attempts);
    const refused = Object.entries(summary.faults.permanent).filter(([label]) => /^(SMS|AlibabaSms)\./.test(label));
    expect(refused.reduce((sum, [, n]) => sum + n, 0)).toBeGreaterThan(0);
    const failedTexts = outcomes
      .flatMap((o) => o.attemptHistory as { channel: string; result?: string }[])
      .filter((a) => a.channel === 'sms' && a.result === 'failed').length;
    const alibabaRefused = refused.filter(([label]) => label.startsWith('AlibabaSms.')).reduce((sum, [, n]) => sum + n, 0);
    expect(alibabaRefused).toBeGreaterThan(0);
    expect(failedTexts).toBeGreaterThanOrEqual(alibabaRefused);
    expect(aws.texts > 0 && alibaba.texts > 0).toBe(true);
    expect(alibaba).toMatchObject({ perPart: 0.05, currency: smsConfig.alibaba.price.currency });
    expect(aws).toMatchObject({ perPart: smsConfig.aws.price.perPart, currency: smsConfig.aws.price.currency });
    for (const provider of [aws, alibaba]) {
      expect(provider.parts).toBeGreaterThanOrEqual(provider.texts);
      expect(provider.amount).toBeCloseTo(provider.parts * provider.perPart, 4);
    }
    expect(summary.cost.phone.amount).toBeCloseTo(summary.agents.tasksCreated * 0.06, 4);
    expect(summary.cost.email.amount).toBeCloseTo(summary.emails.sent * 0.0001, 4);
    // Additive: the follow-up figures keep their meaning.
    expect(summary.kpis.reached).toBeLessThanOrEqual(summary.followUps.total);
  });
});
