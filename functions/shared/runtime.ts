import { policyConfig } from './config/policies.js';
import { clock } from './clock.js';
import { DynamoFollowUpStore } from './adapters/dynamo-follow-up-store.js';
import type { FollowUpStore } from './adapters/follow-up-store.js';
import { requireEnv } from './env.js';

import { ComplaintStore } from './adapters/complaint-store.js';
import { AggregateStore } from './adapters/aggregate-store.js';

import { CustomerIndex } from './adapters/customer-index.js';
import { reportConfig } from './config/reports.js';

import { RateLimiter } from './adapters/rate-limiter.js';

let limiter: RateLimiter | undefined;
export function rateLimiter(): RateLimiter {
  limiter ??= new RateLimiter(requireEnv('FOLLOW_UP_TABLE'));
  return limiter;
}

let index: CustomerIndex | undefined;
export function customerIndex(): CustomerIndex {
  index ??= new CustomerIndex(requireEnv('FOLLOW_UP_TABLE'), { afterMonths: reportConfig.dormant.afterMonths, timeZone: reportConfig.timeZone }, clock.now);
  return index;
}

let aggregates: AggregateStore | undefined;
export function aggregateStore(): AggregateStore {
  aggregates ??= new AggregateStore(requireEnv('FOLLOW_UP_TABLE'), policyConfig.retentionDays, clock.now);
  return aggregates;
}

let complaints: ComplaintStore | undefined;
export function complaintStore(): ComplaintStore {
  complaints ??= new ComplaintStore(requireEnv('FOLLOW_UP_TABLE'), policyConfig.retentionDays, clock.now);
  return complaints;
}

/** The store every handler uses, built on first use so a missing table name names itself. */
let store: FollowUpStore | undefined;
export function followUpStore(): FollowUpStore {
  store ??= new DynamoFollowUpStore(requireEnv('FOLLOW_UP_TABLE'), policyConfig.retentionDays, clock.now);
  return store;
}
