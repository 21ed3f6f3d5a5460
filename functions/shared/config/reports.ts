import './interpreted-validation.js';
import { parseReportConfig, type ReportConfig } from '../domain/report-schema.js';
import { policyConfig } from './policies.js';
import raw from './reports.json' with { type: 'json' };

export const reportConfig: ReportConfig = parseReportConfig(raw);
if (!policyConfig.policies[reportConfig.dormant.serviceType]) {
  throw new Error(`Invalid report configuration: dormant.serviceType: unknown serviceType "${reportConfig.dormant.serviceType}"`);
}
for (const serviceType of Object.keys(reportConfig.targets.serviceTypes)) {
  if (!policyConfig.policies[serviceType])
    throw new Error(`Invalid report configuration: targets.serviceTypes.${serviceType}: unknown serviceType "${serviceType}"`);
}
