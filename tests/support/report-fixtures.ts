import { addCounters, type Counters, countersOf, type OutcomeFact } from '../../functions/shared/domain/kpi.js';
import type { ReportPeriod } from '../../functions/shared/domain/report-period.js';
import type { AggregateRow } from '../../functions/shared/ports/aggregate-store.js';

/**
 * A month of daily aggregates as the record-outcome and complaint steps write them: several
 * departments and service types, good and bad days, complaints of every severity, some handled
 * late. Deterministic (the figures derive from the day's number), so renderings can be compared.
 */
const departments: [string, string][] = [
  ['vehicle-repair', 'after-sales'],
  ['vehicle-delivery', 'sales'],
  ['vehicle-repair', 'body-shop'],
  ['hospital-discharge', 'surgery'],
  ['hospital-discharge', 'pediatrics'],
];

const fact = (serviceType: string, over: Partial<OutcomeFact>): OutcomeFact => ({
  serviceType,
  status: 'completed',
  attempts: 1,
  onTime: true,
  scores: { overall: 4 },
  complaint: false,
  ...over,
});

export function monthOfAggregates(period: ReportPeriod, scale = 1): AggregateRow[] {
  const rows: AggregateRow[] = [];
  period.days.forEach((day, i) => {
    departments.forEach(([serviceType, departmentId], d) => {
      const counters: Counters = {};
      const n = (3 + ((i * 7 + d * 3) % 6)) * scale;
      for (let k = 0; k < n; k += 1) {
        const roll = (i * 13 + d * 5 + k * 11) % 20;
        const status = roll < 3 ? 'unreachable' : roll < 4 ? 'refused' : 'completed';
        const scores: Record<string, number> =
          status === 'completed'
            ? serviceType.startsWith('hospital')
              ? { attitude: 3 + (roll % 3), guidance: 2 + (roll % 4) }
              : { overall: 2 + (roll % 4) }
            : {};
        // Called first; a few answer a text after an unanswered call, or the survey email after both.
        const answeredOn = status === 'unreachable' ? undefined : roll % 5 === 1 ? 'sms' : roll % 5 === 3 ? 'email' : 'phone';
        const channelAttempts =
          answeredOn === undefined
            ? roll % 2 === 0
              ? { phone: 2, sms: 1 }
              : { phone: 1, sms: 1, email: 1 }
            : answeredOn === 'phone'
              ? { phone: 1 }
              : answeredOn === 'sms'
                ? { phone: 1, sms: 1 }
                : { phone: 1, sms: 1, email: 1 };
        addCounters(
          counters,
          countersOf(
            fact(serviceType, {
              status,
              attempts: status === 'unreachable' ? 3 : Object.values(channelAttempts).reduce((a, b) => a + b, 0),
              onTime: roll % 7 !== 0,
              scores,
              complaint: status === 'completed' && roll % 9 === 0,
              channelAttempts,
              answeredOn,
            }),
          ),
        );
      }
      rows.push({ day, subject: serviceType, departmentId, counters });
    });
    if (i % 3 === 0) {
      rows.push({
        day,
        subject: 'complaints',
        departmentId: 'after-sales',
        counters: {
          raised: 2,
          raised_general: 1,
          raised_major: 1,
          acknowledged: 2,
          acknowledgedInSla: i % 2 === 0 ? 2 : 1,
          resolved: 1,
          resolvedInSla: 1,
          ...(i % 9 === 0 ? { reopened: 1, escalatedToLevel2: 1 } : {}),
        },
      });
      rows.push({
        day,
        subject: 'complaints',
        departmentId: 'surgery',
        counters: {
          raised: 1,
          raised_urgent: 1,
          repeats: i % 6 === 0 ? 1 : 0,
          acknowledged: 1,
          acknowledgedInSla: 1,
          resolved: 1,
          resolvedInSla: i % 2,
        },
      });
    }
  });
  return rows;
}
