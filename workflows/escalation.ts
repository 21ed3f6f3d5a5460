import { Duration } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { retryFailedHandler, retryTransient } from './follow-up.js';

export interface EscalationWorkflowFunctions {
  step: lambda.IFunction;
  notifyManager: lambda.IFunction;
}

export const EscalationStates = {
  plan: 'Plan escalation',
  open: 'Still open?',
  slot: 'Wait for a contact slot',
  notify: 'Notify manager and wait',
  closed: 'Closed',
} as const;

/**
 * One execution per escalation cycle of a complaint:
 *   Plan escalation → Still open? → Wait for a contact slot → Notify manager and wait (task token,
 *   working-time timeout) → Plan …
 * Plan records what happened (acknowledged, resolved, or nobody acted in time) and chooses the
 * next notification, level or wait; a resolution asks for the post-resolution follow-up and closes.
 */
export function escalationDefinition(parent: Construct, fns: EscalationWorkflowFunctions): sfn.IChainable {
  const scope = new Construct(parent, 'States');
  const plan = retryTransient(new tasks.LambdaInvoke(scope, EscalationStates.plan, { lambdaFunction: fns.step, payloadResponseOnly: true, retryOnServiceExceptions: false }));
  const notify = retryTransient(
    new tasks.LambdaInvoke(scope, EscalationStates.notify, {
      lambdaFunction: fns.notifyManager,
      integrationPattern: sfn.IntegrationPattern.WAIT_FOR_TASK_TOKEN,
      payload: sfn.TaskInput.fromObject({
        complaintId: sfn.JsonPath.stringAt('$.complaintId'),
        cycle: sfn.JsonPath.numberAt('$.cycle'),
        action: sfn.JsonPath.stringAt('$.action'),
        level: sfn.JsonPath.numberAt('$.level'),
        notice: sfn.JsonPath.numberAt('$.notice'),
        escalated: sfn.JsonPath.stringAt('$.escalated'),
        timeoutSeconds: sfn.JsonPath.numberAt('$.timeoutSeconds'),
        taskToken: sfn.JsonPath.taskToken,
      }),
      resultPath: '$.outcome',
      taskTimeout: sfn.Timeout.at('$.timeoutSeconds'),
      retryOnServiceExceptions: false,
    }),
  );
  notify.addRetry({ errors: ['ThrottlingException', 'TooManyRequestsException', 'LimitExceededException'], interval: Duration.seconds(5), maxAttempts: 8, backoffRate: 2, maxDelay: Duration.minutes(5), jitterStrategy: sfn.JitterType.FULL });
  retryFailedHandler(plan);
  retryFailedHandler(notify);
  // Nobody acted before the level's deadline: Plan re-notifies or moves up the ladder.
  notify.addCatch(plan, { errors: ['States.Timeout'], resultPath: '$.timedOut' });
  notify.next(plan);
  const slot = new sfn.Wait(scope, EscalationStates.slot, { time: sfn.WaitTime.timestampPath('$.notifyAt') });
  const open = new sfn.Choice(scope, EscalationStates.open).when(sfn.Condition.stringEquals('$.action', 'close'), new sfn.Succeed(scope, EscalationStates.closed)).otherwise(slot.next(notify));
  return plan.next(open);
}
