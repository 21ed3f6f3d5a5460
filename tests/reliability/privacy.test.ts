import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

/**
 * No personal data in any log line: a whole simulated week runs with the handlers logging at INFO,
 * and every captured line is searched for the customers' names, phones, emails and answers.
 */
const run = promisify(execFile);

describe('privacy', () => {
  it('logs ids and outcomes of a full simulation, never names, phones, emails or answers', { timeout: 180_000 }, async () => {
    const out = mkdtempSync(path.join(tmpdir(), 'privacy-'));
    const { stdout, stderr } = await run(
      process.execPath,
      ['--import', 'tsx', 'local/simulate.ts', '--scenario', 'tests/fixtures/scenario-small.json', '--out', out, '--no-progress'],
      {
        timeout: 150_000,
        maxBuffer: 256 * 1024 * 1024,
        env: { ...process.env, SIMULATION_LOG_LEVEL: 'INFO' },
      },
    );
    const lines = `${stdout}\n${stderr}`.split('\n').filter((line) => line.startsWith('{'));
    expect(lines.length).toBeGreaterThan(300);
    const logged = lines.map((line) => JSON.parse(line) as { message: string });
    expect(logged.some((l) => l.message === 'follow-up finished')).toBe(true);

    // What the simulation's customers are called, reached at and answered (see local/scenario.ts).
    const outcomes = readFileSync(path.join(out, 'outcomes.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { customerId: string });
    const numbers = outcomes.map((o) => o.customerId.replace('CUST-', '')).filter((n) => /^\d+$/.test(n));
    const personal = [
      /Customer \d+/,
      /\+86 ?1[3-9]\d{9}/,
      /[\w.-]+@example\.com/,
      /Fine, thank you|Not happy with the service/,
      /"answers"/,
      ...numbers.slice(0, 20).map((n) => new RegExp(`customer${n}@`)),
    ];
    for (const line of lines) for (const pattern of personal) expect(line).not.toMatch(pattern);
  });
});
