import './interpreted-validation.js';
import { type PolicyConfig, parsePolicyConfig } from '../domain/policy-schema.js';
import raw from './follow-up-policies.json' with { type: 'json' };

/** Parsed once per container: a broken file stops the function at start with the key named. */
export const policyConfig: PolicyConfig = parsePolicyConfig(raw);
