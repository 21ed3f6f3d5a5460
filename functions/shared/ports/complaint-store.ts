import type { Complaint, ComplaintEvent } from '../domain/complaint.js';
import type { CustomerRef } from '../domain/customer-key.js';

/** A complaint as stored, with the task token of the escalation waiting on it, if one is. */
export type StoredComplaint = Complaint & { waitingToken?: string };

export type ManagerAction = { type: 'acknowledged'; at: string } | { type: 'resolved'; at: string; resolution: string };

/** Complaints, their history, the links managers used and the per-customer contact pause. */
export interface ComplaintStore {
  create(complaint: Complaint): Promise<{ created: true } | { created: false; existing: Complaint }>;
  get(complaintId: string): Promise<StoredComplaint | undefined>;
  /**
   * Sets fields and appends history in one write; `onlyIfCycle` guards against a stale cycle, and
   * `onceKey` makes the write happen once per key (a retried step finds its own write and skips).
   */
  update(
    complaintId: string,
    fields: Partial<Complaint> & { waitingToken?: string | null },
    events: ComplaintEvent[],
    onlyIfCycle?: number,
    onceKey?: string,
  ): Promise<boolean>;
  /**
   * A manager's acknowledgement or resolution, readable at once: the escalation's Plan step
   * records the same (with the history and counts) a moment later, when the workflow runs it.
   * False when it changed nothing.
   */
  recordManagerAction(complaintId: string, cycle: number, action: ManagerAction): Promise<boolean>;
  /** Marks a manager's link used; false when it was used before (single use). */
  useLink(linkId: string, at: string): Promise<boolean>;
  /** Counts a complaint about this kind of service for the customer; returns the earlier count. */
  countComplaint(customer: CustomerRef, serviceType: string, complaintId: string): Promise<number>;
  pauseContact(customer: CustomerRef, until: string): Promise<void>;
}
