import { createHash } from 'node:crypto';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { DateTime } from 'luxon';
import type { EventEntry } from '../shared/adapters/event-batches.js';
import { reportConfig } from '../shared/config/reports.js';
import { SERVICE_COMPLETED } from '../shared/domain/event-names.js';
import type { CustomerIndex } from '../shared/ports/customer-index.js';
import { logger, metrics } from '../shared/powertools.js';

export const DORMANT_SOURCE = 'customer-follow-up.dormant';

/**
 * One reactivation per customer and month. The id hashes the owning source with the customer id:
 * "C-1" of two upstream systems are two customers, and a source may be up to 256 characters while
 * a serviceId is at most 128.
 */
export function dormantServiceId(source: string, customerId: string, month: string): string {
  const digest = createHash('sha256')
    .update(JSON.stringify([source, customerId]))
    .digest('hex')
    .slice(0, 32);
  return `dormant-${month}-${digest}`;
}

export interface DormantDeps {
  index: Pick<CustomerIndex, 'lastServedIn'>;
  /** Publishes the entries in PutEvents batches. */
  publish: (events: EventEntry[]) => Promise<{ requests: number }>;
  now: Date;
}

/**
 * findDormant: customers whose last service was exactly `afterMonths` months ago became dormant
 * this month; each gets a reactivation follow-up (call to book an appointment) through the normal
 * intake, so opt-outs, the quarterly cap and calling hours apply as to any follow-up. The events
 * go out in PutEvents batches; a re-run publishes the same serviceIds, which intake deduplicates.
 */
export async function findDormant(_schedule: unknown, { index, publish, now }: DormantDeps) {
  const local = DateTime.fromJSDate(now, { zone: reportConfig.timeZone });
  const month = local.minus({ months: reportConfig.dormant.afterMonths }).toFormat('yyyy-MM');
  const dormant = await index.lastServedIn(month);
  const events = dormant.map(
    ({ source, customer, departmentId }): EventEntry => ({
      source: DORMANT_SOURCE,
      detailType: SERVICE_COMPLETED,
      detail: {
        serviceId: dormantServiceId(source, customer.id, local.toFormat('yyyy-MM')),
        serviceType: reportConfig.dormant.serviceType,
        completedAt: now.toISOString(),
        customer,
        customerSource: source,
        ...(departmentId ? { departmentId } : {}),
      },
    }),
  );
  const { requests } = events.length ? await publish(events) : { requests: 0 };
  logger.info('dormant customers found', { lastServiceMonth: month, customers: dormant.length, requests });
  metrics.addMetric('DormantCustomers', MetricUnit.Count, dormant.length);
  return { lastServiceMonth: month, reactivations: dormant.length, requests };
}
