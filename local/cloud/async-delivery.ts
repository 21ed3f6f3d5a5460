import type { AwsError } from './aws-error.js';
import type { CloudCore, Invoker } from './core.js';
import type { LocalLambda } from './lambda.js';
import type { LocalStepFunctions } from './step-functions.js';

/** Where EventBridge and the scheduler hand an event: a function or a state machine, and its dead-letter queue. */
export interface DeliveryTarget {
  arn: string;
  dlq?: string;
  invoker: Invoker;
}

export interface DeadLetter {
  queue: string;
  body: unknown;
  reason: string;
  at: string;
}

/**
 * Asynchronous delivery as AWS does it. An event the deliverer may not hand over (the function's
 * policy or the target role refuses) goes to the target's dead-letter queue, written by the
 * deliverer (EventBridge on the queue's policy, the scheduler with its role). A handler that fails
 * its invocation and two retries goes to the function's own dead-letter queue, written with the
 * function's role. A dead letter that may not be written is dropped, as AWS drops it.
 */
export class AsyncDelivery {
  readonly deadLetters: DeadLetter[] = [];

  constructor(
    private readonly core: CloudCore,
    private readonly lambda: LocalLambda,
    private readonly stepFunctions: LocalStepFunctions,
  ) {}

  async deliver(target: DeliveryTarget, event: Record<string, unknown>): Promise<void> {
    const { iam } = this.core;
    let lastError: unknown;
    for (let attempt = 0; attempt < 3; attempt += 1) {
      try {
        if (target.arn.includes(':stateMachine:')) {
          await iam.authorize(target.invoker.principal, {
            action: 'states:StartExecution',
            resource: target.arn,
            context: target.invoker.context,
          });
          this.stepFunctions.startExecution(target.arn, undefined, JSON.stringify(event));
        } else {
          await this.lambda.invokeFunction(target.arn, event, target.invoker);
        }
        return;
      } catch (error) {
        lastError = error;
        if ((error as AwsError).code === 'AccessDeniedException') break;
      }
    }
    const reason = String((lastError as Error)?.message ?? lastError);
    const refusedDelivery = (lastError as AwsError)?.code === 'AccessDeniedException';
    const functionDlq = refusedDelivery ? undefined : this.lambda.deadLetterQueueOf(target.arn);
    const [queueArn, writer] = functionDlq ?? [target.dlq, target.invoker];
    let queue = queueArn ?? 'none';
    if (queueArn) {
      const sendMessage = { action: 'sqs:SendMessage', resource: queueArn, context: writer.context };
      const denied = await iam.authorize(writer.principal, sendMessage).then(
        () => undefined,
        (error: Error) => error,
      );
      if (denied) queue = `none (dropped: ${denied.message})`;
    }
    const body = { eventId: event.id, detailType: event['detail-type'], input: event.id ? undefined : event };
    this.deadLetters.push({ queue, body, reason, at: this.core.nowIso() });
  }
}
