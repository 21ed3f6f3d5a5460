import { MetricUnit } from '@aws-lambda-powertools/metrics';
import * as z from 'zod';
import { escalationConfig } from '../shared/config/escalation.js';
import { policyConfig } from '../shared/config/policies.js';
import { reportConfig } from '../shared/config/reports.js';
import { type ComplaintEvent, managerFor } from '../shared/domain/complaint.js';
import { linkSequence, managerEmail, managerTask } from '../shared/domain/complaint-content.js';
import { ComplaintNotFound, PermanentContactError, wasAnsweredWithError } from '../shared/domain/errors.js';
import { type SigningKeys, signedLinkUrl } from '../shared/domain/signed-link.js';
import { eitherInput } from '../shared/lambda-handler.js';
import type { ComplaintStore } from '../shared/ports/complaint-store.js';
import type { ContactChannels } from '../shared/ports/contact-channels.js';
import { logger, metrics } from '../shared/powertools.js';
import type { NoticeChannel, NotificationClaims } from './notification-claims.js';

export const notifyInputSchema = z.object({
  complaintId: z.string().regex(/^cp-[0-9a-f]{32}$/),
  cycle: z.number().int().min(1),
  action: z.enum(['notify', 'await']),
  level: z.number().int().min(1),
  notice: z.number().int().min(0).optional(),
  escalated: z.boolean().optional(),
  timeoutSeconds: z.number().int().positive(),
  taskToken: z.string().min(1),
});
export type NotifyInput = z.infer<typeof notifyInputSchema>;

/** The workflow's "stop the unanswered notice" step, run with this function's Connect grant. */
export const stopNoticeInputSchema = z.object({
  action: z.literal('stop-task'),
  complaintId: z.string().regex(/^cp-[0-9a-f]{32}$/),
  cycle: z.number().int().min(1),
  level: z.number().int().min(1),
  notice: z.number().int().min(0),
});
export type StopNoticeInput = z.infer<typeof stopNoticeInputSchema>;

/** The notify step's input, or the stop step's. */
export const noticeStepInputSchema = eitherInput(stopNoticeInputSchema, notifyInputSchema);

export interface NotifyDeps {
  store: Pick<ComplaintStore, 'get' | 'update'>;
  claims: Pick<NotificationClaims, 'claim' | 'get' | 'sent' | 'failed' | 'release'>;
  channels: Pick<ContactChannels, 'sendEmail' | 'startAgentTask' | 'stopAgentTask'>;
  keys: () => Promise<SigningKeys>;
  outcomeBaseUrl: string;
  /** The Connect queue of a level's manager (see complaintQueueArn). */
  queueArn: (level: number, queueName: string | undefined) => string | undefined;
  now: Date;
}

/** Manager links stay valid for a week: a complaint can wait over a long holiday. */
const MANAGER_LINK_SECONDS = 7 * 86_400;

/**
 * The Connect queue a manager's task goes to, as the stack provisions them: the manager's own
 * queue by its ladder name (COMPLAINT_QUEUE_ARNS_BY_NAME, JSON name → queue ARN, department
 * queues included), else the level's default queue (COMPLAINT_QUEUE_ARNS, JSON level → ARN). The
 * task flow routes a task to the queue its `queue` attribute names; without one (a stack without
 * provisioned queues) the flow's default queue applies.
 */
export function complaintQueueArn(level: number, queueName: string | undefined, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const lookup = (variable: string, key: string | undefined): string | undefined => {
    const raw = env[variable];
    if (!raw || key === undefined) return undefined;
    let map: unknown;
    try {
      map = JSON.parse(raw);
    } catch {
      throw new Error(`environment variable ${variable} is not a JSON object of queue ARNs`);
    }
    const arn = (map as Record<string, unknown> | null)?.[key];
    return typeof arn === 'string' && arn ? arn : undefined;
  };
  return lookup('COMPLAINT_QUEUE_ARNS_BY_NAME', queueName) ?? lookup('COMPLAINT_QUEUE_ARNS', String(level));
}

type Delivery = { state: 'sent' } | { state: 'maybe-sent' } | { state: 'failed'; code: string; known: boolean };

/**
 * notifyManager: parks the escalation's task token on the complaint (links and upstream events
 * answer it), then, unless only waiting for a resolution, emails the level's manager and puts a
 * task on their Connect queue. Each of the two sends is claimed on its own, so a step retried
 * after one of them failed never repeats the other. A channel that fails for good is recorded in
 * the complaint's history; when both do, the workflow moves on to the next notice or level.
 */
export async function notifyManager(input: NotifyInput, deps: NotifyDeps) {
  const complaint = await deps.store.get(input.complaintId);
  if (!complaint) throw new ComplaintNotFound(input.complaintId);
  const parked = await deps.store.update(complaint.complaintId, { waitingToken: input.taskToken }, [], input.cycle);
  if (!parked) throw new Error(`complaint ${input.complaintId} moved past cycle ${input.cycle}`);
  if (input.action === 'await') {
    metrics.addMetric('EscalationAwaitingResolution', MetricUnit.Count, 1);
    return { notified: false };
  }
  const notice = input.notice ?? 1;
  const sequence = linkSequence(input.cycle, input.level, notice);
  const keys = await deps.keys();
  const expiresAt = Math.floor(deps.now.getTime() / 1000) + MANAGER_LINK_SECONDS;
  const url = (purpose: 'acknowledge' | 'resolve') =>
    signedLinkUrl(deps.outcomeBaseUrl, { followUpId: complaint.complaintId, attempt: sequence, purpose, expiresAt }, keys);
  const links = { acknowledge: complaint.status === 'acknowledged' ? undefined : url('acknowledge'), resolve: url('resolve') };
  const manager = managerFor(escalationConfig, complaint.departmentId, input.level);

  const deliver = async (channel: NoticeChannel, send: () => Promise<string | undefined>): Promise<Delivery> => {
    const at = deps.now.toISOString();
    const claim = await deps.claims.claim(complaint.complaintId, sequence, channel, at);
    if (!claim.claimed) {
      if (claim.existing.sentAt) return { state: 'sent' };
      if (claim.existing.failedCode) return { state: 'failed', code: claim.existing.failedCode, known: true };
      // An earlier try may have sent this email: never twice. Connect's ClientToken returns the
      // task an earlier try created, so the task is simply asked for again.
      if (channel === 'email') return { state: 'maybe-sent' };
    }
    try {
      const contactId = await send();
      await deps.claims.sent(complaint.complaintId, sequence, channel, at, contactId);
      return { state: 'sent' };
    } catch (error) {
      if (error instanceof PermanentContactError) {
        await deps.claims.failed(complaint.complaintId, sequence, channel, error.code);
        return { state: 'failed', code: error.code, known: false };
      }
      if (claim.claimed && wasAnsweredWithError(error)) await deps.claims.release(complaint.complaintId, sequence, channel, at);
      throw error;
    }
  };
  const email = await deliver('email', async () => {
    await deps.channels.sendEmail(
      managerEmail(
        complaint,
        manager.email,
        input.level,
        notice,
        input.escalated ?? false,
        links,
        policyConfig,
        escalationConfig,
        reportConfig.departments,
      ),
    );
    return undefined;
  });
  const phone = await deliver(
    'phone',
    async () =>
      (
        await deps.channels.startAgentTask(
          managerTask(
            complaint,
            input.level,
            notice,
            deps.queueArn(input.level, manager.connectQueue),
            links,
            policyConfig,
            escalationConfig,
            reportConfig.departments,
          ),
        )
      ).contactId || undefined,
  );

  const failures = (
    [
      ['email', email],
      ['phone', phone],
    ] as const
  ).filter((entry): entry is readonly [NoticeChannel, Extract<Delivery, { state: 'failed' }>] => entry[1].state === 'failed');
  const newFailures: ComplaintEvent[] = failures
    .filter(([, d]) => !d.known)
    .map(([channel, d]) => ({
      at: deps.now.toISOString(),
      type: 'notification-failed',
      level: input.level,
      cycle: input.cycle,
      note: `${channel}:${d.code}`,
    }));
  if (newFailures.length > 0) {
    await deps.store.update(complaint.complaintId, {}, newFailures, input.cycle);
    metrics.addMetric('NotificationFailed', MetricUnit.Count, newFailures.length);
  }
  for (const [channel, d] of failures)
    logger.warn('manager notification failed for good', {
      complaintId: complaint.complaintId,
      cycle: input.cycle,
      level: input.level,
      notice,
      channel,
      code: d.code,
    });
  if (failures.length === 2) {
    // Nobody got the links: nothing to wait for. The workflow's Catch hands this to Plan, which moves on.
    const [channel, d] = failures[1]!;
    throw new PermanentContactError(channel, d.code);
  }
  logger.info('manager notified', { complaintId: complaint.complaintId, cycle: input.cycle, level: input.level, notice });
  metrics.addMetric('ManagerNotified', MetricUnit.Count, 1);
  return { notified: true };
}

/** stopUnansweredNotice: nobody acted on the notice in time; its Connect task leaves the manager's queue. */
export async function stopUnansweredNotice(
  input: StopNoticeInput,
  deps: Pick<NotifyDeps, 'claims' | 'channels'>,
): Promise<{ stopped: boolean }> {
  if (input.notice < 1) return { stopped: false };
  const claim = await deps.claims.get(input.complaintId, linkSequence(input.cycle, input.level, input.notice), 'phone');
  if (!claim?.contactId) return { stopped: false };
  await deps.channels.stopAgentTask(claim.contactId);
  logger.info('unanswered notice stopped', {
    complaintId: input.complaintId,
    cycle: input.cycle,
    level: input.level,
    notice: input.notice,
  });
  metrics.addMetric('AgentTaskStopped', MetricUnit.Count, 1);
  return { stopped: true };
}

/** One function runs both steps: the workflow's input says which. */
export function noticeStep(input: NotifyInput | StopNoticeInput, deps: NotifyDeps): Promise<{ notified: boolean } | { stopped: boolean }> {
  return input.action === 'stop-task' ? stopUnansweredNotice(input, deps) : notifyManager(input, deps);
}
