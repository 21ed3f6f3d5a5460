import type { CustomerRef } from '../domain/customer-key.js';
import type { DormancyEntry } from './customer-index.js';

/** Customers by birthday, kept by the customer index as services complete (see DynamoCustomerIndex). */
export interface BirthdayIndex {
  /** Customers whose birthday is this "MM-DD", expired entries left out. */
  bornOn(monthDay: string): Promise<DormancyEntry[]>;
}

/** Customers to thank, by the local date the thank-you is due (kept at intake for policies with `thankYou`). */
export interface ThankYouList {
  /** Notes that the customer is thanked on `date` ("2026-11-20"); once per customer and day. */
  add(date: string, entry: DormancyEntry): Promise<void>;
  dueOn(date: string): Promise<DormancyEntry[]>;
}

/**
 * What keeps care messages to one per customer and occasion, and within their own yearly cap
 * (the quarterly follow-up cap is not touched: a greeting asks nothing of the customer).
 */
export interface CareLedger {
  /**
   * Claims the occasion for the customer before anything else: false when an earlier run did
   * (sent or suppressed it), so each occasion is sent, or counted as suppressed, once.
   */
  claim(customer: CustomerRef, occasion: string): Promise<boolean>;
  /** Counts a claimed occasion against the customer's care messages of the year; false when they are used up. */
  countAgainstCap(customer: CustomerRef, occasion: string, year: string, maxPerYear: number): Promise<boolean>;
  /** Notes on the claim what became of the occasion, for the reports (summary `greetings`). */
  settle(customer: CustomerRef, occasion: string, kind: string, outcome: 'sent' | 'suppressed'): Promise<void>;
  /** Gives the claim and its place in the cap back when every channel refused: nothing was sent. */
  release(customer: CustomerRef, occasion: string, year: string): Promise<void>;
}
