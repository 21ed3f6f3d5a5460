import { AwsError } from './aws-error.js';
import type { CloudCore, Invoker } from './core.js';
import type { LocalLambda } from './lambda.js';
import { checkTaskOutput, refuse } from './limits.js';
import { TIMEOUT_PARAM, TIMEOUT_SECONDS_PARAM, TOKEN_PLACEHOLDER } from './state-machine-definition.js';

/**
 * Step Functions' callback tasks (lambda:invoke.waitForTaskToken): the local engine has no task
 * tokens, so the local cloud hands one out per task entry and waits for SendTaskSuccess,
 * SendTaskFailure or the task's timeout on the virtual clock.
 */

type Outcome = { output: unknown } | { error: string; cause?: string };

interface PendingToken {
  executionArn: string;
  resume: (outcome: Outcome) => void;
}

export class TaskTokens {
  private readonly pending = new Map<string, PendingToken>();

  constructor(
    private readonly core: CloudCore,
    private readonly lambda: LocalLambda,
  ) {}

  /**
   * A fresh token for this entry of the task, then the wait for SendTask* or the timeout. The
   * timeout runs from `startedAtMs`, when the task started: after a restart that is still the
   * original start, as AWS's TimeoutSeconds clock does not stop while the local stack does.
   */
  async run(
    execution: { executionArn: string; name: string },
    params: Record<string, unknown>,
    invoker: Invoker,
    startedAtMs: number,
  ): Promise<unknown> {
    const { clock } = this.core;
    const token = `${this.core.nextId('token')}.${execution.name}`;
    const timeoutSeconds = Number(params[TIMEOUT_PARAM] ?? params[TIMEOUT_SECONDS_PARAM] ?? 99_999_999);
    const payload = JSON.parse(JSON.stringify(params.Payload).replaceAll(TOKEN_PLACEHOLDER, token)) as unknown;
    let settle!: (outcome: Outcome) => void;
    const answered = new Promise<Outcome>((resolve) => (settle = resolve));
    let cancelTimer = () => {};
    const finish = (outcome: Outcome) => {
      if (!this.pending.delete(token)) return;
      cancelTimer();
      clock.hold();
      settle(outcome);
    };
    this.pending.set(token, { executionArn: execution.executionArn, resume: finish });
    try {
      await this.lambda.invokeFunction(String(params.FunctionName), payload, invoker);
    } catch (error) {
      this.pending.delete(token);
      throw error;
    }
    if (!this.pending.has(token)) {
      // Answered during the invocation itself (e.g. the function found the customer opted out).
      const outcome = await answered;
      clock.release();
      return unwrap(outcome);
    }
    const timedOut = () => finish({ error: 'States.Timeout', cause: 'no answer within the task timeout' });
    cancelTimer = clock.timer(startedAtMs + timeoutSeconds * 1000, timedOut, token, 'execution');
    clock.release();
    const outcome = await answered;
    return unwrap(outcome);
  }

  sendTaskSuccess(token: string, output: string): void {
    this.core.count('StepFunctions', 'SendTaskSuccess');
    const pending = this.pending.get(token);
    if (!pending) throw new AwsError('TaskDoesNotExist', 'Task does not exist anymore');
    refuse(checkTaskOutput(output));
    let parsed: unknown;
    try {
      parsed = JSON.parse(output);
    } catch {
      throw new AwsError('InvalidOutput', 'output is not valid JSON');
    }
    pending.resume({ output: parsed });
  }

  sendTaskFailure(token: string, error?: string, cause?: string): void {
    this.core.count('StepFunctions', 'SendTaskFailure');
    const pending = this.pending.get(token);
    if (!pending) throw new AwsError('TaskDoesNotExist', 'Task does not exist anymore');
    pending.resume({ error: error ?? 'TaskFailed', cause });
  }

  /** The execution still waiting on `token`, if any. */
  executionWaitingOn(token: string): string | undefined {
    return this.pending.get(token)?.executionArn;
  }

  open(): number {
    return this.pending.size;
  }
}

function unwrap(outcome: Outcome): unknown {
  if ('output' in outcome) return outcome.output;
  const error = Object.assign(new Error(outcome.cause ?? outcome.error), { name: outcome.error });
  // As in AWS, "States.TaskFailed" retriers do not match a task timeout; only its Catch does.
  if (outcome.error === 'States.Timeout') Object.assign(error, { isRetryable: false });
  throw error;
}
