import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { arnOf, LOCAL_ACCOUNT, LOCAL_REGION, resolve, resourcesOfType } from '../template.js';
import { AwsError } from './aws-error.js';
import { type Caller, runAs } from './caller.js';
import type { CloudCore, Invoker } from './core.js';
import { inInvocationScope } from './invocation-scope.js';
import {
  type FunctionLimits,
  functionLimits,
  InjectedLambdaTimeout,
  invocationKey,
  lambdaTimeoutError,
  runWithinTimeout,
} from './lambda-limits.js';

/** Lambda: the template's functions, their handlers imported into this process and invoked as their own roles. */

export interface FunctionSpec {
  logicalId: string;
  entry: string;
  environment: Record<string, string>;
  /** Timeout and MemorySize from the template (AWS defaults when absent). */
  limits: FunctionLimits;
}

type Handler = (event: unknown, context: unknown) => Promise<unknown>;

export class LocalLambda {
  readonly functions = new Map<string, FunctionSpec>();
  readonly invocations: Record<string, { count: number; totalMs: number; durationsMs: number[] }> = {};
  /** Log and trace writes the Lambda runtime could not make with a function's role (lost in AWS). */
  readonly runtimeDenials: string[] = [];
  private readonly handlers = new Map<string, Handler>();
  private readonly runtimeChecked = new Set<string>();

  constructor(
    private readonly core: CloudCore,
    private readonly projectRoot: string,
  ) {
    const { template } = core;
    for (const [logicalId, resource] of resourcesOfType(template, 'AWS::Lambda::Function')) {
      const entry = resource.Metadata?.['followup:entry'];
      if (typeof entry !== 'string') continue;
      const variables = (resolve(template, resource.Properties?.Environment) as { Variables?: Record<string, string> })?.Variables ?? {};
      this.functions.set(arnOf(template, logicalId), {
        logicalId,
        entry,
        environment: variables,
        limits: functionLimits(resource.Properties),
      });
    }
  }

  /** Every function's environment merged: in one process they must agree on shared names. */
  mergedEnvironment(): Record<string, string> {
    const merged: Record<string, string> = {};
    for (const fn of this.functions.values()) {
      for (const [key, value] of Object.entries(fn.environment)) {
        if (key in merged && merged[key] !== value) throw new Error(`functions disagree on ${key}: ${merged[key]} vs ${value}`);
        merged[key] = value;
      }
    }
    return merged;
  }

  /** Imports every handler; call after the environment is in place (SDK clients read it at import). */
  async loadHandlers(): Promise<void> {
    for (const [arn, fn] of this.functions) {
      const module = (await import(pathToFileURL(path.join(this.projectRoot, fn.entry)).href)) as { handler: Handler };
      this.handlers.set(arn, module.handler);
      this.handlers.set(fn.logicalId, module.handler);
    }
  }

  /**
   * Invokes a function as `invoker` (a state machine's role, EventBridge, the scheduler's role, API
   * Gateway) once the template's IAM allows it; the handler then runs as the function's own role.
   * Without an invoker the call is the operator's (a test driving a function directly).
   */
  invokeFunction(arnOrName: string, payload: unknown, invoker?: Invoker): Promise<unknown> {
    // One busy mark for the whole invocation, taken before its first await: a handler that waits on
    // the clock (a report pacing its emails) releases exactly this mark while it sleeps.
    return this.core.clock.track(() => this.invokeNow(arnOrName, payload, invoker));
  }

  private async invokeNow(arnOrName: string, payload: unknown, invoker?: Invoker): Promise<unknown> {
    const { core } = this;
    const handler = this.handlers.get(arnOrName) ?? this.handlers.get(arnOrName.split(':').pop() ?? '');
    const direct = this.functions.get(arnOrName);
    const [functionArn, spec] = direct
      ? [arnOrName, direct]
      : ([...this.functions.entries()].find(([, f]) => f.logicalId === arnOrName.split(':').pop()) ?? []);
    if (!handler || !spec || !functionArn) throw new AwsError('ResourceNotFoundException', `function ${arnOrName} not found`, 404);
    if (invoker)
      await core.iam.authorize(invoker.principal, { action: 'lambda:InvokeFunction', resource: functionArn, context: invoker.context });
    const caller = { roleArn: core.iam.roleOf.get(functionArn)!, sessionName: spec.logicalId };
    await this.checkRuntimeWrites(functionArn, spec.logicalId, caller);
    const requestId = core.nextId('req');
    const { timeoutSeconds, memorySizeMb } = spec.limits;
    const timedOut = () => lambdaTimeoutError(timeoutSeconds, requestId, core.clock.now());
    try {
      core.count('Lambda', 'Invoke', () => invocationKey(spec.logicalId, payload));
    } catch (error) {
      // An injected timeout fails the invocation the way a real one does, without the wait.
      throw error instanceof InjectedLambdaTimeout ? timedOut() : error;
    }
    const context = {
      functionName: spec.logicalId,
      functionVersion: '$LATEST',
      invokedFunctionArn: arnOrName,
      memoryLimitInMB: String(memorySizeMb),
      awsRequestId: requestId,
      logGroupName: `/aws/lambda/${spec.logicalId}`,
      logStreamName: 'local',
      callbackWaitsForEmptyEventLoop: false,
    };
    const started = performance.now();
    try {
      // Timed in real time (the local clock stands still while a handler runs); past its timeout the
      // invocation fails and the handler's late work is left behind, as Lambda freezes it.
      const run = (remainingMs: () => number) => handler(structuredClone(payload), { ...context, getRemainingTimeInMillis: remainingMs });
      return await inInvocationScope(requestId, () => runAs(caller, () => runWithinTimeout(timeoutSeconds, run, timedOut)));
    } finally {
      const stats = this.invocations[spec.logicalId] ?? { count: 0, totalMs: 0, durationsMs: [] };
      this.invocations[spec.logicalId] = stats;
      const ms = performance.now() - started;
      stats.count += 1;
      stats.totalMs += ms;
      stats.durationsMs.push(ms);
    }
  }

  /**
   * The Lambda runtime writes the function's logs (and traces, when tracing is active) with the
   * function's role. AWS does not fail the invocation when it may not: the logs are silently lost.
   * The local cloud keeps the denial in `runtimeDenials` so tests see the lost logs.
   */
  private async checkRuntimeWrites(functionArn: string, logicalId: string, caller: Caller): Promise<void> {
    if (this.runtimeChecked.has(functionArn)) return;
    this.runtimeChecked.add(functionArn);
    const { template, iam } = this.core;
    const props = resolve(template, template.Resources[logicalId]?.Properties) as {
      LoggingConfig?: { LogGroup?: string };
      TracingConfig?: { Mode?: string };
      FunctionName?: string;
    };
    const logGroup = props.LoggingConfig?.LogGroup ?? `/aws/lambda/${props.FunctionName ?? logicalId}`;
    const stream = `arn:aws:logs:${LOCAL_REGION}:${LOCAL_ACCOUNT}:log-group:${logGroup}:log-stream:local`;
    const writes = [
      { action: 'logs:CreateLogStream', resource: stream },
      { action: 'logs:PutLogEvents', resource: stream },
    ];
    if (props.TracingConfig?.Mode === 'Active')
      writes.push({ action: 'xray:PutTraceSegments', resource: '*' }, { action: 'xray:PutTelemetryRecords', resource: '*' });
    for (const write of writes) {
      await iam
        .authorize({ kind: 'role', ...caller }, write)
        .catch((error: Error) => this.runtimeDenials.push(`${logicalId}: ${error.message}`));
    }
  }

  /** A function's asynchronous-invocation dead-letter queue and the role that writes it (the function's). */
  deadLetterQueueOf(functionArn: string): [string, Invoker] | undefined {
    const spec = this.functions.get(functionArn);
    const { template } = this.core;
    const props = spec
      ? (resolve(template, template.Resources[spec.logicalId]?.Properties) as { DeadLetterConfig?: { TargetArn?: string } })
      : undefined;
    const queue = props?.DeadLetterConfig?.TargetArn;
    return queue && spec ? [queue, this.core.roleInvoker(functionArn, spec.logicalId)] : undefined;
  }
}
