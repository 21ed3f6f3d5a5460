import raw from './follow-up-policies.json' with { type: 'json' };
import { parsePolicyConfig, type PolicyConfig } from '../domain/policy-schema.js';

/** Parsed once per container: a broken file stops the function at start with the key named. */
export const policyConfig: PolicyConfig = parsePolicyConfig(raw);
