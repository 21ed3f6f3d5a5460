import { spawn } from 'node:child_process';
import { createWriteStream, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import type { Summary } from './simulation.js';
import { simulateProcessArgs } from './simulation-process.js';
import { parseVary, sweepVariants, type Variant, type VariantResult } from './sweep.js';
import { synthesizeTemplate } from './template.js';

export interface SweepOptions {
  scenarioFile: string;
  /** The `--vary` specs, as typed. */
  varies: string[];
  outDir: string;
  /** Simulations at a time; default one per core. */
  jobs?: number;
  template?: string;
  /** A line as each variant starts and ends. */
  log?: (line: string) => void;
}

/**
 * Runs every variant as its own `npm run simulate` process, as many at a time as `jobs`: a local
 * stack belongs to its process (handlers bind to its endpoints), and one process uses one core.
 * Each variant's scenario, log and output go to its own directory under `outDir`; a variant that
 * fails is reported in its row and the others still run. Every variant is checked before any starts.
 */
export async function runSweep(options: SweepOptions): Promise<VariantResult[]> {
  const log = options.log ?? (() => {});
  const raw = JSON.parse(readFileSync(options.scenarioFile, 'utf8')) as unknown;
  const variants = sweepVariants(raw, options.varies.map(parseVary));
  const jobs = Math.max(1, Math.min(options.jobs ?? availableParallelism(), variants.length));
  // Once here rather than in every child at the same moment: they find it in the template cache.
  if (!options.template) synthesizeTemplate();
  mkdirSync(options.outDir, { recursive: true });
  log(`${variants.length} variants, ${jobs} at a time, output in ${options.outDir}/`);
  const results: VariantResult[] = new Array(variants.length);
  let next = 0;
  let finished = 0;
  const worker = async () => {
    while (next < variants.length) {
      const index = next;
      next += 1;
      const variant = variants[index]!;
      const result = await runVariant(variant, options);
      results[index] = result;
      finished += 1;
      const how = result.summary ? `${result.wallSeconds.toFixed(1)} s` : `failed (${result.error})`;
      log(`  ${finished}/${variants.length}  ${variant.label}: ${how}`);
    }
  };
  await Promise.all(Array.from({ length: jobs }, worker));
  writeFileSync(
    path.join(options.outDir, 'sweep.json'),
    `${JSON.stringify(
      results.map(({ variant, summary, error, wallSeconds }) => ({
        variant: variant.label,
        settings: variant.settings,
        dir: variant.dirName,
        wallSeconds: Math.round(wallSeconds * 10) / 10,
        ...(summary
          ? {
              followUps: summary.followUps,
              kpis: summary.kpis,
              agents: summary.agents,
              complaints: summary.complaints,
              cost: summary.cost,
            }
          : { error }),
      })),
      null,
      2,
    )}\n`,
  );
  return results;
}

async function runVariant(variant: Variant, options: SweepOptions): Promise<VariantResult> {
  const dir = path.join(options.outDir, variant.dirName);
  mkdirSync(dir, { recursive: true });
  const scenarioFile = path.join(dir, 'scenario.json');
  writeFileSync(scenarioFile, `${JSON.stringify(variant.raw, null, 2)}\n`);
  const args = simulateProcessArgs(['--scenario', scenarioFile, '--out', dir, '--no-progress']);
  if (options.template) args.push('--template', options.template);
  const started = performance.now();
  const logFile = path.join(dir, 'simulate.log');
  const output = createWriteStream(logFile);
  let stdout = '';
  const code = await new Promise<number | null>((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
      output.write(chunk);
    });
    child.stderr.pipe(output, { end: false });
    child.on('error', reject);
    child.on('close', resolve);
  });
  await new Promise<void>((resolve) => output.end(resolve));
  const measured = (performance.now() - started) / 1000;
  if (code !== 0) return { variant, error: `exit ${code}, see ${logFile}`, wallSeconds: measured };
  const summary = JSON.parse(readFileSync(path.join(dir, 'summary.json'), 'utf8')) as Summary;
  // The simulation's own wall time, as a single `npm run simulate` prints it (process start excluded).
  const done = /Done in ([\d.]+) s/.exec(stdout);
  return { variant, summary, wallSeconds: done ? Number(done[1]) : measured };
}
