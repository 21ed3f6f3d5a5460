import { describe, expect, it } from 'vitest';
import { customerTier, plannedEvents, scenarioSchema } from '../../local/scenario.js';
import { runSimulation } from '../../local/simulation.js';

/** A scenario with tiers: its events name each customer's tier and its summary counts the periodic follow-ups. */
const scenario = scenarioSchema.parse({
  name: 'Periodic follow-ups (test)',
  seed: 11,
  start: '2026-12-01T00:00:00+08:00',
  days: 2,
  drainDays: 2,
  source: 'dealer.dms',
  customers: { count: 10, keyShare: 0.5 },
  ses: { production: false, verified: ['example.com'] },
  services: [{ serviceType: 'vehicle-repair', perDay: 2, departments: ['after-sales'] }],
  agents: { count: 1, shift: ['09:00', '18:00'], handlingMinutes: [5, 10] },
  behaviour: { answerRate: 0.8 },
  periodic: { customers: 6 },
});

describe('simulation with customer tiers', () => {
  it('gives each customer one tier by the key share and leaves the tier out when no share is set', () => {
    const tiers = plannedEvents(scenario).map((e) => (e.detail.customer as { id: string; tier?: string }).tier);
    expect(tiers.length).toBeGreaterThan(0);
    for (const tier of tiers) expect(['key', 'ordinary']).toContain(tier);
    const untiered = scenarioSchema.parse({ ...scenario, customers: { count: 10 } });
    expect(plannedEvents(untiered).every((e) => !('tier' in (e.detail.customer as object)))).toBe(true);
  });

  it('counts the periodic follow-ups the monthly run started for the imported customers, by tier', { timeout: 120_000 }, async () => {
    const { summary } = await runSimulation(scenario, undefined);
    const key = Array.from({ length: 6 }, (_, n) => customerTier(scenario, `PERIODIC-${n}`)).filter((t) => t === 'key').length;
    expect(summary.periodic).toEqual({ followUps: 6, key, ordinary: 6 - key });
    expect(summary.followUps.byServiceType['periodic-key'] ?? 0).toBe(key);
  });
});
