import { DynamoAggregateStore } from './adapters/dynamo-aggregate-store.js';
import { DynamoCareLedger, DynamoThankYouList } from './adapters/dynamo-care-ledger.js';
import { DynamoComplaintStore } from './adapters/dynamo-complaint-store.js';
import { DynamoCustomerIndex } from './adapters/dynamo-customer-index.js';
import { DynamoFollowUpStore } from './adapters/dynamo-follow-up-store.js';
import { DynamoRateLimiter } from './adapters/dynamo-rate-limiter.js';
import { DynamoSmsReplies } from './adapters/dynamo-sms-replies.js';
import { clock } from './clock.js';
import { policyConfig } from './config/policies.js';
import { reportConfig } from './config/reports.js';
import { requireEnv } from './env.js';
import type { AggregateStore } from './ports/aggregate-store.js';
import type { BirthdayIndex, CareLedger, ThankYouList } from './ports/care.js';
import type { ComplaintStore } from './ports/complaint-store.js';
import type { CustomerIndex } from './ports/customer-index.js';
import type { FollowUpStore } from './ports/follow-up-store.js';
import type { RateLimiter } from './ports/rate-limiter.js';
import type { SmsReplies } from './ports/sms-replies.js';

/** The table's adapters, each built on first use so a missing table name names itself. */
const table = () => requireEnv('FOLLOW_UP_TABLE');

let replies: SmsReplies | undefined;
/** Which survey attempt an SMS reply answers. */
export function smsReplies(): SmsReplies {
  replies ??= new DynamoSmsReplies(table(), clock.now);
  return replies;
}

let limiter: RateLimiter | undefined;
export function rateLimiter(): RateLimiter {
  limiter ??= new DynamoRateLimiter(table());
  return limiter;
}

let index: DynamoCustomerIndex | undefined;
export function customerIndex(): CustomerIndex {
  index ??= new DynamoCustomerIndex(table(), { afterMonths: reportConfig.dormant.afterMonths, timeZone: reportConfig.timeZone }, clock.now);
  return index;
}

/** The customer index's birthday buckets (the same adapter: it keeps them as services complete). */
export function birthdayIndex(): BirthdayIndex {
  customerIndex();
  return index!;
}

let care: CareLedger | undefined;
export function careLedger(): CareLedger {
  care ??= new DynamoCareLedger(table(), clock.now);
  return care;
}

let thankYous: ThankYouList | undefined;
export function thankYouList(): ThankYouList {
  thankYous ??= new DynamoThankYouList(table(), clock.now);
  return thankYous;
}

let aggregates: AggregateStore | undefined;
export function aggregateStore(): AggregateStore {
  aggregates ??= new DynamoAggregateStore(table(), policyConfig.retentionDays, clock.now);
  return aggregates;
}

let complaints: ComplaintStore | undefined;
export function complaintStore(): ComplaintStore {
  complaints ??= new DynamoComplaintStore(table(), policyConfig.retentionDays, clock.now);
  return complaints;
}

/** The store every handler uses. */
let store: FollowUpStore | undefined;
export function followUpStore(): FollowUpStore {
  store ??= new DynamoFollowUpStore(table(), policyConfig.retentionDays, clock.now);
  return store;
}
