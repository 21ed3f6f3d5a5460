import { Duration } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { PERMANENT_ERROR_NAMES } from '../functions/shared/domain/errors.js';
import { FINAL_RESULTS } from '../functions/shared/domain/follow-up.js';

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

/** Lambda's own transient failures, as the Step Functions documentation recommends retrying them. */
const LAMBDA_TRANSIENT_ERRORS = [
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.ClientExecutionTimeoutException',
  'Lambda.TooManyRequestsException',
];

export function retryTransient(task: tasks.LambdaInvoke): tasks.LambdaInvoke {
  task.addRetry({
    errors: LAMBDA_TRANSIENT_ERRORS,
    interval: Duration.seconds(2),
    maxAttempts: 6,
    backoffRate: 2,
    jitterStrategy: sfn.JitterType.FULL,
  });
  return task;
}

/**
 * Errors no retry can fix (domain/errors.ts): matched before the generic States.TaskFailed retrier,
 * since the first retrier whose ErrorEquals matches decides, and MaxAttempts 0 means "do not retry".
 */
export function neverRetryPermanent(task: tasks.LambdaInvoke): tasks.LambdaInvoke {
  task.addRetry({ errors: [...PERMANENT_ERROR_NAMES], maxAttempts: 0 });
  return task;
}

/**
 * Throttling: Connect's 2 requests/s, SES's send rate (TooManyRequestsException) and sending quota
 * (LimitExceededException, SES only: Connect's active-task quota is ServiceQuotaExceededException,
 * a permanent error). Back off with jitter and try again.
 */
export function retryThrottled(task: tasks.LambdaInvoke): tasks.LambdaInvoke {
  task.addRetry({
    errors: ['ThrottlingException', 'TooManyRequestsException', 'LimitExceededException'],
    interval: Duration.seconds(5),
    maxAttempts: 8,
    backoffRate: 2,
    maxDelay: Duration.minutes(5),
    jitterStrategy: sfn.JitterType.FULL,
  });
  return task;
}

/**
 * A handler that failed after its SDK retries (an AWS outage, a long throttle) is tried again a
 * few times, minutes apart: every step is idempotent (conditional writes, ClientToken), so a retry
 * never contacts a customer twice. Added last, after the specific retriers.
 */
export function retryFailedHandler(task: tasks.LambdaInvoke): tasks.LambdaInvoke {
  task.addRetry({
    errors: ['States.TaskFailed'],
    interval: Duration.seconds(30),
    maxAttempts: 4,
    backoffRate: 3,
    maxDelay: Duration.minutes(10),
    jitterStrategy: sfn.JitterType.FULL,
  });
  return task;
}

/**
 * Takes an agent's or manager's task that nobody answered in time off Connect's queue (StopContact),
 * then goes on to `then`; a task that cannot be stopped does not hold up the workflow.
 */
export function stopUnansweredTask(
  scope: Construct,
  name: string,
  fn: lambda.IFunction,
  payload: Record<string, unknown>,
  then: sfn.IChainable,
): tasks.LambdaInvoke {
  const step = retryFailedHandler(
    neverRetryPermanent(
      retryTransient(
        new tasks.LambdaInvoke(scope, name, {
          lambdaFunction: fn,
          payload: sfn.TaskInput.fromObject(payload),
          payloadResponseOnly: true,
          resultPath: sfn.JsonPath.DISCARD,
          retryOnServiceExceptions: false,
        }),
      ),
    ),
  );
  step.addCatch(then, { errors: ['States.ALL'], resultPath: sfn.JsonPath.DISCARD });
  step.next(then);
  return step;
}

/**
 * One execution per follow-up:
 *   Plan → Contact needed? → Wait until due → Contact customer (task token) → Settled? → Record outcome
 * Happy path: 6 state transitions. A retry or fallback loops back to Plan, which records the
 * attempt and chooses the next channel and time. Only ids travel through the execution: the
 * customer's name, phone, email and answers stay in the encrypted table.
 *
 * Every error ends with a recorded outcome: a contact that timed out stops its Connect task and
 * counts as "no answer"; one that failed for good (or after its retries) goes to Plan, which falls
 * back to the next channel or finishes the follow-up as `failed`; a Plan that fails after its
 * retries goes to Record as `failed`. Only a follow-up whose record is gone fails the execution.
 */
export function followUpDefinition(parent: Construct, fns: FollowUpWorkflowFunctions): sfn.IChainable {
  const scope = new Construct(parent, 'States');
  const plan = retryTransient(
    new tasks.LambdaInvoke(scope, FollowUpStates.plan, {
      lambdaFunction: fns.plan,
      payloadResponseOnly: true,
      retryOnServiceExceptions: false,
    }),
  );

  const record = retryTransient(
    new tasks.LambdaInvoke(scope, FollowUpStates.record, {
      lambdaFunction: fns.recordOutcome,
      payloadResponseOnly: true,
      retryOnServiceExceptions: false,
    }),
  );

  const contact = retryTransient(
    new tasks.LambdaInvoke(scope, FollowUpStates.contact, {
      lambdaFunction: fns.startContact,
      integrationPattern: sfn.IntegrationPattern.WAIT_FOR_TASK_TOKEN,
      payload: sfn.TaskInput.fromObject({
        followUpId: sfn.JsonPath.stringAt('$.followUpId'),
        attempt: sfn.JsonPath.numberAt('$.attempt'),
        channel: sfn.JsonPath.stringAt('$.channel'),
        timeoutSeconds: sfn.JsonPath.numberAt('$.timeoutSeconds'),
        reservedSlot: sfn.JsonPath.stringAt('$.reservedSlot'),
        taskToken: sfn.JsonPath.taskToken,
      }),
      resultPath: '$.outcome',
      taskTimeout: sfn.Timeout.at('$.timeoutSeconds'),
      retryOnServiceExceptions: false,
    }),
  );
  // Retriers match in order: permanent errors first (no retry), throttling, then any failure.
  for (const task of [plan, contact, record]) neverRetryPermanent(task);
  retryThrottled(contact);
  retryFailedHandler(plan);
  retryFailedHandler(contact);
  retryFailedHandler(record);

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

  const settled = new sfn.Choice(scope, FollowUpStates.settled)
    .when(sfn.Condition.or(...FINAL_RESULTS.map((result) => sfn.Condition.stringEquals('$.outcome.result', result))), record)
    .otherwise(plan);

  const waitUntilDue = new sfn.Wait(scope, FollowUpStates.waitUntilDue, { time: sfn.WaitTime.timestampPath('$.dueAt') });

  const shouldContact = new sfn.Choice(scope, FollowUpStates.shouldContact)
    .when(sfn.Condition.stringEquals('$.action', 'contact'), waitUntilDue.next(contact).next(settled))
    .otherwise(record);

  return plan.next(shouldContact);
}
