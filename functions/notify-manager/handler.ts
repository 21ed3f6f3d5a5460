import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { z } from 'zod';
import { escalationConfig } from '../shared/config/escalation.js';
import { policyConfig } from '../shared/config/policies.js';
import { clock } from '../shared/clock.js';
import { logger, metrics } from '../shared/powertools.js';
import { complaintStore } from '../shared/runtime.js';
import { requireEnv } from '../shared/env.js';
import type { ComplaintStore } from '../shared/adapters/complaint-store.js';
import { awsContactChannels, type ContactChannels } from '../shared/adapters/contact-channels.js';
import { loadSigningKeys } from '../shared/adapters/signing-keys.js';
import { managerFor } from '../shared/domain/complaint.js';
import { linkSequence, managerEmail, managerTask } from '../shared/domain/complaint-content.js';
import { signLink, type SigningKeys } from '../shared/domain/signed-link.js';

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

/** Manager links stay valid for a week: a complaint can wait over a long holiday. */
const MANAGER_LINK_SECONDS = 7 * 86_400;

/**
 * notifyManager: parks the escalation's task token on the complaint (links and upstream events
 * answer it), then, unless only waiting for a resolution, emails the level's manager and puts a
 * task on their Connect queue.
 */
export async function notifyManager(input: NotifyInput, deps: { store: ComplaintStore; channels: ContactChannels; keys: () => Promise<SigningKeys>; outcomeBaseUrl: string; now: Date }) {
  const complaint = await deps.store.get(input.complaintId);
  if (!complaint) throw new Error(`complaint ${input.complaintId} not found`);
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
  const url = (purpose: 'acknowledge' | 'resolve') => `${deps.outcomeBaseUrl.replace(/\/$/, '')}/links/${signLink({ followUpId: complaint.complaintId, attempt: sequence, purpose, expiresAt }, keys)}`;
  const links = { acknowledge: complaint.status === 'acknowledged' ? undefined : url('acknowledge'), resolve: url('resolve') };
  const manager = managerFor(escalationConfig, complaint.departmentId, input.level);
  await deps.channels.sendEmail(managerEmail(complaint, manager.email, input.level, notice, input.escalated ?? false, links, policyConfig, escalationConfig));
  await deps.channels.startAgentTask(managerTask(complaint, input.level, notice, manager.connectQueue, links, policyConfig, escalationConfig));
  logger.info('manager notified', { complaintId: complaint.complaintId, cycle: input.cycle, level: input.level, notice });
  metrics.addMetric('ManagerNotified', MetricUnit.Count, 1);
  return { notified: true };
}

export const handler = middy((event: unknown) =>
  notifyManager(notifyInputSchema.parse(event), { store: complaintStore(), channels: awsContactChannels, keys: () => loadSigningKeys(), outcomeBaseUrl: requireEnv('OUTCOME_BASE_URL'), now: clock.now() }),
)
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics));
