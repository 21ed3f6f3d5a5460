import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { DateTime } from 'luxon';
import { policyConfig } from '../functions/shared/config/policies.js';
import { durationSeconds } from '../functions/shared/domain/schedule.js';
import { computeKpis } from '../functions/shared/domain/kpi.js';
import { complaintKpis, type ComplaintKpis } from '../functions/shared/domain/complaint-kpi.js';
import { escalationHours } from '../functions/shared/domain/complaint.js';
import { escalationConfig } from '../functions/shared/config/escalation.js';
import { reportConfig } from '../functions/shared/config/reports.js';
import { AwsError, type AgentTaskRecord } from './local-cloud.js';
import { emlOf } from './eml.js';
import { scenarioFaults } from './simulated-faults.js';
import { startLocalStack, type LocalStack } from './stack.js';
import { FollowUpQueries, outcomeFactOf, type StoredFollowUp } from './follow-up-queries.js';
import { draw, plannedEvents, between, type Scenario } from './scenario.js';
import { emailReply, phoneCall, surveyAnswers } from './simulated-people.js';

const DAY = 86_400_000;
const minutesOf = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3));

/**
 * The agents at the desk: during their shift each free agent takes the oldest open task, talks
 * for the handling time, and submits the outcome form. Dispatch runs one second after something
 * changes, so every task created at the same instant is on the desk before anyone picks.
 */
class SimulatedDesk {
  private readonly pending: AgentTaskRecord[] = [];
  private readonly agents: { id: number; freeAt: number }[];
  private dispatchAt: number | undefined;
  private cancelDispatch: () => void = () => {};
  readonly handled = { calls: 0, stale: 0 };

  constructor(private readonly stack: LocalStack, private readonly s: Scenario) {
    this.agents = Array.from({ length: s.agents.count }, (_, id) => ({ id, freeAt: 0 }));
    stack.cloud.onAgentTask((task) => {
      if (!task.attributes.followUpId) return;
      this.pending.push(task);
      this.requestDispatch(stack.clock.nowMs() + 1000);
    });
  }

  private onShift(at: number): boolean {
    const t = DateTime.fromMillis(at, { zone: this.s.timeZone });
    const minute = t.hour * 60 + t.minute;
    return this.s.agents.weekdays.includes(t.weekday) && minute >= minutesOf(this.s.agents.shift[0]) && minute < minutesOf(this.s.agents.shift[1]);
  }

  private nextShiftStart(at: number): number {
    let day = DateTime.fromMillis(at, { zone: this.s.timeZone }).startOf('day');
    for (let i = 0; i < 14; i += 1, day = day.plus({ days: 1 })) {
      const opens = day.plus({ minutes: minutesOf(this.s.agents.shift[0]) }).toMillis();
      if (this.s.agents.weekdays.includes(day.weekday) && opens > at) return opens;
    }
    return at + DAY;
  }

  private requestDispatch(at: number) {
    if (this.dispatchAt !== undefined && this.dispatchAt <= at) return;
    this.cancelDispatch();
    this.dispatchAt = at;
    this.cancelDispatch = this.stack.clock.timer(at, () => {
      this.dispatchAt = undefined;
      this.dispatch();
    }, 'desk');
  }

  private dispatch() {
    const now = this.stack.clock.nowMs();
    // Tasks the workflow stopped waiting for have left the desk.
    for (let i = this.pending.length - 1; i >= 0; i -= 1) {
      const task = this.pending[i]!;
      const step = policyConfig.policies[task.attributes.serviceType ?? '']?.channels.find((c) => c.channel === 'phone');
      if (step && Date.parse(task.createdAt) + durationSeconds(step.responseTimeout) * 1000 <= now) {
        this.pending.splice(i, 1);
        this.handled.stale += 1;
      }
    }
    if (this.pending.length === 0) return;
    if (!this.onShift(now)) return this.requestDispatch(this.nextShiftStart(now));
    this.pending.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.clientToken.localeCompare(b.clientToken));
    for (const agent of this.agents) {
      if (agent.freeAt > now || this.pending.length === 0) continue;
      const task = this.pending.shift()!;
      const handling = Math.round(between(this.s.seed, `handling:${task.clientToken}`, this.s.agents.handlingMinutes) * 60_000);
      agent.freeAt = now + handling;
      this.stack.clock.timer(agent.freeAt, () => void this.stack.clock.track(() => this.complete(task)), `call:${task.clientToken}`);
    }
    if (this.pending.length > 0) this.requestDispatch(Math.min(...this.agents.map((a) => a.freeAt)));
  }

  private async complete(task: AgentTaskRecord) {
    const survey = policyConfig.surveys[policyConfig.policies[task.attributes.serviceType ?? '']!.survey]!;
    const body = phoneCall(this.s.seed, task.clientToken, survey, this.s.behaviour, this.stack.clock.nowMs(), this.s.timeZone);
    await fetch(task.outcomeFormUrl, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json' }, body: JSON.stringify(body) });
    this.handled.calls += 1;
    this.requestDispatch(this.stack.clock.nowMs() + 1000);
  }
}

/**
 * Managers reading complaint notifications: some acknowledge after a while, some resolve later;
 * a manager who lets it slide is chased and, in time, passed over.
 */
function simulateManagers(stack: LocalStack, s: Scenario) {
  const post = (url: string, body: Record<string, unknown>) =>
    fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json' }, body: JSON.stringify(body) });
  stack.cloud.onAgentTask((task) => {
    if (!task.attributes.complaintId) return;
    const key = task.clientToken || task.contactId;
    const created = Date.parse(task.createdAt);
    const m = s.managers;
    if (task.references.acknowledge && draw(s.seed, `ack:${key}`) < m.acknowledgeRate) {
      const when = created + Math.round(between(s.seed, `ackAfter:${key}`, m.acknowledgeAfterHours) * 3_600_000);
      stack.clock.timer(when, () => void stack.clock.track(() => post(task.references.acknowledge!, {})), `ack:${key}`);
    }
    if (draw(s.seed, `resolve:${key}`) < m.resolveRate) {
      const when = created + Math.round(between(s.seed, `resolveAfter:${key}`, m.resolveAfterHours) * 3_600_000);
      stack.clock.timer(when, () => void stack.clock.track(() => post(task.outcomeFormUrl, { note: 'handled in simulation' })), `resolve:${key}`);
    }
  });
}

/** Customers reading their mail: some answer the survey after a while. */
function simulateInboxes(stack: LocalStack, s: Scenario) {
  stack.cloud.onEmail((email) => {
    const link = /https?:\/\/\S+\/links\/[\w.-]+/.exec(email.text)?.[0];
    if (!link) return;
    const token = link.split('/links/')[1]!;
    const claims = JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString('utf8')) as { f: string; a: number; p: string };
    if (claims.p !== 'survey') return;
    const key = `${claims.f}-${claims.a}`;
    const reply = emailReply(s.seed, key, s.behaviour);
    if (!reply) return;
    const followUp = claims.f;
    stack.clock.timer(stack.clock.nowMs() + reply.afterMs, () =>
      void stack.clock.track(async () => {
        const page = await fetch(link, { headers: { accept: 'application/json' } });
        if (page.status !== 200) return;
        const { survey: surveyName } = (await page.json()) as { survey: string };
        const survey = policyConfig.surveys[surveyName]!;
        await fetch(link, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json' }, body: JSON.stringify({ answers: surveyAnswers(s.seed, key, survey, s.behaviour) }) });
      }),
      `reply:${followUp}:${claims.a}`,
    );
  });
}

/** History import: customers last served `afterMonths` before the scenario month, so they fall dormant in it. */
async function importDormantHistory(stack: LocalStack, s: Scenario, start: number) {
  if (s.dormant.customers === 0) return;
  const { CustomerIndex } = await import('../functions/shared/adapters/customer-index.js');
  const index = new CustomerIndex(stack.tableName, { afterMonths: reportConfig.dormant.afterMonths, timeZone: reportConfig.timeZone }, () => stack.clock.now());
  const month = DateTime.fromMillis(start, { zone: s.timeZone }).minus({ months: reportConfig.dormant.afterMonths }).set({ day: 15, hour: 10 });
  for (let n = 0; n < s.dormant.customers; n += 1) {
    const customer = { id: `DORMANT-${n}`, name: `Dormant customer ${n}`, phone: `+86137${String(10_000_000 + n).slice(-8)}`, ...(n % 3 === 0 ? { email: `dormant${n}@example.com` } : {}) };
    await index.touch(s.source, customer, 'sales', month.toUTC().toISO()!);
  }
}

export interface Summary {
  scenario: string;
  seed: number;
  period: { start: string; end: string; drainedUntil: string };
  events: { published: number; duplicates: number };
  followUps: { total: number; byStatus: Record<string, number>; byServiceType: Record<string, number>; failedByReason: Record<string, number> };
  rejected: number;
  rejectedBy: Record<string, number>;
  kpis: { coverageRate: number | null; onTimeRate: number | null; reachRate: number | null; satisfaction: unknown; complaints: number; due: number; followedUp: number; reached: number };
  stateTransitions: {
    total: number;
    perFollowUp: { min: number; median: number; max: number };
    medianByPath: Record<string, number>;
    perEscalationCycle: { count: number; median: number; max: number };
  };
  apiCalls: Record<string, number>;
  lambdaInvocations: Record<string, number>;
  agents: { tasksCreated: number; callsHandled: number; tasksExpiredOnDesk: number };
  /** Mail SES accepted, and mail it refused by error code (sandbox, quota, injected faults). */
  emails: { sent: number; rejected: Record<string, number> };
  reports: { archived: string[] };
  /** Throttling and permanent errors injected; permanent ones as requests hit, by operation and error. */
  faults: { injected: number; throttled: number; permanent: Record<string, number> };
  /** Executions by workflow and status at the end: RUNNING means left unfinished, FAILED means no outcome step ran. */
  executions: Record<string, Record<string, number>>;
  deadLetters: number;
  /** Dead letters by queue (the template's logical id) and the failure that put them there. */
  deadLettersBy: Record<string, number>;
  peakContacts: { perSecond: number; perMinute: number };
  complaints: ComplaintKpis;
}

export interface SimulationResult {
  summary: Summary;
  outcomes: Record<string, unknown>[];
  wallSeconds: number;
}

function outcomeLine(f: StoredFollowUp): Record<string, unknown> {
  const fact = outcomeFactOf(f);
  return {
    followUpId: f.followUpId,
    serviceType: f.serviceType,
    serviceId: f.serviceId,
    round: f.round,
    departmentId: f.departmentId ?? null,
    customerId: f.customer.id,
    status: fact.status,
    reason: fact.reason ?? null,
    /** Why a `failed` follow-up failed: "<channel>:<AWS code>" or the workflow error's name. */
    error: f.outcome?.error ?? null,
    channel: f.outcome?.channel ?? null,
    attempts: fact.attempts,
    attemptHistory: (f.attempts ?? []).map((a) => ({ attempt: a.attempt, channel: a.channel, result: a.result, endedAt: a.endedAt })),
    onTime: fact.onTime ?? null,
    scores: fact.scores,
    complaint: fact.complaint,
    completedAt: f.completedAt,
    dueAt: f.dueAt ?? null,
    deadline: f.deadline ?? null,
    finishedAt: f.outcome?.finishedAt ?? null,
  };
}

const countBy = <T>(items: T[], key: (item: T) => string) =>
  Object.fromEntries(Object.entries(items.reduce<Record<string, number>>((acc, item) => ((acc[key(item)] = (acc[key(item)] ?? 0) + 1), acc), {})).sort(([a], [b]) => a.localeCompare(b)));

const sortedRecord = (record: Record<string, number>) => Object.fromEntries(Object.entries(record).sort(([a], [b]) => a.localeCompare(b)));

let invocationStats: Record<string, number[]> = {};
/** Handler durations (ms) of the last simulation, by function: the benchmark's latency figures. */
export function lastInvocationStats(): Record<string, number[]> {
  return invocationStats;
}

export interface SimulationOptions {
  onProgress?: (fraction: number) => void;
  /** A synthesized template file to run instead of synthesizing one (`cdk.out/<stack>.template.json`). */
  template?: string;
}

export async function runSimulation(s: Scenario, outDir: string | undefined, options: SimulationOptions = {}): Promise<SimulationResult> {
  const wallStart = performance.now();
  const start = DateTime.fromISO(s.start, { setZone: true }).toMillis();
  const end = start + s.days * DAY;
  const drained = end + s.drainDays * DAY;
  // Backoff after an injected throttle is real waiting: keep the SDK's shape, shrink its scale.
  process.env.SDK_RETRY_BASE_DELAY_MS ??= '2';
  // SIMULATION_LOG_LEVEL=INFO shows the handlers' structured logs (the privacy test reads them).
  const logLevel = (process.env.SIMULATION_LOG_LEVEL as 'INFO' | undefined) ?? 'SILENT';
  const stack = await startLocalStack({ clock: 'manual', start: new Date(start), logLevel, template: options.template, ses: s.ses });
  try {
    const faults = s.faults ? scenarioFaults(s.seed, s.faults) : undefined;
    stack.cloud.faults = faults;
    const desk = new SimulatedDesk(stack, s);
    simulateInboxes(stack, s);
    simulateManagers(stack, s);
    await importDormantHistory(stack, s, start);
    const events = plannedEvents(s);
    events.forEach((event, i) => {
      stack.clock.timer(event.at, () =>
        void stack.clock.track(async () => {
          // An upstream system retries PutEvents when EventBridge throttles it.
          for (let attempt = 1; ; attempt += 1) {
            try {
              stack.cloud.putEvents([{ EventBusName: stack.busName, Source: s.source, DetailType: event.detailType, Detail: JSON.stringify(event.detail) }]);
              return;
            } catch (error) {
              if (!(error instanceof AwsError) || attempt >= 20) throw error;
            }
          }
        }),
      `event:${String(i).padStart(6, '0')}`);
    });
    await stack.clock.runUntil(drained, (now) => options.onProgress?.((now - start) / (drained - start)));
    options.onProgress?.(1);

    const queries = new FollowUpQueries(stack.dynamoUrl, stack.tableName);
    const followUps = (await queries.followUps()).sort((a, b) => a.followUpId.localeCompare(b.followUpId));
    const rejections = await queries.rejections();
    const complaints = await queries.complaints();
    const aggregateRows = await queries.aggregates();
    queries.close();
    const facts = followUps.map(outcomeFactOf);
    const kpis = computeKpis(facts);
    const executions = [...stack.cloud.executions.values()];
    const followUpRuns = executions.filter((e) => e.name.startsWith('fu-'));
    const transitions = followUpRuns.map((e) => e.transitions).sort((a, b) => a - b);
    const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
    // Transitions by path: a follow-up with one contact (happy path), two (a retry), three or more (fallback).
    const byContacts = followUpRuns.reduce<Record<string, number[]>>((acc, e) => {
      const contacts = e.states.filter((state) => state === 'Contact customer').length;
      const key = contacts === 0 ? 'noContact' : contacts === 1 ? 'oneContact' : contacts === 2 ? 'twoContacts' : 'threeOrMoreContacts';
      (acc[key] ??= []).push(e.transitions);
      return acc;
    }, {});
    const escalationRuns = executions.filter((e) => e.name.startsWith('cp-')).map((e) => e.transitions);
    const summary: Summary = {
      scenario: s.name,
      seed: s.seed,
      period: { start: new Date(start).toISOString(), end: new Date(end).toISOString(), drainedUntil: new Date(drained).toISOString() },
      events: { published: events.length, duplicates: events.length - new Set(events.map((e) => JSON.stringify(e.detail))).size },
      followUps: {
        total: followUps.length,
        byStatus: countBy(facts, (f) => f.status),
        byServiceType: countBy(followUps, (f) => f.serviceType),
        failedByReason: countBy(followUps.filter((f) => outcomeFactOf(f).status === 'failed'), (f) => f.outcome?.error ?? f.outcome?.reason ?? 'unknown'),
      },
      rejected: rejections.length,
      rejectedBy: countBy(rejections, (r) => `${r.detailType}: ${r.field}`),
      kpis: { coverageRate: kpis.coverageRate, onTimeRate: kpis.onTimeRate, reachRate: kpis.reachRate, satisfaction: kpis.satisfaction, complaints: kpis.complaints, due: kpis.due, followedUp: kpis.followedUp, reached: kpis.reached },
      stateTransitions: {
        total: executions.reduce((a, e) => a + e.transitions, 0),
        perFollowUp: { min: transitions[0] ?? 0, median: median(transitions), max: transitions.at(-1) ?? 0 },
        medianByPath: Object.fromEntries(Object.entries(byContacts).sort(([a], [b]) => a.localeCompare(b)).map(([path, values]) => [path, median(values)])),
        perEscalationCycle: { count: escalationRuns.length, median: median(escalationRuns), max: Math.max(0, ...escalationRuns) },
      },
      apiCalls: sortedRecord(stack.cloud.apiCalls),
      lambdaInvocations: sortedRecord(Object.fromEntries(Object.entries(stack.cloud.invocations).map(([name, stats]) => [name.replace(/[0-9A-F]{8}$/, ''), stats.count]))),
      agents: { tasksCreated: stack.cloud.agentTasks.length, callsHandled: desk.handled.calls, tasksExpiredOnDesk: desk.handled.stale },
      emails: { sent: stack.cloud.outbox.length, rejected: countBy(stack.cloud.rejectedMail, (m) => m.code) },
      reports: { archived: [...stack.cloud.objects.keys()].filter((k) => k.endsWith('report.html')).map((k) => k.split('/').slice(2, 4).join('/')).sort() },
      faults: { injected: faults?.injected ?? 0, throttled: faults?.throttled ?? 0, permanent: sortedRecord(faults?.permanent ?? {}) },
      executions: Object.fromEntries(
        Object.entries({ followUps: executions.filter((e) => e.name.startsWith('fu-')), escalations: executions.filter((e) => e.name.startsWith('cp-')) }).map(([kind, runs]) => [kind, countBy(runs, (e) => e.status)]),
      ),
      deadLetters: stack.cloud.deadLetters.length,
      deadLettersBy: countBy(stack.cloud.deadLetters, (d) => `${d.queue.split(':').pop()}: ${d.reason.replace(/[^\s@]+@[^\s,]+/g, '<address>').slice(0, 120)}`),
      peakContacts: stack.cloud.peakContactRate(),
      complaints: complaintKpis(complaints, escalationHours(escalationConfig)),
    };
    const outcomes = followUps.map(outcomeLine);
    invocationStats = Object.fromEntries(Object.entries(stack.cloud.invocations).map(([name, stats]) => [name.replace(/[0-9A-F]{8}$/, ''), stats.durationsMs]));
    if (outDir) {
      rmSync(path.join(outDir, 'outbox'), { recursive: true, force: true });
      mkdirSync(path.join(outDir, 'outbox'), { recursive: true });
      writeFileSync(path.join(outDir, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
      writeFileSync(path.join(outDir, 'outcomes.jsonl'), outcomes.map((o) => JSON.stringify(o)).join('\n') + (outcomes.length ? '\n' : ''));
      rmSync(path.join(outDir, 'reports'), { recursive: true, force: true });
      for (const [name, object] of [...stack.cloud.objects].sort(([a], [b]) => a.localeCompare(b))) {
        const file = path.join(outDir, 'reports', name.split('/').slice(2).join('/'));
        mkdirSync(path.dirname(file), { recursive: true });
        writeFileSync(file, object.body);
      }
      writeFileSync(path.join(outDir, 'aggregates.jsonl'), aggregateRows.map((r) => JSON.stringify(r)).join('\n') + (aggregateRows.length ? '\n' : ''));
      const mails = [...stack.cloud.outbox].sort((a, b) => a.sentAt.localeCompare(b.sentAt) || a.to.join().localeCompare(b.to.join()) || a.subject.localeCompare(b.subject));
      for (const [i, mail] of mails.entries()) writeFileSync(path.join(outDir, 'outbox', `${String(i + 1).padStart(5, '0')}.eml`), await emlOf(mail));
    }
    return { summary, outcomes, wallSeconds: (performance.now() - wallStart) / 1000 };
  } finally {
    await stack.stop();
  }
}
