import { sesEmailChannel } from '../shared/adapters/email-channel.js';
import { s3ReportArchive } from '../shared/adapters/report-archive.js';
import { clock } from '../shared/clock.js';
import { policyConfig } from '../shared/config/policies.js';
import { lambdaHandler } from '../shared/lambda-handler.js';
import { aggregateStore, rateLimiter } from '../shared/runtime.js';
import { reportDeliveries } from './report-deliveries.js';
import { reportInputSchema, sendReport } from './send-report.js';

export const handler = lambdaHandler({
  input: reportInputSchema,
  useCase: sendReport,
  deps: () => ({
    aggregates: aggregateStore(),
    mail: sesEmailChannel,
    archive: s3ReportArchive,
    awaitSendSlot: async () => {
      const slot = await rateLimiter().reserve('email', clock.now(), policyConfig.contactRates.email.perSecond);
      await clock.sleepUntil(slot);
    },
    deliveries: reportDeliveries(),
  }),
});
