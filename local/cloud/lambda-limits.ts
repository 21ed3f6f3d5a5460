import { createHash } from 'node:crypto';

/**
 * A function's timeout and memory as the template gives them, and what Lambda does when a handler
 * runs past its timeout: the invocation fails with `Sandbox.Timedout` (the error Step Functions'
 * lambda:invoke reports, matched by `States.TaskFailed` retriers) and whatever the handler still
 * does afterwards is nobody's business (on AWS the sandbox is frozen).
 */

export interface FunctionLimits {
  timeoutSeconds: number;
  memorySizeMb: number;
}

/** CloudFormation's defaults for AWS::Lambda::Function when Timeout or MemorySize is absent. */
export const LAMBDA_DEFAULT_LIMITS: Readonly<FunctionLimits> = { timeoutSeconds: 3, memorySizeMb: 128 };

export const LAMBDA_TIMEOUT_ERROR = 'Sandbox.Timedout';

export function functionLimits(properties: Record<string, unknown> | undefined): FunctionLimits {
  const number = (value: unknown, fallback: number, name: string) => {
    if (value === undefined) return fallback;
    const n = Number(value);
    if (!Number.isFinite(n) || n <= 0)
      throw new Error(`AWS::Lambda::Function ${name} must be a positive number, got ${JSON.stringify(value)}`);
    return n;
  };
  return {
    timeoutSeconds: number(properties?.Timeout, LAMBDA_DEFAULT_LIMITS.timeoutSeconds, 'Timeout'),
    memorySizeMb: number(properties?.MemorySize, LAMBDA_DEFAULT_LIMITS.memorySizeMb, 'MemorySize'),
  };
}

/** The error a timed-out invocation rejects with, worded as Lambda words it. */
export function lambdaTimeoutError(timeoutSeconds: number, requestId: string, at: Date): Error {
  const error = new Error(`${at.toISOString()} ${requestId} Task timed out after ${timeoutSeconds.toFixed(2)} seconds`);
  error.name = LAMBDA_TIMEOUT_ERROR;
  return error;
}

/** Thrown by a fault injector to make an invocation time out at once, without running the handler. */
export class InjectedLambdaTimeout extends Error {
  constructor() {
    super('injected Lambda timeout');
    this.name = 'InjectedLambdaTimeout';
  }
}

/**
 * Runs a handler against its timeout in real time (the handler's own time: the local clock
 * stands still while handlers run). `remainingMs` counts down from the timeout, as the context's
 * getRemainingTimeInMillis does. After the timeout the returned promise rejects and the
 * handler's late work is neither awaited nor reported.
 */
export function runWithinTimeout<T>(
  timeoutSeconds: number,
  run: (remainingMs: () => number) => Promise<T>,
  timedOut: () => Error,
): Promise<T> {
  const deadline = performance.now() + timeoutSeconds * 1000;
  const remainingMs = () => Math.max(0, Math.floor(deadline - performance.now()));
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    const timer = setTimeout(() => {
      settled = true;
      reject(timedOut());
    }, timeoutSeconds * 1000);
    let work: Promise<T>;
    try {
      work = run(remainingMs);
    } catch (error) {
      clearTimeout(timer);
      reject(error);
      return;
    }
    work.then(
      (value) => {
        if (settled) return;
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        if (settled) return;
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

/**
 * Names an invocation by its function and payload, for repeatable faults: the same request gets
 * the same name on every replay. Local ids the cloud hands out in arrival order (task tokens,
 * event ids: "token-1a2b3c4d5e6f-17") are masked, since concurrent work may number them differently.
 */
export function invocationKey(functionId: string, payload: unknown): string {
  const stable = JSON.stringify(payload ?? null).replace(/\b[a-z]+-[0-9a-f]{12}-\d+\b/g, '*');
  return `${functionId}:${createHash('sha256').update(stable).digest('hex').slice(0, 16)}`;
}
