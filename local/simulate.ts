import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import cliProgress from 'cli-progress';
import { loadScenario } from './scenario.js';
import { runSimulation } from './simulation.js';
import { sweepRows } from './sweep.js';
import { runSweep } from './sweep-runner.js';
import { markdownTable } from './text-table.js';

/**
 * `npm run simulate -- --scenario scenarios/car-dealer-month.json --out out/car-dealer`
 * Runs a scenario on the virtual clock with the same template, state machines and handlers as
 * `npm start`, and writes summary.json, outcomes.jsonl and outbox/. `--template FILE` runs a
 * synthesized template (cdk.out/<stack>.template.json) instead of synthesizing one.
 * `--vary agents.count=2,3,4` runs the scenario once per value (every combination of several
 * `--vary`), `--jobs` at a time, and prints them side by side (sweep.json beside them).
 */
const { values } = parseArgs({
  allowNegative: true,
  options: {
    scenario: { type: 'string', short: 's' },
    out: { type: 'string', short: 'o' },
    template: { type: 'string', short: 't' },
    progress: { type: 'boolean', default: process.stdout.isTTY ?? false },
    vary: { type: 'string', multiple: true },
    jobs: { type: 'string', short: 'j' },
  },
});
if (!values.scenario) {
  console.error(
    [
      'usage: npm run simulate -- --scenario FILE [--out DIR] [--template cdk.out/STACK.template.json]',
      '       npm run simulate -- --scenario FILE --vary PATH=V1,V2,… [--vary …] [--jobs N] [--out DIR]',
    ].join('\n'),
  );
  process.exit(2);
}
if (values.vary) await sweep(values.scenario, values.vary);
const scenario = loadScenario(values.scenario);
const outDir = values.out ?? path.join('out', path.basename(values.scenario, '.json'));
mkdirSync(outDir, { recursive: true });

console.log(`Simulating "${scenario.name}" (seed ${scenario.seed}, ${scenario.days} days + ${scenario.drainDays} to finish) …`);
const bar = values.progress
  ? new cliProgress.SingleBar(
      { format: ' {bar} {percentage}% of simulated time | {eta_formatted} left', hideCursor: true },
      cliProgress.Presets.shades_classic,
    )
  : undefined;
bar?.start(100, 0);
const result = await runSimulation(scenario, outDir, { template: values.template, onProgress: progressOn(bar) });
bar?.stop();
const { summary } = result;
const pct = (n: number | null) => (n === null ? 'n/a' : `${(n * 100).toFixed(1)}%`);
const { complaints, faults, stateTransitions } = summary;
const complaintsLine = [
  `${complaints.total} escalations, highest level ${JSON.stringify(complaints.byHighestLevel)}`,
  `acknowledged in SLA ${pct(complaints.acknowledgedWithinSlaRate)}`,
  `resolved in SLA ${pct(complaints.resolvedWithinSlaRate)}`,
  `reopened ${complaints.reopened}`,
].join(', ');
const faultsLine =
  `${faults.throttled} throttling, permanent ${JSON.stringify(faults.permanent)}; ` +
  `failed follow-ups by reason ${JSON.stringify(summary.followUps.failedByReason)}`;
const perFollowUp = stateTransitions.perFollowUp;
const sesMode = scenario.ses.production ? 'production' : 'sandbox';
console.log(`
Done in ${result.wallSeconds.toFixed(1)} s (wall clock).
  follow-ups        ${summary.followUps.total}  ${JSON.stringify(summary.followUps.byStatus)}
  rejected events   ${summary.rejected}
  coverage / reach  ${pct(summary.kpis.coverageRate)} / ${pct(summary.kpis.reachRate)}, on time ${pct(summary.kpis.onTimeRate)}
  satisfaction      ${(summary.kpis.satisfaction as { average: number | null }).average ?? 'n/a'} / 5, complaints ${summary.kpis.complaints}
  complaints        ${complaintsLine}
  SES               ${sesMode}: ${summary.emails.sent} sent, refused ${JSON.stringify(summary.emails.rejected)}
  faults injected   ${faultsLine}
  transitions       ${stateTransitions.total} (per follow-up min ${perFollowUp.min}, median ${perFollowUp.median}, max ${perFollowUp.max})
  output            ${outDir}/summary.json, outcomes.jsonl, outbox/ (${summary.emails.sent} emails)`);
// Handlers' SDK clients keep sockets and timers alive; the run is over.
process.exit(0);

/** Moves the bar only when a whole percent more of simulated time has passed. */
function progressOn(bar: cliProgress.SingleBar | undefined): (fraction: number) => void {
  let shown = 0;
  return (fraction) => {
    const percent = Math.floor(fraction * 100);
    if (percent <= shown) return;
    shown = percent;
    bar?.update(percent);
  };
}

/** A what-if sweep: the variants side by side, then exit (1 if one failed). */
async function sweep(scenarioFile: string, varies: string[]): Promise<never> {
  const jobs = values.jobs === undefined ? undefined : Number(values.jobs);
  if (jobs !== undefined && !(Number.isInteger(jobs) && jobs >= 1)) {
    console.error(`--jobs ${values.jobs}: expected a whole number of simulations at a time, 1 or more`);
    process.exit(2);
  }
  const outDir = values.out ?? path.join('out', `${path.basename(scenarioFile, '.json')}-sweep`);
  let results: Awaited<ReturnType<typeof runSweep>>;
  try {
    results = await runSweep({ scenarioFile, varies, outDir, jobs, template: values.template, log: (line) => console.log(line) });
  } catch (error) {
    console.error((error as Error).message);
    process.exit(2);
  }
  console.log(`\n${markdownTable(sweepRows(results))}\n`);
  console.log(`each variant's summary.json, outcomes.jsonl and outbox/ in ${outDir}/, the table's figures in sweep.json`);
  process.exit(results.every((result) => result.summary) ? 0 : 1);
}
