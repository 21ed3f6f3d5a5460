import { describe, expect, it } from 'vitest';
import { birthdaySchema } from '../../functions/shared/domain/care.js';
import { customerBirthday, plannedEvents, scenarioSchema } from '../../local/scenario.js';
import { runSimulation } from '../../local/simulation.js';

/** Deliveries on the two days before National Day: thank-yous, then the holiday eve's greetings, in summary.json. */
const scenario = scenarioSchema.parse({
  name: 'Care messages (test)',
  seed: 12,
  start: '2026-09-29T00:00:00+08:00',
  days: 2,
  drainDays: 1,
  source: 'dealer.dms',
  customers: { count: 12, phoneShare: 0.5, emailShare: 1, birthdayShare: 0.5 },
  ses: { production: false, verified: ['example.com'] },
  services: [{ serviceType: 'vehicle-delivery', perDay: 3, departments: ['sales'], hours: ['09:00', '16:00'] }],
  agents: { count: 1, shift: ['09:00', '18:00'], handlingMinutes: [5, 10] },
  behaviour: { answerRate: 0.8 },
});

describe('simulation with care messages', () => {
  it('gives a share of customers one real birthday, the same on every event, and none without a share', () => {
    const birthdays = plannedEvents(scenario).map((e) => (e.detail.customer as { birthday?: string }).birthday);
    expect(birthdays.some((b) => b === undefined) && birthdays.some((b) => b !== undefined)).toBe(true);
    for (const b of birthdays) if (b) expect(birthdaySchema.safeParse(b).success).toBe(true);
    expect(customerBirthday(scenario, 'CUST-1')).toBe(customerBirthday(scenario, 'CUST-1'));
    const none = scenarioSchema.parse({ ...scenario, customers: { count: 12 } });
    expect(plannedEvents(none).every((e) => !('birthday' in (e.detail.customer as object)))).toBe(true);
  });

  it('counts the thank-yous and the holiday greetings sent', { timeout: 120_000 }, async () => {
    const { summary } = await runSimulation(scenario, undefined);
    expect(summary.greetings.thankYou.sent).toBeGreaterThan(0);
    expect(summary.greetings.holiday.sent).toBeGreaterThan(0);
    // Each customer is greeted once for the eve, however many deliveries or hourly runs.
    const customers = new Set(plannedEvents(scenario).map((e) => (e.detail.customer as { id: string }).id));
    expect(summary.greetings.holiday.sent + summary.greetings.holiday.suppressed).toBeLessThanOrEqual(customers.size);
  });
});
