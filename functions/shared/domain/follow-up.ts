import { createHash } from 'node:crypto';
import type { Channel } from './policy-schema.js';
import type { Customer } from './service-event.js';

/** What a contact attempt ended with, as the agent or the customer's survey reported it. */
export const contactResults = [
  'reached',
  'no_answer',
  'busy',
  'call_back',
  'refused',
  'wrong_number',
  'suppressed',
  'skipped',
  'timeout',
  'paused',
  'deferred',
  'at_capacity',
  'failed',
  /** The contact another matter's follow-up made for this one went unanswered: this follow-up contacts on its own. */
  'released',
] as const;
export type ContactResult = (typeof contactResults)[number];

/** Results that end the follow-up at once; the others lead to another attempt or a fallback. */
export const FINAL_RESULTS: readonly ContactResult[] = ['reached', 'refused', 'suppressed', 'skipped'];

export type FollowUpStatus =
  | 'scheduled'
  | 'completed'
  | 'refused'
  | 'unreachable'
  | 'suppressed'
  | 'skipped'
  /** Ended by an error no retry could fix (a rejected address, a wrong Connect setup, …) on every channel left. */
  | 'failed';

export type SkipReason = 'not-sampled' | 'frequency-cap' | 'opted-out' | 'no-usable-channel';

export interface AttemptSummary {
  attempt: number;
  channel: Channel;
  dueAt: string;
  result: ContactResult;
  endedAt: string;
  callbackAt?: string;
  /** Why a `failed` attempt failed: "<channel>:<AWS code>" or the workflow error's name. */
  error?: string;
}

export interface FollowUp {
  followUpId: string;
  source: string;
  serviceId: string;
  serviceType: string;
  round: number;
  completedAt: string;
  customer: Customer;
  /**
   * The upstream source that owns `customer.id`, when it is not `source` (a dormant reactivation
   * or a post-complaint follow-up, which the system itself publishes).
   */
  customerSource?: string;
  departmentId?: string;
  advisorId?: string;
  /** How many times this repair was redone: 3+ makes a complaint about it major. */
  reworkCount?: number;
  status: FollowUpStatus;
  createdAt: string;
  dueAt?: string;
  deadline?: string;
  attempts: AttemptSummary[];
}

/** One follow-up, ever, per business key: the id (and execution name) derive from it. */
export function followUpIdFor(source: string, serviceType: string, serviceId: string, round: number): string {
  const digest = createHash('sha256')
    .update(JSON.stringify([source, serviceType, serviceId, round]))
    .digest('hex');
  return `fu-${digest.slice(0, 32)}`;
}

/** A stable number in [0, 1) for a follow-up, so a retried plan makes the same sampling choice. */
export function samplingDraw(followUpId: string): number {
  const digest = createHash('sha256').update(`sample:${followUpId}`).digest();
  return digest.readUInt32BE(0) / 0x1_0000_0000;
}
