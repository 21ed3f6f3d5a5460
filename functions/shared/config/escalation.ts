import './interpreted-validation.js';
import { type EscalationConfig, parseEscalationConfig } from '../domain/escalation-schema.js';
import raw from './escalation-ladder.json' with { type: 'json' };
import { policyConfig } from './policies.js';

export const escalationConfig: EscalationConfig = parseEscalationConfig(raw);

for (const [severity, sla] of Object.entries(escalationConfig.severities)) {
  if (!policyConfig.policies[sla.followUp]) {
    throw new Error(`Invalid escalation configuration: severities.${severity}.followUp: unknown serviceType "${sla.followUp}"`);
  }
}
