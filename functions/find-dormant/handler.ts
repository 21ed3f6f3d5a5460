import * as z from 'zod';
import { awsPublishInBatches } from '../shared/adapters/event-batches.js';
import { lambdaHandler } from '../shared/lambda-handler.js';
import { customerIndex, followUpStore } from '../shared/runtime.js';
import { type DormantDeps, findDormant } from './find-dormant.js';
import { type PeriodicDeps, startPeriodicFollowUps } from './periodic-follow-ups.js';

/**
 * The monthly runs over the customer index, one schedule each: the dormant customers
 * (`{"run":"dormant"}`) and the periodic follow-ups of key and ordinary customers (`{"run":"periodic"}`).
 * They share the function because they need the same reads of the table and the same PutEvents.
 */
export const handler = lambdaHandler({
  input: z.object({ run: z.enum(['dormant', 'periodic']) }),
  useCase: async (input, deps: DormantDeps & PeriodicDeps): Promise<object> =>
    input.run === 'periodic' ? startPeriodicFollowUps(input, deps) : findDormant(input, deps),
  deps: () => ({ index: customerIndex(), store: followUpStore(), publish: awsPublishInBatches }),
});
