import { policyConfig } from './config/policies.js';
import { clock } from './clock.js';
import { DynamoFollowUpStore } from './adapters/dynamo-follow-up-store.js';
import type { FollowUpStore } from './adapters/follow-up-store.js';
import { requireEnv } from './env.js';

import { ComplaintStore } from './adapters/complaint-store.js';

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
