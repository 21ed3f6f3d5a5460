import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { DateTime } from 'luxon';
import { reportConfig } from '../shared/config/reports.js';
import { clock } from '../shared/clock.js';
import { logger, metrics } from '../shared/powertools.js';
import { customerIndex } from '../shared/runtime.js';
import type { CustomerIndex } from '../shared/adapters/customer-index.js';
import { awsEventPublisher, type EventPublisher } from '../shared/adapters/event-publisher.js';
import { SERVICE_COMPLETED } from '../shared/domain/service-event.js';

export const DORMANT_SOURCE = 'customer-follow-up.dormant';

/**
 * findDormant: customers whose last service was exactly `afterMonths` months ago became dormant
 * this month; each gets a reactivation follow-up (call to book an appointment) through the normal
 * intake, so opt-outs, the quarterly cap and calling hours apply as to any follow-up.
 */
export async function findDormant(index: Pick<CustomerIndex, 'lastServedIn'>, events: EventPublisher, now: Date) {
  const local = DateTime.fromJSDate(now, { zone: reportConfig.timeZone });
  const month = local.minus({ months: reportConfig.dormant.afterMonths }).toFormat('yyyy-MM');
  const dormant = await index.lastServedIn(month);
  for (const { customer, departmentId } of dormant) {
    await events.publish(
      SERVICE_COMPLETED,
      {
        serviceId: `dormant-${customer.id}-${local.toFormat('yyyy-MM')}`,
        serviceType: reportConfig.dormant.serviceType,
        completedAt: now.toISOString(),
        customer,
        ...(departmentId ? { departmentId } : {}),
      },
      DORMANT_SOURCE,
    );
  }
  logger.info('dormant customers found', { lastServiceMonth: month, customers: dormant.length });
  metrics.addMetric('DormantCustomers', MetricUnit.Count, dormant.length);
  return { lastServiceMonth: month, reactivations: dormant.length };
}

export const handler = middy(() => findDormant(customerIndex(), awsEventPublisher, clock.now()))
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics));
