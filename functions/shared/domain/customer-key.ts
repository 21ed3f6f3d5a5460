import { FOLLOW_UP_SOURCE } from './event-names.js';
import type { FollowUp } from './follow-up.js';

/**
 * A customer id is unique only inside the upstream system that issued it: "C-1" from the dealer's
 * DMS and "C-1" from the hospital's HIS are two people. Everything kept per customer (opt-out,
 * quarterly contacts, complaint pause and count, last service) is therefore keyed by both.
 */
export interface CustomerRef {
  /** The EventBridge source of the system that owns the customer id. */
  source: string;
  id: string;
}

/** Sources the system publishes itself (dormant reactivations, post-complaint follow-ups). */
export const isSystemSource = (source: string) => source === FOLLOW_UP_SOURCE || source.startsWith(`${FOLLOW_UP_SOURCE}.`);

/** The customer a follow-up contacts: a system follow-up names the upstream source it acts for. */
export function customerOf(followUp: Pick<FollowUp, 'source' | 'customer' | 'customerSource'>): CustomerRef {
  return { source: followUp.customerSource ?? followUp.source, id: followUp.customer.id };
}
