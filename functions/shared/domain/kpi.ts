import type { FollowUpStatus } from './follow-up.js';
import { type Channel, channelSchema } from './policy-schema.js';

/**
 * The follow-up KPIs, defined once (DOMAIN.md "Reports and KPIs"):
 *  - coverage rate  = followed up / due. Due: every follow-up the policy selected and the
 *    customer did not opt out of or hit the quarterly cap with; followed up: at least one contact
 *    attempt was made.
 *    A `failed` follow-up (every channel left refused the contact for good) was due and not
 *    reached; it counts as followed up only if an earlier attempt really contacted the customer.
 *  - reach rate     = reached / followed up. Reached: the customer answered (completed or refused).
 *  - on-time rate   = reached before the policy's deadline / reached.
 *  - satisfaction   = average score per indicator and overall, with the 1–5 distribution.
 *  - complaints     = follow-ups whose answers (or the agent) raised a complaint.
 *  - dormant-customer appointment rate = reactivation calls that booked an appointment / reached.
 *  - per channel (phone, sms, email), among follow-ups followed up: contact attempts on the channel,
 *    follow-ups contacted on it (at least one attempt), reached on it (the answering attempt was on
 *    it), reach rate = reached on it / contacted on it, and satisfaction = average of the scores given
 *    in the follow-ups answered on it. A follow-up tried by phone and answered by text counts as
 *    contacted by phone and by sms, reached by sms only.
 * A rate with a zero denominator is null, never 0 or 1: "nothing was due" is not "all late".
 *
 * Every KPI is computed from additive counters (countersOf), so the same numbers come from a list
 * of outcomes and from the daily aggregates maintained as outcomes are written.
 */
export interface OutcomeFact {
  serviceType: string;
  departmentId?: string;
  status: FollowUpStatus;
  reason?: string;
  attempts: number;
  onTime?: boolean;
  scores: Record<string, number>;
  complaint: boolean;
  /** Reactivation calls only: did the customer book an appointment? */
  appointmentBooked?: boolean;
  /** The `attempts` per channel (absent: not known, as in aggregates written before channels were counted). */
  channelAttempts?: Partial<Record<Channel, number>>;
  /** The channel of the attempt the customer answered (completed or refused). */
  answeredOn?: Channel;
}

export const CHANNELS: readonly Channel[] = channelSchema.options;

export interface ChannelKpis {
  attempts: number;
  contacted: number;
  reached: number;
  reachRate: number | null;
  /** The scores given in follow-ups answered on this channel: how many, and their average. */
  satisfaction: { count: number; average: number | null };
}

export interface IndicatorStats {
  count: number;
  average: number | null;
  /** Answers per score: index 0 is score 1, index 4 is score 5. */
  distribution: [number, number, number, number, number];
}

export interface Kpis {
  total: number;
  byStatus: Record<string, number>;
  due: number;
  followedUp: number;
  reached: number;
  coverageRate: number | null;
  reachRate: number | null;
  onTimeRate: number | null;
  satisfaction: { average: number | null; byIndicator: Record<string, IndicatorStats> };
  complaints: number;
  dormantAppointmentRate: number | null;
  byChannel: Record<Channel, ChannelKpis>;
}

export type Counters = Record<string, number>;

const NOT_DUE = new Set(['not-sampled', 'unknown-service-type', 'no-usable-channel', 'frequency-cap', 'opted-out']);

export const rate = (numerator: number, denominator: number): number | null =>
  denominator === 0 ? null : Math.round((numerator / denominator) * 10_000) / 10_000;

const round2 = (n: number) => Math.round(n * 100) / 100;

export function isDue(fact: OutcomeFact): boolean {
  return !(fact.status === 'skipped' || fact.status === 'suppressed') || !NOT_DUE.has(fact.reason ?? '');
}

/** One outcome as counters: what the daily aggregate item adds when the outcome is written. */
export function countersOf(fact: OutcomeFact): Counters {
  const due = isDue(fact);
  const followedUp = due && fact.attempts > 0;
  const reached = followedUp && (fact.status === 'completed' || fact.status === 'refused');
  const c: Counters = { total: 1, [`status_${fact.status}`]: 1 };
  if (due) c.due = 1;
  if (followedUp) c.followedUp = 1;
  if (reached) c.reached = 1;
  if (reached && fact.onTime === true) c.reachedOnTime = 1;
  if (fact.complaint) c.complaints = 1;
  if (reached && fact.appointmentBooked !== undefined) c.appointmentAsked = 1;
  if (reached && fact.appointmentBooked === true) c.appointmentBooked = 1;
  for (const [indicator, score] of Object.entries(fact.scores)) {
    const bucket = Math.min(5, Math.max(1, Math.round(score)));
    c[`scoreSum_${indicator}`] = score;
    c[`scoreCount_${indicator}`] = 1;
    c[`score${bucket}_${indicator}`] = 1;
  }
  if (followedUp) addChannelCounters(c, fact, reached);
  return c;
}

/**
 * Counter names per channel: `channel_<channel>_<what>`. A prefix of their own, so no reader of the
 * older counters (status_, score…_<indicator>) mistakes one of them for a status or an indicator.
 */
const channelCounter = (channel: Channel, what: 'attempts' | 'contacted' | 'reached' | 'scoreSum' | 'scoreCount') =>
  `channel_${channel}_${what}`;

function addChannelCounters(c: Counters, fact: OutcomeFact, reached: boolean) {
  for (const channel of CHANNELS) {
    const attempts = fact.channelAttempts?.[channel] ?? 0;
    if (attempts <= 0) continue;
    c[channelCounter(channel, 'attempts')] = attempts;
    c[channelCounter(channel, 'contacted')] = 1;
  }
  if (!reached || !fact.answeredOn) return;
  const on = fact.answeredOn;
  c[channelCounter(on, 'reached')] = 1;
  const scores = Object.values(fact.scores);
  if (scores.length === 0) return;
  c[channelCounter(on, 'scoreSum')] = scores.reduce((a, b) => a + b, 0);
  c[channelCounter(on, 'scoreCount')] = scores.length;
}

export function channelKpisFromCounters(c: Counters): Record<Channel, ChannelKpis> {
  const n = (channel: Channel, what: Parameters<typeof channelCounter>[1]) => c[channelCounter(channel, what)] ?? 0;
  const of = (channel: Channel): ChannelKpis => {
    const count = n(channel, 'scoreCount');
    return {
      attempts: n(channel, 'attempts'),
      contacted: n(channel, 'contacted'),
      reached: n(channel, 'reached'),
      reachRate: rate(n(channel, 'reached'), n(channel, 'contacted')),
      satisfaction: { count, average: count === 0 ? null : round2(n(channel, 'scoreSum') / count) },
    };
  };
  return Object.fromEntries(CHANNELS.map((channel) => [channel, of(channel)])) as Record<Channel, ChannelKpis>;
}

export function addCounters(into: Counters, add: Counters): Counters {
  for (const [name, value] of Object.entries(add)) into[name] = (into[name] ?? 0) + value;
  return into;
}

export function kpisFromCounters(c: Counters): Kpis {
  const n = (name: string) => c[name] ?? 0;
  const byIndicator: Record<string, IndicatorStats> = {};
  let sum = 0;
  let count = 0;
  for (const name of Object.keys(c)
    .filter((k) => k.startsWith('scoreCount_'))
    .sort()) {
    const indicator = name.slice('scoreCount_'.length);
    const stats: IndicatorStats = {
      count: n(name),
      average: n(name) === 0 ? null : round2(n(`scoreSum_${indicator}`) / n(name)),
      distribution: [1, 2, 3, 4, 5].map((s) => n(`score${s}_${indicator}`)) as IndicatorStats['distribution'],
    };
    byIndicator[indicator] = stats;
    sum += n(`scoreSum_${indicator}`);
    count += n(name);
  }
  const byStatus = Object.fromEntries(
    Object.keys(c)
      .filter((k) => k.startsWith('status_') && n(k) > 0)
      .sort()
      .map((k) => [k.slice('status_'.length), n(k)]),
  );
  return {
    total: n('total'),
    byStatus,
    due: n('due'),
    followedUp: n('followedUp'),
    reached: n('reached'),
    coverageRate: rate(n('followedUp'), n('due')),
    reachRate: rate(n('reached'), n('followedUp')),
    onTimeRate: rate(n('reachedOnTime'), n('reached')),
    satisfaction: { average: count === 0 ? null : round2(sum / count), byIndicator },
    complaints: n('complaints'),
    dormantAppointmentRate: rate(n('appointmentBooked'), n('appointmentAsked')),
    byChannel: channelKpisFromCounters(c),
  };
}

export function computeKpis(facts: OutcomeFact[]): Kpis {
  return kpisFromCounters(facts.map(countersOf).reduce(addCounters, {}));
}
