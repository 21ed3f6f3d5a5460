import { awsContactChannels } from '../shared/adapters/contact-channels.js';
import { loadSigningKeys } from '../shared/adapters/signing-keys.js';
import { awsWorkflow } from '../shared/adapters/workflow.js';
import { requireEnv } from '../shared/env.js';
import { lambdaHandler } from '../shared/lambda-handler.js';
import { followUpStore, rateLimiter, smsReplies } from '../shared/runtime.js';
import { contactStep, contactStepInputSchema } from './start-contact.js';

export const handler = lambdaHandler({
  input: contactStepInputSchema,
  useCase: contactStep,
  deps: ({ functionName }) => ({
    store: followUpStore(),
    limiter: rateLimiter(),
    channels: awsContactChannels,
    workflow: awsWorkflow,
    keys: () => loadSigningKeys({ functionName }),
    outcomeBaseUrl: requireEnv('OUTCOME_BASE_URL'),
    followUpQueueArn: process.env.FOLLOW_UP_QUEUE_ARN || undefined,
    smsReplies: smsReplies(),
  }),
});
