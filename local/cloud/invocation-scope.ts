import { InvokeStore, InvokeStoreBase } from '@aws/lambda-invoke-store';

/**
 * In Lambda an execution environment runs one invocation at a time, so Powertools keeps the
 * invocation's context (function name, request id, appended keys) on the logger, a singleton.
 * Locally every function shares one process and invocations overlap, as they do on Lambda
 * Managed Instances, where the runtime sets AWS_LAMBDA_MAX_CONCURRENCY and runs each invocation
 * inside its InvokeStore. Powertools then keeps that state per invocation; without it a log line
 * carries whichever function set the context last (a rejection logged as the opt-out function's).
 */
process.env.AWS_LAMBDA_MAX_CONCURRENCY ??= '64';
const store = await InvokeStore.getInstanceAsync(true);

/** Runs one invocation in its own scope, as the Lambda runtime does. */
export function inInvocationScope<T>(requestId: string, fn: () => T): T {
  return store.run({ [InvokeStoreBase.PROTECTED_KEYS.REQUEST_ID]: requestId }, fn);
}
