import { escalationConfig } from '../functions/shared/config/escalation.js';
import { periodicConfig } from '../functions/shared/config/periodic.js';
import { smsConfig } from '../functions/shared/config/sms.js';
import { escalationHours } from '../functions/shared/domain/complaint.js';
import { type ComplaintKpis, complaintKpis } from '../functions/shared/domain/complaint-kpi.js';
import { countBy } from '../functions/shared/domain/count-by.js';
import { computeKpis } from '../functions/shared/domain/kpi.js';
import { smsCost } from '../functions/shared/domain/sms-cost.js';
import type { SmsConfig } from '../functions/shared/domain/sms-schema.js';
import type { LocalCloud } from './cloud/index.js';
import type { SentSms } from './cloud/sms.js';
import { type FollowUpQueries, outcomeFactOf, type StoredFollowUp } from './follow-up-queries.js';
import type { PlannedEvent, Scenario } from './scenario.js';
import type { ScenarioFaults } from './simulated-faults.js';

/** What a simulated month leaves behind, and the summary and outcome lines made of it. */

type Rows<K extends keyof FollowUpQueries> = Awaited<ReturnType<FollowUpQueries[K]>>;

export interface SimulationRun {
  scenario: Scenario;
  /** Virtual ms: the scenario's first and last day, and when the drain after it ended. */
  period: { start: number; end: number; drained: number };
  events: PlannedEvent[];
  /** Every follow-up in the table, by id. */
  followUps: StoredFollowUp[];
  rejections: Rows<'rejections'>;
  complaints: Rows<'complaints'>;
  aggregateRows: Rows<'aggregates'>;
  careClaims: Rows<'careClaims'>;
  /** Every contact attempt (the lead attempt of a shared contact lists the matters it carried). */
  attempts: Rows<'contactAttempts'>;
  /** The local cloud the month ran on (stopped): its executions, calls, desk, outbox and archive. */
  cloud: LocalCloud;
  desk: { calls: number; stale: number };
  faults: ScenarioFaults | undefined;
}

export interface Summary {
  scenario: string;
  seed: number;
  period: { start: string; end: string; drainedUntil: string };
  events: { published: number; duplicates: number };
  followUps: {
    total: number;
    byStatus: Record<string, number>;
    byServiceType: Record<string, number>;
    failedByReason: Record<string, number>;
  };
  rejected: number;
  rejectedBy: Record<string, number>;
  kpis: {
    coverageRate: number | null;
    onTimeRate: number | null;
    reachRate: number | null;
    satisfaction: unknown;
    complaints: number;
    due: number;
    followedUp: number;
    reached: number;
  };
  stateTransitions: {
    total: number;
    perFollowUp: { min: number; median: number; max: number };
    medianByPath: Record<string, number>;
    perEscalationCycle: { count: number; median: number; max: number };
  };
  apiCalls: Record<string, number>;
  /** The DynamoDB calls of apiCalls by the function that made them ("(local pages)": the local web pages' own reads). */
  dynamoCallsByFunction: Record<string, Record<string, number>>;
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
  /** Follow-ups the monthly periodic run started (key customers every 6 months, ordinary every 12), by tier. */
  periodic: { followUps: number; key: number; ordinary: number };
  /**
   * Follow-up contact attempts by channel (attempts that contacted the customer, not ones suppressed,
   * skipped, paused, deferred or held for capacity) and those that reached the customer.
   */
  contacts: { byChannel: Record<'phone' | 'sms' | 'email', { attempts: number; reached: number }> };
  /**
   * What the month cost at the scenario's list prices: Connect task contacts, SES emails (every email
   * sent, reports included), and texts (every text accepted, care included) by provider in its currency.
   */
  cost: {
    phone: { tasks: number; unitPrice: number; currency: 'USD'; amount: number };
    email: { emails: number; unitPrice: number; currency: 'USD'; amount: number };
    sms: Record<'aws' | 'alibaba', { texts: number; parts: number; perPart: number; currency: string; amount: number }>;
  };
  /** Care messages (not surveys), by occasion: sent, and suppressed (opted out, paused, capped, no channel). */
  greetings: Record<'thankYou' | 'birthday' | 'holiday', { sent: number; suppressed: number }>;
  /**
   * One contact for several matters (一事一扰): contacts made (task created, email or text sent) that
   * carried more than one matter, and the distinct matters carried by another follow-up's contact.
   */
  mergedContacts: { contacts: number; matters: number };
}

const sortedRecord = (record: Record<string, number>) => Object.fromEntries(Object.entries(record).sort(([a], [b]) => a.localeCompare(b)));

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

/** A function by its logical id without the hash CDK appends. */
const functionName = (logicalId: string) => logicalId.replace(/[0-9A-F]{8}$/, '');

/** Most Connect tasks created in any one second and in any one minute (`starts` in ms). */
export function peakContactRate(starts: number[]): { perSecond: number; perMinute: number } {
  return { perSecond: busiestBucket(starts, 1000), perMinute: busiestBucket(starts, 60_000) };
}

/** The most `times` (ms) falling into one bucket of `bucketMs`. */
function busiestBucket(times: number[], bucketMs: number): number {
  const counts = new Map<number, number>();
  let busiest = 0;
  for (const t of times) {
    const bucket = Math.floor(t / bucketMs);
    const count = (counts.get(bucket) ?? 0) + 1;
    counts.set(bucket, count);
    busiest = Math.max(busiest, count);
  }
  return busiest;
}

/** Handler durations (ms) by function: the benchmark's latency figures. */
export function invocationDurations(cloud: LocalCloud): Record<string, number[]> {
  return Object.fromEntries(Object.entries(cloud.invocations).map(([name, stats]) => [functionName(name), stats.durationsMs]));
}

/** A follow-up's path by how many times it contacted the customer. */
function contactPath(contacts: number): string {
  if (contacts === 0) return 'noContact';
  if (contacts === 1) return 'oneContact';
  return contacts === 2 ? 'twoContacts' : 'threeOrMoreContacts';
}

export function summarise(run: SimulationRun): Summary {
  const { scenario: s, period, events, followUps, rejections, complaints, cloud, desk, faults } = run;
  const facts = followUps.map(outcomeFactOf);
  const kpis = computeKpis(facts);
  const executions = [...cloud.executions.values()];
  const followUpRuns = executions.filter((e) => e.name.startsWith('fu-'));
  const escalationRuns = executions.filter((e) => e.name.startsWith('cp-'));
  // Per follow-up, not per execution: one that needs no contact ends at intake, with no execution and 0 transitions.
  const runsByName = new Map(followUpRuns.map((e) => [e.name, e]));
  const transitionsOf = (f: { followUpId: string }) => runsByName.get(f.followUpId)?.transitions ?? 0;
  const transitions = followUps.map(transitionsOf).sort((a, b) => a - b);
  // Transitions by path: a follow-up with no contact, one (happy path), two (a retry), three or more (fallback).
  const byContacts: Record<string, number[]> = {};
  for (const f of followUps) {
    const contacts = runsByName.get(f.followUpId)?.states.filter((state) => state === 'Contact customer').length ?? 0;
    const path = contactPath(contacts);
    const runs = byContacts[path] ?? [];
    runs.push(transitionsOf(f));
    byContacts[path] = runs;
  }
  const escalationTransitions = escalationRuns.map((e) => e.transitions);
  return {
    scenario: s.name,
    seed: s.seed,
    period: {
      start: new Date(period.start).toISOString(),
      end: new Date(period.end).toISOString(),
      drainedUntil: new Date(period.drained).toISOString(),
    },
    events: { published: events.length, duplicates: events.length - new Set(events.map((e) => JSON.stringify(e.detail))).size },
    followUps: {
      total: followUps.length,
      byStatus: countBy(facts, (f) => f.status),
      byServiceType: countBy(followUps, (f) => f.serviceType),
      failedByReason: countBy(
        followUps.filter((f) => outcomeFactOf(f).status === 'failed'),
        (f) => f.outcome?.error ?? f.outcome?.reason ?? 'unknown',
      ),
    },
    rejected: rejections.length,
    rejectedBy: countBy(rejections, (r) => `${r.detailType}: ${r.field}`),
    kpis: {
      coverageRate: kpis.coverageRate,
      onTimeRate: kpis.onTimeRate,
      reachRate: kpis.reachRate,
      satisfaction: kpis.satisfaction,
      complaints: kpis.complaints,
      due: kpis.due,
      followedUp: kpis.followedUp,
      reached: kpis.reached,
    },
    stateTransitions: {
      total: executions.reduce((a, e) => a + e.transitions, 0),
      perFollowUp: { min: transitions[0] ?? 0, median: median(transitions), max: transitions.at(-1) ?? 0 },
      medianByPath: Object.fromEntries(
        Object.entries(byContacts)
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([path, values]) => [path, median(values)]),
      ),
      perEscalationCycle: {
        count: escalationTransitions.length,
        median: median(escalationTransitions),
        max: Math.max(0, ...escalationTransitions),
      },
    },
    apiCalls: sortedRecord(cloud.apiCalls),
    dynamoCallsByFunction: Object.fromEntries(
      Object.entries(cloud.dynamoCallsByFunction)
        .map(([caller, calls]) => [caller ? functionName(caller) : '(local pages)', sortedRecord(calls)] as const)
        .sort(([a], [b]) => a.localeCompare(b)),
    ),
    lambdaInvocations: sortedRecord(
      Object.fromEntries(Object.entries(cloud.invocations).map(([name, stats]) => [functionName(name), stats.count])),
    ),
    agents: { tasksCreated: cloud.agentTasks.length, callsHandled: desk.calls, tasksExpiredOnDesk: desk.stale },
    emails: { sent: cloud.outbox.length, rejected: countBy(cloud.rejectedMail, (m) => m.code) },
    reports: {
      archived: [...cloud.objects.keys()]
        .filter((k) => k.endsWith('report.html'))
        .map((k) => k.split('/').slice(2, 4).join('/'))
        .sort(),
    },
    faults: { injected: faults?.injected ?? 0, throttled: faults?.throttled ?? 0, permanent: sortedRecord(faults?.permanent ?? {}) },
    executions: { followUps: countBy(followUpRuns, (e) => e.status), escalations: countBy(escalationRuns, (e) => e.status) },
    deadLetters: cloud.deadLetters.length,
    deadLettersBy: countBy(
      cloud.deadLetters,
      (d) => `${d.queue.split(':').pop()}: ${d.reason.replace(/[^\s@]+@[^\s,]+/g, '<address>').slice(0, 120)}`,
    ),
    peakContacts: peakContactRate(cloud.contactStarts),
    complaints: complaintKpis(complaints, escalationHours(escalationConfig)),
    periodic: periodicCounts(followUps),
    greetings: greetingCounts(run.careClaims),
    contacts: { byChannel: contactsByChannel(followUps) },
    cost: costs(s, cloud),
    mergedContacts: mergedContacts(run.attempts),
  };
}

/** Lead attempts whose contact was made with other matters on it; a matter given back and carried again counts once. */
function mergedContacts(attempts: SimulationRun['attempts']): Summary['mergedContacts'] {
  const leads = attempts.filter((a) => a.contactedAt !== undefined && (a.joined?.length ?? 0) > 0);
  const matters = new Set(leads.flatMap((a) => a.joined!.map((m) => m.followUpId)));
  return { contacts: leads.length, matters: matters.size };
}

/** Results that record a decision not to contact the customer, not a contact. */
const NOT_CONTACTED = new Set(['suppressed', 'skipped', 'paused', 'deferred', 'at_capacity']);

function contactsByChannel(followUps: StoredFollowUp[]): Summary['contacts']['byChannel'] {
  const byChannel = { phone: { attempts: 0, reached: 0 }, sms: { attempts: 0, reached: 0 }, email: { attempts: 0, reached: 0 } };
  for (const attempt of followUps.flatMap((f) => f.attempts ?? [])) {
    const counts = byChannel[attempt.channel as keyof typeof byChannel];
    if (!counts || NOT_CONTACTED.has(attempt.result ?? '')) continue;
    counts.attempts += 1;
    if (attempt.result === 'reached') counts.reached += 1;
  }
  return byChannel;
}

const round4 = (amount: number) => Math.round(amount * 10_000) / 10_000;

/**
 * A sent text as the sender gave it: for Alibaba the national number and the registered template's
 * parameters, read back from the text the stand-in filled in (so smsCost prices what was delivered).
 */
function outgoingOf(config: SmsConfig, sent: SentSms) {
  const purpose = { kind: 'care', occasion: 'simulation', customerKey: '' } as const;
  if (sent.provider === 'aws') return { to: sent.to, text: sent.text, purpose };
  const names: string[] = [];
  const escaped = config.alibaba.surveyTemplate.text.replace(/[.*+?^$()|[\]\\]/g, '\\$&');
  const pattern = escaped.replace(/\\\$\{(\w+)\}/g, (_m, name: string) => {
    names.push(name);
    return '(.*?)';
  });
  const sign = config.alibaba.signName.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const match = new RegExp(`^【${sign}】${pattern}$`, 's').exec(sent.text);
  const templateParams = Object.fromEntries(names.map((name, i) => [name, match?.[i + 1] ?? '']));
  return { to: `+86${sent.to}`, text: '', purpose, templateParams };
}

function costs(s: Scenario, cloud: LocalCloud): Summary['cost'] {
  const { prices } = s;
  const config: SmsConfig = {
    ...smsConfig,
    aws: { ...smsConfig.aws, price: { ...smsConfig.aws.price, perPart: prices.smsPerPart.aws ?? smsConfig.aws.price.perPart } },
    alibaba: {
      ...smsConfig.alibaba,
      price: { ...smsConfig.alibaba.price, perPart: prices.smsPerPart.alibaba ?? smsConfig.alibaba.price.perPart },
    },
  };
  const sms = {
    aws: { texts: 0, parts: 0, perPart: config.aws.price.perPart, currency: config.aws.price.currency, amount: 0 },
    alibaba: { texts: 0, parts: 0, perPart: config.alibaba.price.perPart, currency: config.alibaba.price.currency, amount: 0 },
  };
  for (const sent of cloud.sentSms) {
    const cost = smsCost(config, outgoingOf(config, sent));
    const counts = sms[cost.provider];
    counts.texts += 1;
    counts.parts += cost.parts;
    counts.amount = round4(counts.amount + cost.amount);
  }
  const tasks = cloud.agentTasks.length;
  const emails = cloud.outbox.length;
  return {
    phone: { tasks, unitPrice: prices.connectTask, currency: 'USD', amount: round4(tasks * prices.connectTask) },
    email: { emails, unitPrice: prices.sesEmail, currency: 'USD', amount: round4(emails * prices.sesEmail) },
    sms,
  };
}

function greetingCounts(claims: SimulationRun['careClaims']): Summary['greetings'] {
  const count = (kind: string, outcome: string) => claims.filter((c) => c.occasionKind === kind && c.outcome === outcome).length;
  const of = (kind: string) => ({ sent: count(kind, 'sent'), suppressed: count(kind, 'suppressed') });
  return { thankYou: of('thankYou'), birthday: of('birthday'), holiday: of('holiday') };
}

function periodicCounts(followUps: StoredFollowUp[]): Summary['periodic'] {
  const count = (tier: 'key' | 'ordinary') => followUps.filter((f) => f.serviceType === periodicConfig.tiers[tier].serviceType).length;
  const key = count('key');
  const ordinary = count('ordinary');
  return { followUps: key + ordinary, key, ordinary };
}

/** One line of outcomes.jsonl: a follow-up's outcome and how it got there. */
export function outcomeLine(f: StoredFollowUp): Record<string, unknown> {
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
