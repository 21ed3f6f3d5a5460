import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { emlOf } from './eml.js';
import type { SimulationRun, Summary } from './simulation-summary.js';

const jsonLines = (items: unknown[]) => items.map((item) => JSON.stringify(item)).join('\n') + (items.length ? '\n' : '');

/**
 * Writes a simulated month into `outDir`: summary.json, outcomes.jsonl, aggregates.jsonl, the
 * archived reports under reports/ and every email sent as outbox/NNNNN.eml (in sending order).
 */
export async function writeSimulation(
  outDir: string,
  summary: Summary,
  outcomes: Record<string, unknown>[],
  run: SimulationRun,
): Promise<void> {
  const { cloud } = run;
  rmSync(path.join(outDir, 'outbox'), { recursive: true, force: true });
  mkdirSync(path.join(outDir, 'outbox'), { recursive: true });
  writeFileSync(path.join(outDir, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
  writeFileSync(path.join(outDir, 'outcomes.jsonl'), jsonLines(outcomes));
  rmSync(path.join(outDir, 'reports'), { recursive: true, force: true });
  for (const [name, object] of [...cloud.objects].sort(([a], [b]) => a.localeCompare(b))) {
    const file = path.join(outDir, 'reports', name.split('/').slice(2).join('/'));
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, object.body);
  }
  writeFileSync(path.join(outDir, 'aggregates.jsonl'), jsonLines(run.aggregateRows));
  const mails = [...cloud.outbox].sort(
    (a, b) => a.sentAt.localeCompare(b.sentAt) || a.to.join().localeCompare(b.to.join()) || a.subject.localeCompare(b.subject),
  );
  for (const [i, mail] of mails.entries())
    writeFileSync(path.join(outDir, 'outbox', `${String(i + 1).padStart(5, '0')}.eml`), await emlOf(mail));
}
