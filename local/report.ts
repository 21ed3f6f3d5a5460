import { parseArgs } from 'node:util';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { policyConfig } from '../functions/shared/config/policies.js';
import { reportConfig } from '../functions/shared/config/reports.js';
import { parsePeriod } from '../functions/shared/domain/report-period.js';
import { buildReport } from '../functions/shared/domain/report.js';
import { renderReportCsv, renderReportHtml, renderReportText } from '../functions/shared/domain/report-render.js';
import type { AggregateRow } from '../functions/shared/adapters/aggregate-store.js';
import { localeSchema } from '../functions/shared/domain/policy-schema.js';
import { startLocalStack, PROJECT_ROOT } from './stack.js';
import { FollowUpQueries } from './follow-up-queries.js';

/**
 * `npm run report -- --period 2026-10` (or --day 2026-11-03, --week 2026-W45) renders a report
 * into a folder from the local stack's data (.local/), or with --from DIR from a simulation's
 * aggregates.jsonl: the same aggregates and renderer the scheduled report Lambda uses.
 */
const { values } = parseArgs({
  options: {
    period: { type: 'string' },
    day: { type: 'string' },
    week: { type: 'string' },
    from: { type: 'string' },
    out: { type: 'string' },
    locale: { type: 'string' },
  },
});
const text = values.period ?? values.day ?? values.week;
const period = text ? parsePeriod(text, reportConfig.timeZone) : undefined;
if (!period) {
  console.error('usage: npm run report -- --period 2026-10 | --week 2026-W45 | --day 2026-11-03 [--from SIMULATION_DIR] [--out DIR] [--locale zh-CN|en]');
  process.exit(2);
}
const locale = localeSchema.parse(values.locale ?? policyConfig.defaults.locale);

let rows: AggregateRow[];
if (values.from) {
  const file = path.join(values.from, 'aggregates.jsonl');
  if (!existsSync(file)) throw new Error(`${file} not found: run npm run simulate first`);
  rows = readFileSync(file, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line) as AggregateRow);
} else {
  const stack = await startLocalStack({ clock: 'manual', dataDir: path.join(PROJECT_ROOT, '.local', 'dynamodb'), schedules: false, logLevel: 'SILENT' });
  const queries = new FollowUpQueries(stack.dynamoUrl, stack.tableName);
  rows = await queries.aggregates();
  queries.close();
  await stack.stop();
}
const inPeriod = new Set(period.days);
const inPrevious = new Set(period.previous.days);
const model = buildReport(period, rows.filter((r) => inPeriod.has(r.day)), rows.filter((r) => inPrevious.has(r.day)), 'all', reportConfig);
const outDir = values.out ?? path.join('out', 'reports', `${period.kind}-${period.label}`);
mkdirSync(outDir, { recursive: true });
writeFileSync(path.join(outDir, 'report.html'), renderReportHtml(model, locale, policyConfig));
writeFileSync(path.join(outDir, 'report.txt'), `${renderReportText(model, locale, policyConfig)}\n`);
writeFileSync(path.join(outDir, 'report.csv'), renderReportCsv(model));
console.log(`${period.kind} report ${period.label}: ${model.totals.total} follow-ups, ${model.complaints.raised} complaints → ${outDir}/report.html, report.txt, report.csv`);
process.exit(0);
