import { type FollowUp, followUpIdFor } from '../../functions/shared/domain/follow-up.js';

/**
 * Workflow tests share one forward-only clock per file, so each test lives in its own week:
 * week n starts on Friday 2026-11-20 + n weeks. `at(n, day, 'HH:mm')` is a Shanghai wall time
 * (UTC+8, no DST) `day` days after that Friday, as an ISO instant.
 */
export function at(week: number, day: number, hhmm: string): string {
  const [hh, mm] = hhmm.split(':').map(Number);
  return new Date(Date.UTC(2026, 10, 20 + week * 7 + day, hh! - 8, mm!)).toISOString();
}

export const shanghai = (iso: string) => `${new Date(new Date(iso).getTime() + 8 * 3_600_000).toISOString().slice(0, 19)}+08:00`;

let serial = 0;
export function serviceCompleted(week: number, overrides: Record<string, unknown> = {}, customer: Record<string, unknown> = {}) {
  serial += 1;
  return {
    serviceId: `RO-${week}-${serial}`,
    serviceType: 'vehicle-repair',
    completedAt: shanghai(at(week, 0, '15:00')),
    customer: { id: `C-${week}-${serial}`, name: '张三', phone: '+8613800138000', email: `c${week}-${serial}@example.com`, ...customer },
    departmentId: 'service',
    ...overrides,
  } as { serviceId: string; serviceType: string; completedAt: string; customer: { id: string; email?: string; phone?: string } } & Record<
    string,
    unknown
  >;
}

export const idOf = (detail: { serviceId: string; serviceType: string }, round = 0, source = 'dealer.dms') =>
  followUpIdFor(source, detail.serviceType, detail.serviceId, round);

export const fullAnswers = { overall: 5, explained: 'yes', wantsComplaint: 'no', suggestions: '很好' };

/** The id of the stored follow-up the handler tests work on. */
export const storedFollowUpId = 'fu-0123456789abcdef0123456789abcdef';

/** A scheduled vehicle-repair follow-up as the store holds it, for use case and handler tests. */
export function storedFollowUp(overrides: Partial<FollowUp> = {}): FollowUp {
  return {
    followUpId: storedFollowUpId,
    source: 'dms',
    serviceId: 'RO-1',
    serviceType: 'vehicle-repair',
    round: 0,
    completedAt: '2026-11-20T07:00:00.000Z',
    customer: { id: 'C1', name: '赵六', phone: '+8613800138000', email: 'zhao@example.com' },
    status: 'scheduled',
    createdAt: '2026-11-20T07:00:00.000Z',
    attempts: [],
    ...overrides,
  };
}
