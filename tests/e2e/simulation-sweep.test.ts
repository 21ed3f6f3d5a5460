import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { simulateProcessArgs } from '../../local/simulation-process.js';
import { synthesizeTo } from '../../local/template.js';

/**
 * `npm run simulate -- --vary` end to end: each variant is the simulation its scenario file gives
 * on its own, byte for byte (the same scenario and seed replay the same month in another process;
 * that run is given the template as a file synthesized beforehand, `--template` as from cdk.out, so
 * it also shows that a template file runs exactly as the cached synthesis does). The variants run
 * side by side and are compared in one table; a bad --vary is refused before anything runs.
 */
const run = promisify(execFile);

/** The small test scenario cut to one day (a short drain), so three simulations stay a few seconds each. */
function oneDayScenario(dir: string): string {
  const scenario = JSON.parse(readFileSync('tests/fixtures/scenario-small.json', 'utf8')) as Record<string, unknown>;
  const file = path.join(dir, 'one-day.json');
  writeFileSync(file, JSON.stringify({ ...scenario, days: 1, drainDays: 3 }));
  return file;
}

function simulate(args: string[]) {
  return run(process.execPath, simulateProcessArgs(['--no-progress', ...args]), { timeout: 180_000 });
}

describe('what-if sweep', () => {
  it('runs each variant as its own simulation and compares them in one table', { timeout: 240_000 }, async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'sweep-'));
    const scenario = oneDayScenario(dir);
    const out = path.join(dir, 'sweep');
    const swept = simulate(['--scenario', scenario, '--vary', 'agents.count=1,2', '--jobs', '2', '--out', out]);
    // Synthesized while the variants run (CDK in a process of its own).
    const template = path.join(dir, 'cdk.out', 'CustomerFollowUp.template.json');
    mkdirSync(path.dirname(template));
    synthesizeTo(template);
    const { stdout } = await swept;

    expect(stdout).toContain('2 variants, 2 at a time');
    const table = stdout.split('\n').filter((line) => line.startsWith('| agents.count='));
    expect(table.map((line) => line.split('|')[1]!.trim())).toEqual(['agents.count=1', 'agents.count=2']);

    const variants = readdirSync(out).filter((name) => name !== 'sweep.json');
    expect(variants.sort()).toEqual(['01-agents.count=1', '02-agents.count=2']);
    const sweep = JSON.parse(readFileSync(path.join(out, 'sweep.json'), 'utf8')) as {
      variant: string;
      settings: unknown;
      followUps: { total: number };
    }[];
    expect(sweep.map((row) => row.settings)).toEqual([[{ path: 'agents.count', value: 1 }], [{ path: 'agents.count', value: 2 }]]);

    // Each variant's scenario file, written beside its output, simulated alone gives the same month.
    const variantDir = path.join(out, '02-agents.count=2');
    const written = JSON.parse(readFileSync(path.join(variantDir, 'scenario.json'), 'utf8')) as { agents: { count: number } };
    expect(written.agents.count).toBe(2);
    const alone = path.join(dir, 'alone');
    await simulate(['--scenario', path.join(variantDir, 'scenario.json'), '--out', alone, '--template', template]);
    const summary = readFileSync(path.join(variantDir, 'summary.json'), 'utf8');
    expect(readFileSync(path.join(alone, 'summary.json'), 'utf8')).toBe(summary);
    expect(readFileSync(path.join(alone, 'outcomes.jsonl'), 'utf8')).toBe(readFileSync(path.join(variantDir, 'outcomes.jsonl'), 'utf8'));
    const parsed = JSON.parse(summary) as { followUps: { total: number } };
    expect(parsed.followUps.total).toBeGreaterThan(10);
    expect(sweep[1]!.followUps.total).toBe(parsed.followUps.total);
    // The table shows that variant's own figures.
    expect(table[1]!.split('|')[2]!.trim()).toBe(String(parsed.followUps.total));
  });

  it('refuses a bad --vary before any simulation starts, naming the field', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'sweep-'));
    const scenario = oneDayScenario(dir);
    const out = path.join(dir, 'sweep');
    const failed = await simulate(['--scenario', scenario, '--vary', 'agents.count=2,0', '--out', out]).catch(
      (error: { code: number; stderr: string }) => error,
    );
    expect(failed).toMatchObject({ code: 2 });
    expect((failed as { stderr: string }).stderr).toMatch(/--vary agents\.count=0: agents\.count: /);
    expect(existsSync(out)).toBe(false);
  });
});
