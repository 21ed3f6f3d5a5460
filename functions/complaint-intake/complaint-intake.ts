import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { escalationConfig } from '../shared/config/escalation.js';
import { reportConfig } from '../shared/config/reports.js';
import { assessSeverity, type Complaint, complaintIdFor, escalationExecutionName, slaDeadlines } from '../shared/domain/complaint.js';
import {
  complaintOfResolutionServiceId,
  complaintRaisedSchema,
  complaintResolvedSchema,
  followUpCompletedSchema,
} from '../shared/domain/complaint-events.js';
import { customerOf } from '../shared/domain/customer-key.js';
import { firstIssue } from '../shared/domain/event-issues.js';
import { COMPLAINT_FOLLOW_UP_SOURCE, COMPLAINT_RAISED, COMPLAINT_RESOLVED, FOLLOW_UP_COMPLETED } from '../shared/domain/event-names.js';
import { localDate } from '../shared/domain/schedule.js';
import { envelopeSchema } from '../shared/domain/service-event.js';
import type { AggregateStore } from '../shared/ports/aggregate-store.js';
import type { ComplaintStore } from '../shared/ports/complaint-store.js';
import type { FinalOutcome, FollowUpStore } from '../shared/ports/follow-up-store.js';
import type { Workflow } from '../shared/ports/workflow.js';
import { logger, metrics } from '../shared/powertools.js';
import { eventMetaOf, rejectEvent } from '../shared/rejected-events.js';

export interface IntakeDeps {
  complaints: ComplaintStore;
  aggregates: Pick<AggregateStore, 'add'>;
  followUps: FollowUpStore;
  workflow: Workflow;
  now: Date;
}

const pauseUntil = (now: Date) => new Date(now.getTime() + escalationConfig.pauseAfterComplaintHours * 3_600_000).toISOString();

/** A new complaint: recorded once (the id derives from the follow-up), the customer left alone a while, escalation started. */
async function raise(detail: ReturnType<typeof complaintRaisedSchema.parse>, deps: IntakeDeps) {
  const resolution = detail.source === COMPLAINT_FOLLOW_UP_SOURCE ? complaintOfResolutionServiceId(detail.serviceId) : undefined;
  if (resolution) return reopen(resolution.complaintId, resolution.cycle, deps);

  const followUp = await deps.followUps.get(detail.followUpId);
  if (!followUp) throw new Error(`follow-up ${detail.followUpId} not found`);
  const complaintId = complaintIdFor(detail.followUpId);
  const customer = customerOf(followUp);
  const previousComplaints = await deps.complaints.countComplaint(customer, followUp.serviceType, complaintId);
  const outcome = (followUp as { outcome?: Pick<FinalOutcome, 'assessment' | 'agentSeverity' | 'answers' | 'agentNote'> }).outcome;
  const severity = assessSeverity(
    {
      agentSeverity: outcome?.agentSeverity,
      scores: outcome?.assessment?.scores ?? {},
      previousComplaints,
      reworkCount: followUp.reworkCount,
      reopened: false,
    },
    escalationConfig,
  );
  const raisedAt = deps.now.toISOString();
  const complaint: Complaint = {
    complaintId,
    followUpId: followUp.followUpId,
    serviceType: followUp.serviceType,
    serviceId: followUp.serviceId,
    customer: followUp.customer,
    customerSource: customer.source,
    departmentId: followUp.departmentId,
    severity,
    status: 'open',
    cycle: 1,
    level: 1,
    notices: 0,
    raisedAt,
    ...slaDeadlines(deps.now, severity, escalationConfig),
    complaintQuestions: detail.complaintQuestions,
    ...(outcome?.answers && Object.keys(outcome.answers).length > 0 ? { answers: outcome.answers } : {}),
    ...(outcome?.agentNote ? { agentNote: outcome.agentNote } : {}),
    repeat: previousComplaints > 0,
    history: [{ at: raisedAt, type: 'raised', level: 1, cycle: 1, note: severity }],
  };
  const stored = await deps.complaints.create(complaint);
  if (!stored.created && stored.existing.history.length > 1) {
    logger.info('duplicate complaint ignored', { complaintId });
    return { status: 'duplicate' as const, complaintId };
  }
  await deps.complaints.pauseContact(customer, pauseUntil(deps.now));
  await deps.aggregates.add(
    localDate(deps.now, reportConfig.timeZone),
    'complaints',
    followUp.departmentId,
    { raised: 1, [`raised_${severity}`]: 1, ...(complaint.repeat ? { repeats: 1 } : {}) },
    `${complaintId}#raised`,
  );
  await deps.workflow.startEscalation(escalationExecutionName(complaintId, 1), { complaintId, cycle: 1 });
  logger.info('complaint raised', { complaintId, followUpId: followUp.followUpId, severity });
  metrics.addMetric(`ComplaintRaised_${severity}`, MetricUnit.Count, 1);
  return { status: 'escalating' as const, complaintId, severity };
}

/** The customer is still unhappy after the fix: the complaint reopens where it was closed, as a repeat. */
async function reopen(complaintId: string, cycle: number, deps: IntakeDeps) {
  const complaint = await deps.complaints.get(complaintId);
  if (!complaint) throw new Error(`complaint ${complaintId} not found`);
  if (complaint.cycle !== cycle || complaint.status !== 'resolved') {
    logger.info('reopen ignored', { complaintId, cycle, current: complaint.cycle, status: complaint.status });
    return { status: 'duplicate' as const, complaintId };
  }
  const severity = complaint.severity === 'urgent' ? 'urgent' : 'major';
  const at = deps.now.toISOString();
  const next = cycle + 1;
  const reopened = await deps.complaints.update(
    complaintId,
    {
      cycle: next,
      status: 'open',
      severity,
      repeat: true,
      notices: 0,
      ...slaDeadlines(deps.now, severity, escalationConfig),
      acknowledgedAt: null as never,
      resolvedAt: null as never,
    },
    [{ at, type: 'reopened', level: complaint.level, cycle: next }],
    cycle,
  );
  if (!reopened) return { status: 'duplicate' as const, complaintId };
  await deps.complaints.pauseContact({ source: complaint.customerSource, id: complaint.customer.id }, pauseUntil(deps.now));
  await deps.aggregates.add(
    localDate(deps.now, reportConfig.timeZone),
    'complaints',
    complaint.departmentId,
    { reopened: 1 },
    `${complaintId}#reopened#${next}`,
  );
  await deps.workflow.startEscalation(escalationExecutionName(complaintId, next), { complaintId, cycle: next });
  logger.info('complaint reopened', { complaintId, cycle: next, level: complaint.level });
  metrics.addMetric('ComplaintReopened', MetricUnit.Count, 1);
  return { status: 'reopened' as const, complaintId };
}

/** The post-resolution follow-up ended without a new complaint: close (or mark unconfirmed). */
async function settle(detail: ReturnType<typeof followUpCompletedSchema.parse>, deps: IntakeDeps) {
  const resolution = detail.source === COMPLAINT_FOLLOW_UP_SOURCE ? complaintOfResolutionServiceId(detail.serviceId) : undefined;
  if (!resolution || detail.complaint) return { status: 'ignored' as const };
  const complaint = await deps.complaints.get(resolution.complaintId);
  if (complaint?.status !== 'resolved' || complaint.cycle !== resolution.cycle) return { status: 'ignored' as const };
  const status = detail.status === 'completed' ? 'closed' : 'unconfirmed';
  await deps.complaints.update(
    resolution.complaintId,
    { status },
    [{ at: deps.now.toISOString(), type: status, level: complaint.level, cycle: complaint.cycle }],
    complaint.cycle,
  );
  logger.info('complaint settled', { complaintId: resolution.complaintId, status });
  metrics.addMetric(status === 'closed' ? 'ComplaintClosed' : 'ComplaintUnconfirmed', MetricUnit.Count, 1);
  return { status };
}

/** "Complaint Resolved" from an upstream system: resumes the waiting escalation as a resolution. */
async function resolvedUpstream(detail: ReturnType<typeof complaintResolvedSchema.parse>, deps: IntakeDeps) {
  const complaintId = detail.complaintId ?? complaintIdFor(detail.followUpId!);
  const complaint = await deps.complaints.get(complaintId);
  if (!complaint) return { status: 'rejected' as const, field: detail.complaintId ? 'detail.complaintId' : 'detail.followUpId' };
  if (complaint.status === 'resolved' || complaint.status === 'closed' || complaint.status === 'unconfirmed')
    return { status: 'ignored' as const };
  // Between two steps there is no token yet: failing lets the invocation retry a moment later.
  if (!complaint.waitingToken) throw new Error(`escalation of ${complaintId} is between steps; retry`);
  await deps.workflow.completeTask(complaint.waitingToken, {
    result: 'resolved',
    note: detail.note ?? '',
    by: 'upstream',
    at: deps.now.toISOString(),
  });
  logger.info('complaint resolved upstream', { complaintId });
  return { status: 'resolved' as const };
}

export async function complaintIntake(event: unknown, deps: IntakeDeps) {
  const envelope = envelopeSchema.safeParse(event);
  if (!envelope.success) {
    const issue = firstIssue(envelope.error, event, '');
    await rejectEvent(deps.followUps, eventMetaOf(event), issue, deps.now);
    return { status: 'rejected' as const, field: issue.field };
  }
  const meta = eventMetaOf(event);
  const type = envelope.data['detail-type'];
  const schema =
    type === COMPLAINT_RAISED
      ? complaintRaisedSchema
      : type === FOLLOW_UP_COMPLETED
        ? followUpCompletedSchema
        : type === COMPLAINT_RESOLVED
          ? complaintResolvedSchema
          : undefined;
  if (!schema) return { status: 'ignored' as const };
  const parsed = schema.safeParse(envelope.data.detail);
  if (!parsed.success) {
    const issue = firstIssue(parsed.error, envelope.data.detail, 'detail');
    await rejectEvent(deps.followUps, meta, issue, deps.now);
    return { status: 'rejected' as const, field: issue.field };
  }
  if (type === COMPLAINT_RAISED) return raise(parsed.data as never, deps);
  if (type === FOLLOW_UP_COMPLETED) return settle(parsed.data as never, deps);
  const resolved = await resolvedUpstream(parsed.data as never, deps);
  if (resolved.status === 'rejected')
    await rejectEvent(
      deps.followUps,
      meta,
      { field: resolved.field, reason: 'unknown-complaint', message: 'no complaint has this id' },
      deps.now,
    );
  return resolved;
}
