import { DateTime } from 'luxon';
import { periodicConfig } from '../functions/shared/config/periodic.js';
import { reportConfig } from '../functions/shared/config/reports.js';
import { AwsError } from './cloud/index.js';
import { FollowUpQueries } from './follow-up-queries.js';
import { customerTier, plannedEvents, type Scenario } from './scenario.js';
import { SimulatedDesk } from './simulated-desk.js';
import { scenarioFaults } from './simulated-faults.js';
import { simulateInboxes, simulateManagers, simulateTexts } from './simulated-responders.js';
import { writeSimulation } from './simulation-output.js';
import { invocationDurations, outcomeLine, type SimulationRun, type Summary, summarise } from './simulation-summary.js';
import { type LocalStack, startLocalStack } from './stack.js';

export type { Summary };

const DAY = 86_400_000;

/** History import: customers last served `afterMonths` before the scenario month, so they fall dormant in it. */
async function importDormantHistory(stack: LocalStack, s: Scenario, start: number) {
  if (s.dormant.customers === 0) return;
  const { DynamoCustomerIndex } = await import('../functions/shared/adapters/dynamo-customer-index.js');
  const index = new DynamoCustomerIndex(
    stack.tableName,
    { afterMonths: reportConfig.dormant.afterMonths, timeZone: reportConfig.timeZone },
    () => stack.clock.now(),
  );
  const month = DateTime.fromMillis(start, { zone: s.timeZone })
    .minus({ months: reportConfig.dormant.afterMonths })
    .set({ day: 15, hour: 10 });
  for (let n = 0; n < s.dormant.customers; n += 1) {
    const customer = {
      id: `DORMANT-${n}`,
      name: `Dormant customer ${n}`,
      phone: `+86137${String(10_000_000 + n).slice(-8)}`,
      ...(n % 3 === 0 ? { email: `dormant${n}@example.com` } : {}),
    };
    await index.touch(s.source, customer, 'sales', month.toUTC().toISO()!);
  }
}

/**
 * History import: customers last followed up one tier interval before the scenario month (6
 * months for key customers, 12 for ordinary ones), so the monthly periodic run finds them in it.
 */
async function importPeriodicHistory(stack: LocalStack, s: Scenario, start: number) {
  if (s.periodic.customers === 0) return;
  const { DynamoCustomerIndex } = await import('../functions/shared/adapters/dynamo-customer-index.js');
  const index = new DynamoCustomerIndex(
    stack.tableName,
    { afterMonths: reportConfig.dormant.afterMonths, timeZone: reportConfig.timeZone },
    () => stack.clock.now(),
  );
  const month = DateTime.fromMillis(start, { zone: reportConfig.timeZone }).toFormat('yyyy-MM');
  for (let n = 0; n < s.periodic.customers; n += 1) {
    const id = `PERIODIC-${n}`;
    const tier = customerTier(s, id);
    const lastFollowUpAt = DateTime.fromFormat(month, 'yyyy-MM', { zone: reportConfig.timeZone })
      .minus({ months: periodicConfig.tiers[tier].everyMonths })
      .set({ day: 15, hour: 10 });
    const customer = {
      id,
      name: `Periodic customer ${n}`,
      phone: `+86136${String(10_000_000 + n).slice(-8)}`,
      ...(n % 3 === 0 ? { email: `periodic${n}@example.com` } : {}),
      tier,
    };
    await index.followedUp({ source: s.source, customer, departmentId: 'sales', lastFollowUpAt: lastFollowUpAt.toUTC().toISO()! }, month);
  }
}

/** The scenario's faults plus `sms.failureRate` as a permanent refusal by either SMS provider (keyed by the number). */
function withSmsFailures(s: Scenario): Scenario['faults'] {
  const rate = s.sms?.failureRate ?? 0;
  if (rate === 0) return s.faults;
  const base = s.faults ?? { throttleRate: 0, operations: [], permanent: [] };
  return {
    ...base,
    permanent: [
      ...base.permanent,
      { operation: 'SMS.SendTextMessage', error: 'ValidationException', rate },
      { operation: 'AlibabaSms.SendSms', error: 'ValidationException', rate },
    ],
  };
}

export interface SimulationResult {
  summary: Summary;
  outcomes: Record<string, unknown>[];
  /** Handler durations (ms) by function: the benchmark's latency figures. */
  invocationDurations: Record<string, number[]>;
  wallSeconds: number;
}

export interface SimulationOptions {
  onProgress?: (fraction: number) => void;
  /** A synthesized template file to run instead of synthesizing one (`cdk.out/<stack>.template.json`). */
  template?: string;
}

/** Runs a scenario on a local stack, then summarises it and, with `outDir`, writes it out. */
export async function runSimulation(s: Scenario, outDir: string | undefined, options: SimulationOptions = {}): Promise<SimulationResult> {
  const wallStart = performance.now();
  const run = await runScenario(s, options);
  const summary = summarise(run);
  const outcomes = run.followUps.map(outcomeLine);
  if (outDir) await writeSimulation(outDir, summary, outcomes, run);
  return { summary, outcomes, invocationDurations: invocationDurations(run.cloud), wallSeconds: (performance.now() - wallStart) / 1000 };
}

/** The scenario's month on the virtual clock, with simulated agents, customers and managers, then what it left. */
export async function runScenario(s: Scenario, options: SimulationOptions = {}): Promise<SimulationRun> {
  const start = DateTime.fromISO(s.start, { setZone: true }).toMillis();
  const end = start + s.days * DAY;
  const drained = end + s.drainDays * DAY;
  // A throttled call is retried with the SDK's attempts and retry quota, but at once: a real wait
  // would let concurrent work overtake it by the machine's speed, and a replay would differ.
  process.env.SDK_RETRY_BASE_DELAY_MS ??= '0';
  // SIMULATION_LOG_LEVEL=INFO shows the handlers' structured logs (the simulation test searches them for personal data).
  const logLevel = (process.env.SIMULATION_LOG_LEVEL as 'INFO' | undefined) ?? 'SILENT';
  const stack = await startLocalStack({
    clock: 'manual',
    start: new Date(start),
    logLevel,
    template: options.template,
    ses: s.ses,
    apiLinks: true,
  });
  try {
    const faultSettings = withSmsFailures(s);
    const faults = faultSettings ? scenarioFaults(s.seed, faultSettings) : undefined;
    stack.cloud.faults = faults;
    const desk = new SimulatedDesk(stack, s);
    simulateInboxes(stack, s);
    simulateManagers(stack, s);
    simulateTexts(stack, s);
    await importDormantHistory(stack, s, start);
    await importPeriodicHistory(stack, s, start);
    const events = plannedEvents(s);
    events.forEach((event, i) => {
      stack.clock.timer(
        event.at,
        () =>
          void stack.clock.track(async () => {
            // An upstream system retries PutEvents when EventBridge throttles it.
            for (let attempt = 1; ; attempt += 1) {
              try {
                stack.cloud.putEvents([
                  { EventBusName: stack.busName, Source: s.source, DetailType: event.detailType, Detail: JSON.stringify(event.detail) },
                ]);
                return;
              } catch (error) {
                if (!(error instanceof AwsError) || attempt >= 20) throw error;
              }
            }
          }),
        `event:${String(i).padStart(6, '0')}`,
      );
    });
    await stack.clock.runUntil(drained, (now) => options.onProgress?.((now - start) / (drained - start)));
    options.onProgress?.(1);

    const queries = new FollowUpQueries(stack.dynamoUrl, stack.tableName);
    const followUps = (await queries.followUps()).sort((a, b) => a.followUpId.localeCompare(b.followUpId));
    const rejections = await queries.rejections();
    const complaints = await queries.complaints();
    const aggregateRows = await queries.aggregates();
    const careClaims = await queries.careClaims();
    const attempts = await queries.contactAttempts();
    queries.close();
    const period = { start, end, drained };
    return {
      scenario: s,
      period,
      events,
      followUps,
      rejections,
      complaints,
      aggregateRows,
      careClaims,
      attempts,
      cloud: stack.cloud,
      desk: desk.handled,
      faults,
    };
  } finally {
    await stack.stop();
  }
}
