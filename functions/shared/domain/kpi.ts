import type { FollowUpStatus } from './follow-up.js';

/**
 * The follow-up KPIs, defined once (DOMAIN.md "Reports and KPIs"):
 *  - coverage rate  = followed up / due. Due: every follow-up the policy selected and the
 *    customer did not opt out of or hit the quarterly cap with; followed up: at least one contact
 *    attempt was made.
 *  - reach rate     = reached / followed up. Reached: the customer answered (completed or refused).
 *  - on-time rate   = reached before the policy's deadline / reached.
 *  - satisfaction   = average score per indicator and overall, with the 1–5 distribution.
 *  - complaints     = follow-ups whose answers (or the agent) raised a complaint.
 * A rate with a zero denominator is null, never 0 or 1: "nothing was due" is not "all late".
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
}

export interface IndicatorStats {
  count: number;
  average: number | null;
  /** Answers per score: index 0 is score 1, index 4 is score 5. */
  distribution: [number, number, number, number, number];
}

export interface Kpis {
  total: number;
  due: number;
  followedUp: number;
  reached: number;
  coverageRate: number | null;
  reachRate: number | null;
  onTimeRate: number | null;
  satisfaction: { average: number | null; byIndicator: Record<string, IndicatorStats> };
  complaints: number;
}

const NOT_DUE = new Set(['not-sampled', 'unknown-service-type', 'no-usable-channel', 'frequency-cap', 'opted-out']);

export const rate = (numerator: number, denominator: number): number | null =>
  denominator === 0 ? null : Math.round((numerator / denominator) * 10_000) / 10_000;

const round2 = (n: number) => Math.round(n * 100) / 100;

export function isDue(fact: OutcomeFact): boolean {
  return !(fact.status === 'skipped' || fact.status === 'suppressed') || !NOT_DUE.has(fact.reason ?? '');
}

export function computeKpis(facts: OutcomeFact[]): Kpis {
  const due = facts.filter(isDue);
  const followedUp = due.filter((f) => f.attempts > 0);
  const reached = followedUp.filter((f) => f.status === 'completed' || f.status === 'refused');
  const byIndicator: Record<string, IndicatorStats> = {};
  let sum = 0;
  let count = 0;
  for (const fact of facts) {
    for (const [indicator, score] of Object.entries(fact.scores)) {
      const stats = (byIndicator[indicator] ??= { count: 0, average: 0, distribution: [0, 0, 0, 0, 0] });
      stats.count += 1;
      stats.average = (stats.average ?? 0) + score;
      const bucket = Math.min(5, Math.max(1, Math.round(score))) - 1;
      stats.distribution[bucket] = (stats.distribution[bucket] ?? 0) + 1;
      sum += score;
      count += 1;
    }
  }
  for (const stats of Object.values(byIndicator)) stats.average = round2((stats.average ?? 0) / stats.count);
  return {
    total: facts.length,
    due: due.length,
    followedUp: followedUp.length,
    reached: reached.length,
    coverageRate: rate(followedUp.length, due.length),
    reachRate: rate(reached.length, followedUp.length),
    onTimeRate: rate(reached.filter((f) => f.onTime === true).length, reached.length),
    satisfaction: { average: count === 0 ? null : round2(sum / count), byIndicator },
    complaints: facts.filter((f) => f.complaint).length,
  };
}
