import { describe, expect, it } from 'vitest';
import { loadScenario } from '../../local/scenario.js';
import { runSimulation } from '../../local/simulation.js';

/**
 * The shipped gas company month, shortened to its first five days. A file of its own: a second
 * simulation in the same process as tests/e2e/simulation-sms.test.ts's sent no texts (see the report of issue 12).
 */
describe('simulation: scenarios/gas-company-month.json', () => {
  it('runs the shipped gas company month (shortened): gas repairs fall back from phone to texts', { timeout: 240_000 }, async () => {
    const month = loadScenario('scenarios/gas-company-month.json');
    const { summary } = await runSimulation({ ...month, days: 5, drainDays: 4 }, undefined);
    const { sms } = summary.contacts.byChannel;
    expect(sms.attempts).toBeGreaterThan(0);
    expect(sms.reached).toBeLessThanOrEqual(sms.attempts);
    for (const provider of Object.values(summary.cost.sms)) expect(provider.amount).toBeCloseTo(provider.parts * provider.perPart, 4);
    expect(summary.cost.sms.alibaba.texts).toBeGreaterThan(0);
  });
});
