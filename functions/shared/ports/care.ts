import type { CustomerRef } from '../domain/customer-key.js';
import type { DormancyEntry } from './customer-index.js';

/** Customers by birthday, kept by the customer index as services complete (see DynamoCustomerIndex). */
export interface BirthdayIndex {
  /** Customers whose birthday is this "MM-DD", expired entries left out. */
  bornOn(monthDay: string): Promise<DormancyEntry[]>;
}

export type CareClaim = 'claimed' | 'already-claimed' | 'capped';

/**
 * What keeps care messages to one per customer and occasion, and within their own yearly cap
 * (the quarterly follow-up cap is not touched: a greeting asks nothing of the customer).
 */
export interface CareLedger {
  /**
   * Claims the occasion before the send. `already-claimed`: an earlier run sent (or capped) it.
   * `capped`: the year's care messages are used up; the claim stays so a re-run counts it once.
   */
  claim(customer: CustomerRef, occasion: string, year: string, maxPerYear: number): Promise<CareClaim>;
  /** Gives the claim and its place in the cap back when the channel refused: nothing was sent. */
  release(customer: CustomerRef, occasion: string, year: string): Promise<void>;
}
