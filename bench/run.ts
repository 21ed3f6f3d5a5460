import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, DynamoDBDocumentClient, GetCommand, ScanCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { build } from 'esbuild';
import { DynamoAggregateStore } from '../functions/shared/adapters/dynamo-aggregate-store.js';
import { keys } from '../functions/shared/adapters/table.js';
import { reportConfig } from '../functions/shared/config/reports.js';
import { addCounters, type Counters, countersOf, kpisFromCounters, type OutcomeFact } from '../functions/shared/domain/kpi.js';
import { buildReport } from '../functions/shared/domain/report.js';
import { parsePeriod } from '../functions/shared/domain/report-period.js';
import { bundleOptions } from '../infra/constructs/follow-up-function.js';
import { startDynamo } from '../local/dynamo.js';
import { InProcessHttpHandler } from '../local/in-process-transport.js';
import { loadScenario } from '../local/scenario.js';
import { runSimulation, type Summary } from '../local/simulation.js';
import { simulateProcessArgs } from '../local/simulation-process.js';
import { PROJECT_ROOT } from '../local/stack.js';
import { sweepRows } from '../local/sweep.js';
import { runSweep } from '../local/sweep-runner.js';
import { resolve, resourcesOfType, synthesizeTemplate } from '../local/template.js';
import { markdownTable } from '../local/text-table.js';

/**
 * `npm run bench`: speed and cost figures, printed as a table and written to bench/results.json.
 * Timings are measured here, never asserted in tests.
 */
const { values } = parseArgs({
  options: {
    outcomes: { type: 'string', default: '100000' },
    'large-month': { type: 'boolean', default: false },
    burst: { type: 'boolean', default: false },
    /** A checkout of the commit to compare with (git worktree add ../before <commit>): its car-dealer month runs in this run too. */
    baseline: { type: 'string' },
    /** With --baseline: the baseline's large month and burst as well (when asked for), which take it many minutes. */
    'baseline-all': { type: 'boolean', default: false },
    'skip-report': { type: 'boolean', default: false },
    /** Ten staffing levels of the car-dealer month as one what-if sweep (`npm run simulate -- --vary agents.count=1,…,10`). */
    sweep: { type: 'boolean', default: false },
  },
});
const results: Record<string, unknown> = {
  machine: { node: process.version, cpus: (await import('node:os')).cpus().length },
  at: new Date().toISOString(),
};

// ── 1. Reports read aggregates, not follow-ups: a month at 100,000 outcomes ─────────────────────
async function reportReadBenchmark(outcomes: number) {
  const template = synthesizeTemplate();
  const tableName = resourcesOfType(template, 'AWS::DynamoDB::Table')[0]![0];
  const dynamo = await startDynamo(template);
  const db = DynamoDBDocumentClient.from(
    new DynamoDBClient({ endpoint: dynamo.url, region: 'us-east-1', credentials: { accessKeyId: 'b', secretAccessKey: 'b' } }),
    { marshallOptions: { removeUndefinedValues: true } },
  );
  const types = [
    'vehicle-repair',
    'vehicle-delivery',
    'urgent-repair',
    'hospital-discharge',
    'gas-repair',
    'gas-hotline-ticket',
    'complaint-resolved-general',
    'complaint-resolved-major',
  ];
  const departments = ['after-sales', 'body-shop', 'sales', 'service'];
  const statuses: OutcomeFact['status'][] = ['completed', 'completed', 'completed', 'completed', 'refused', 'unreachable', 'skipped'];
  const aggregates = new Map<string, { day: string; subject: string; departmentId: string; counters: Counters; ids: string[] }>();
  let batch: Record<string, unknown>[] = [];
  const flush = async () => {
    for (let i = 0; i < batch.length; i += 25)
      await db.send(
        new BatchWriteCommand({ RequestItems: { [tableName]: batch.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })) } }),
      );
    batch = [];
  };
  const t0 = performance.now();
  for (let n = 0; n < outcomes; n += 1) {
    const day = `2026-10-${String((n % 31) + 1).padStart(2, '0')}`;
    const fact: OutcomeFact = {
      serviceType: types[n % types.length]!,
      departmentId: departments[n % departments.length],
      status: statuses[n % statuses.length]!,
      reason: n % 7 === 6 ? 'not-sampled' : undefined,
      attempts: n % 7 === 6 ? 0 : 1 + (n % 3),
      onTime: n % 5 !== 0,
      scores: { overall: 1 + (n % 5) },
      complaint: n % 29 === 0,
    };
    const id = `fu-${n.toString(16).padStart(32, '0')}`;
    batch.push({
      ...keys.followUp(id),
      kind: 'FollowUp',
      followUpId: id,
      serviceType: fact.serviceType,
      departmentId: fact.departmentId,
      status: fact.status,
      customer: { id: `C${n % 50_000}`, name: 'x' },
      attempts: [],
      createdAt: `${day}T02:00:00Z`,
      outcome: { status: fact.status, finishedAt: `${day}T03:00:00Z` },
    });
    const shard = n % 4;
    const key = `${day}|${fact.serviceType}|${fact.departmentId}|${shard}`;
    const agg = aggregates.get(key) ?? { day, subject: fact.serviceType, departmentId: fact.departmentId!, counters: {}, ids: [] };
    addCounters(agg.counters, countersOf(fact));
    agg.ids.push(id);
    aggregates.set(key, agg);
    if (batch.length >= 1000) await flush();
  }
  for (const [key, agg] of aggregates) {
    const shard = key.split('|')[3];
    batch.push({
      ...keys.aggregate(agg.day, agg.subject, agg.departmentId, Number(shard)),
      kind: 'Aggregate',
      day: agg.day,
      subject: agg.subject,
      departmentId: agg.departmentId,
      version: agg.ids.length,
      lastContribution: agg.ids.at(-1),
      ...agg.counters,
    });
  }
  await flush();
  const loadSeconds = (performance.now() - t0) / 1000;

  const period = parsePeriod('2026-10', reportConfig.timeZone)!;
  const store = new DynamoAggregateStore(tableName, 760, () => new Date(), db);
  let t = performance.now();
  const rows = await store.days(period.days);
  const report = buildReport(period, rows, [], 'all', reportConfig);
  const aggregateMs = performance.now() - t;

  t = performance.now();
  let scanned = 0;
  let scanCalls = 0;
  const counters: Counters = {};
  let start: Record<string, unknown> | undefined;
  do {
    const page = await db.send(new ScanCommand({ TableName: tableName, ExclusiveStartKey: start }));
    scanCalls += 1;
    for (const item of page.Items ?? []) {
      scanned += 1;
      if (item.kind === 'FollowUp') addCounters(counters, { total: 1 });
    }
    start = page.LastEvaluatedKey;
  } while (start);
  const scanMs = performance.now() - t;
  await dynamo.close();
  if (report.totals.total !== outcomes || counters.total !== outcomes)
    throw new Error(`benchmark totals disagree: ${report.totals.total} / ${counters.total} / ${outcomes}`);
  return {
    outcomes,
    loadSeconds: round(loadSeconds),
    monthReport: {
      queries: store.reads.queries,
      itemsRead: store.reads.items,
      ms: round(aggregateMs),
      total: report.totals.total,
      reachRate: kpisFromCounters(counters).reachRate ?? report.totals.reachRate,
    },
    fullScan: { requests: scanCalls, itemsRead: scanned, ms: round(scanMs) },
  };
}

const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;
const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
};

// ── 2. A simulated month: transitions, calls and cost per follow-up ────────────────────────────
async function simulatedMonth(file: string) {
  const result = await runSimulation(loadScenario(file), undefined);
  return {
    scenario: path.basename(file),
    wallSeconds: round(result.wallSeconds),
    summary: result.summary,
    latencies: result.invocationDurations,
  };
}

/**
 * A second local stack needs its own process: handlers bind to their endpoints when first loaded.
 * `root` is this checkout or the baseline's; the figure is the simulation's own wall time
 * ("Done in", the same measure as runSimulation's), the process's start included separately.
 */
async function simulatedMonthInChild(file: string, root = PROJECT_ROOT) {
  const out = path.join(PROJECT_ROOT, 'out', 'bench', `${path.basename(root)}-${path.basename(file, '.json')}`);
  const started = performance.now();
  const simulate = path.join(root, 'local', 'simulate.ts');
  const args = ['--scenario', file, '--out', out, '--no-progress'];
  // Each checkout as its own `npm run simulate` runs it: an older one without the local stack's Node flags.
  const withFlags = existsSync(path.join(root, 'local', 'simulation-process.ts'));
  const { stdout } = await promisify(execFile)(
    process.execPath,
    withFlags ? simulateProcessArgs(args, simulate) : ['--import', 'tsx', simulate, ...args],
    { maxBuffer: 64 * 1024 * 1024, cwd: root },
  );
  const summary = JSON.parse(readFileSync(path.join(out, 'summary.json'), 'utf8')) as Summary;
  const done = /Done in ([\d.]+) s/.exec(stdout);
  return {
    scenario: path.basename(file),
    wallSeconds: done ? Number(done[1]) : round((performance.now() - started) / 1000),
    processSeconds: round((performance.now() - started) / 1000),
    summary,
  };
}

/** The planning question the simulation serves: the month at ten staffing levels, as `--vary` runs them (one per core). */
async function staffingSweep(file: string) {
  const levels = Array.from({ length: 10 }, (_, i) => i + 1);
  const jobs = availableParallelism();
  const started = performance.now();
  const results = await runSweep({
    scenarioFile: file,
    varies: [`agents.count=${levels.join(',')}`],
    outDir: path.join(PROJECT_ROOT, 'out', 'bench', 'staffing-sweep'),
    jobs,
  });
  const failed = results.filter((result) => !result.summary);
  if (failed.length > 0) throw new Error(`sweep: ${failed.map((result) => `${result.variant.label} ${result.error}`).join('; ')}`);
  return {
    scenario: path.basename(file),
    variants: results.length,
    jobs,
    wallSeconds: round((performance.now() - started) / 1000),
    variantSeconds: {
      p50: round(
        percentile(
          results.map((r) => r.wallSeconds),
          50,
        ),
      ),
      max: round(Math.max(...results.map((r) => r.wallSeconds))),
    },
    table: sweepRows(results),
  };
}

/** List prices (us-east-1, 2026) per unit; Connect tasks are billed per task by Connect itself. */
const PRICES = {
  transition: 0.025 / 1000,
  lambdaRequest: 0.2 / 1e6,
  lambdaGbSecond: 0.0000133334,
  dynamoWrite: 0.625 / 1e6,
  dynamoRead: 0.125 / 1e6,
  eventBridgeEvent: 1 / 1e6,
  sesEmail: 0.1 / 1000,
  schedulerInvocation: 1 / 1e6,
};

function costPer1000(summary: Summary, avgLambdaMs: number) {
  const n = summary.followUps.total / 1000;
  const calls = summary.apiCalls;
  const writes = (calls['DynamoDB.PutItem'] ?? 0) + (calls['DynamoDB.UpdateItem'] ?? 0) + (calls['DynamoDB.DeleteItem'] ?? 0);
  const reads = (calls['DynamoDB.GetItem'] ?? 0) + (calls['DynamoDB.Query'] ?? 0);
  const invocations = calls['Lambda.Invoke'] ?? 0;
  const parts = {
    stepFunctions: summary.stateTransitions.total * PRICES.transition,
    lambda: invocations * (PRICES.lambdaRequest + 0.5 * (Math.max(avgLambdaMs, 1) / 1000) * PRICES.lambdaGbSecond * 0.8),
    dynamodb: writes * PRICES.dynamoWrite + reads * PRICES.dynamoRead,
    eventBridge: (calls['EventBridge.PutEvents'] ?? 0) * PRICES.eventBridgeEvent,
    ses: (calls['SES.SendEmail'] ?? 0) * PRICES.sesEmail,
  };
  return {
    ...Object.fromEntries(Object.entries(parts).map(([k, v]) => [k, round(v / n, 4)])),
    total: round(Object.values(parts).reduce((a, b) => a + b, 0) / n, 4),
  };
}

/**
 * What one DynamoDB call costs a simulation, whatever the handler around it: the SDK's middleware,
 * serialisation and signing, the in-process wire, the local DynamoDB, and back (warm, one at a time).
 */
async function localCallCost(calls = 5_000) {
  const template = synthesizeTemplate();
  const dynamo = await startDynamo(template);
  const db = DynamoDBDocumentClient.from(
    new DynamoDBClient({
      endpoint: dynamo.url,
      requestHandler: new InProcessHttpHandler(),
      region: 'us-east-1',
      credentials: { accessKeyId: 'b', secretAccessKey: 'b' },
    }),
  );
  const [logicalId, table] = resourcesOfType(template, 'AWS::DynamoDB::Table')[0]!;
  // As startDynamo names it: the template's TableName, else the logical id.
  const TableName = (resolve(template, table.Properties) as { TableName?: string }).TableName ?? logicalId;
  const perCall = async (send: (i: number) => Promise<unknown>) => {
    for (let i = 0; i < calls; i += 1) await send(i); // warm-up
    const started = performance.now();
    for (let i = 0; i < calls; i += 1) await send(i);
    return round((performance.now() - started) / calls, 3);
  };
  const key = (i: number) => ({ pk: `BENCH#${i % 50}`, sk: 'A' });
  const figures = {
    conditionalUpdateMs: await perCall((i) =>
      db.send(
        new UpdateCommand({
          TableName,
          Key: key(i),
          UpdateExpression: 'SET a = :a, b = :b',
          ConditionExpression: 'attribute_not_exists(c)',
          ExpressionAttributeValues: { ':a': i, ':b': 'x' },
        }),
      ),
    ),
    consistentGetMs: await perCall((i) => db.send(new GetCommand({ TableName, Key: key(i), ConsistentRead: true }))),
  };
  db.destroy();
  await dynamo.close();
  return figures;
}

// ── 3. Bundles and cold init, as CDK's esbuild options build them and Lambda loads them ──────────
const COLD_STARTS = 5;

/** One fresh Node process importing the bundle, as Lambda's runtime does at init: the import's milliseconds. */
async function coldInitMs(file: string, environment: Record<string, string>, sourceMaps: boolean): Promise<number> {
  const url = JSON.stringify(pathToFileURL(file).href);
  const script = `const t=performance.now();await import(${url});process.stdout.write(String(performance.now()-t));`;
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [...(sourceMaps ? ['--enable-source-maps'] : []), '--input-type=module', '-e', script],
    { env: { PATH: process.env.PATH ?? '', ...environment }, cwd: path.dirname(file) },
  );
  return Number(stdout);
}

async function bundleFigures() {
  const figures: Record<string, { sizeKiB: number; sourceMapKiB: number; coldInitMs: number; coldInitWithSourceMapsMs: number }> = {};
  const template = synthesizeTemplate();
  const dir = path.join(PROJECT_ROOT, 'out', 'bench-bundles');
  for (const [, fn] of resourcesOfType(template, 'AWS::Lambda::Function')) {
    const entry = fn.Metadata?.['followup:entry'] as string | undefined;
    if (!entry) continue;
    const name = entry.split('/')[1]!;
    const outfile = path.join(dir, name, 'index.mjs');
    mkdirSync(path.dirname(outfile), { recursive: true });
    // As NodejsFunction bundles it (infra/constructs/follow-up-function.ts), source map included.
    await build(bundleOptions(entry, outfile));
    // The function's own environment (as the template sets it), plus what the Lambda runtime sets.
    const variables = (resolve(template, fn.Properties?.Environment) as { Variables?: Record<string, string> } | undefined)?.Variables;
    const environment = {
      ...Object.fromEntries(Object.entries(variables ?? {}).filter(([key]) => key !== 'NODE_OPTIONS')),
      AWS_REGION: 'us-east-1',
      AWS_LAMBDA_FUNCTION_NAME: name,
      AWS_ACCESS_KEY_ID: 'bench',
      AWS_SECRET_ACCESS_KEY: 'bench',
    };
    const runs = async (sourceMaps: boolean) => {
      const times: number[] = [];
      for (let n = 0; n < COLD_STARTS; n += 1) times.push(await coldInitMs(outfile, environment, sourceMaps));
      return round(percentile(times, 50), 0);
    };
    figures[name] = {
      sizeKiB: round(statSync(outfile).size / 1024, 0),
      sourceMapKiB: round(statSync(`${outfile}.map`).size / 1024, 0),
      coldInitMs: await runs(false),
      coldInitWithSourceMapsMs: await runs(true),
    };
  }
  return figures;
}

console.log('Benchmarking… (the 100,000-outcome report benchmark takes a minute)');
const reportRead = values['skip-report'] ? undefined : await reportReadBenchmark(Number(values.outcomes));
const carDealer = path.join(PROJECT_ROOT, 'scenarios', 'car-dealer-month.json');
const largeMonth = path.join(PROJECT_ROOT, 'bench', 'large-month.json');
const burstMorning = path.join(PROJECT_ROOT, 'bench', 'burst-morning.json');
const month = await simulatedMonth(carDealer);
const large = values['large-month'] ? await simulatedMonthInChild(largeMonth) : undefined;
const burst = values.burst ? await simulatedMonthInChild(burstMorning) : undefined;
// The same scenarios on the baseline checkout, one after the other with ours: a ratio from one run.
const baselineRoot = values.baseline ? path.resolve(values.baseline) : undefined;
const baseline = baselineRoot
  ? {
      root: baselineRoot,
      month: await simulatedMonthInChild(carDealer, baselineRoot),
      // Ours again, right after the baseline and the same way (its own process): the pair meets the same machine.
      monthNow: await simulatedMonthInChild(carDealer),
      large: large && values['baseline-all'] ? await simulatedMonthInChild(largeMonth, baselineRoot) : undefined,
      burst: burst && values['baseline-all'] ? await simulatedMonthInChild(burstMorning, baselineRoot) : undefined,
    }
  : undefined;
const sweep = values.sweep ? await staffingSweep(carDealer) : undefined;
const callCost = await localCallCost();
const bundles = await bundleFigures();

const s = month.summary;
const perFollowUp = (key: string) => round((s.apiCalls[key] ?? 0) / s.followUps.total, 2);
const dynamoWrites = ['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem'].reduce(
  (a, op) => a + (s.apiCalls[`DynamoDB.${op}`] ?? 0),
  0,
);
const dynamoReads = ['GetItem', 'Query'].reduce((a, op) => a + (s.apiCalls[`DynamoDB.${op}`] ?? 0), 0);
const { latencies } = month;
const allDurations = Object.values(latencies).flat();
const monthResults = {
  scenario: month.scenario,
  followUps: s.followUps.total,
  wallSeconds: month.wallSeconds,
  transitionsPerFollowUp: {
    ...s.stateTransitions.perFollowUp,
    mean: round(s.stateTransitions.total / s.followUps.total, 2),
    medianByPath: s.stateTransitions.medianByPath,
    escalationCycle: s.stateTransitions.perEscalationCycle,
  },
  peakContacts: s.peakContacts,
  lambdaInvocationsPerFollowUp: perFollowUp('Lambda.Invoke'),
  dynamoWritesPerFollowUp: round(dynamoWrites / s.followUps.total, 2),
  dynamoReadsPerFollowUp: round(dynamoReads / s.followUps.total, 2),
  // Where the calls go: each function's DynamoDB calls per follow-up, most first.
  dynamoCallsPerFollowUpByFunction: Object.fromEntries(
    Object.entries(s.dynamoCallsByFunction)
      .map(([fn, calls]) => [fn, round(Object.values(calls).reduce((a, n) => a + n, 0) / s.followUps.total, 2)] as const)
      .filter(([, n]) => n > 0)
      .sort(([, a], [, b]) => b - a),
  ),
  handlerLatencyMs: {
    p50: round(percentile(allDurations, 50), 2),
    p95: round(percentile(allDurations, 95), 2),
    byFunction: Object.fromEntries(
      Object.entries(latencies).map(([name, d]) => [
        name,
        { p50: round(percentile(d, 50), 2), p95: round(percentile(d, 95), 2), n: d.length },
      ]),
    ),
  },
  costPer1000FollowUpsUsd: costPer1000(s, percentile(allDurations, 50)),
};
const briefly = (run: Awaited<ReturnType<typeof simulatedMonthInChild>>) => ({
  scenario: run.scenario,
  followUps: run.summary.followUps.total,
  wallSeconds: run.wallSeconds,
  processSeconds: run.processSeconds,
  transitionsPerFollowUp: round(run.summary.stateTransitions.total / run.summary.followUps.total, 2),
});
Object.assign(results, {
  ...(reportRead ? { reportRead } : {}),
  month: monthResults,
  ...(large ? { largeMonth: briefly(large) } : {}),
  ...(burst ? { burstMorning: briefly(burst) } : {}),
  ...(sweep ? { staffingSweep: sweep } : {}),
  localCallCost: callCost,
  ...(baseline
    ? {
        baseline: {
          root: baseline.root,
          month: briefly(baseline.month),
          monthNow: briefly(baseline.monthNow),
          ...(baseline.large ? { largeMonth: briefly(baseline.large) } : {}),
          ...(baseline.burst ? { burstMorning: briefly(baseline.burst) } : {}),
        },
      }
    : {}),
  functions: bundles,
});
mkdirSync(path.join(PROJECT_ROOT, 'bench'), { recursive: true });
writeFileSync(path.join(PROJECT_ROOT, 'bench', 'results.json'), `${JSON.stringify(results, null, 2)}\n`);

const m = monthResults;
const transitions = m.transitionsPerFollowUp;
const rows: [string, string][] = [
  ...(reportRead
    ? ([
        [
          `month report at ${reportRead.outcomes.toLocaleString('en')} outcomes (aggregates)`,
          `${reportRead.monthReport.queries} queries, ${reportRead.monthReport.itemsRead} items read, ${reportRead.monthReport.ms} ms`,
        ],
        [
          'same month by full-table scan',
          `${reportRead.fullScan.requests} requests, ${reportRead.fullScan.itemsRead.toLocaleString('en')} items read, ` +
            `${reportRead.fullScan.ms} ms`,
        ],
      ] as [string, string][])
    : []),
  [`simulated month (${m.followUps} follow-ups)`, `${m.wallSeconds} s`],
  ...(large ? [[`simulated month (${large.summary.followUps.total} follow-ups)`, `${large.wallSeconds} s`] as [string, string]] : []),
  ...(burst ? [[`burst morning (${burst.summary.followUps.total} follow-ups)`, `${burst.wallSeconds} s`] as [string, string]] : []),
  ...(sweep
    ? [
        [
          `what-if sweep: ${sweep.variants} staffing levels of the month`,
          `${sweep.wallSeconds} s, ${sweep.jobs} at a time ` +
            `(a variant p50 ${sweep.variantSeconds.p50} s, max ${sweep.variantSeconds.max} s)`,
        ] as [string, string],
      ]
    : []),
  [
    'state transitions per follow-up',
    `min ${transitions.min}, median ${transitions.median}, mean ${transitions.mean}, max ${transitions.max}`,
  ],
  [
    '  median by path',
    `${Object.entries(s.stateTransitions.medianByPath)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}; escalation cycle ${s.stateTransitions.perEscalationCycle.median}`,
  ],
  ['peak Connect StartTaskContact calls', `${m.peakContacts.perSecond}/s, ${m.peakContacts.perMinute}/min`],
  ['Lambda invocations per follow-up', String(m.lambdaInvocationsPerFollowUp)],
  ['DynamoDB writes / reads per follow-up', `${m.dynamoWritesPerFollowUp} / ${m.dynamoReadsPerFollowUp}`],
  [
    '  DynamoDB calls per follow-up by function',
    Object.entries(m.dynamoCallsPerFollowUpByFunction)
      .map(([k, v]) => `${k} ${v}`)
      .join(', '),
  ],
  ['handler latency (local, in-process)', `p50 ${m.handlerLatencyMs.p50} ms, p95 ${m.handlerLatencyMs.p95} ms`],
  [
    'one DynamoDB call, SDK to local table and back',
    `conditional UpdateItem ${callCost.conditionalUpdateMs} ms, consistent GetItem ${callCost.consistentGetMs} ms`,
  ],
  [
    'AWS cost per 1,000 follow-ups (list prices)',
    `$${m.costPer1000FollowUpsUsd.total} (${Object.entries(m.costPer1000FollowUpsUsd)
      .filter(([k]) => k !== 'total')
      .map(([k, v]) => `${k} $${v}`)
      .join(', ')}) + Connect tasks`,
  ],
  [
    'bundles: KiB minified (source map KiB)',
    Object.entries(bundles)
      .map(([k, v]) => `${k} ${v.sizeKiB} (${v.sourceMapKiB})`)
      .join(', '),
  ],
  [
    'cold init, ms (with --enable-source-maps)',
    Object.entries(bundles)
      .map(([k, v]) => `${k} ${v.coldInitMs} (${v.coldInitWithSourceMapsMs})`)
      .join(', '),
  ],
];
const width = Math.max(...rows.map(([k]) => k.length));
console.log(`\n${rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join('\n')}\n`);
if (sweep) console.log(`${markdownTable(sweep.table)}\n`);
console.log(issueTable());
console.log('\nwritten to bench/results.json');
process.exit(0);

/**
 * The issue's figures (issue 13) this bench measures: before, now and the goal. "Before" is the
 * baseline checkout measured in this run with --baseline, else the figure the issue gives as
 * measured on this machine before the change (marked "issue").
 */
function issueTable(): string {
  const seconds = (run: { wallSeconds: number } | undefined) => (run ? `${run.wallSeconds} s` : 'not run');
  const slowest = Object.entries(bundles).sort(([, a], [, b]) => b.coldInitMs - a.coldInitMs)[0];
  const slowestMapped = Object.entries(bundles).sort(([, a], [, b]) => b.coldInitWithSourceMapsMs - a.coldInitWithSourceMapsMs)[0];
  const mean = transitions.mean;
  const rows: [string, string, string, string][] = [
    ['figure', 'before', 'now', 'goal'],
    [
      `car-dealer month (${m.followUps} follow-ups)`,
      baseline ? `${seconds(baseline.month)} (measured)` : '55–59 s (issue 13)',
      baseline ? `${seconds(baseline.monthNow)} (measured right after)` : `${m.wallSeconds} s`,
      '≤ 12 s',
    ],
    [
      'large month (~10,000 follow-ups)',
      baseline?.large ? `${seconds(baseline.large)} (measured)` : '377 s (issue 13)',
      large ? seconds(large) : 'not run (--large-month)',
      '≤ 60 s',
    ],
    [
      '10,000 due the same Monday 09:00',
      baseline?.burst ? `${seconds(baseline.burst)} (measured)` : '514 s (issue 13)',
      burst ? seconds(burst) : 'not run (--burst)',
      '≤ 90 s',
    ],
    [
      'ten staffing levels of the car-dealer month',
      'no sweep: ten runs one after another, ≈ 10 × the month',
      sweep ? `${sweep.wallSeconds} s (${sweep.jobs} at a time)` : 'not run (--sweep)',
      'a coffee break (issue 13)',
    ],
    [
      'mean state transitions per follow-up',
      baseline
        ? `${round(baseline.month.summary.stateTransitions.total / baseline.month.summary.followUps.total, 2)} (measured)`
        : '9.68 (issue 13)',
      String(mean),
      '≤ 7.5',
    ],
    [
      'Lambda cold init (median of fresh imports)',
      'not measured; bundles 0.8–1.3 MiB (issue 13)',
      slowest && slowestMapped
        ? `${Object.values(bundles).filter((b) => b.coldInitMs <= 100).length} of ${Object.keys(bundles).length} within 100 ms; ` +
          `slowest ${slowest[0]} ${slowest[1].coldInitMs} ms; ` +
          `with source maps ${slowestMapped[0]} ${slowestMapped[1].coldInitWithSourceMapsMs} ms`
        : 'n/a',
      'each ≤ 100 ms',
    ],
  ];
  return markdownTable(rows);
}
