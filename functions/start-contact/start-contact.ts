import { MetricUnit } from '@aws-lambda-powertools/metrics';
import * as z from 'zod';
import { completeAttempt, releaseSharedContact } from '../shared/attempt-planning.js';
import { policyConfig } from '../shared/config/policies.js';
import { smsConfig } from '../shared/config/sms.js';
import { agentTaskFor, surveyEmailFor } from '../shared/domain/contact-content.js';
import { customerOf } from '../shared/domain/customer-key.js';
import { FollowUpNotFound, PermanentContactError, wasAnsweredWithError } from '../shared/domain/errors.js';
import type { ContactResult, FollowUp } from '../shared/domain/follow-up.js';
import { type JoinedMatter, joinableMatters, joinedToId, leadToJoin, mergesOn, type PendingContact } from '../shared/domain/merge.js';
import { resolvePolicy } from '../shared/domain/plan.js';
import { channelSchema } from '../shared/domain/policy-schema.js';
import { quarterOf } from '../shared/domain/schedule.js';
import { type LinkClaims, type SigningKeys, signedLinkUrl } from '../shared/domain/signed-link.js';
import { surveySmsFor } from '../shared/domain/sms-content.js';
import { providerFor, replyNumberOf } from '../shared/domain/sms-schema.js';
import { eitherInput } from '../shared/lambda-handler.js';
import type { ContactChannels } from '../shared/ports/contact-channels.js';
import type { AttemptRecord, CustomerContactState, FollowUpStore } from '../shared/ports/follow-up-store.js';
import type { RateLimiter } from '../shared/ports/rate-limiter.js';
import type { SmsReplies } from '../shared/ports/sms-replies.js';
import type { Workflow } from '../shared/ports/workflow.js';
import { logger, metrics } from '../shared/powertools.js';

export const contactInputSchema = z.object({
  followUpId: z.string().min(1),
  attempt: z.number().int().min(1),
  channel: channelSchema,
  timeoutSeconds: z.number().int().positive(),
  /** The second the rate limiter already gave this attempt (after a deferral); null otherwise. */
  reservedSlot: z.string().nullish(),
  taskToken: z.string().min(1),
});
export type ContactInput = z.infer<typeof contactInputSchema>;

/** The workflow's "stop the unanswered task" step, run with this function's Connect grant. */
export const stopInputSchema = z.object({
  action: z.literal('stop-task'),
  followUpId: z.string().min(1),
  attempt: z.number().int().min(1),
});
export type StopInput = z.infer<typeof stopInputSchema>;

/**
 * A contact that starts this soon after the second reserved for it uses that reservation: the
 * slot already paid for that second's capacity, and Wait states and cold starts make a step a
 * few seconds late as a rule. Later than this, the step reserves again.
 */
export const RESERVED_SLOT_GRACE_MS = 30_000;

function withinReservedSlot(reservedSlot: string | null | undefined, now: Date): boolean {
  const reserved = reservedSlot ? Date.parse(reservedSlot) : Number.NaN;
  const lateBy = now.getTime() - reserved;
  return Number.isFinite(reserved) && lateBy > -1000 && lateBy < RESERVED_SLOT_GRACE_MS;
}

export interface ContactDeps {
  store: FollowUpStore;
  limiter: Pick<RateLimiter, 'reserve'>;
  channels: ContactChannels;
  workflow: Workflow;
  keys: () => Promise<SigningKeys>;
  outcomeBaseUrl: string;
  /** The Connect queue the stack provisioned for follow-up calls; without one the flow's default queue applies. */
  followUpQueueArn?: string;
  /** Where a two-way text's reply finds its attempt (End User Messaging carries replies; Alibaba does not). */
  smsReplies?: SmsReplies;
  now: Date;
}

/** The contact step's input, or the stop step's. */
export const contactStepInputSchema = eitherInput(stopInputSchema, contactInputSchema);

/** One function runs both steps: the workflow's input says which. */
export function contactStep(input: ContactInput | StopInput, deps: ContactDeps): Promise<{ started: boolean } | { stopped: boolean }> {
  return 'action' in input ? stopUnansweredTask(input, deps) : startContact(input, deps);
}

/**
 * Why no contact is made now: what the workflow hears on the attempt's task token (so it moves on
 * at once), the metric that counts it, and the log line that says why (none for a configuration gap
 * the metric already shows).
 */
interface NoContact {
  output: { result: ContactResult; reason?: string; callbackAt?: string };
  metric: string;
  log?: { message: string; fields: Record<string, unknown> };
}

/**
 * startContact: the last look before a customer is disturbed. Opt-out and the quarterly cap are
 * checked again here because days may have passed since planning; a blocked contact answers its
 * own task token so the workflow ends at once.
 */
export async function startContact(input: ContactInput, deps: ContactDeps): Promise<{ started: boolean }> {
  const { store, now } = deps;
  const { followUp, attempt: stored } = await store.getWithAttempt(input.followUpId, input.attempt);
  if (!followUp) throw new FollowUpNotFound(input.followUpId);
  // Nothing this step does changes what the next plan reads of them, so the answer plans from this read.
  const loaded = { followUp, attempt: stored };
  // Another matter's contact carried this one and was answered (or went unanswered): this workflow hears the same.
  if (stored?.joinedTo && stored.usedAt) return answerWithoutContact(input, deps, sharedContactAnswer(stored), loaded);
  const resolved = resolvePolicy(policyConfig, followUp.serviceType, followUp.customer.timeZone);
  if (!resolved)
    return answerWithoutContact(
      input,
      deps,
      { output: { result: 'skipped', reason: 'unknown-service-type' }, metric: 'ContactSkipped' },
      loaded,
    );
  const customer = await store.customerState(customerOf(followUp), now);
  const mine = customer.pending.find((p) => p.followUpId === followUp.followUpId);
  // Another matter due at the same moment leads: this one joins its contact rather than make a second.
  const lead = mine && !mine.joinedTo ? leadToJoin(mine, customer.pending, input.timeoutSeconds, policyConfig, now) : undefined;
  if (mine && lead && (await joinOnOwnInitiative(followUp, mine, lead, store))) return waitForSharedContact(input, followUp, deps);
  // A contact about another matter carries this one: no second interruption, the answer comes through it.
  if (mine?.joinedTo || (mine && !(await store.claimOwnContact(customerOf(followUp), followUp.followUpId))))
    return waitForSharedContact(input, followUp, deps);
  const blocked = await customerBlocks(followUp, customer, resolved.policy.frequencyCapExempt ? undefined : resolved.hours.timeZone, deps);
  if (blocked) {
    // Ends here (opted out, paused, capped): a matter that joined on its own initiative is given back.
    if (mergesOn(policyConfig, input.channel))
      await releaseSharedContact(
        { followUpId: followUp.followUpId, attempt: input.attempt, channel: input.channel },
        customerOf(followUp),
        deps,
      );
    return answerWithoutContact(input, deps, blocked, loaded);
  }

  const before = await store.openAttempt({
    followUpId: followUp.followUpId,
    attempt: input.attempt,
    channel: input.channel,
    taskToken: input.taskToken,
    openedAt: now.toISOString(),
  });
  if (before?.contactedAt) {
    // The step ran again (a retry, a restart): the customer already has this attempt's task or email.
    logger.info('contact already made', { followUpId: followUp.followUpId, attempt: input.attempt });
    metrics.addMetric('ContactRepeatAvoided', MetricUnit.Count, 1);
    return { started: true };
  }
  // A message, unlike a Connect task, has no idempotency token: a claimed send may have gone out.
  if (before?.sendingAt && input.channel !== 'phone') return unknownSend(input);
  const deferred = await deferral(input, deps);
  if (deferred) return answerWithoutContact(input, deps, deferred, loaded);

  // The link keys before the claim: a failure to read them leaves nothing claimed.
  const keys = await deps.keys();
  // Claim the send first: a retry after a failure between the send and markContacted must not
  // email again. Connect needs no claim to stay single (ClientToken), but records it the same way.
  const claimedAt = now.toISOString();
  const claimed = await store.claimContact(followUp.followUpId, input.attempt, claimedAt);
  if (!claimed && input.channel !== 'phone') return unknownSend(input);
  let contactId: string | undefined;
  try {
    const joined = await joinMatters(input, followUp, customer.pending, { before, claimed }, deps);
    contactId = await contact(input, followUp, joined, resolved.policy.survey, keys, deps);
  } catch (error) {
    // SES or the SMS provider answered with an error: the message was not accepted, so a retry may send it. Without an
    // answer (a network failure, a timeout) it may have gone out: the claim stays.
    if (claimed && wasAnsweredWithError(error)) await store.releaseContact(followUp.followUpId, input.attempt, claimedAt);
    const retryAt = new Date(now.getTime() + AGENT_CAPACITY_RETRY_MS);
    if (
      error instanceof PermanentContactError &&
      error.code === 'ServiceQuotaExceededException' &&
      followUp.deadline &&
      retryAt < new Date(followUp.deadline)
    ) {
      // Connect's active tasks are at their quota: agents free capacity as they complete tasks, so
      // the call waits (same attempt budget) until the deadline, then the next channel takes over.
      const until = retryAt.toISOString();
      return answerWithoutContact(
        input,
        deps,
        {
          output: { result: 'at_capacity', callbackAt: until },
          metric: 'ContactAtCapacity',
          log: { message: 'contact waits for agent capacity', fields: { until } },
        },
        loaded,
      );
    }
    if (error instanceof PermanentContactError) {
      logger.warn('contact failed for good', {
        followUpId: followUp.followUpId,
        attempt: input.attempt,
        channel: error.channel,
        code: error.code,
      });
      metrics.addMetric('ContactFailed', MetricUnit.Count, 1);
    }
    throw error;
  }
  await store.markContacted(followUp.followUpId, input.attempt, now.toISOString(), contactId);
  logger.info('contact started', { followUpId: followUp.followUpId, attempt: input.attempt, channel: input.channel });
  metrics.addMetric(CONTACT_METRIC[input.channel], MetricUnit.Count, 1);
  return { started: true };
}

const CONTACT_METRIC = { phone: 'AgentTaskCreated', sms: 'SurveySmsSent', email: 'SurveyEmailSent' } as const;

/** How long a call waits when Connect's active-task quota is full before it tries again. */
export const AGENT_CAPACITY_RETRY_MS = 15 * 60_000;

/** Answers the attempt's task token without a contact (with the next plan), and says why in a log line and a metric. */
async function answerWithoutContact(
  input: ContactInput,
  deps: ContactDeps,
  why: NoContact,
  loaded?: { followUp: FollowUp; attempt?: AttemptRecord },
): Promise<{ started: boolean }> {
  await completeAttempt(input, why.output, deps, loaded);
  if (why.log) logger.info(why.log.message, { followUpId: input.followUpId, attempt: input.attempt, ...why.log.fields });
  metrics.addMetric(why.metric, MetricUnit.Count, 1);
  return { started: false };
}

/**
 * What the customer's own state says against a contact now: an opt-out, a complaint's pause, or
 * (unless the policy is exempt, capZone undefined) the quarterly cap, whose slot this reserves.
 */
async function customerBlocks(
  followUp: FollowUp,
  customer: CustomerContactState,
  capZone: string | undefined,
  deps: Pick<ContactDeps, 'store' | 'now'>,
): Promise<NoContact | undefined> {
  if (customer.optedOut) {
    return {
      output: { result: 'suppressed', reason: 'opted-out' },
      metric: 'ContactSuppressed',
      log: { message: 'contact suppressed', fields: { reason: 'opted-out' } },
    };
  }
  const pausedUntil = customer.pausedUntil;
  if (pausedUntil)
    return {
      output: { result: 'paused', callbackAt: pausedUntil },
      metric: 'ContactPaused',
      log: { message: 'contact paused', fields: { until: pausedUntil } },
    };
  if (capZone === undefined) return undefined;
  const quarter = quarterOf(deps.now, capZone);
  if (await deps.store.reserveContact(customerOf(followUp), quarter, followUp.followUpId, policyConfig.frequencyCap.maxPerQuarter))
    return undefined;
  return {
    output: { result: 'skipped', reason: 'frequency-cap' },
    metric: 'ContactSkipped',
    log: { message: 'contact skipped', fields: { reason: 'frequency-cap' } },
  };
}

/** What the shared contact that carried this matter ended with, as this matter's own attempt recorded it. */
function sharedContactAnswer(stored: AttemptRecord): NoContact {
  const result = stored.result ?? 'released';
  return {
    output: { result, ...(stored.callbackAt ? { callbackAt: stored.callbackAt } : {}) },
    metric: 'SharedContactAnswered',
    log: { message: 'answered through a shared contact', fields: { result } },
  };
}

/**
 * The workflow waits on this attempt's token like on its own contact; the shared contact's answer
 * (or its release) completes it. Settled just before the token was stored: that answer is taken now.
 */
async function waitForSharedContact(input: ContactInput, followUp: FollowUp, deps: ContactDeps): Promise<{ started: boolean }> {
  const opened = { followUpId: input.followUpId, attempt: input.attempt, channel: input.channel, taskToken: input.taskToken };
  try {
    await deps.store.openAttempt({ ...opened, openedAt: deps.now.toISOString() });
  } catch (error) {
    const { attempt } = await deps.store.getWithAttempt(input.followUpId, input.attempt);
    if (!attempt?.usedAt) throw error;
    return answerWithoutContact(input, deps, sharedContactAnswer(attempt), { followUp, attempt });
  }
  // Released while the token was being stored: the lead no longer carries this matter, so it contacts on its own.
  const { pending } = await deps.store.customerState(customerOf(followUp), deps.now);
  if (!pending.find((p) => p.followUpId === input.followUpId)?.joinedTo)
    return answerWithoutContact(input, deps, {
      output: { result: 'released' },
      metric: 'SharedContactReleased',
      log: { message: 'shared contact released', fields: {} },
    });
  logger.info('contact shared with another matter', { followUpId: input.followUpId, attempt: input.attempt });
  metrics.addMetric('ContactShared', MetricUnit.Count, 1);
  return { started: true };
}

/**
 * This matter adds itself to the lead's contact (both due now): first it stops being available to
 * anyone else, then the lead's attempt takes it unless that contact is already made or given up,
 * in which case the matter is free again and makes its own.
 */
async function joinOnOwnInitiative(
  followUp: FollowUp,
  mine: PendingContact,
  lead: PendingContact,
  store: ContactDeps['store'],
): Promise<boolean> {
  const leadId = joinedToId(lead.followUpId, lead.attempt);
  if (!(await store.joinContact(customerOf(followUp), mine.followUpId, leadId, mine.dueAt))) return false;
  const room = { maxJoined: policyConfig.merging.maxMatters - 1 };
  if (await store.addJoined(lead.followUpId, lead.attempt, [{ followUpId: mine.followUpId, attempt: mine.attempt }], room)) return true;
  await store.unjoin(customerOf(followUp), mine.followUpId, leadId);
  return false;
}

/**
 * The customer's other matters this contact carries (一事一扰): those that joined it on their own
 * initiative, and those it takes now (due within the window); a repeated step takes the same ones.
 * Each joined matter stops waiting for a contact of its own.
 */
async function joinMatters(
  input: ContactInput,
  followUp: FollowUp,
  pending: PendingContact[],
  { before, claimed }: { before: AttemptRecord | undefined; claimed: JoinedMatter[] | undefined },
  deps: Pick<ContactDeps, 'store' | 'now'>,
): Promise<FollowUp[]> {
  if (!mergesOn(policyConfig, input.channel)) return [];
  const lead = joinedToId(followUp.followUpId, input.attempt);
  const room = Math.max(0, policyConfig.merging.maxMatters - 1 - (before?.joined?.length ?? 0));
  const candidates = joinableMatters({ ...input, joinedTo: lead }, pending, policyConfig, deps.now).slice(0, room);
  const taken: JoinedMatter[] = [];
  for (const matter of candidates)
    if (await deps.store.joinContact(customerOf(followUp), matter.followUpId, lead, matter.dueAt))
      taken.push({ followUpId: matter.followUpId, attempt: matter.attempt });
  // Nothing joins after this step's claim but what it takes itself: with nothing taken, the claim's list is the list.
  const joined = taken.length === 0 && claimed ? claimed : ((await deps.store.addJoined(followUp.followUpId, input.attempt, taken)) ?? []);
  const matters = await Promise.all(joined.map((matter) => deps.store.get(matter.followUpId)));
  if (joined.length > 0) {
    logger.info('matters joined to the contact', { followUpId: followUp.followUpId, attempt: input.attempt, matters: joined.length });
    metrics.addMetric('MattersJoined', MetricUnit.Count, joined.length);
  }
  return matters.filter((matter): matter is FollowUp => matter !== undefined);
}

/** Stay under Connect's and SES's request quotas: a contact without a slot this second waits for its slot. */
async function deferral(input: ContactInput, deps: Pick<ContactDeps, 'limiter' | 'now'>): Promise<NoContact | undefined> {
  if (withinReservedSlot(input.reservedSlot, deps.now)) return undefined;
  const thisSecond = new Date(Math.floor(deps.now.getTime() / 1000) * 1000);
  const slot = await deps.limiter.reserve(input.channel, thisSecond, policyConfig.contactRates[input.channel].perSecond);
  if (slot <= thisSecond) return undefined;
  const at = slot.toISOString();
  return {
    output: { result: 'deferred', callbackAt: at },
    metric: 'ContactDeferred',
    log: { message: 'contact deferred', fields: { channel: input.channel, slot: at } },
  };
}

/**
 * Creates the agent's Connect task, or texts or emails the survey, each with its signed link; the
 * task's contact id or the text's message id (a reply or a delivery receipt is matched by it).
 */
async function contact(
  input: ContactInput,
  followUp: FollowUp,
  joined: FollowUp[],
  surveyName: string,
  keys: SigningKeys,
  deps: ContactDeps,
): Promise<string | undefined> {
  const validSeconds = Math.min(input.timeoutSeconds, policyConfig.linkValidityHours * 3600);
  const link = (purpose: LinkClaims['purpose'], seconds: number) => {
    const expiresAt = Math.floor(deps.now.getTime() / 1000) + seconds;
    return signedLinkUrl(deps.outcomeBaseUrl, { followUpId: followUp.followUpId, attempt: input.attempt, purpose, expiresAt }, keys);
  };
  const survey = policyConfig.surveys[surveyName]!;
  if (input.channel === 'phone') {
    const task = agentTaskFor(followUp, policyConfig, survey, input.attempt, link('agent', validSeconds), deps.followUpQueueArn, joined);
    return (await deps.channels.startAgentTask(task)).contactId || undefined;
  }
  if (input.channel === 'sms') {
    const sms = surveySmsFor(followUp, policyConfig, smsConfig, input.attempt, link('survey', validSeconds));
    // A phone that cannot be written in E.164 is as invalid for SMS as a number the carrier refuses.
    if (!sms) throw new PermanentContactError('sms', 'InvalidPhoneNumber');
    if (deps.smsReplies && providerFor(smsConfig, sms.to) === 'aws') {
      // Before the send: a lookup without a text is harmless, a text whose reply finds nothing is lost.
      const until = new Date(deps.now.getTime() + input.timeoutSeconds * 1000);
      await deps.smsReplies.remember(sms.to, replyNumberOf(smsConfig), { followUpId: followUp.followUpId, attempt: input.attempt }, until);
    }
    return (await deps.channels.sendSms(sms)).messageId || undefined;
  }
  const unsubscribeUrl = link('unsubscribe', policyConfig.unsubscribeLinkValidityDays * 86_400);
  await deps.channels.sendEmail(
    surveyEmailFor(followUp, policyConfig, link('survey', validSeconds), Math.round(validSeconds / 3600), unsubscribeUrl, joined),
  );
  return undefined;
}

/** An earlier try claimed this email and may have sent it: never send twice; the survey answer or the timeout decides. */
function unknownSend(input: ContactInput): { started: boolean } {
  logger.warn('contact may have been made before: not sent again', {
    followUpId: input.followUpId,
    attempt: input.attempt,
    channel: input.channel,
  });
  metrics.addMetric('ContactRepeatAvoided', MetricUnit.Count, 1);
  return { started: true };
}

/**
 * stopUnansweredTask: nobody completed the attempt's Connect task in time; end it so it leaves
 * the agents' queue (and Connect's active-task quota) before the next attempt is planned.
 */
export async function stopUnansweredTask(input: StopInput, deps: Pick<ContactDeps, 'store' | 'channels'>): Promise<{ stopped: boolean }> {
  const { attempt } = await deps.store.getWithAttempt(input.followUpId, input.attempt);
  // A text's contact id is its message id: nothing to stop, it waits for its reply or the timeout.
  if (!attempt?.contactId || attempt.usedAt || attempt.channel === 'sms') return { stopped: false };
  await deps.channels.stopAgentTask(attempt.contactId);
  logger.info('unanswered task stopped', { followUpId: input.followUpId, attempt: input.attempt });
  metrics.addMetric('AgentTaskStopped', MetricUnit.Count, 1);
  return { stopped: true };
}
