import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { FINAL_RESULTS } from '../functions/shared/domain/follow-up.js';
import { invokeStep, stopUnansweredTask, waitForAnswerStep } from './lambda-steps.js';

export interface FollowUpWorkflowFunctions {
  plan: lambda.IFunction;
  startContact: lambda.IFunction;
  recordOutcome: lambda.IFunction;
}

/** State names are the contract with the local engine, which overrides tasks by name. */
export const FollowUpStates = {
  plan: 'Plan',
  shouldContact: 'Contact needed?',
  waitUntilDue: 'Wait until due',
  contact: 'Contact customer',
  settled: 'Settled?',
  record: 'Record outcome',
  stopTask: 'Stop unanswered task',
  gone: 'Follow-up not found',
} as const;

/**
 * One execution per follow-up that needs a contact, started by intake with its first contact's plan:
 *   Wait until due → Contact customer (task token) → Settled? → Record outcome
 * Happy path: 4 state transitions (a follow-up that needs none, e.g. left out of the sample, ends at
 * intake without an execution). Whoever answers the contact's task token (the outcome API, the
 * SMS replies, the contact step itself) records the attempt and plans the next one, and the answer
 * becomes the state: a retry or fallback goes Settled? → Wait until due → Contact customer, 3
 * transitions, and the contact step rechecks opt-out, pause and cap before it contacts. An answer
 * without a plan, a timeout or an error goes to Plan → Contact needed?. Only ids travel through the
 * execution: the customer's name, phone, email and answers stay in the encrypted table.
 *
 * Every error ends with a recorded outcome: a contact that timed out stops its Connect task and
 * counts as "no answer"; one that failed for good (or after its retries) goes to Plan, which falls
 * back to the next channel or finishes the follow-up as `failed`; a Plan that fails after its
 * retries goes to Record as `failed`. Only a follow-up whose record is gone fails the execution.
 */
export function followUpDefinition(parent: Construct, fns: FollowUpWorkflowFunctions): sfn.IChainable {
  const scope = new Construct(parent, 'States');
  const plan = invokeStep(scope, FollowUpStates.plan, fns.plan);
  const record = invokeStep(scope, FollowUpStates.record, fns.recordOutcome);
  const contact = waitForAnswerStep(
    scope,
    FollowUpStates.contact,
    fns.startContact,
    {
      followUpId: sfn.JsonPath.stringAt('$.followUpId'),
      attempt: sfn.JsonPath.numberAt('$.attempt'),
      channel: sfn.JsonPath.stringAt('$.channel'),
      timeoutSeconds: sfn.JsonPath.numberAt('$.timeoutSeconds'),
      reservedSlot: sfn.JsonPath.stringAt('$.reservedSlot'),
    },
    // The answer is the whole next state: the attempt's result with Record's input, or with the next plan.
    'state',
  );

  // Runs with the Contact function's Connect grant; a task that cannot be stopped does not hold up the follow-up.
  const stopTask = stopUnansweredTask(
    scope,
    FollowUpStates.stopTask,
    fns.startContact,
    { action: 'stop-task', followUpId: sfn.JsonPath.stringAt('$.followUpId'), attempt: sfn.JsonPath.numberAt('$.attempt') },
    plan,
  );

  // Nothing to record on when the follow-up itself is gone: the execution fails (and alarms).
  const gone = new sfn.Fail(scope, FollowUpStates.gone, { error: 'FollowUpNotFound', cause: 'the follow-up record does not exist' });
  // Nobody answered the task or the survey in time: stop the task, then Plan treats it as "no answer".
  contact.addCatch(stopTask, { errors: ['States.Timeout'], resultPath: '$.contactError' });
  contact.addCatch(gone, { errors: ['FollowUpNotFound'] });
  // Failed for good, or still failing after the retries: Plan falls back to the next channel or records `failed`.
  contact.addCatch(plan, { errors: ['States.ALL'], resultPath: '$.contactError' });
  plan.addCatch(gone, { errors: ['FollowUpNotFound'] });
  plan.addCatch(record, { errors: ['States.ALL'], resultPath: '$.failure' });

  const waitUntilDue = new sfn.Wait(scope, FollowUpStates.waitUntilDue, { time: sfn.WaitTime.timestampPath('$.dueAt') });
  const planned = (action: string) =>
    sfn.Condition.and(sfn.Condition.isPresent('$.planned'), sfn.Condition.stringEquals('$.action', action));
  const settled = new sfn.Choice(scope, FollowUpStates.settled)
    .when(sfn.Condition.or(...FINAL_RESULTS.map((result) => sfn.Condition.stringEquals('$.outcome.result', result))), record)
    .when(planned('contact'), waitUntilDue)
    .when(planned('finish'), record)
    .otherwise(plan);

  const shouldContact = new sfn.Choice(scope, FollowUpStates.shouldContact)
    .when(sfn.Condition.stringEquals('$.action', 'contact'), waitUntilDue)
    .otherwise(record);
  plan.next(shouldContact);

  // Intake planned the first contact: the execution starts at its Wait.
  return waitUntilDue.next(contact).next(settled);
}
