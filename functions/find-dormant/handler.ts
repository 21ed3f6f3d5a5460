import { z } from 'zod';
import { awsPublishInBatches } from '../shared/adapters/event-batches.js';
import { lambdaHandler } from '../shared/lambda-handler.js';
import { customerIndex } from '../shared/runtime.js';
import { findDormant } from './find-dormant.js';

// The monthly schedule's event carries nothing the search needs.
export const handler = lambdaHandler({
  input: z.unknown(),
  useCase: findDormant,
  deps: () => ({ index: customerIndex(), publish: awsPublishInBatches }),
});
