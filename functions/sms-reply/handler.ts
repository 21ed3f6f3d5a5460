import { smsChannel } from '../shared/adapters/sms-channel.js';
import { awsWorkflow } from '../shared/adapters/workflow.js';
import { lambdaHandler } from '../shared/lambda-handler.js';
import { followUpStore, rateLimiter, smsReplies } from '../shared/runtime.js';
import { handleSmsReplies, smsReplyEventSchema } from './sms-reply.js';

export const handler = lambdaHandler({
  input: smsReplyEventSchema,
  useCase: handleSmsReplies,
  deps: () => ({
    store: followUpStore(),
    limiter: rateLimiter(),
    replies: smsReplies(),
    workflow: awsWorkflow,
    channels: smsChannel,
  }),
});
