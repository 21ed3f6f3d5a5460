import { createHash } from 'node:crypto';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { EventEntry } from '../shared/adapters/event-batches.js';
import { periodicConfig } from '../shared/config/periodic.js';
import { reportConfig } from '../shared/config/reports.js';
import { SERVICE_COMPLETED } from '../shared/domain/event-names.js';
import { type PeriodicConfig, periodicRunMonth, tierOf } from '../shared/domain/periodic.js';
import type { CustomerIndex } from '../shared/ports/customer-index.js';
import type { FollowUpStore } from '../shared/ports/follow-up-store.js';
import { logger, metrics } from '../shared/powertools.js';

export const PERIODIC_SOURCE = 'customer-follow-up.periodic';

/**
 * One periodic follow-up per customer and month, whatever the tier: a re-run of the month publishes
 * the same serviceId, which the intake deduplicates. The id hashes the owning source with the
 * customer id, as the dormant run's does (a source may be 256 characters, a serviceId at most 128).
 */
export function periodicServiceId(source: string, customerId: string, month: string): string {
  const digest = createHash('sha256')
    .update(JSON.stringify([source, customerId]))
    .digest('hex')
    .slice(0, 32);
  return `periodic-${month}-${digest}`;
}

export interface PeriodicDeps {
  index: Pick<CustomerIndex, 'periodicDueIn'>;
  store: Pick<FollowUpStore, 'customerState'>;
  /** Publishes the entries in PutEvents batches. */
  publish: (events: EventEntry[]) => Promise<{ requests: number }>;
  now: Date;
  /** periodic.json; tests pass their own. */
  config?: PeriodicConfig;
}

/**
 * The monthly periodic run: customers whose last follow-up was their tier's interval ago (key 6
 * months, ordinary 12: one bucket of the index by month, never a scan) each get a follow-up
 * through the normal intake, whose acceptance moves them a whole interval on. A customer who opted
 * out is not followed up and stays where they are (the entry expires), so the periodic follow-ups
 * resume only with their next follow-up of any kind. Anyone followed up since the interval began
 * has already left this month's bucket. The run only reads: it needs no write to the table.
 */
export async function startPeriodicFollowUps(_schedule: unknown, { index, store, publish, now, config = periodicConfig }: PeriodicDeps) {
  const month = periodicRunMonth(now, reportConfig.timeZone);
  const due = await index.periodicDueIn(month);
  const events: EventEntry[] = [];
  const byTier = { key: 0, ordinary: 0 };
  let optedOut = 0;
  for (const entry of due) {
    const tier = tierOf(entry.customer, config);
    const { optedOut: out } = await store.customerState({ source: entry.source, id: entry.customer.id }, now);
    if (out) {
      optedOut += 1;
      continue;
    }
    byTier[tier] += 1;
    events.push({
      source: PERIODIC_SOURCE,
      detailType: SERVICE_COMPLETED,
      detail: {
        serviceId: periodicServiceId(entry.source, entry.customer.id, month),
        serviceType: config.tiers[tier].serviceType,
        completedAt: now.toISOString(),
        customer: entry.customer,
        customerSource: entry.source,
        ...(entry.departmentId ? { departmentId: entry.departmentId } : {}),
      },
    });
  }
  const { requests } = events.length ? await publish(events) : { requests: 0 };
  logger.info('periodic follow-ups started', { month, due: due.length, key: byTier.key, ordinary: byTier.ordinary, optedOut, requests });
  metrics.addMetric('PeriodicFollowUps', MetricUnit.Count, events.length);
  return { month, followUps: events.length, byTier, optedOut, requests };
}
