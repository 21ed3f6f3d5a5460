import { awsEventPublisher } from '../shared/adapters/event-publisher.js';
import { lambdaHandler } from '../shared/lambda-handler.js';
import { aggregateStore, complaintStore, rateLimiter } from '../shared/runtime.js';
import { planEscalation, stepInputSchema } from './plan-escalation.js';

export const handler = lambdaHandler({
  input: stepInputSchema,
  useCase: planEscalation,
  deps: () => ({ store: complaintStore(), events: awsEventPublisher, aggregates: aggregateStore(), limiter: rateLimiter() }),
});
