import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { invokeStep, stopUnansweredTask, waitForAnswerStep } from './lambda-steps.js';

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
  stopTask: 'Stop unanswered notice',
  gone: 'Complaint not found',
} as const;

/**
 * One execution per escalation cycle of a complaint:
 *   Plan escalation → Still open? → Wait for a contact slot → Notify manager and wait (task token,
 *   working-time timeout) → Plan …
 * Plan records what happened (acknowledged, resolved, or nobody acted in time) and chooses the
 * next notification, level or wait; a resolution asks for the post-resolution follow-up and closes.
 * A notification nobody acted on has its Connect task stopped; one that could not be sent (after
 * its retries, or for good) goes to Plan too, which records it and moves on to the next
 * re-notification or level: an escalation never stalls on a broken address or queue.
 */
export function escalationDefinition(parent: Construct, fns: EscalationWorkflowFunctions): sfn.IChainable {
  const scope = new Construct(parent, 'States');
  const plan = invokeStep(scope, EscalationStates.plan, fns.step);
  const notify = waitForAnswerStep(scope, EscalationStates.notify, fns.notifyManager, {
    complaintId: sfn.JsonPath.stringAt('$.complaintId'),
    cycle: sfn.JsonPath.numberAt('$.cycle'),
    action: sfn.JsonPath.stringAt('$.action'),
    level: sfn.JsonPath.numberAt('$.level'),
    notice: sfn.JsonPath.numberAt('$.notice'),
    escalated: sfn.JsonPath.stringAt('$.escalated'),
    timeoutSeconds: sfn.JsonPath.numberAt('$.timeoutSeconds'),
  });
  const stopTask = stopUnansweredTask(
    scope,
    EscalationStates.stopTask,
    fns.notifyManager,
    {
      action: 'stop-task',
      complaintId: sfn.JsonPath.stringAt('$.complaintId'),
      cycle: sfn.JsonPath.numberAt('$.cycle'),
      level: sfn.JsonPath.numberAt('$.level'),
      notice: sfn.JsonPath.numberAt('$.notice'),
    },
    plan,
  );
  const gone = new sfn.Fail(scope, EscalationStates.gone, { error: 'ComplaintNotFound', cause: 'the complaint record does not exist' });
  // Nobody acted before the level's deadline: stop the notice's task; Plan re-notifies or moves up the ladder.
  notify.addCatch(stopTask, { errors: ['States.Timeout'], resultPath: '$.timedOut' });
  notify.addCatch(gone, { errors: ['ComplaintNotFound'] });
  notify.addCatch(plan, { errors: ['States.ALL'], resultPath: '$.notifyError' });
  plan.addCatch(gone, { errors: ['ComplaintNotFound'] });
  notify.next(plan);
  const slot = new sfn.Wait(scope, EscalationStates.slot, { time: sfn.WaitTime.timestampPath('$.notifyAt') });
  const open = new sfn.Choice(scope, EscalationStates.open)
    .when(sfn.Condition.stringEquals('$.action', 'close'), new sfn.Succeed(scope, EscalationStates.closed))
    .otherwise(slot.next(notify));
  return plan.next(open);
}
