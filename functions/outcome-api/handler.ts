import { loadSigningKeys } from '../shared/adapters/signing-keys.js';
import { awsWorkflow } from '../shared/adapters/workflow.js';
import { escalationConfig } from '../shared/config/escalation.js';
import { policyConfig } from '../shared/config/policies.js';
import { reportConfig } from '../shared/config/reports.js';
import { lambdaHandler } from '../shared/lambda-handler.js';
import { complaintStore, followUpStore, rateLimiter } from '../shared/runtime.js';
import { answerLink, linkRequestSchema } from './answer-link.js';

export const handler = lambdaHandler({
  input: linkRequestSchema,
  useCase: answerLink,
  deps: async ({ functionName }) => ({
    config: policyConfig,
    store: followUpStore(),
    limiter: rateLimiter(),
    complaints: complaintStore(),
    workflow: awsWorkflow,
    keys: await loadSigningKeys({ functionName }),
    managers: { escalation: escalationConfig, departments: reportConfig.departments },
  }),
});
