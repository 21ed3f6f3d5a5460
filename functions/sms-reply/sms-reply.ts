import { MetricUnit } from '@aws-lambda-powertools/metrics';
import * as z from 'zod';
import { completeAttempt } from '../shared/attempt-planning.js';
import { policyConfig } from '../shared/config/policies.js';
import { smsConfig } from '../shared/config/sms.js';
import { localeOf } from '../shared/domain/contact-content.js';
import { customerOf } from '../shared/domain/customer-key.js';
import type { FollowUp } from '../shared/domain/follow-up.js';
import { answersFromScore, readSmsReply, UNDELIVERED_TEXT_EVENTS } from '../shared/domain/sms-reply.js';
import type { Answers } from '../shared/domain/survey.js';
import { translator } from '../shared/i18n/index.js';
import type { ContactChannels } from '../shared/ports/contact-channels.js';
import type { AttemptRecord, FollowUpStore } from '../shared/ports/follow-up-store.js';
import type { RateLimiter } from '../shared/ports/rate-limiter.js';
import type { SmsReplies } from '../shared/ports/sms-replies.js';
import { taskClosed, type Workflow } from '../shared/ports/workflow.js';
import { logger, metrics } from '../shared/powertools.js';
import { failUndeliveredText } from '../shared/undelivered-text.js';

/**
 * Replies to survey texts, as End User Messaging publishes them to the two-way topic: one SNS
 * record per reply, its message the inbound SMS (the customer's number, our number, the body).
 */
export const smsReplyEventSchema = z.object({
  Records: z.array(z.object({ Sns: z.object({ Message: z.string() }) })).min(1),
});
export type SmsReplyEvent = z.infer<typeof smsReplyEventSchema>;

const inboundSchema = z.object({
  originationNumber: z.string().min(1),
  destinationNumber: z.string().min(1),
  messageBody: z.string(),
});
export type InboundSms = z.infer<typeof inboundSchema>;

/** A delivery receipt the configuration set publishes to the same topic: the message's fate and the ids it was sent with. */
const deliveryEventSchema = z.object({
  eventType: z.string().min(1),
  context: z.record(z.string(), z.string()).optional(),
});
export type SmsDeliveryEvent = z.infer<typeof deliveryEventSchema>;

const UNDELIVERED: ReadonlySet<string> = new Set(UNDELIVERED_TEXT_EVENTS);

export interface SmsReplyDeps {
  store: FollowUpStore;
  /** The next attempt is planned where the reply is read: its contact's second under the channel's rate. */
  limiter: Pick<RateLimiter, 'reserve'>;
  replies: SmsReplies;
  workflow: Workflow;
  channels: Pick<ContactChannels, 'sendSms'>;
  now: Date;
}

export type ReplyHandled =
  | 'score'
  | 'opt-out'
  | 'help'
  | 'not-understood'
  | 'unmatched'
  | 'already-answered'
  | 'closed'
  | 'undelivered'
  | 'delivery-noted';

/** Each reply in turn; a malformed one is logged (without its content) and skipped. */
export async function handleSmsReplies(event: SmsReplyEvent, deps: SmsReplyDeps): Promise<{ handled: ReplyHandled[] }> {
  const handled: ReplyHandled[] = [];
  for (const record of event.Records) {
    let inbound: InboundSms;
    try {
      const message: unknown = JSON.parse(record.Sns.Message);
      const delivery = deliveryEventSchema.safeParse(message);
      if (delivery.success) {
        handled.push(await handleDeliveryEvent(delivery.data, deps));
        continue;
      }
      inbound = inboundSchema.parse(message);
    } catch {
      logger.warn('sms reply not understood as an inbound message');
      metrics.addMetric('SmsReplyMalformed', MetricUnit.Count, 1);
      continue;
    }
    handled.push(await handleSmsReply(inbound, deps));
  }
  return { handled };
}

/**
 * handleSmsReply: the reply finds the attempt last texted to this number from this number, then a
 * score answers its survey's score question and completes the attempt, an opt-out keyword opts the
 * customer out (and ends the attempt as refused), HELP is answered with the help text. Logs carry
 * ids and the reply's kind, never the number or the text.
 */
export async function handleSmsReply(inbound: InboundSms, deps: SmsReplyDeps): Promise<ReplyHandled> {
  const outcome = await reply(inbound, deps);
  logger.info('sms reply', { outcome });
  metrics.addMetric(`SmsReply_${outcome}`, MetricUnit.Count, 1);
  return outcome;
}

async function reply(inbound: InboundSms, deps: SmsReplyDeps): Promise<ReplyHandled> {
  const ourNumber = smsConfig.aws.replyNumber ? inbound.destinationNumber : 'any';
  const ref = await deps.replies.find(inbound.originationNumber, ourNumber);
  if (!ref) return 'unmatched';
  const { followUp, attempt } = await deps.store.getWithAttempt(ref.followUpId, ref.attempt);
  if (!followUp || !attempt) return 'unmatched';
  const said = readSmsReply(inbound.messageBody);
  const at = deps.now.toISOString();
  switch (said.kind) {
    case 'help': {
      const locale = localeOf(followUp, policyConfig);
      const text = translator(locale)('sms.help', { company: policyConfig.organization.name[locale] });
      await deps.channels.sendSms({ to: inbound.originationNumber, text, purpose: { kind: 'follow-up', ...ref } });
      return 'help';
    }
    case 'unknown':
      return 'not-understood';
    case 'opt-out':
      await deps.store.optOut(customerOf(followUp), at);
      if (!attempt.usedAt) await answer(deps, ref, { followUp, attempt }, { result: 'refused', usedAt: at });
      return 'opt-out';
    case 'score': {
      if (attempt.usedAt) return 'already-answered';
      const survey = policyConfig.surveys[policyConfig.policies[followUp.serviceType]?.survey ?? ''];
      const answers = survey ? answersFromScore(survey, said.score) : undefined;
      const done = await answer(deps, ref, { followUp, attempt }, { result: 'reached', usedAt: at, answers: (answers ?? {}) as Answers });
      return done ? 'score' : 'closed';
    }
  }
}

/** Records the attempt's answer and hands it to the waiting workflow; false when the workflow had already moved on. */
async function answer(
  deps: SmsReplyDeps,
  ref: { followUpId: string; attempt: number },
  read: { followUp: FollowUp; attempt: AttemptRecord },
  stored: { result: 'reached' | 'refused'; usedAt: string; answers?: Answers },
): Promise<boolean> {
  if (!(await deps.store.answerAttempt(ref.followUpId, ref.attempt, stored))) return false;
  try {
    await completeAttempt({ ...ref, channel: 'sms', taskToken: read.attempt.taskToken }, { result: stored.result }, deps, {
      followUp: read.followUp,
      attempt: { ...read.attempt, ...stored },
    });
    return true;
  } catch (error) {
    if (taskClosed(error)) return false;
    // The workflow could not be told: the attempt is open again, and SNS's retry of this invocation tries again.
    await deps.store.reopenAttempt(ref.followUpId, ref.attempt);
    throw error;
  }
}

/** handleDeliveryEvent: a text that never arrived fails its attempt for good (error names the event type, no number). */
export async function handleDeliveryEvent(event: SmsDeliveryEvent, deps: SmsReplyDeps): Promise<ReplyHandled> {
  const outcome = await delivery(event, deps);
  logger.info('sms delivery event', { outcome, eventType: event.eventType });
  metrics.addMetric(`SmsDelivery_${outcome}`, MetricUnit.Count, 1);
  return outcome;
}

async function delivery(event: SmsDeliveryEvent, deps: SmsReplyDeps): Promise<ReplyHandled> {
  if (!UNDELIVERED.has(event.eventType)) return 'delivery-noted';
  const followUpId = event.context?.followUpId;
  const attemptNumber = Number(event.context?.attempt);
  if (event.context?.kind !== 'follow-up' || !followUpId || !Number.isInteger(attemptNumber)) return 'unmatched';
  return failUndeliveredText({ followUpId, attempt: attemptNumber }, deps);
}
