import { awsEventPublisher } from '../shared/adapters/event-publisher.js';
import { lambdaHandler } from '../shared/lambda-handler.js';
import { aggregateStore, followUpStore } from '../shared/runtime.js';
import { recordInputSchema, recordOutcome } from './record-outcome.js';

export const handler = lambdaHandler({
  input: recordInputSchema,
  useCase: recordOutcome,
  deps: () => ({ store: followUpStore(), events: awsEventPublisher, aggregates: aggregateStore() }),
});
