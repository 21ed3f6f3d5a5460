import * as z from 'zod';
import { sesEmailChannel } from '../shared/adapters/email-channel.js';
import { loadSigningKeys } from '../shared/adapters/signing-keys.js';
import { smsChannel } from '../shared/adapters/sms-channel.js';
import { clock } from '../shared/clock.js';
import { requireEnv } from '../shared/env.js';
import { lambdaHandler } from '../shared/lambda-handler.js';
import { aggregateStore, birthdayIndex, careLedger, customerIndex, followUpStore, rateLimiter, thankYouList } from '../shared/runtime.js';
import { sendCareMessages } from './send-care-messages.js';

// The hourly schedule's event carries nothing the run needs: it works from the clock.
export const handler = lambdaHandler({
  input: z.unknown(),
  useCase: sendCareMessages,
  deps: ({ functionName }) => ({
    birthdays: birthdayIndex(),
    thankYous: thankYouList(),
    index: customerIndex(),
    store: followUpStore(),
    ledger: careLedger(),
    aggregates: aggregateStore(),
    channels: { ...sesEmailChannel, ...smsChannel },
    limiter: rateLimiter(),
    sleepUntil: clock.sleepUntil,
    // Set where the stack grants this function its SMS configuration set (SmsSending.grantSendText).
    smsEnabled: !!process.env.SMS_CONFIGURATION_SET,
    unsubscribeLinks: { baseUrl: requireEnv('OUTCOME_BASE_URL'), keys: () => loadSigningKeys({ functionName }) },
  }),
});
