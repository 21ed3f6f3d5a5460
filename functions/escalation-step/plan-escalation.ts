import { MetricUnit } from '@aws-lambda-powertools/metrics';
import * as z from 'zod';
import { escalationConfig } from '../shared/config/escalation.js';
import { policyConfig } from '../shared/config/policies.js';
import { reportConfig } from '../shared/config/reports.js';
import { type ComplaintEvent, type EscalationStep, nextEscalationStep, type StepTrigger } from '../shared/domain/complaint.js';
import { resolutionServiceId } from '../shared/domain/complaint-events.js';
import { ComplaintNotFound, reasonOf } from '../shared/domain/errors.js';
import { COMPLAINT_FOLLOW_UP_SOURCE, SERVICE_COMPLETED } from '../shared/domain/event-names.js';
import { localDate } from '../shared/domain/schedule.js';
import type { AggregateStore } from '../shared/ports/aggregate-store.js';
import type { ComplaintStore } from '../shared/ports/complaint-store.js';
import type { EventPublisher } from '../shared/ports/event-publisher.js';
import type { RateLimiter } from '../shared/ports/rate-limiter.js';
import { logger, metrics } from '../shared/powertools.js';

export const stepInputSchema = z.object({
  complaintId: z.string().regex(/^cp-[0-9a-f]{32}$/),
  cycle: z.number().int().min(1),
  outcome: z
    .object({
      result: z.enum(['acknowledged', 'resolved']),
      note: z.string().optional(),
      by: z.string().optional(),
      at: z.string().optional(),
    })
    .optional(),
  timedOut: z.unknown().optional(),
  /** The notification step failed for good or after its retries: Plan moves on as if nobody acted. */
  notifyError: z.object({ Error: z.string().optional(), Cause: z.string().optional() }).optional(),
  /** What the previous Plan decided (the workflow state carries it): the notice this step follows. */
  action: z.enum(['notify', 'await', 'close']).optional(),
  level: z.number().int().min(1).optional(),
  notice: z.number().int().min(0).optional(),
  /** Until when the previous notice waited for a manager. */
  waitUntil: z.string().optional(),
});
export type StepInput = z.infer<typeof stepInputSchema>;

export interface EscalationDeps {
  store: ComplaintStore;
  events: EventPublisher;
  aggregates: Pick<AggregateStore, 'add'>;
  limiter: Pick<RateLimiter, 'reserve'>;
  now: Date;
}

/**
 * planEscalation: the one writer of a complaint's escalation state. It records what the manager
 * did (or that nobody did anything in time) and decides the next notification, wait or close.
 */
export async function planEscalation(
  input: StepInput,
  deps: EscalationDeps,
): Promise<EscalationStep & { complaintId: string; cycle: number; notifyAt?: string }> {
  const { store, events, aggregates, limiter, now } = deps;
  const complaint = await store.get(input.complaintId);
  if (!complaint) throw new ComplaintNotFound(input.complaintId);
  if (complaint.cycle !== input.cycle) return { complaintId: input.complaintId, cycle: input.cycle, action: 'close' };
  const trigger: StepTrigger = input.outcome?.result ?? (input.timedOut || input.notifyError ? 'timeout' : 'start');
  // The next step follows from the notice the workflow is at (its state), not from the stored
  // counters: a retried step whose first try already stored the next notice must not skip one.
  const previous =
    input.action === 'notify' || input.action === 'await'
      ? { level: input.level ?? complaint.level, notices: input.notice ?? complaint.notices }
      : {};
  const stepKey = `${complaint.cycle}:${trigger}:${input.level ?? 0}:${input.notice ?? 0}`;
  const at = input.outcome?.at ?? now.toISOString();
  const history: ComplaintEvent[] = [];
  const fields: Parameters<ComplaintStore['update']>[1] = { waitingToken: null };

  if (trigger === 'acknowledged') {
    fields.status = 'acknowledged';
    fields.acknowledgedAt = at;
    history.push({ at, type: 'acknowledged', level: complaint.level, cycle: complaint.cycle, note: input.outcome?.by });
  }
  if (trigger === 'resolved') {
    fields.status = 'resolved';
    fields.resolvedAt = at;
    fields.resolution = input.outcome?.note ?? '';
    if (!complaint.acknowledgedAt) fields.acknowledgedAt = at;
    history.push({ at, type: 'resolved', level: complaint.level, cycle: complaint.cycle, note: input.outcome?.by });
  }
  // A notice the manager never received (PermanentContactError: notify-manager recorded each channel's failure).
  if (input.notifyError && input.notifyError.Error !== 'PermanentContactError') {
    history.push({
      at: now.toISOString(),
      type: 'notification-failed',
      level: input.level ?? complaint.level,
      cycle: complaint.cycle,
      note: reasonOf(input.notifyError),
    });
  }
  // A notice that could not be sent counts as one nobody acted on, at the time it would have
  // timed out: the next notice waits as long as it would have, so a ladder whose addresses and
  // queues all fail moves at its usual pace instead of spinning through notices.
  const stepAt = input.notifyError && input.waitUntil && Date.parse(input.waitUntil) > now.getTime() ? new Date(input.waitUntil) : now;
  const step = nextEscalationStep(
    { ...complaint, ...previous, ...(fields.status ? { status: fields.status } : {}) },
    trigger,
    stepAt,
    escalationConfig,
  );
  if (step.action === 'notify') {
    fields.level = step.level;
    fields.notices = step.notice;
    history.push({
      at: stepAt.toISOString(),
      type: step.escalated ? 'escalated' : 'notified',
      level: step.level,
      cycle: complaint.cycle,
      note: `notice ${step.notice}`,
    });
  }
  // Once per step: a retry finds its first try's write (same key) and does not append the history again.
  await store.update(complaint.complaintId, fields, history, complaint.cycle, stepKey);
  const count = (counters: Record<string, number>, id: string) =>
    aggregates.add(
      localDate(now, reportConfig.timeZone),
      'complaints',
      complaint.departmentId,
      counters,
      `${complaint.complaintId}#${id}#${complaint.cycle}`,
    );
  if (trigger === 'acknowledged')
    await count({ acknowledged: 1, acknowledgedInSla: at <= complaint.acknowledgeBy ? 1 : 0 }, 'acknowledged');
  if (trigger === 'resolved') {
    await count(
      {
        resolved: 1,
        resolvedInSla: at <= complaint.resolveBy ? 1 : 0,
        ...(complaint.acknowledgedAt ? {} : { acknowledged: 1, acknowledgedInSla: at <= complaint.acknowledgeBy ? 1 : 0 }),
      },
      'resolved',
    );
  }
  if (step.action === 'notify' && step.escalated) await count({ [`escalatedToLevel${step.level}`]: 1 }, `level${step.level}`);

  if (trigger === 'resolved') {
    // Close the loop: ask the customer whether the fix worked, through the FollowUp workflow.
    await events.publish(
      SERVICE_COMPLETED,
      {
        serviceId: resolutionServiceId(complaint.complaintId, complaint.cycle),
        serviceType: escalationConfig.severities[complaint.severity].followUp,
        completedAt: at,
        customer: complaint.customer,
        customerSource: complaint.customerSource,
        ...(complaint.departmentId ? { departmentId: complaint.departmentId } : {}),
      },
      COMPLAINT_FOLLOW_UP_SOURCE,
    );
    metrics.addMetric('ComplaintResolved', MetricUnit.Count, 1);
  }
  if (step.action === 'notify' && step.escalated) metrics.addMetric(`ComplaintEscalatedToLevel${step.level}`, MetricUnit.Count, 1);
  if (history.length === 0) metrics.addMetric('EscalationStep', MetricUnit.Count, 1);
  logger.info('escalation step', {
    complaintId: complaint.complaintId,
    cycle: complaint.cycle,
    trigger,
    action: step.action,
    level: 'level' in step ? step.level : undefined,
  });
  // A notification is a Connect task and an email: it waits for its slots under the same per-second
  // rates as customer contacts (re-notifications of many complaints tend to fall due together).
  let notifyAt = stepAt;
  if (step.action === 'notify') {
    // Both calls happen in the same second, so both slots must be in that second.
    for (let tries = 0; tries < 20; tries += 1) {
      const phone = await limiter.reserve('phone', notifyAt, policyConfig.contactRates.phone.perSecond);
      const email = await limiter.reserve('email', phone, policyConfig.contactRates.email.perSecond);
      notifyAt = email;
      if (email.getTime() === phone.getTime()) break;
    }
  }
  // Every field the next states read is present, whatever the action.
  return {
    complaintId: complaint.complaintId,
    cycle: complaint.cycle,
    notice: step.action === 'await' ? (previous.notices ?? complaint.notices) : 0,
    escalated: false,
    notifyAt: notifyAt.toISOString(),
    ...step,
  } as unknown as EscalationStep & { complaintId: string; cycle: number; notifyAt: string };
}
