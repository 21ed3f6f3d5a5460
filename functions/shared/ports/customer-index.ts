import type { CustomerRef } from '../domain/customer-key.js';
import type { Customer } from '../domain/service-event.js';

export interface DormancyEntry {
  /** The upstream source that owns `customer.id`. */
  source: string;
  customer: Customer;
  departmentId?: string;
  lastServiceAt: string;
  /**
   * The follow-up of that service (absent in entries kept before it was noted): a care email's
   * unsubscribe link names it, and the outcome API opts out that follow-up's customer.
   */
  followUpId?: string;
}

/** A customer in the bucket of the month their next periodic follow-up is due. */
export interface PeriodicEntry {
  /** The upstream source that owns `customer.id`. */
  source: string;
  customer: Customer;
  departmentId?: string;
  /** When the customer's last follow-up started. */
  lastFollowUpAt: string;
}

/**
 * Customers by the month of their last service, kept as services complete: the monthly dormant
 * run reads one month's bucket ("no service since 2024-11") instead of scanning every customer.
 */
export interface CustomerIndex {
  /** Moves the customer to the bucket of this service's month, if it is their latest service. */
  touch(source: string, customer: Customer, departmentId: string | undefined, completedAt: string, followUpId?: string): Promise<void>;
  /** Whether this source ever reported a service for the customer (within the kept horizon). */
  knows(customer: CustomerRef): Promise<boolean>;
  /** Customers whose last service was in this month ("2024-11"), expired entries left out. */
  lastServedIn(month: string): Promise<DormancyEntry[]>;
  /**
   * The customer had a follow-up: moves them to the bucket of `dueMonth`, the month their next
   * periodic follow-up is due, unless a later follow-up already moved them.
   */
  followedUp(entry: PeriodicEntry, dueMonth: string): Promise<void>;
  /** Customers due for a periodic follow-up in this month ("2027-05"), expired entries left out. */
  periodicDueIn(month: string): Promise<PeriodicEntry[]>;
}
