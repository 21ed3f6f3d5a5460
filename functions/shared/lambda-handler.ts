import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import * as z from 'zod';
import { clock } from './clock.js';
import { logger, metrics } from './powertools.js';

/**
 * A workflow or schedule sent an input the function cannot work with. Not among the permanent
 * errors: the workflow's TaskFailed retry and its States.ALL Catch handle it as any other failure.
 * The message names each field and what was wrong with it, never the value that was sent.
 */
export class InvalidInput extends Error {
  override readonly name = 'InvalidInput';
  constructor(issues: z.ZodError['issues']) {
    const named = issues.map((issue) => `${issue.path.length ? issue.path.join('.') : '(input)'}: ${issue.message}`);
    super(`invalid input: ${named.join('; ')}`);
  }
}

/**
 * A function that takes one of two inputs (a workflow's main step and its "stop the task" step):
 * the first when the input is one, else the second, whose issues name the fields when it is not.
 */
export function eitherInput<A extends z.ZodType, B extends z.ZodType>(first: A, second: B) {
  return z.unknown().transform((event, ctx): z.output<A> | z.output<B> => {
    const one = first.safeParse(event);
    if (one.success) return one.data;
    const other = second.safeParse(event);
    if (other.success) return other.data;
    for (const issue of other.error.issues) ctx.addIssue({ ...issue } as never);
    return z.NEVER;
  });
}

/** What every use case receives besides its ports: the time of this invocation, from the one clock. */
export interface Now {
  now: Date;
}

export interface LambdaSpec<S extends z.ZodType, D extends Now, R> {
  /** The input at the edge. Upstream events that must be rejected with a record take `z.unknown()` and judge themselves. */
  input: S;
  /**
   * The ports. Called per invocation, but what it returns are per-container singletons (runtime.ts,
   * the adapters' module-level SDK clients): only configuration is read again, because the local
   * stack sets some of it (the outcome links' base URL) anew each time it starts in the same process.
   */
  deps: (context: Context) => Omit<D, 'now'> | Promise<Omit<D, 'now'>>;
  useCase: (input: z.output<S>, deps: D) => Promise<R>;
}

/**
 * The one shape of a Lambda handler: the input checked against its schema (a bad one fails with
 * InvalidInput naming the field), the use case run with its ports and the clock's now, the
 * invocation's context in every log line, and the metrics it recorded flushed (only when it recorded
 * some: see powertools.ts). Errors the use case throws reach the caller unchanged: Step Functions
 * retries or catches them by name.
 */
export function lambdaHandler<S extends z.ZodType, D extends Now, R>(spec: LambdaSpec<S, D, R>) {
  return middy(async (event: unknown, context: Context): Promise<R> => {
    const parsed = spec.input.safeParse(event);
    if (!parsed.success) throw new InvalidInput(parsed.error.issues);
    return spec.useCase(parsed.data, { ...(await spec.deps(context)), now: clock.now() } as D);
  })
    .use(injectLambdaContext(logger))
    .use(logMetrics(metrics));
}
