import type { CustomerRef } from '../domain/customer-key.js';
import type { Customer } from '../domain/service-event.js';

export interface DormancyEntry {
  /** The upstream source that owns `customer.id`. */
  source: string;
  customer: Customer;
  departmentId?: string;
  lastServiceAt: string;
}

/**
 * Customers by the month of their last service, kept as services complete: the monthly dormant
 * run reads one month's bucket ("no service since 2024-11") instead of scanning every customer.
 */
export interface CustomerIndex {
  /** Moves the customer to the bucket of this service's month, if it is their latest service. */
  touch(source: string, customer: Customer, departmentId: string | undefined, completedAt: string): Promise<void>;
  /** Whether this source ever reported a service for the customer (within the kept horizon). */
  knows(customer: CustomerRef): Promise<boolean>;
  /** Customers whose last service was in this month ("2024-11"), expired entries left out. */
  lastServedIn(month: string): Promise<DormancyEntry[]>;
}
