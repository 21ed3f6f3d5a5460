import './interpreted-validation.js';
import { type PeriodicConfig, parsePeriodicConfig } from '../domain/periodic.js';
import raw from './periodic.json' with { type: 'json' };
import { policyConfig } from './policies.js';

/** Parsed once per container: a broken file stops the function at start with the key named. */
export const periodicConfig: PeriodicConfig = parsePeriodicConfig(raw);
for (const [tier, rule] of Object.entries(periodicConfig.tiers)) {
  if (!policyConfig.policies[rule.serviceType])
    throw new Error(`Invalid periodic follow-up configuration: tiers.${tier}.serviceType: unknown serviceType "${rule.serviceType}"`);
}
