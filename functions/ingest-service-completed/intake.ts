import type { PolicyConfig } from '../shared/domain/policy-schema.js';
import { envelopeSchema, firstIssue, serviceCompletedSchema, type Rejection, type ServiceCompleted } from '../shared/domain/service-event.js';
import { followUpIdFor, type FollowUp } from '../shared/domain/follow-up.js';
import { usableChannels } from '../shared/domain/plan.js';
import { isSystemSource } from '../shared/domain/customer-key.js';

/** Clock skew tolerated between the upstream system and us. */
const FUTURE_TOLERANCE_MS = 5 * 60_000;

export type Intake =
  | { ok: true; eventId: string; source: string; detail: ServiceCompleted; followUps: FollowUp[] }
  | { ok: false; eventId: string; source: string; detailType: string; rejection: Rejection };

/**
 * acceptServiceCompleted: everything that decides whether an event becomes follow-ups, without
 * I/O. One follow-up per round of the policy (urgent repair has two).
 */
export function acceptServiceCompleted(raw: unknown, config: PolicyConfig, now: Date): Intake {
  const envelope = envelopeSchema.safeParse(raw);
  const meta = {
    eventId: envelope.success ? envelope.data.id : 'unknown',
    source: envelope.success ? envelope.data.source : 'unknown',
    detailType: envelope.success ? envelope.data['detail-type'] : 'unknown',
  };
  if (!envelope.success) return { ok: false, ...meta, rejection: firstIssue(envelope.error, '') };
  const parsed = serviceCompletedSchema.safeParse(envelope.data.detail);
  if (!parsed.success) return { ok: false, ...meta, rejection: firstIssue(parsed.error, 'detail') };
  const detail = parsed.data;
  const policy = config.policies[detail.serviceType];
  if (!policy) {
    return { ok: false, ...meta, rejection: { field: 'detail.serviceType', message: `unknown serviceType "${detail.serviceType}"; known: ${Object.keys(config.policies).join(', ')}` } };
  }
  if (detail.customerSource !== undefined && !isSystemSource(meta.source)) {
    // An upstream system speaks for its own customers only; naming another source would let it
    // dodge (or borrow) that source's opt-outs and caps.
    return { ok: false, ...meta, rejection: { field: 'detail.customerSource', message: 'only the follow-up system itself may name another source\'s customer' } };
  }
  if (new Date(detail.completedAt).getTime() > now.getTime() + FUTURE_TOLERANCE_MS) {
    return { ok: false, ...meta, rejection: { field: 'detail.completedAt', message: 'completedAt is in the future' } };
  }
  if (usableChannels(policy, { customer: detail.customer }).length === 0) {
    const needed = policy.channels.map((c) => (c.channel === 'phone' ? 'phone' : 'email'));
    return {
      ok: false,
      ...meta,
      rejection: { field: `detail.customer.${needed[0]}`, message: `serviceType "${detail.serviceType}" is followed up by ${needed.join(' or ')}, and the customer has none` },
    };
  }
  const createdAt = now.toISOString();
  const followUps = policy.rounds.map((_, round): FollowUp => ({
    followUpId: followUpIdFor(meta.source, detail.serviceType, detail.serviceId, round),
    source: meta.source,
    serviceId: detail.serviceId,
    serviceType: detail.serviceType,
    round,
    completedAt: new Date(detail.completedAt).toISOString(),
    customer: detail.customer,
    ...(detail.customerSource && detail.customerSource !== meta.source ? { customerSource: detail.customerSource } : {}),
    departmentId: detail.departmentId,
    advisorId: detail.advisorId,
    reworkCount: detail.reworkCount,
    status: 'scheduled',
    createdAt,
    attempts: [],
  }));
  return { ok: true, eventId: meta.eventId, source: meta.source, detail, followUps };
}
