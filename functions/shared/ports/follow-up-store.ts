import type { CustomerRef } from '../domain/customer-key.js';
import type { EventIssue } from '../domain/event-issues.js';
import type { AttemptSummary, ContactResult, FollowUp, FollowUpStatus } from '../domain/follow-up.js';
import type { JoinedMatter, PendingContact } from '../domain/merge.js';
import type { PlanDecision } from '../domain/plan.js';
import type { Channel } from '../domain/policy-schema.js';
import type { Answers, Assessment } from '../domain/survey.js';

/** One open or finished contact attempt: the task token the workflow waits on, and what came back. */
export interface AttemptRecord {
  followUpId: string;
  attempt: number;
  channel: Channel;
  taskToken: string;
  openedAt: string;
  result?: ContactResult;
  callbackAt?: string;
  answers?: Answers;
  agentMarkedComplaint?: boolean;
  agentSeverity?: 'urgent' | 'major' | 'general';
  /** The agent's note on the call (坐席备注), at most 2,000 characters; never logged. */
  agentNote?: string;
  usedAt?: string;
  /** Set before the email is sent or the task created: a retry that finds it knows a send may have happened. */
  sendingAt?: string;
  contactedAt?: string;
  /** The Connect task of this attempt, to stop it when nobody completes it in time. */
  contactId?: string;
  /** The other follow-ups' matters this contact carries (一事一扰), each once. */
  joined?: JoinedMatter[];
  /** "<lead followUpId>#<attempt>": this attempt is answered through another follow-up's contact. */
  joinedTo?: string;
}

/** What a joined matter's attempt is settled with: the shared contact's result and this matter's own answers. */
export type JoinedSettlement = Pick<
  AttemptRecord,
  'channel' | 'result' | 'callbackAt' | 'answers' | 'agentMarkedComplaint' | 'agentSeverity' | 'agentNote'
> & { result: ContactResult; usedAt: string; joinedTo: string };

/**
 * An event that started nothing: the field and the reason (a code the pages put in the reader's
 * words). Never the event's detail: no name, phone, email or answer is kept.
 */
export interface RejectionRecord extends EventIssue {
  eventId: string;
  source: string;
  detailType: string;
  receivedAt: string;
}

/** An event accepted without some of its fields (an unusable email or phone, dropped): what was dropped and why. */
export interface EventWarningRecord {
  eventId: string;
  source: string;
  detailType: string;
  receivedAt: string;
  warnings: EventIssue[];
  /** The follow-ups the event started, so a reader can open them. */
  followUpIds: string[];
}

export interface FinalOutcome {
  status: FollowUpStatus;
  reason?: string;
  finishedAt: string;
  channel?: Channel;
  answers?: Answers;
  assessment?: Assessment;
  agentSeverity?: 'urgent' | 'major' | 'general';
  agentNote?: string;
  onTime?: boolean;
  /** A `failed` follow-up: "<channel>:<AWS code>" or the workflow error's name (never a message). */
  error?: string;
}

export interface CustomerContactState {
  optedOut: boolean;
  /** After a complaint the customer is left alone for a while: the end of that pause, if any. */
  pausedUntil?: string;
  /** Follow-ups that contacted the customer, per quarter ("2026-Q4"). */
  contactsByQuarter: Record<string, string[]>;
  /** The customer's follow-ups waiting for a planned contact. */
  pending: PendingContact[];
}

/** The follow-up store port: handlers depend on this, DynamoDB implements it. */
export interface FollowUpStore {
  /** Creates the follow-up unless its business key was seen before; returns the stored one then. */
  create(followUp: FollowUp): Promise<{ created: true } | { created: false; existing: FollowUp }>;
  get(followUpId: string): Promise<FollowUp | undefined>;
  markStarted(followUpId: string): Promise<void>;
  recordRejection(rejection: RejectionRecord): Promise<void>;
  recordEventWarnings(record: EventWarningRecord): Promise<void>;
  /** Without `until` the opt-out is for good (it never expires); with it, it lapses then. */
  optOut(customer: CustomerRef, at: string, until?: string): Promise<void>;
  /** Everything known about contacting a customer, in one read: opt-out, complaint pause, contacts per quarter. */
  customerState(customer: CustomerRef, at: Date): Promise<CustomerContactState>;
  /** Counts this follow-up against the customer's quarter, unless the cap is already reached. */
  reserveContact(customer: CustomerRef, quarter: string, followUpId: string, maxPerQuarter: number): Promise<boolean>;
  /** Records the last attempt (if any) and the next plan; a replayed call changes nothing. */
  savePlan(followUpId: string, last: AttemptSummary | undefined, decision: PlanDecision): Promise<void>;
  /** Opens (or re-opens, with a new task token) an attempt; returns what was stored before, if anything. */
  openAttempt(attempt: AttemptRecord): Promise<AttemptRecord | undefined>;
  /**
   * Claims the attempt's send before it happens: the matters joined to the attempt at the claim
   * (none can join on their own initiative once it is claimed), or undefined when a claim (or a
   * contact) is already there, i.e. an earlier try may have sent.
   */
  claimContact(followUpId: string, attempt: number, at: string): Promise<JoinedMatter[] | undefined>;
  /** Drops this claim when the channel answered with an error: nothing was sent. */
  releaseContact(followUpId: string, attempt: number, at: string): Promise<void>;
  /** Notes that the customer was contacted for this attempt, so a repeated step does not contact again. */
  markContacted(followUpId: string, attempt: number, at: string, contactId?: string): Promise<void>;
  /** The follow-up and one of its attempts, in one read. */
  getWithAttempt(followUpId: string, attempt: number): Promise<{ followUp?: FollowUp; attempt?: AttemptRecord }>;
  /** Stores what the agent or customer answered; false when the link was already used. */
  answerAttempt(
    followUpId: string,
    attempt: number,
    answer: Pick<AttemptRecord, 'result' | 'callbackAt' | 'answers' | 'agentMarkedComplaint' | 'agentSeverity' | 'agentNote'> & {
      usedAt: string;
    },
  ): Promise<boolean>;
  /** Undoes answerAttempt when the workflow could not be told, so the link works again. */
  reopenAttempt(followUpId: string, attempt: number): Promise<void>;
  finish(followUpId: string, outcome: FinalOutcome, last: AttemptSummary | undefined): Promise<void>;

  /** Keeps a follow-up's planned contact under its customer (replacing the one before), so another contact can carry it. */
  notePending(customer: CustomerRef, pending: PendingContact): Promise<void>;
  /** The follow-up has ended: nothing of it is pending any more. */
  forgetPending(customer: CustomerRef, followUpId: string): Promise<void>;
  /** Makes the follow-up's own contact; false when another contact carries it already. */
  claimOwnContact(customer: CustomerRef, followUpId: string): Promise<boolean>;
  /**
   * Lets `lead`'s contact carry the matter as its plan stood at `dueAt`; false when it joined another,
   * contacts itself or was re-planned.
   */
  joinContact(customer: CustomerRef, followUpId: string, lead: string, dueAt: string): Promise<boolean>;
  /** The lead's contact will not carry the matter after all: it waits for its own contact again (or another's). */
  unjoin(customer: CustomerRef, followUpId: string, lead: string): Promise<void>;
  /**
   * Adds matters to those the lead attempt carries and returns them all. `beforeSend`: a matter adds
   * itself (its contact was due at the same moment), which only works while the lead's contact is
   * neither made nor given up and has room; undefined when it does not.
   */
  addJoined(
    followUpId: string,
    attempt: number,
    matters: JoinedMatter[],
    beforeSend?: { maxJoined: number },
  ): Promise<JoinedMatter[] | undefined>;
  /** The lead attempt will carry nothing more (unanswered, failed or not made): the matters it carried. */
  releaseLead(followUpId: string, attempt: number): Promise<JoinedMatter[]>;
  /**
   * Settles a joined matter's attempt with the shared contact's result (creating the attempt if its
   * workflow has not reached it yet); the task token its workflow waits with, if it waits already.
   * Not settled when it was settled before.
   */
  settleJoined(followUpId: string, attempt: number, settlement: JoinedSettlement): Promise<{ settled: boolean; taskToken?: string }>;
}
