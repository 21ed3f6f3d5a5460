import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import PostalMime from 'postal-mime';
import { describe, expect, it } from 'vitest';
import { countBy } from '../../functions/shared/domain/count-by.js';
import { computeKpis, type OutcomeFact } from '../../functions/shared/domain/kpi.js';
import { localDate } from '../../functions/shared/domain/schedule.js';
import { simulateProcessArgs } from '../../local/simulation-process.js';

/**
 * `npm run simulate` end to end, once, with the handlers logging at INFO: the summary agrees with
 * outcomes.jsonl, the reports and the outbox, and no log line carries personal data. That the same
 * scenario and seed give the same month, byte for byte, in another process and from a template file
 * (`--template`, as from cdk.out), is simulation-sweep.test.ts's.
 */
const run = promisify(execFile);
const scenario = path.resolve('tests/fixtures/scenario-small.json');

async function simulate(): Promise<{ out: string; logLines: string[] }> {
  const out = mkdtempSync(path.join(tmpdir(), 'simulation-'));
  const { stdout, stderr } = await run(process.execPath, simulateProcessArgs(['--scenario', scenario, '--out', out, '--no-progress']), {
    timeout: 150_000,
    maxBuffer: 256 * 1024 * 1024,
    env: { ...process.env, SIMULATION_LOG_LEVEL: 'INFO' },
  });
  return { out, logLines: `${stdout}\n${stderr}`.split('\n').filter((line) => line.startsWith('{')) };
}

let simulated: ReturnType<typeof simulate> | undefined;
/** The one simulation both tests read. */
const simulation = () => {
  simulated ??= simulate();
  return simulated;
};

describe('simulation', () => {
  it('writes a summary that matches outcomes.jsonl, the archived reports and the outbox', { timeout: 240_000 }, async () => {
    const { out: first } = await simulation();
    const summary = readFileSync(path.join(first, 'summary.json'), 'utf8');

    const parsed = JSON.parse(summary);
    const lines = readFileSync(path.join(first, 'outcomes.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(lines).toHaveLength(parsed.followUps.total);
    expect(parsed.followUps.total).toBeGreaterThan(40);
    const byStatus = countBy(lines, (l) => l.status);
    expect(byStatus).toEqual(parsed.followUps.byStatus);
    const kpis = computeKpis(
      lines.map(
        (l): OutcomeFact => ({
          serviceType: l.serviceType,
          status: l.status,
          reason: l.reason ?? undefined,
          attempts: l.attempts,
          onTime: l.onTime ?? undefined,
          scores: l.scores,
          complaint: l.complaint,
        }),
      ),
    );
    expect(parsed.kpis).toMatchObject({
      coverageRate: kpis.coverageRate,
      reachRate: kpis.reachRate,
      onTimeRate: kpis.onTimeRate,
      complaints: kpis.complaints,
    });
    expect(parsed.kpis.satisfaction).toEqual(kpis.satisfaction);

    // The noise and faults of the scenario really happened, and nothing was lost to them.
    expect(parsed.rejected).toBeGreaterThan(0);
    expect(parsed.events.duplicates).toBeGreaterThan(0);
    expect(parsed.faults.injected).toBeGreaterThan(0);
    expect(parsed.deadLetters).toBe(0);
    // The week runs on a sandboxed SES account with the test domain verified: within its rates, nothing refused.
    expect(parsed.emails.rejected).toEqual({});
    expect(parsed.stateTransitions.perFollowUp.median).toBeLessThanOrEqual(6);
    expect(parsed.apiCalls['Connect.StartTaskContact']).toBeGreaterThan(0);
    // Every DynamoDB call counted once more under the function that made it; ingest, contact and record among them.
    const byFunction = parsed.dynamoCallsByFunction as Record<string, Record<string, number>>;
    const perOperation: Record<string, number> = {};
    for (const calls of Object.values(byFunction))
      for (const [operation, n] of Object.entries(calls))
        perOperation[`DynamoDB.${operation}`] = (perOperation[`DynamoDB.${operation}`] ?? 0) + n;
    expect(perOperation).toEqual(Object.fromEntries(Object.entries(parsed.apiCalls).filter(([call]) => call.startsWith('DynamoDB.'))));
    expect(Object.keys(byFunction)).toEqual(
      expect.arrayContaining(['IngestServiceCompletedFunction', 'FollowUpContactFunction', 'FollowUpRecordFunction']),
    );
    expect(readdirSync(path.join(first, 'outbox')).length).toBe(parsed.emails.sent);
    expect(byStatus.scheduled ?? 0).toBe(0);

    // The scheduled report Lambdas ran on the virtual clock: their archived figures match the outcomes.
    expect(parsed.reports.archived).toEqual(expect.arrayContaining(['daily/2026-11-02', 'daily/2026-11-09', 'weekly/2026-W45']));
    const csv = readFileSync(path.join(first, 'reports', 'weekly', '2026-W45', 'report.csv'), 'utf8');
    const value = (metric: string) =>
      csv
        .split('\n')
        .find((line) => line.startsWith(`period,2026-W45,${metric},`))
        ?.split(',')[3];
    const week = lines.filter((l) => l.finishedAt && localDate(l.finishedAt, 'Asia/Shanghai') <= '2026-11-08');
    const weekKpis = computeKpis(
      week.map(
        (l): OutcomeFact => ({
          serviceType: l.serviceType,
          status: l.status,
          reason: l.reason ?? undefined,
          attempts: l.attempts,
          onTime: l.onTime ?? undefined,
          scores: l.scores,
          complaint: l.complaint,
        }),
      ),
    );
    expect(Number(value('total'))).toBe(week.length);
    expect(Number(value('reached'))).toBe(weekKpis.reached);
    expect(value('reachRate')).toBe(String(weekKpis.reachRate));
    expect(Number(value('complaints'))).toBe(weekKpis.complaints);
    // Every .eml is what SES sends for a text and an HTML body: multipart/alternative.
    const emails = await Promise.all(
      readdirSync(path.join(first, 'outbox')).map((name) => PostalMime.parse(readFileSync(path.join(first, 'outbox', name)))),
    );
    for (const email of emails) expect(email.headers.find((h) => h.key === 'content-type')?.value).toMatch(/^multipart\/alternative/);
    const weekly = emails.find((email) => email.subject === '回访周报 2026-W45');
    expect(weekly?.html).toContain('role="img" aria-label="接通率"');
    expect(weekly?.text).toContain(`已结束回访: ${week.length}`);
  });

  it('logs ids and outcomes, never names, phones, emails or answers', { timeout: 240_000 }, async () => {
    const { out, logLines: lines } = await simulation();
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
