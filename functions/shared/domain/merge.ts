import { resolvePolicy } from './plan.js';
import type { Channel, PolicyConfig } from './policy-schema.js';
import { durationSeconds, isCallable } from './schedule.js';

/**
 * One interruption for several matters (一事一扰): a customer with more than one follow-up due
 * within the merge window gets one contact (one agent task or one email) that lists every matter.
 * Each follow-up keeps its own execution, answers and outcome; only the contact is shared.
 */

/** A follow-up's planned next contact, kept under its customer so a contact about another matter finds it. */
export interface PendingContact {
  followUpId: string;
  /** The attempt number its plan gave that contact: a joined answer is stored under it. */
  attempt: number;
  serviceType: string;
  timeZone?: string;
  dueAt: string;
  deadline: string;
  /** The channel its plan chose: a matter joins a contact on that channel only, so its attempt is recorded as made. */
  channel: Channel;
  /** "<lead followUpId>#<attempt>" once another contact carries this matter. */
  joinedTo?: string;
  /** Set when the follow-up makes its own contact: from then on it cannot join another. */
  contactingAt?: string;
}

/** A matter carried by a contact besides its lead follow-up's own. */
export interface JoinedMatter {
  followUpId: string;
  attempt: number;
}

/** Channels whose one contact can carry several matters: a text holds one survey link and one score reply. */
export const MERGEABLE_CHANNELS: readonly Channel[] = ['phone', 'email'];

/** Merging is on unless `maxMatters` is 1. */
export const mergingOn = (config: Pick<PolicyConfig, 'merging'>) => config.merging.maxMatters > 1;

/** Whether a contact on `channel` can carry other matters under this configuration. */
export const mergesOn = (config: Pick<PolicyConfig, 'merging'>, channel: Channel) =>
  mergingOn(config) && MERGEABLE_CHANNELS.includes(channel);

export const joinedToId = (followUpId: string, attempt: number) => `${followUpId}#${attempt}`;

export interface LeadContact {
  followUpId: string;
  /** The lead attempt's id ("<followUpId>#<attempt>"): a matter it joined before a repeated step is still its own. */
  joinedTo: string;
  channel: Channel;
  /** How long the contact waits for its answer: a matter joins only if that ends before its own deadline. */
  timeoutSeconds: number;
}

/**
 * joinableMatters: the customer's other follow-ups this contact can carry, earliest due first, at
 * most `maxMatters - 1`. A matter joins when it is due within the window, waits for its own contact
 * (not already joined or contacting), can be reached on this channel, may be called now by its own
 * policy's hours, and keeps its deadline: should the contact go unanswered, the matter is released
 * while its deadline is still ahead. Merging only ever brings a contact forward, never delays one.
 */
export function joinableMatters(lead: LeadContact, pending: PendingContact[], config: PolicyConfig, now: Date): PendingContact[] {
  const { window, maxMatters } = config.merging;
  if (!mergesOn(config, lead.channel)) return [];
  const horizon = now.getTime() + durationSeconds(window) * 1000;
  const answerBy = now.getTime() + lead.timeoutSeconds * 1000;
  return pending
    .filter((matter) => {
      if (matter.followUpId === lead.followUpId) return false;
      if (matter.joinedTo ? matter.joinedTo !== lead.joinedTo : matter.contactingAt) return false;
      if (Date.parse(matter.dueAt) > horizon || Date.parse(matter.deadline) <= answerBy) return false;
      if (matter.channel !== lead.channel) return false;
      const resolved = resolvePolicy(config, matter.serviceType, matter.timeZone);
      return resolved !== undefined && isCallable(now, resolved.hours);
    })
    .sort((a, b) => a.dueAt.localeCompare(b.dueAt) || a.followUpId.localeCompare(b.followUpId))
    .slice(0, maxMatters - 1);
}

/** How far behind another matter's due time a matter planned at (nearly) the same time is put, so that one leads and carries it. */
export const STAGGER_MS = 60_000;

/**
 * A matter planned for (nearly) the same moment as another of the customer's matters on the same
 * channel waits a minute behind it: two contacts starting at once would each make their own, where
 * the later one finds the earlier contact under way and is carried by it. Never past its deadline
 * or out of its calling hours.
 */
export function staggeredDue(
  matter: { followUpId: string; channel: Channel; dueAt: string; deadline: string },
  pending: PendingContact[],
  isCallableAt: (at: Date) => boolean,
): string {
  const due = Date.parse(matter.dueAt);
  const ahead = pending.find(
    (p) =>
      p.followUpId !== matter.followUpId &&
      p.channel === matter.channel &&
      !p.joinedTo &&
      Date.parse(p.dueAt) <= due &&
      due < Date.parse(p.dueAt) + STAGGER_MS,
  );
  if (!ahead) return matter.dueAt;
  const later = new Date(Date.parse(ahead.dueAt) + STAGGER_MS);
  return later.getTime() <= Date.parse(matter.deadline) && isCallableAt(later) ? later.toISOString() : matter.dueAt;
}

const key = (p: { dueAt: string; followUpId: string }) => `${p.dueAt}|${p.followUpId}`;

/**
 * leadToJoin: the contact a matter due now joins on its own initiative, when another of the
 * customer's matters on the same channel is due now too and comes first (earlier, or the same time
 * and a smaller id). Plans stagger such matters a minute apart; this covers two planned at the same
 * instant, which could not see each other. The earliest leads, so two matters never wait on each other.
 */
export function leadToJoin(
  me: PendingContact,
  pending: PendingContact[],
  timeoutSeconds: number,
  config: PolicyConfig,
  now: Date,
): PendingContact | undefined {
  if (!mergesOn(config, me.channel)) return undefined;
  // Should the shared contact go unanswered, this matter is given back with its deadline still ahead.
  if (Date.parse(me.deadline) <= now.getTime() + timeoutSeconds * 1000) return undefined;
  return pending
    .filter(
      (p) =>
        p.followUpId !== me.followUpId &&
        p.channel === me.channel &&
        !p.joinedTo &&
        Date.parse(p.dueAt) <= now.getTime() + STAGGER_MS &&
        key(p) < key(me),
    )
    .sort((a, b) => key(a).localeCompare(key(b)))[0];
}
