import { Duration } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import type { Construct } from 'constructs';
import { PERMANENT_ERROR_NAMES } from '../functions/shared/domain/errors.js';

/** The Lambda steps both state machines are made of, with the retriers every step carries. */

/** Lambda's own transient failures, as the Step Functions documentation recommends retrying them. */
const LAMBDA_TRANSIENT_ERRORS = [
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.ClientExecutionTimeoutException',
  'Lambda.TooManyRequestsException',
];

function retryTransient(task: tasks.LambdaInvoke): void {
  task.addRetry({
    errors: LAMBDA_TRANSIENT_ERRORS,
    interval: Duration.seconds(2),
    maxAttempts: 6,
    backoffRate: 2,
    jitterStrategy: sfn.JitterType.FULL,
  });
}

/**
 * Errors no retry can fix (domain/errors.ts): matched before the generic States.TaskFailed retrier,
 * since the first retrier whose ErrorEquals matches decides, and MaxAttempts 0 means "do not retry".
 */
function neverRetryPermanent(task: tasks.LambdaInvoke): void {
  task.addRetry({ errors: [...PERMANENT_ERROR_NAMES], maxAttempts: 0 });
}

/**
 * Throttling: Connect's 2 requests/s, SES's send rate (TooManyRequestsException) and sending quota
 * (LimitExceededException, SES only: Connect's active-task quota is ServiceQuotaExceededException,
 * a permanent error). Back off with jitter and try again.
 */
function retryThrottled(task: tasks.LambdaInvoke): void {
  task.addRetry({
    errors: ['ThrottlingException', 'TooManyRequestsException', 'LimitExceededException'],
    interval: Duration.seconds(5),
    maxAttempts: 8,
    backoffRate: 2,
    maxDelay: Duration.minutes(5),
    jitterStrategy: sfn.JitterType.FULL,
  });
}

/**
 * A handler that failed after its SDK retries (an AWS outage, a long throttle) is tried again a
 * few times, minutes apart: every step is idempotent (conditional writes, ClientToken), so a retry
 * never contacts a customer twice. Added last, after the specific retriers.
 */
function retryFailedHandler(task: tasks.LambdaInvoke): void {
  task.addRetry({
    errors: ['States.TaskFailed'],
    interval: Duration.seconds(30),
    maxAttempts: 4,
    backoffRate: 3,
    maxDelay: Duration.minutes(10),
    jitterStrategy: sfn.JitterType.FULL,
  });
}

/**
 * Retriers match in order: Lambda's transient errors, then permanent errors (no retry), throttling
 * (for a step that contacts someone), then any failure.
 */
function withRetriers(task: tasks.LambdaInvoke, { throttled = false } = {}): tasks.LambdaInvoke {
  retryTransient(task);
  neverRetryPermanent(task);
  if (throttled) retryThrottled(task);
  retryFailedHandler(task);
  return task;
}

/**
 * A step that runs `fn` and goes on with what it returns (by default on the state as input, the
 * result replacing the state). Service exceptions are retried by the retriers above, not CDK's default.
 */
export function invokeStep(
  scope: Construct,
  name: string,
  fn: lambda.IFunction,
  props: Pick<tasks.LambdaInvokeProps, 'payload' | 'resultPath'> = {},
): tasks.LambdaInvoke {
  return withRetriers(
    new tasks.LambdaInvoke(scope, name, { lambdaFunction: fn, payloadResponseOnly: true, retryOnServiceExceptions: false, ...props }),
  );
}

/**
 * A step that hands `fn` a task token with `payload` and waits until someone answers it (the
 * answer goes to `resultPath`, by default `$.outcome`; `'state'` makes the answer the whole state)
 * or `$.timeoutSeconds` have passed (States.Timeout).
 */
export function waitForAnswerStep(
  scope: Construct,
  name: string,
  fn: lambda.IFunction,
  payload: Record<string, unknown>,
  resultPath: string | 'state' = '$.outcome',
): tasks.LambdaInvoke {
  const step = new tasks.LambdaInvoke(scope, name, {
    lambdaFunction: fn,
    integrationPattern: sfn.IntegrationPattern.WAIT_FOR_TASK_TOKEN,
    payload: sfn.TaskInput.fromObject({ ...payload, taskToken: sfn.JsonPath.taskToken }),
    // The answer as the whole state: no ResultPath at all, its default "$" (written out, some engines misread it).
    resultPath: resultPath === 'state' ? undefined : resultPath,
    taskTimeout: sfn.Timeout.at('$.timeoutSeconds'),
    retryOnServiceExceptions: false,
  });
  return withRetriers(step, { throttled: true });
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
  const step = invokeStep(scope, name, fn, { payload: sfn.TaskInput.fromObject(payload), resultPath: sfn.JsonPath.DISCARD });
  step.addCatch(then, { errors: ['States.ALL'], resultPath: sfn.JsonPath.DISCARD });
  step.next(then);
  return step;
}
