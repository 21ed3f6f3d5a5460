import { isSystemSource } from '../shared/domain/customer-key.js';
import { type EventIssue, firstIssue } from '../shared/domain/event-issues.js';
import { type FollowUp, followUpIdFor } from '../shared/domain/follow-up.js';
import { usableChannels } from '../shared/domain/plan.js';
import type { PolicyConfig } from '../shared/domain/policy-schema.js';
import { envelopeSchema, parseServiceCompleted, type ServiceCompleted } from '../shared/domain/service-event.js';

/** Clock skew tolerated between the upstream system and us. */
const FUTURE_TOLERANCE_MS = 5 * 60_000;

interface EventMeta {
  eventId: string;
  source: string;
  detailType: string;
}

export type Intake =
  /** `warnings`: contact fields that were present but unusable, dropped; the follow-ups use the rest. */
  | (EventMeta & { ok: true; detail: ServiceCompleted; followUps: FollowUp[]; warnings: EventIssue[] })
  | (EventMeta & { ok: false; rejection: EventIssue });

/**
 * acceptServiceCompleted: everything that decides whether an event becomes follow-ups, without
 * I/O. One follow-up per round of the policy (urgent repair has two). Unknown fields are ignored;
 * an unusable phone or email is dropped with a warning, and the event is rejected only when no
 * channel the policy uses is left.
 */
export function acceptServiceCompleted(raw: unknown, config: PolicyConfig, now: Date): Intake {
  const envelope = envelopeSchema.safeParse(raw);
  const meta: EventMeta = {
    eventId: envelope.success ? envelope.data.id : 'unknown',
    source: envelope.success ? envelope.data.source : 'unknown',
    detailType: envelope.success ? envelope.data['detail-type'] : 'unknown',
  };
  if (!envelope.success) return { ok: false, ...meta, rejection: firstIssue(envelope.error, raw, '') };
  const parsed = parseServiceCompleted(envelope.data.detail);
  if (!parsed.ok) return { ok: false, ...meta, rejection: parsed.issue };
  const { detail, dropped } = parsed;
  const policy = config.policies[detail.serviceType];
  if (!policy) {
    const known = Object.keys(config.policies).join(', ');
    return {
      ok: false,
      ...meta,
      rejection: {
        field: 'detail.serviceType',
        reason: 'unknown-service-type',
        params: { serviceType: detail.serviceType },
        message: `unknown serviceType "${detail.serviceType}"; known: ${known}`,
      },
    };
  }
  if (detail.customerSource !== undefined && !isSystemSource(meta.source)) {
    // An upstream system speaks for its own customers only; naming another source would let it
    // dodge (or borrow) that source's opt-outs and caps.
    return {
      ok: false,
      ...meta,
      rejection: {
        field: 'detail.customerSource',
        reason: 'reserved-for-system',
        message: "only the follow-up system itself may name another source's customer",
      },
    };
  }
  if (new Date(detail.completedAt).getTime() > now.getTime() + FUTURE_TOLERANCE_MS) {
    return {
      ok: false,
      ...meta,
      rejection: { field: 'detail.completedAt', reason: 'in-the-future', message: 'completedAt is in the future' },
    };
  }
  if (usableChannels(policy, { customer: detail.customer }).length === 0) {
    const needed = policy.channels.map((c) => c.channel);
    // A channel the policy needs that arrived unusable is the clearest cause to name.
    const unusable = dropped.find((issue) => needed.some((field) => issue.field === `detail.customer.${field}`));
    return {
      ok: false,
      ...meta,
      rejection: unusable ?? {
        field: `detail.customer.${needed[0]}`,
        reason: 'no-usable-channel',
        params: { channels: needed.join(',') },
        message: `serviceType "${detail.serviceType}" is followed up by ${needed.join(' or ')}, and the customer has none`,
      },
    };
  }
  const createdAt = now.toISOString();
  const followUps = policy.rounds.map(
    (_, round): FollowUp => ({
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
    }),
  );
  return { ok: true, ...meta, detail, followUps, warnings: dropped };
}
