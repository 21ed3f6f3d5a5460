import { connectAgentTasks } from '../shared/adapters/agent-task-channel.js';
import { sesEmailChannel } from '../shared/adapters/email-channel.js';
import { loadSigningKeys } from '../shared/adapters/signing-keys.js';
import { requireEnv } from '../shared/env.js';
import { lambdaHandler } from '../shared/lambda-handler.js';
import { complaintStore } from '../shared/runtime.js';
import { notificationClaims } from './notification-claims.js';
import { complaintQueueArn, noticeStep, noticeStepInputSchema } from './notify-manager.js';

export const handler = lambdaHandler({
  input: noticeStepInputSchema,
  useCase: noticeStep,
  deps: ({ functionName }) => ({
    store: complaintStore(),
    claims: notificationClaims(),
    channels: { ...connectAgentTasks, ...sesEmailChannel },
    keys: () => loadSigningKeys({ functionName }),
    outcomeBaseUrl: requireEnv('OUTCOME_BASE_URL'),
    queueArn: complaintQueueArn,
  }),
});
