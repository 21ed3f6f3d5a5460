import * as z from 'zod';
import { awsWorkflow } from '../shared/adapters/workflow.js';
import { lambdaHandler } from '../shared/lambda-handler.js';
import { aggregateStore, complaintStore, followUpStore } from '../shared/runtime.js';
import { complaintIntake } from './complaint-intake.js';

// Upstream and own events: the use case judges each and records a rejection instead of failing.
export const handler = lambdaHandler({
  input: z.unknown(),
  useCase: complaintIntake,
  deps: () => ({ complaints: complaintStore(), aggregates: aggregateStore(), followUps: followUpStore(), workflow: awsWorkflow }),
});
