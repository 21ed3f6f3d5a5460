import { awsWorkflow } from '../shared/adapters/workflow.js';
import { lambdaHandler } from '../shared/lambda-handler.js';
import { followUpStore, rateLimiter } from '../shared/runtime.js';
import { plan, planInputSchema } from './plan.js';

export const handler = lambdaHandler({
  input: planInputSchema,
  useCase: plan,
  deps: () => ({ store: followUpStore(), limiter: rateLimiter(), workflow: awsWorkflow }),
});
