import * as z from 'zod';
import { awsEventPublisher } from '../shared/adapters/event-publisher.js';
import { awsWorkflow } from '../shared/adapters/workflow.js';
import { lambdaHandler } from '../shared/lambda-handler.js';
import { aggregateStore, customerIndex, followUpStore, rateLimiter, thankYouList } from '../shared/runtime.js';
import { ingest } from './ingest.js';

// An upstream event: the use case judges it and records a rejection instead of failing.
export const handler = lambdaHandler({
  input: z.unknown(),
  useCase: ingest,
  deps: () => ({
    store: followUpStore(),
    limiter: rateLimiter(),
    workflow: awsWorkflow,
    index: customerIndex(),
    thankYous: thankYouList(),
    finished: { aggregates: aggregateStore(), events: awsEventPublisher },
  }),
});
