import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { simulateProcessArgs } from '../../local/simulation-process.js';

/**
 * 20% of the calls to Connect, SES, Step Functions, EventBridge, S3 and Secrets Manager fail with
 * throttling: every follow-up still ends in a final state, nothing lands in a dead-letter queue,
 * each event delivered three times at most makes one follow-up, and no customer is called twice
 * for the same attempt.
 */
const run = promisify(execFile);

describe('faults', () => {
  it('survives 20% failing AWS calls with every follow-up finished, once', { timeout: 180_000 }, async () => {
    const out = mkdtempSync(path.join(tmpdir(), 'faults-'));
    await run(process.execPath, simulateProcessArgs(['--scenario', 'tests/fixtures/scenario-faults.json', '--out', out, '--no-progress']), {
      timeout: 150_000,
    });
    const summary = JSON.parse(readFileSync(path.join(out, 'summary.json'), 'utf8'));
    const outcomes = readFileSync(path.join(out, 'outcomes.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { serviceId: string; status: string; attemptHistory: { attempt: number }[] });

    expect(summary.faults.injected).toBeGreaterThan(50);
    expect(summary.deadLetters).toBe(0);
    expect(outcomes.filter((o) => o.status === 'scheduled')).toEqual([]);
    // Duplicated deliveries (30% of events) made no second follow-up.
    expect(summary.events.duplicates).toBeGreaterThan(3);
    expect(new Set(outcomes.map((o) => o.serviceId)).size).toBe(outcomes.length);
    // One per distinct event (the rest are post-resolution follow-ups of complaints, "cp-…~c1").
    const fromEvents = outcomes.filter((o) => !o.serviceId.startsWith('cp-'));
    expect(fromEvents.length).toBe(summary.events.published - summary.events.duplicates - summary.rejected);
    // Attempts are numbered 1, 2, 3… with no repeats: no attempt, so no call, happened twice.
    for (const o of outcomes) expect(o.attemptHistory.map((a) => a.attempt)).toEqual(o.attemptHistory.map((_, i) => i + 1));
  });
});
