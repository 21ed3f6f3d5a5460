import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { Level } from 'level';
import { policyConfig } from '../functions/shared/config/policies.js';
import { reportConfig } from '../functions/shared/config/reports.js';
import { localeSchema } from '../functions/shared/domain/policy-schema.js';
import { buildReport } from '../functions/shared/domain/report.js';
import { parsePeriod } from '../functions/shared/domain/report-period.js';
import { renderReportCsv, renderReportHtml, renderReportText } from '../functions/shared/domain/report-render.js';
import type { AggregateRow } from '../functions/shared/ports/aggregate-store.js';
import { startDynamo } from './dynamo.js';
import { FollowUpQueries } from './follow-up-queries.js';
import { PROJECT_ROOT } from './stack.js';
import { synthesizeTemplate } from './template.js';

/**
 * `npm run report -- --period 2026-10` (or --day 2026-11-03, --week 2026-W45) renders a report
 * into a folder: the same aggregates and renderer the scheduled report Lambda uses. The data comes
 * from the running `npm start` (through its DynamoDB port, DYNAMODB_PORT, 4011 by default), from
 * .local/dynamodb when no stack runs, or with --from DIR from a simulation's aggregates.jsonl.
 */
const usage = [
  'usage: npm run report --',
  '--period 2026-10 | --week 2026-W45 | --day 2026-11-03',
  '[--from SIMULATION_DIR] [--out DIR] [--locale zh-CN|en] [--data DIR]',
].join(' ');

/** A message for the person at the terminal, not a stack trace. */
class ReportCommandError extends Error {}

async function main(): Promise<string> {
  const { values } = parseArgs({
    options: {
      period: { type: 'string' },
      day: { type: 'string' },
      week: { type: 'string' },
      from: { type: 'string' },
      out: { type: 'string' },
      locale: { type: 'string' },
      data: { type: 'string' },
    },
  });
  const text = values.period ?? values.day ?? values.week;
  const period = text ? parsePeriod(text, reportConfig.timeZone) : undefined;
  if (!period) throw new ReportCommandError(text ? `"${text}" is not a period (2026-10, 2026-W45 or 2026-11-03).\n${usage}` : usage);
  const locale = localeSchema.safeParse(values.locale ?? policyConfig.defaults.locale);
  if (!locale.success) throw new ReportCommandError(`--locale "${values.locale}": use zh-CN or en.`);

  const rows = values.from
    ? simulationAggregates(values.from)
    : await localAggregates(values.data ?? path.join(PROJECT_ROOT, '.local', 'dynamodb'));
  const inPeriod = new Set(period.days);
  const inPrevious = new Set(period.previous.days);
  const model = buildReport(
    period,
    rows.filter((r) => inPeriod.has(r.day)),
    rows.filter((r) => inPrevious.has(r.day)),
    'all',
    reportConfig,
  );
  const outDir = values.out ?? path.join('out', 'reports', `${period.kind}-${period.label}`);
  mkdirSync(outDir, { recursive: true });
  const context = { policies: policyConfig, config: reportConfig };
  writeFileSync(path.join(outDir, 'report.html'), renderReportHtml(model, locale.data, context));
  writeFileSync(path.join(outDir, 'report.txt'), `${renderReportText(model, locale.data, context)}\n`);
  writeFileSync(path.join(outDir, 'report.csv'), renderReportCsv(model));
  const counts = `${model.totals.total} follow-ups, ${model.complaints.raised} new complaint cases`;
  return `${period.kind} report ${period.label}: ${counts} → ${outDir}/report.html, report.txt, report.csv`;
}

function simulationAggregates(dir: string): AggregateRow[] {
  const file = path.join(dir, 'aggregates.jsonl');
  if (!existsSync(file)) throw new ReportCommandError(`${file} not found: run \`npm run simulate -- --scenario FILE --out ${dir}\` first.`);
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as AggregateRow);
}

/**
 * The local stack's aggregates. While `npm start` runs it holds .local/dynamodb open (one process
 * at a time can), so the report reads through its DynamoDB endpoint; otherwise it opens the folder.
 */
async function localAggregates(dataDir: string): Promise<AggregateRow[]> {
  const port = Number(process.env.DYNAMODB_PORT ?? 4011);
  const running = `http://127.0.0.1:${port}`;
  const fromStack = await tableAt(running);
  if (fromStack) return readAggregates(running, fromStack);

  let dynamo: Awaited<ReturnType<typeof startDynamo>> | undefined;
  try {
    // dynalite would fail on a folder another process holds with an uncaught error on its first
    // request: find out first, with the same LevelDB it stores in.
    await probeFolder(dataDir);
    dynamo = await startDynamo(synthesizeTemplate(), dataDir);
    const table = await tableAt(dynamo.url);
    if (!table) throw new Error('no table');
    return await readAggregates(dynamo.url, table);
  } catch (error) {
    if (error instanceof ReportCommandError) throw error;
    throw new ReportCommandError(
      `Could not read the local data in ${path.relative(process.cwd(), dataDir) || dataDir} (${(error as Error).message}).\n` +
        `Another process holds it open, most likely \`npm start\`, and nothing answers at ${running}.\n` +
        `If \`npm start\` runs with another DYNAMODB_PORT, run the report with the same one (DYNAMODB_PORT=<port> npm run report -- …); ` +
        'otherwise stop the other process (Ctrl-C) and run the report again.',
    );
  } finally {
    await dynamo?.close();
  }
}

async function probeFolder(dataDir: string): Promise<void> {
  if (!existsSync(dataDir)) return;
  const db = new Level(dataDir);
  try {
    await db.open();
  } catch (error) {
    const cause = (error as { cause?: { code?: string }; code?: string }).cause?.code ?? (error as { code?: string }).code;
    throw new Error(cause === 'LEVEL_LOCKED' ? 'the folder is locked' : (error as Error).message);
  } finally {
    await db.close();
  }
}

/** The follow-up table a local DynamoDB holds, or undefined when nothing answers there. */
async function tableAt(endpoint: string): Promise<string | undefined> {
  const client = new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
    requestHandler: { connectionTimeout: 1000, requestTimeout: 5000 },
  });
  try {
    const { TableNames = [] } = await client.send(new ListTablesCommand({}));
    if (TableNames.length !== 1)
      throw new ReportCommandError(
        `The DynamoDB at ${endpoint} holds ${TableNames.length} tables (${TableNames.join(', ')}), not the local stack's one: ` +
          "is DYNAMODB_PORT another service's port?",
      );
    return TableNames[0];
  } catch (error) {
    if (error instanceof ReportCommandError) throw error;
    return undefined;
  } finally {
    client.destroy();
  }
}

async function readAggregates(endpoint: string, table: string): Promise<AggregateRow[]> {
  const queries = new FollowUpQueries(endpoint, table);
  try {
    return await queries.aggregates();
  } finally {
    queries.close();
  }
}

try {
  console.log(await main());
  process.exit(0);
} catch (error) {
  if (!(error instanceof ReportCommandError)) throw error;
  console.error(error.message);
  process.exit(error.message === usage || error.message.endsWith(usage) ? 2 : 1);
}
