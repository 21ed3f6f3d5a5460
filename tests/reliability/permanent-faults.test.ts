import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { countBy } from '../../functions/shared/domain/count-by.js';
import { simulateProcessArgs } from '../../local/simulation-process.js';

/**
 * Errors no retry cures, injected as the services return them: SES MessageRejected, Amazon Connect
 * ResourceNotFoundException / InvalidParameterException / ServiceQuotaExceededException, and
 * Lambda timeouts (Sandbox.Timedout) of the Contact and Notify functions. Every follow-up and
 * every escalation still ends with a recorded outcome: none left `scheduled`, no execution left
 * running or failed, and each `failed` follow-up says why.
 */
const run = promisify(execFile);

interface OutcomeLine {
  followUpId: string;
  status: string;
  error: string | null;
  finishedAt: string | null;
  attemptHistory: { attempt: number; result: string }[];
}

describe('permanent faults', () => {
  it('ends every follow-up and escalation with a recorded outcome', { timeout: 240_000 }, async () => {
    const out = mkdtempSync(path.join(tmpdir(), 'permanent-faults-'));
    await run(
      process.execPath,
      simulateProcessArgs(['--scenario', 'tests/fixtures/scenario-permanent-faults.json', '--out', out, '--no-progress']),
      { timeout: 200_000 },
    );
    const summary = JSON.parse(readFileSync(path.join(out, 'summary.json'), 'utf8'));
    const outcomes = readFileSync(path.join(out, 'outcomes.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as OutcomeLine);

    // Every kind of permanent error really happened.
    expect(Object.keys(summary.faults.permanent).sort()).toEqual([
      'Connect.StartTaskContact InvalidParameterException',
      'Connect.StartTaskContact ResourceNotFoundException',
      'Connect.StartTaskContact ServiceQuotaExceededException',
      'Lambda.Invoke Sandbox.Timedout EscalationNotifyFunction',
      'Lambda.Invoke Sandbox.Timedout FollowUpContactFunction',
      'SES.SendEmail MessageRejected',
    ]);
    expect(summary.complaints.total).toBeGreaterThan(0);

    // Nothing left half-way: no follow-up waiting, no execution running, none failed without an outcome.
    expect(outcomes.filter((o) => o.status === 'scheduled' || !o.finishedAt)).toEqual([]);
    expect(summary.executions).toEqual({
      followUps: { SUCCEEDED: outcomes.length },
      escalations: { SUCCEEDED: summary.stateTransitions.perEscalationCycle.count },
    });

    // A failed follow-up records which channel refused it and why, and the summary counts them by that reason.
    const failed = outcomes.filter((o) => o.status === 'failed');
    expect(failed.length).toBeGreaterThan(0);
    for (const o of failed)
      expect(o.error).toMatch(/^(phone|email):[A-Za-z]+Exception$|^email:MessageRejected$|^Sandbox\.Timedout$|^States\.[A-Za-z]+$/);
    const byReason = countBy(failed, (o) => o.error!);
    expect(summary.followUps.failedByReason).toEqual(byReason);
    expect(summary.followUps.byStatus.failed).toBe(failed.length);
    // Attempts are numbered 1, 2, 3… with no repeats: no contact was made twice for one attempt.
    for (const o of outcomes) expect(o.attemptHistory.map((a) => a.attempt)).toEqual(o.attemptHistory.map((_, i) => i + 1));
  });
});
