import { Duration } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
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
} as const;

/** Lambda's own transient failures, as the Step Functions documentation recommends retrying them. */
const LAMBDA_TRANSIENT_ERRORS = ['Lambda.ServiceException', 'Lambda.AWSLambdaException', 'Lambda.SdkClientException', 'Lambda.ClientExecutionTimeoutException', 'Lambda.TooManyRequestsException'];

export function retryTransient(task: tasks.LambdaInvoke): tasks.LambdaInvoke {
  task.addRetry({ errors: LAMBDA_TRANSIENT_ERRORS, interval: Duration.seconds(2), maxAttempts: 6, backoffRate: 2, jitterStrategy: sfn.JitterType.FULL });
  return task;
}

/**
 * A handler that failed after its SDK retries (an AWS outage, a long throttle) is tried again a
 * few times, minutes apart: every step is idempotent (conditional writes, ClientToken), so a retry
 * never contacts a customer twice. Added last, after the specific retriers.
 */
export function retryFailedHandler(task: tasks.LambdaInvoke): tasks.LambdaInvoke {
  task.addRetry({ errors: ['States.TaskFailed'], interval: Duration.seconds(30), maxAttempts: 4, backoffRate: 3, maxDelay: Duration.minutes(10), jitterStrategy: sfn.JitterType.FULL });
  return task;
}

/**
 * One execution per follow-up:
 *   Plan → Contact needed? → Wait until due → Contact customer (task token) → Settled? → Record outcome
 * Happy path: 6 state transitions. A retry or fallback loops back to Plan, which records the
 * attempt and chooses the next channel and time. Only ids travel through the execution: the
 * customer's name, phone, email and answers stay in the encrypted table.
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
  // Connect's 2 requests/s and SES's send rate throttle bursts: back off with jitter and try again.
  contact.addRetry({ errors: ['ThrottlingException', 'TooManyRequestsException', 'LimitExceededException'], interval: Duration.seconds(5), maxAttempts: 8, backoffRate: 2, maxDelay: Duration.minutes(5), jitterStrategy: sfn.JitterType.FULL });
  retryFailedHandler(plan);
  retryFailedHandler(contact);
  retryFailedHandler(record);
  // Nobody answered the task or the survey in time: Plan treats it as "no answer".
  contact.addCatch(plan, { errors: ['States.Timeout'], resultPath: '$.contactError' });

  const settled = new sfn.Choice(scope, FollowUpStates.settled)
    .when(sfn.Condition.or(...FINAL_RESULTS.map((result) => sfn.Condition.stringEquals('$.outcome.result', result))), record)
    .otherwise(plan);

  const waitUntilDue = new sfn.Wait(scope, FollowUpStates.waitUntilDue, { time: sfn.WaitTime.timestampPath('$.dueAt') });

  const shouldContact = new sfn.Choice(scope, FollowUpStates.shouldContact)
    .when(sfn.Condition.stringEquals('$.action', 'contact'), waitUntilDue.next(contact).next(settled))
    .otherwise(record);

  return plan.next(shouldContact);
}
