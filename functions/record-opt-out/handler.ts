import * as z from 'zod';
import { lambdaHandler } from '../shared/lambda-handler.js';
import { customerIndex, followUpStore } from '../shared/runtime.js';
import { recordOptOut } from './record-opt-out.js';

// An upstream event: the use case judges it and records a rejection instead of failing.
export const handler = lambdaHandler({
  input: z.unknown(),
  useCase: recordOptOut,
  deps: () => ({ store: followUpStore(), index: customerIndex() }),
});
