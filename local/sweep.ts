import { parseScenario, type Scenario } from './scenario.js';
import type { Summary } from './simulation.js';

/**
 * What-if sweeps: one scenario run with a setting changed to each of several values ("how many
 * agents for next month?"). This module is the pure part: reading `--vary` specs, building the
 * variants' scenarios (each checked like a scenario file) and the comparison table.
 */

/** One `--vary PATH=V1,V2,…`: a setting of the scenario and the values to try. */
export interface Vary {
  path: string;
  segments: string[];
  values: unknown[];
}

/** More runs than this is more likely a typo in a value list than a plan. */
export const MAX_VARIANTS = 64;

/**
 * "agents.count=2,3,4" → agents.count, [2, 3, 4]. Values are read as JSON where they are JSON
 * (numbers, true, ["08:00","18:00"]) and as text otherwise (Asia/Tokyo).
 */
export function parseVary(spec: string): Vary {
  const at = spec.indexOf('=');
  const path = at < 0 ? '' : spec.slice(0, at).trim();
  const list = at < 0 ? '' : spec.slice(at + 1).trim();
  if (!path || !list) throw new Error(`--vary ${spec}: expected PATH=VALUE,VALUE,… (for example agents.count=2,3,4)`);
  const segments = path.split('.');
  if (segments.some((segment) => segment === '')) throw new Error(`--vary ${spec}: "${path}" has an empty part`);
  const values = readValues(list);
  const seen = new Set<string>();
  for (const value of values) {
    const key = JSON.stringify(value);
    if (seen.has(key)) throw new Error(`--vary ${spec}: ${key} is listed twice`);
    seen.add(key);
  }
  return { path, segments, values };
}

function readValues(list: string): unknown[] {
  try {
    return JSON.parse(`[${list}]`) as unknown[];
  } catch {
    return list.split(',').map((item) => {
      const text = item.trim();
      try {
        return JSON.parse(text) as unknown;
      } catch {
        return text;
      }
    });
  }
}

export interface Variant {
  /** "agents.count=3" (settings joined by ", "). */
  label: string;
  /** A directory name for its output, in run order ("01-agents.count=3"). */
  dirName: string;
  settings: { path: string; value: unknown }[];
  /** The scenario file the variant runs, as written: the base with its settings and a name that says which. */
  raw: Record<string, unknown>;
  scenario: Scenario;
}

/** Every combination of the varies' values applied to the scenario's JSON, each checked as a scenario is. */
export function sweepVariants(raw: unknown, varies: Vary[]): Variant[] {
  if (varies.length === 0) throw new Error('a sweep needs at least one --vary');
  const paths = new Set<string>();
  for (const vary of varies) {
    if (paths.has(vary.path)) throw new Error(`--vary ${vary.path} is given twice: list all its values in one --vary`);
    paths.add(vary.path);
  }
  const count = varies.reduce((n, vary) => n * vary.values.length, 1);
  if (count > MAX_VARIANTS)
    throw new Error(`the sweep would run ${count} variants; at most ${MAX_VARIANTS} (split it into smaller sweeps)`);
  const combinations = varies.reduce<{ path: string; segments: string[]; value: unknown }[][]>(
    (partial, vary) => partial.flatMap((settings) => vary.values.map((value) => [...settings, { ...vary, value }])),
    [[]],
  );
  const width = String(combinations.length).length;
  return combinations.map((settings, index) => {
    const label = settings.map(({ path, value }) => `${path}=${typeof value === 'string' ? value : JSON.stringify(value)}`).join(', ');
    const variantRaw = structuredClone(raw) as Record<string, unknown>;
    for (const { path, segments, value } of settings) setAt(variantRaw, segments, value, path);
    if (typeof variantRaw.name === 'string') variantRaw.name = `${variantRaw.name} · ${label}`;
    return {
      label,
      dirName: `${String(index + 1).padStart(Math.max(2, width), '0')}-${label.replace(/, /g, ',').replace(/[^\w.=,-]/g, '_')}`,
      settings: settings.map(({ path, value }) => ({ path, value })),
      raw: variantRaw,
      scenario: parseScenario(variantRaw, `--vary ${label}`),
    };
  });
}

/** Sets the value at the path; every part but the last must already be there (a typo is named, not created). */
function setAt(root: Record<string, unknown>, segments: string[], value: unknown, path: string): void {
  let container: unknown = root;
  segments.forEach((segment, i) => {
    const last = i === segments.length - 1;
    const where = segments.slice(0, i + 1).join('.');
    if (Array.isArray(container)) {
      const index = /^\d+$/.test(segment) ? Number(segment) : -1;
      if (index < 0 || index >= container.length)
        throw new Error(`--vary ${path}: ${where} is not there (the list has ${container.length} entries, numbered from 0)`);
      if (last) container[index] = value;
      else container = container[index];
      return;
    }
    if (typeof container !== 'object' || container === null)
      throw new Error(`--vary ${path}: ${segments.slice(0, i).join('.')} has no parts`);
    const record = container as Record<string, unknown>;
    if (last) record[segment] = value;
    else if (record[segment] === undefined) throw new Error(`--vary ${path}: the scenario has no ${where}`);
    else container = record[segment];
  });
}

export interface VariantResult {
  variant: Variant;
  /** Absent when the run failed: `error` says why. */
  summary?: Summary;
  error?: string;
  wallSeconds: number;
}

const percent = (rate: number | null | undefined) => (typeof rate === 'number' ? `${(rate * 100).toFixed(1)}%` : 'n/a');

/** What a contact costs, by currency (Connect tasks and SES in USD; SMS in each provider's currency). */
function contactCost(cost: Summary['cost']): string {
  const byCurrency = new Map<string, number>();
  const add = (currency: string, amount: number) => byCurrency.set(currency, (byCurrency.get(currency) ?? 0) + amount);
  add(cost.phone.currency, cost.phone.amount);
  add(cost.email.currency, cost.email.amount);
  add(cost.sms.aws.currency, cost.sms.aws.amount);
  add(cost.sms.alibaba.currency, cost.sms.alibaba.amount);
  return [...byCurrency]
    .filter(([currency, amount]) => amount > 0 || currency === cost.phone.currency)
    .map(([currency, amount]) => `${amount.toFixed(2)} ${currency}`)
    .join(' + ');
}

/** The variants side by side: the figures a staffing or policy decision weighs. */
export function sweepRows(results: VariantResult[]): string[][] {
  const header = [
    'variant',
    'follow-ups',
    'reach',
    'on time',
    'satisfaction',
    'tasks expired on desk',
    'complaints resolved in SLA',
    'contact cost',
    'wall s',
  ];
  return [
    header,
    ...results.map(({ variant, summary, error, wallSeconds }) => {
      if (!summary) return [variant.label, `failed: ${error ?? 'unknown'}`, '', '', '', '', '', '', wallSeconds.toFixed(1)];
      const satisfaction = (summary.kpis.satisfaction as { average?: number | null }).average;
      return [
        variant.label,
        String(summary.followUps.total),
        percent(summary.kpis.reachRate),
        percent(summary.kpis.onTimeRate),
        typeof satisfaction === 'number' ? satisfaction.toFixed(2) : 'n/a',
        String(summary.agents.tasksExpiredOnDesk),
        percent(summary.complaints.resolvedWithinSlaRate),
        contactCost(summary.cost),
        wallSeconds.toFixed(1),
      ];
    }),
  ];
}
