import path from 'node:path';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { StateMachine } from 'aws-local-stepfunctions';
import { CronExpressionParser } from 'cron-parser';
import type { VirtualClock } from './virtual-clock.js';
import { matchesPattern } from './event-patterns.js';
import { LOCAL_ACCOUNT, LOCAL_REGION, arnOf, resolve, resourcesOfType, type Template } from './template.js';
import { AwsError } from './cloud/aws-error.js';
import { runAs } from './cloud/caller.js';
import { inInvocationScope } from './cloud/invocation-scope.js';
import { TemplateIam, type Principal } from './cloud/iam.js';
import { functionLimits, InjectedLambdaTimeout, invocationKey, lambdaTimeoutError, runWithinTimeout, type FunctionLimits } from './cloud/lambda-limits.js';
import { SesAccount } from './cloud/ses-account.js';
import { checkPutEvents, checkStartExecution, checkPutObject, checkSendEmail, checkTaskContact, checkTaskOutput, enforceStateData, ExecutionLimits, refuse, terminalError } from './cloud/limits.js';
import { ConnectTaskLedger } from './cloud/connect-tasks.js';

/**
 * The AWS services the follow-up system uses, run in-process over the real engines: Lambda
 * (handlers imported and invoked), Step Functions (aws-local-stepfunctions running the
 * synthesized definitions), EventBridge (the template's rules and targets), Amazon Connect
 * (tasks on a local agent desk), SES (a local outbox) and Secrets Manager.
 */

export { AwsError };

export interface AgentTaskRecord {
  contactId: string;
  clientToken: string;
  name: string;
  description: string;
  outcomeFormUrl: string;
  /** Every link on the task by name (outcomeForm, and acknowledge on a manager's task). */
  references: Record<string, string>;
  attributes: Record<string, string>;
  createdAt: string;
  /** When the task stopped being active: completed through one of its links, or stopped. */
  closedAt?: string;
}

export interface SentEmail {
  messageId: string;
  to: string[];
  from: string;
  subject: string;
  html: string;
  text: string;
  /** Message headers the sender added (SES v2 Content.Simple.Headers), e.g. List-Unsubscribe. */
  headers?: { name: string; value: string }[];
  sentAt: string;
}

export interface ExecutionRecord {
  executionArn: string;
  stateMachineArn: string;
  name: string;
  input: string;
  status: 'RUNNING' | 'SUCCEEDED' | 'FAILED';
  startDate: string;
  stopDate?: string;
  output?: string;
  error?: string;
  /** States entered: what Step Functions Standard bills as state transitions. */
  transitions: number;
  states: string[];
  /** The state it is in and that state's input: enough to resume it after a restart. */
  current?: { state: string; input: unknown };
}

interface FunctionSpec {
  logicalId: string;
  entry: string;
  environment: Record<string, string>;
  /** Timeout and MemorySize from the template (AWS defaults when absent). */
  limits: FunctionLimits;
}

interface WaitSpec {
  seconds?: number;
  timestamp?: string;
  secondsPath?: string;
  timestampPath?: string;
}

interface PendingToken {
  executionArn: string;
  resume: (outcome: { output: unknown } | { error: string; cause?: string }) => void;
}

export interface FaultInjector {
  /** Throws an AwsError to simulate throttling or a failure of `service.operation`. */
  before(service: string, operation: string, key: string): void;
}

/** Who invokes a function or starts an execution, and the request context AWS adds (the source rule's ARN). */
export interface Invoker {
  principal: Principal;
  context?: Record<string, string>;
}

interface DeliveryTarget {
  arn: string;
  dlq?: string;
  invoker: Invoker;
}

const TOKEN_PLACEHOLDER = '__LOCAL_TASK_TOKEN__';
const TIMEOUT_PARAM = '__timeoutSeconds.$';

function jsonPath(input: unknown, path: string): unknown {
  if (path === '$') return input;
  return path
    .replace(/^\$\.?/, '')
    .split('.')
    .reduce<unknown>((value, key) => (value && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined), input);
}

export class LocalCloud {
  readonly functions = new Map<string, FunctionSpec>();
  private readonly handlers = new Map<string, (event: unknown, context: unknown) => Promise<unknown>>();
  private readonly stateMachines = new Map<string, { definition: Record<string, unknown>; waits: Map<string, WaitSpec>; engine: StateMachine; resumeEngines?: Map<string, StateMachine> }>();
  private stateFile: string | undefined;
  private persistQueued = false;
  readonly executions = new Map<string, ExecutionRecord>();
  private readonly tokens = new Map<string, PendingToken>();
  private readonly rules: { busName: string; pattern: Record<string, unknown>; targets: DeliveryTarget[] }[] = [];
  readonly agentTasks: AgentTaskRecord[] = [];
  /** When each new Connect task was created (virtual ms): the load test's quota figures. */
  readonly contactStarts: number[] = [];
  /** Every event accepted on a bus, in order (upstream events and the system's own). */
  readonly publishedEvents: { busName: string; event: Record<string, unknown> }[] = [];
  private readonly deliveries = new Map<string, Promise<unknown>>();
  readonly outbox: SentEmail[] = [];
  /** Messages SES refused (never delivered, so not in the outbox). */
  readonly rejectedMail: { to: string[]; subject: string; code: string; reason: string; at: string }[] = [];
  /** The SES account's standing: a new account is in the sandbox (startLocalStack configures it). */
  ses = new SesAccount();
  readonly deadLetters: { queue: string; body: unknown; reason: string; at: string }[] = [];
  readonly apiCalls: Record<string, number> = {};
  readonly invocations: Record<string, { count: number; totalMs: number; durationsMs: number[] }> = {};
  private readonly listeners = { agentTask: [] as ((task: AgentTaskRecord) => void)[], email: [] as ((email: SentEmail) => void)[] };
  private readonly secrets = new Map<string, string>();
  private readonly schedules: { name: string; cron: string; timeZone: string; target: string; roleArn: string; input: unknown; dlq?: string }[] = [];
  /** Objects put into S3 buckets, by "bucket/key". */
  readonly objects = new Map<string, { body: string; contentType: string; at: string }>();
  private readonly objectListeners: ((bucket: string, key: string, body: string) => void)[] = [];
  private seq = 0;
  faults: FaultInjector | undefined;
  /** Active Connect tasks against the instance's quota (`connectTasks.quota`, default 2,500). */
  readonly connectTasks = new ConnectTaskLedger();
  /** Requests the endpoint refused because they break AWS's published API contract: a normal run has none. */
  readonly refusedRequests: { operation: string; code: string; message: string; at: string }[] = [];
  private readonly pendingChecks: Promise<void>[] = [];
  private readonly runtimeChecked = new Set<string>();
  /** Log and trace writes the Lambda runtime could not make with a function's role (lost in AWS). */
  readonly runtimeDenials: string[] = [];
  /** The template's IAM: every call a function, state machine, rule or schedule makes is authorised here. */
  readonly iam: TemplateIam;

  constructor(
    readonly template: Template,
    readonly clock: VirtualClock,
    private readonly projectRoot: string,
    private readonly secretSeed = 'local',
  ) {
    this.iam = new TemplateIam(template);
    for (const [logicalId, resource] of resourcesOfType(template, 'AWS::Lambda::Function')) {
      const entry = resource.Metadata?.['followup:entry'];
      if (typeof entry !== 'string') continue;
      const variables = (resolve(template, resource.Properties?.Environment) as { Variables?: Record<string, string> })?.Variables ?? {};
      this.functions.set(arnOf(template, logicalId), { logicalId, entry, environment: variables, limits: functionLimits(resource.Properties) });
    }
    for (const [logicalId, resource] of resourcesOfType(template, 'AWS::StepFunctions::StateMachine')) {
      const definition = JSON.parse(resolve(template, resource.Properties?.DefinitionString) as string) as Record<string, unknown>;
      this.pendingChecks.push(this.checkStateMachineRole(logicalId, resource.Properties ?? {}));
      const local = this.localDefinition(definition);
      // Validated once here: building the engine compiles the ASL schema, far too slow per execution.
      const engine = new StateMachine(local.definition as never, { validationOptions: { checkPaths: false, checkArn: false } });
      this.stateMachines.set(arnOf(template, logicalId), { ...local, engine });
    }
    for (const [name, resource] of resourcesOfType(template, 'AWS::Scheduler::Schedule')) {
      const props = resolve(template, resource.Properties) as { ScheduleExpression: string; ScheduleExpressionTimezone?: string; State?: string; Target: { Arn: string; RoleArn: string; Input?: string; DeadLetterConfig?: { Arn: string } } };
      const cron = /^cron\((.+)\)$/.exec(props.ScheduleExpression)?.[1];
      if (!cron || props.State === 'DISABLED') continue;
      // AWS cron has six fields (the last is the year) and "?" for "any": cron-parser takes five.
      const fields = cron.split(' ').slice(0, 5).map((f) => (f === '?' ? '*' : f));
      this.schedules.push({ name, cron: fields.join(' '), timeZone: props.ScheduleExpressionTimezone ?? 'UTC', target: props.Target.Arn, roleArn: props.Target.RoleArn, input: JSON.parse(props.Target.Input ?? '{}'), dlq: props.Target.DeadLetterConfig?.Arn });
    }
    for (const [logicalId, resource] of resourcesOfType(template, 'AWS::Events::Rule')) {
      const props = resolve(template, resource.Properties) as { EventBusName?: string; EventPattern: Record<string, unknown>; Targets: { Arn: string; RoleArn?: string; DeadLetterConfig?: { Arn: string } }[] };
      const ruleArn = arnOf(template, logicalId);
      this.rules.push({ busName: props.EventBusName ?? 'default', pattern: props.EventPattern, targets: props.Targets.map((t) => ({ arn: t.Arn, dlq: t.DeadLetterConfig?.Arn, invoker: this.ruleInvoker(ruleArn, t.RoleArn) })) });
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
      const module = (await import(pathToFileURL(path.join(this.projectRoot, fn.entry)).href)) as { handler: (e: unknown, c: unknown) => Promise<unknown> };
      this.handlers.set(arn, module.handler);
      this.handlers.set(fn.logicalId, module.handler);
    }
  }

  stateMachineArns(): string[] {
    return [...this.stateMachines.keys()];
  }

  /** Counts an API call and lets the fault injector fail it; `key` names the request for repeatable faults. */
  count(service: string, operation: string, key = ''): void {
    const name = `${service}.${operation}`;
    this.apiCalls[name] = (this.apiCalls[name] ?? 0) + 1;
    this.faults?.before(service, operation, key);
  }

  nextId(prefix: string): string {
    this.seq += 1;
    return `${prefix}-${createHash('sha256').update(`${prefix}:${this.seq}`).digest('hex').slice(0, 12)}-${this.seq}`;
  }

  // ── Lambda ────────────────────────────────────────────────────────────────────────────────

  /**
   * Invokes a function as `invoker` (a state machine's role, EventBridge, the scheduler's role, API
   * Gateway) once the template's IAM allows it; the handler then runs as the function's own role.
   * Without an invoker the call is the operator's (a test driving a function directly).
   */
  invokeFunction(arnOrName: string, payload: unknown, invoker?: Invoker): Promise<unknown> {
    // One busy mark for the whole invocation, taken before its first await: a handler that waits on
    // the clock (a report pacing its emails) releases exactly this mark while it sleeps.
    return this.clock.track(() => this.invokeNow(arnOrName, payload, invoker));
  }

  private async invokeNow(arnOrName: string, payload: unknown, invoker?: Invoker): Promise<unknown> {
    const handler = this.handlers.get(arnOrName) ?? this.handlers.get(arnOrName.split(':').pop() ?? '');
    const direct = this.functions.get(arnOrName);
    const [functionArn, spec] = direct ? [arnOrName, direct] : ([...this.functions.entries()].find(([, f]) => f.logicalId === arnOrName.split(':').pop()) ?? []);
    if (!handler || !spec || !functionArn) throw new AwsError('ResourceNotFoundException', `function ${arnOrName} not found`, 404);
    if (invoker) await this.iam.authorize(invoker.principal, { action: 'lambda:InvokeFunction', resource: functionArn, context: invoker.context });
    const caller = { roleArn: this.iam.roleOf.get(functionArn)!, sessionName: spec.logicalId };
    await this.checkRuntimeWrites(functionArn, spec.logicalId, caller);
    const requestId = this.nextId('req');
    const { timeoutSeconds, memorySizeMb } = spec.limits;
    const timedOut = () => lambdaTimeoutError(timeoutSeconds, requestId, this.clock.now());
    try {
      this.count('Lambda', 'Invoke', invocationKey(spec.logicalId, payload));
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
      return await inInvocationScope(requestId, () => runAs(caller, () => runWithinTimeout(timeoutSeconds, (remainingMs) => handler(structuredClone(payload), { ...context, getRemainingTimeInMillis: remainingMs }), timedOut)));
    } finally {
      const stats = (this.invocations[spec.logicalId] ??= { count: 0, totalMs: 0, durationsMs: [] });
      const ms = performance.now() - started;
      stats.count += 1;
      stats.totalMs += ms;
      stats.durationsMs.push(ms);
    }
  }

  // ── Step Functions ────────────────────────────────────────────────────────────────────────

  /**
   * Adapts a definition to the local engine: Wait states sleep on the virtual clock (so a
   * month passes in seconds), callback tasks carry their timeout into the override, and the
   * execution-level timeout is dropped (the engine would arm a real timer for it).
   */
  private localDefinition(definition: Record<string, unknown>) {
    const waits = new Map<string, WaitSpec>();
    const local = structuredClone(definition) as { States: Record<string, Record<string, unknown>>; TimeoutSeconds?: number };
    delete local.TimeoutSeconds;
    for (const [name, state] of Object.entries(local.States)) {
      if (state.Type === 'Wait') {
        waits.set(name, { seconds: state.Seconds as number, timestamp: state.Timestamp as string, secondsPath: state.SecondsPath as string, timestampPath: state.TimestampPath as string });
        for (const key of ['Seconds', 'Timestamp', 'SecondsPath', 'TimestampPath']) delete state[key];
        state.Type = 'Task';
        state.Resource = 'arn:aws:lambda:us-east-1:000000000000:function:local-wait';
      }
      if (state.Type === 'Task') {
        const params = state.Parameters as Record<string, unknown> | undefined;
        if (typeof state.Resource === 'string' && state.Resource.endsWith('.waitForTaskToken') && params) {
          const payload = params.Payload as Record<string, unknown>;
          for (const [key, value] of Object.entries(payload)) if (value === '$$.Task.Token') payload[key.replace(/\.\$$/, '')] = TOKEN_PLACEHOLDER;
          for (const key of Object.keys(payload)) if (payload[key] === '$$.Task.Token') delete payload[key];
          if (state.TimeoutSecondsPath) params[TIMEOUT_PARAM] = state.TimeoutSecondsPath;
          if (state.TimeoutSeconds) params.__timeoutSeconds = state.TimeoutSeconds;
        }
        delete state.TimeoutSecondsPath;
        delete state.HeartbeatSeconds;
        // The override enforces timeouts on the virtual clock; the engine's own timer is real time.
        state.TimeoutSeconds = 2_000_000;
      }
    }
    return { definition: local, waits };
  }

  startExecution(stateMachineArn: string, name: string | undefined, input: string): ExecutionRecord {
    const machine = this.stateMachines.get(stateMachineArn);
    if (!machine) throw new AwsError('StateMachineDoesNotExist', `state machine ${stateMachineArn} does not exist`);
    this.count('StepFunctions', 'StartExecution');
    refuse(checkStartExecution(name, input));
    const executionName = name ?? this.nextId('exec');
    const executionArn = `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${executionName}`;
    const existing = this.executions.get(executionArn);
    if (existing) {
      if (existing.status === 'RUNNING' && existing.input === input) return existing;
      throw new AwsError('ExecutionAlreadyExists', `Execution already exists: '${executionArn}'`);
    }
    const record: ExecutionRecord = { executionArn, stateMachineArn, name: executionName, input, status: 'RUNNING', startDate: this.clock.now().toISOString(), transitions: 0, states: [] };
    this.executions.set(executionArn, record);
    this.clock.hold();
    void this.runExecution(record, machine).finally(() => this.clock.release());
    return record;
  }

  private async runExecution(record: ExecutionRecord, machine: { definition: Record<string, unknown>; waits: Map<string, WaitSpec>; engine: StateMachine; resumeEngines?: Map<string, StateMachine> }, resumeAt?: { state: string; input: unknown }) {
    const definition = machine.definition as { States: Record<string, Record<string, unknown>> };
    const overrides: Record<string, (input: unknown) => Promise<unknown>> = {};
    // Limits are seen on the engine's event log, a little behind the engine: no task runs once one is hit.
    const limits = new ExecutionLimits();
    const retryIntervals: Record<string, number> = {};
    for (const [stateName, state] of Object.entries(definition.States)) {
      if (state.Type !== 'Task') continue;
      retryIntervals[stateName] = 0;
      overrides[stateName] = (input) => (limits.exceeded ? Promise.reject(terminalError(limits.exceeded)) : this.runTask(record, stateName, state, machine.waits.get(stateName), input));
    }
    let engine = machine.engine;
    if (resumeAt) {
      machine.resumeEngines ??= new Map();
      engine = machine.resumeEngines.get(resumeAt.state) ?? new StateMachine({ ...definition, StartAt: resumeAt.state } as never, { validationOptions: { noValidate: true } });
      machine.resumeEngines.set(resumeAt.state, engine);
    }
    const execution = engine.run((resumeAt ? resumeAt.input : JSON.parse(record.input)) as never, {
      overrides: { taskResourceLocalHandlers: overrides as never, retryIntervalOverrides: retryIntervals },
      context: { Execution: { Id: record.executionArn, Name: record.name, StartTime: record.startDate, Input: JSON.parse(record.input) }, StateMachine: { Id: record.stateMachineArn } },
      noThrowOnAbort: true,
    });
    const counting = (async () => {
      for await (const event of execution.eventLogs as AsyncGenerator<{ type: string; state?: { name: string } }>) {
        if (limits.observe(event)) execution.abort();
        if (event.type === 'StateEntered') {
          record.transitions += 1;
          record.states.push(event.state?.name ?? '?');
          record.current = { state: event.state?.name ?? '?', input: (event.state as { input?: unknown } | undefined)?.input };
          this.persistSoon();
        }
      }
    })();
    try {
      const output = await execution.result;
      if (limits.exceeded) throw terminalError(limits.exceeded);
      record.status = 'SUCCEEDED';
      record.output = JSON.stringify(output);
    } catch (error) {
      record.status = 'FAILED';
      record.error = `${(error as Error).name}: ${(error as Error).message}`;
    }
    await counting.catch(() => undefined);
    record.stopDate = this.clock.now().toISOString();
    this.persistSoon();
  }

  private async runTask(record: ExecutionRecord, stateName: string, state: Record<string, unknown>, wait: WaitSpec | undefined, input: unknown): Promise<unknown> {
    if (wait) {
      const at = wait.timestampPath
        ? new Date(String(jsonPath(input, wait.timestampPath))).getTime()
        : wait.timestamp
          ? new Date(wait.timestamp).getTime()
          : this.clock.nowMs() + 1000 * Number(wait.secondsPath ? jsonPath(input, wait.secondsPath) : wait.seconds ?? 0);
      await this.clock.sleepUntil(at, { key: `${record.name}:${stateName}`, owner: 'execution' });
      return input;
    }
    const resource = String(state.Resource);
    const invoker = this.stateMachineInvoker(record.stateMachineArn);
    enforceStateData(stateName, 'input', input);
    if (resource.endsWith('.waitForTaskToken')) return this.runCallbackTask(record, input as Record<string, unknown>, invoker);
    if (resource === 'arn:aws:states:::lambda:invoke') {
      const params = input as { FunctionName: string; Payload: unknown };
      const result = { StatusCode: 200, Payload: await this.invokeFunction(params.FunctionName, params.Payload, invoker) };
      enforceStateData(stateName, 'output', result);
      return result;
    }
    const result = await this.invokeFunction(resource, input, invoker);
    enforceStateData(stateName, 'output', result);
    return result;
  }

  /** lambda:invoke.waitForTaskToken: a fresh token per entry, then wait for SendTask* or the timeout. */
  private async runCallbackTask(record: ExecutionRecord, params: Record<string, unknown>, invoker: Invoker): Promise<unknown> {
    const token = `${this.nextId('token')}.${record.name}`;
    const timeoutSeconds = Number(params[TIMEOUT_PARAM] ?? params.__timeoutSeconds ?? 99_999_999);
    const payload = JSON.parse(JSON.stringify(params.Payload).replaceAll(TOKEN_PLACEHOLDER, token)) as unknown;
    let settle!: (outcome: { output: unknown } | { error: string; cause?: string }) => void;
    const answered = new Promise<{ output: unknown } | { error: string; cause?: string }>((resolve) => (settle = resolve));
    let cancelTimer = () => {};
    const finish = (outcome: { output: unknown } | { error: string; cause?: string }) => {
      if (!this.tokens.delete(token)) return;
      cancelTimer();
      this.clock.hold();
      settle(outcome);
    };
    this.tokens.set(token, { executionArn: record.executionArn, resume: finish });
    try {
      await this.invokeFunction(String(params.FunctionName), payload, invoker);
    } catch (error) {
      this.tokens.delete(token);
      throw error;
    }
    if (!this.tokens.has(token)) {
      // Answered during the invocation itself (e.g. the function found the customer opted out).
      const outcome = await answered;
      this.clock.release();
      return this.unwrap(outcome);
    }
    cancelTimer = this.clock.timer(this.clock.nowMs() + timeoutSeconds * 1000, () => finish({ error: 'States.Timeout', cause: 'no answer within the task timeout' }), token, 'execution');
    this.clock.release();
    const outcome = await answered;
    return this.unwrap(outcome);
  }

  private unwrap(outcome: { output: unknown } | { error: string; cause?: string }): unknown {
    if ('output' in outcome) return outcome.output;
    const error = Object.assign(new Error(outcome.cause ?? outcome.error), { name: outcome.error });
    // As in AWS, "States.TaskFailed" retriers do not match a task timeout; only its Catch does.
    if (outcome.error === 'States.Timeout') Object.assign(error, { isRetryable: false });
    throw error;
  }

  sendTaskSuccess(token: string, output: string): void {
    this.count('StepFunctions', 'SendTaskSuccess');
    const pending = this.tokens.get(token);
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
    this.count('StepFunctions', 'SendTaskFailure');
    const pending = this.tokens.get(token);
    if (!pending) throw new AwsError('TaskDoesNotExist', 'Task does not exist anymore');
    pending.resume({ error: error ?? 'TaskFailed', cause });
  }

  /** The state machine whose execution is waiting on `token` (what SendTask* calls are authorised on). */
  stateMachineOfToken(token: string): string | undefined {
    const executionArn = this.tokens.get(token)?.executionArn;
    if (executionArn) return this.executions.get(executionArn)?.stateMachineArn;
    // A token already answered (or from before a restart) still names its execution, as AWS's tokens do.
    const executionName = token.slice(token.indexOf('.') + 1);
    return [...this.executions.values()].find((e) => e.name === executionName)?.stateMachineArn;
  }

  openTokens(): number {
    return this.tokens.size;
  }

  // ── EventBridge ───────────────────────────────────────────────────────────────────────────

  putEvents(entries: { Source?: string; DetailType?: string; Detail?: string; EventBusName?: string; Resources?: string[]; Time?: string }[]) {
    this.count('EventBridge', 'PutEvents');
    refuse(checkPutEvents(entries));
    const results = entries.map((entry) => {
      if (!entry.Source || !entry.DetailType || entry.Detail === undefined) {
        return { ErrorCode: 'InvalidArgument', ErrorMessage: 'Source, DetailType and Detail are required' };
      }
      let detail: unknown;
      try {
        detail = JSON.parse(entry.Detail);
      } catch {
        return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' };
      }
      if (!detail || typeof detail !== 'object' || Array.isArray(detail)) return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail must be a JSON object.' };
      const busName = (entry.EventBusName ?? 'default').split('/').pop()!;
      const event = {
        version: '0',
        id: this.nextId('evt'),
        'detail-type': entry.DetailType,
        source: entry.Source,
        account: '000000000000',
        time: this.clock.now().toISOString().replace(/\.\d{3}Z$/, 'Z'),
        region: 'us-east-1',
        resources: entry.Resources ?? [],
        detail,
      };
      this.publishedEvents.push({ busName, event });
      const pending: Promise<unknown>[] = [];
      for (const rule of this.rules) {
        if (rule.busName !== busName || !matchesPattern(rule.pattern, event)) continue;
        for (const target of rule.targets) {
          this.clock.hold();
          pending.push(this.deliver(target, event).finally(() => this.clock.release()));
        }
      }
      this.deliveries.set(event.id, Promise.allSettled(pending).finally(() => this.deliveries.delete(event.id)));
      return { EventId: event.id };
    });
    return { FailedEntryCount: results.filter((r) => 'ErrorCode' in r).length, Entries: results };
  }

  /** Resolves when every target of the event has had it (delivered or dead-lettered). */
  async delivered(eventId: string): Promise<void> {
    await this.deliveries.get(eventId);
  }

  /**
   * Asynchronous delivery as AWS does it. An event the deliverer may not hand over (the function's
   * policy or the target role refuses) goes to the target's dead-letter queue, written by the
   * deliverer (EventBridge on the queue's policy, the scheduler with its role). A handler that fails
   * its invocation and two retries goes to the function's own dead-letter queue, written with the
   * function's role. A dead letter that may not be written is dropped, as AWS drops it.
   */
  private async deliver(target: DeliveryTarget, event: Record<string, unknown>) {
    let lastError: unknown;
    for (let attempt = 0; attempt < 3; attempt += 1) {
      try {
        if (target.arn.includes(':stateMachine:')) {
          await this.iam.authorize(target.invoker.principal, { action: 'states:StartExecution', resource: target.arn, context: target.invoker.context });
          this.startExecution(target.arn, undefined, JSON.stringify(event));
        } else {
          await this.invokeFunction(target.arn, event, target.invoker);
        }
        return;
      } catch (error) {
        lastError = error;
        if ((error as AwsError).code === 'AccessDeniedException') break;
      }
    }
    const reason = String((lastError as Error)?.message ?? lastError);
    const refusedDelivery = (lastError as AwsError)?.code === 'AccessDeniedException';
    const functionDlq = refusedDelivery ? undefined : this.functionDeadLetterQueue(target.arn);
    const [queueArn, writer] = functionDlq ?? [target.dlq, target.invoker];
    let queue = queueArn ?? 'none';
    if (queueArn) {
      const denied = await this.iam.authorize(writer.principal, { action: 'sqs:SendMessage', resource: queueArn, context: writer.context }).then(() => undefined, (error: Error) => error);
      if (denied) queue = `none (dropped: ${denied.message})`;
    }
    this.deadLetters.push({ queue, body: { eventId: event.id, detailType: event['detail-type'], input: event.id ? undefined : event }, reason, at: this.clock.now().toISOString() });
  }

  /** A function's asynchronous-invocation dead-letter queue and the role that writes it (the function's). */
  private functionDeadLetterQueue(functionArn: string): [string, Invoker] | undefined {
    const spec = this.functions.get(functionArn);
    const props = spec ? (resolve(this.template, this.template.Resources[spec.logicalId]?.Properties) as { DeadLetterConfig?: { TargetArn?: string } }) : undefined;
    const queue = props?.DeadLetterConfig?.TargetArn;
    return queue && spec ? [queue, { principal: { kind: 'role', roleArn: this.iam.roleOf.get(functionArn)!, sessionName: spec.logicalId } }] : undefined;
  }

  /** EventBridge invokes a Lambda target on the function's resource policy, other targets with the target's role. */
  private ruleInvoker(ruleArn: string, roleArn: string | undefined): Invoker {
    const context = { 'aws:SourceArn': ruleArn };
    return roleArn ? { principal: { kind: 'role', roleArn, sessionName: 'events' }, context } : { principal: { kind: 'service', service: 'events.amazonaws.com' }, context };
  }

  private stateMachineInvoker(stateMachineArn: string): Invoker {
    return { principal: { kind: 'role', roleArn: this.iam.roleOf.get(stateMachineArn)!, sessionName: stateMachineArn.split(':').pop()! } };
  }

  /**
   * CreateStateMachine refuses a definition whose role cannot deliver its logs or traces, so the
   * local cloud refuses to boot one too.
   */
  private async checkStateMachineRole(logicalId: string, props: Record<string, unknown>): Promise<void> {
    const roleArn = String(resolve(this.template, props.RoleArn));
    const principal: Principal = { kind: 'role', roleArn, sessionName: 'states' };
    const needed: string[] = [];
    if ((props.LoggingConfiguration as { Destinations?: unknown[] } | undefined)?.Destinations?.length) {
      needed.push('logs:CreateLogDelivery', 'logs:GetLogDelivery', 'logs:UpdateLogDelivery', 'logs:DeleteLogDelivery', 'logs:ListLogDeliveries', 'logs:PutResourcePolicy', 'logs:DescribeResourcePolicies', 'logs:DescribeLogGroups');
    }
    if ((props.TracingConfiguration as { Enabled?: boolean } | undefined)?.Enabled) needed.push('xray:PutTraceSegments', 'xray:PutTelemetryRecords', 'xray:GetSamplingRules', 'xray:GetSamplingTargets');
    for (const action of needed) {
      const decision = await this.iam.decide(principal, { action, resource: '*' });
      if (!decision.allowed) throw new AwsError('AccessDeniedException', `CreateStateMachine ${logicalId}: the state machine's role is not authorized to perform ${action} (needed for its ${action.startsWith('logs') ? 'log destination' : 'tracing'})`);
    }
  }

  /**
   * The Lambda runtime writes the function's logs (and traces, when tracing is active) with the
   * function's role. AWS does not fail the invocation when it may not: the logs are silently lost.
   * The local cloud keeps the denial in `runtimeDenials` so tests see the lost logs.
   */
  private async checkRuntimeWrites(functionArn: string, logicalId: string, caller: { roleArn: string; sessionName: string }): Promise<void> {
    if (this.runtimeChecked.has(functionArn)) return;
    this.runtimeChecked.add(functionArn);
    const props = resolve(this.template, this.template.Resources[logicalId]?.Properties) as { LoggingConfig?: { LogGroup?: string }; TracingConfig?: { Mode?: string }; FunctionName?: string };
    const logGroup = props.LoggingConfig?.LogGroup ?? `/aws/lambda/${props.FunctionName ?? logicalId}`;
    const stream = `arn:aws:logs:${LOCAL_REGION}:${LOCAL_ACCOUNT}:log-group:${logGroup}:log-stream:local`;
    const writes = [{ action: 'logs:CreateLogStream', resource: stream }, { action: 'logs:PutLogEvents', resource: stream }];
    if (props.TracingConfig?.Mode === 'Active') writes.push({ action: 'xray:PutTraceSegments', resource: '*' }, { action: 'xray:PutTelemetryRecords', resource: '*' });
    for (const write of writes) {
      await this.iam.authorize({ kind: 'role', ...caller }, write).catch((error: Error) => this.runtimeDenials.push(`${logicalId}: ${error.message}`));
    }
  }

  /** Resolves once the template has passed the checks AWS makes when it creates the resources. */
  async ready(): Promise<void> {
    await Promise.all(this.pendingChecks);
  }

  // ── Restart without loss ──────────────────────────────────────────────────────────────────

  /** Keeps running executions, the agent desk and the outbox in `file`, written as they change. */
  persistTo(file: string): void {
    this.stateFile = file;
    this.persistNow();
  }

  private persistSoon(): void {
    if (!this.stateFile || this.persistQueued) return;
    this.persistQueued = true;
    setImmediate(() => {
      this.persistQueued = false;
      this.persistNow();
    });
  }

  persistNow(): void {
    if (!this.stateFile) return;
    const running = [...this.executions.values()].filter((e) => e.status === 'RUNNING' && e.current);
    const snapshot = { clockNow: this.clock.nowMs(), executions: running, agentTasks: this.agentTasks, outbox: this.outbox };
    writeFileSync(`${this.stateFile}.tmp`, JSON.stringify(snapshot));
    renameSync(`${this.stateFile}.tmp`, this.stateFile);
  }

  /**
   * Picks up where a stopped stack left off: each running execution restarts in the state it was
   * in, with that state's input. A contact step that runs again finds its attempt already
   * contacted and only parks its new task token, so nobody is called or emailed twice.
   */
  resumeFrom(file: string): { executions: number } {
    if (!existsSync(file)) return { executions: 0 };
    const snapshot = JSON.parse(readFileSync(file, 'utf8')) as { executions: ExecutionRecord[]; agentTasks: AgentTaskRecord[]; outbox: SentEmail[] };
    this.agentTasks.push(...snapshot.agentTasks);
    for (const task of snapshot.agentTasks) if (!task.closedAt) this.connectTasks.opened(task.contactId, Date.parse(task.createdAt), Object.values(task.references));
    this.outbox.push(...snapshot.outbox);
    // Mail sent before the restart still counts against SES's rolling 24-hour quota and its rate.
    for (const mail of snapshot.outbox) this.ses.recordSent(mail.to.length, Date.parse(mail.sentAt));
    for (const saved of snapshot.executions) {
      const machine = this.stateMachines.get(saved.stateMachineArn);
      if (!machine || !saved.current) continue;
      const record: ExecutionRecord = { ...saved, status: 'RUNNING' };
      this.executions.set(record.executionArn, record);
      this.clock.hold();
      void this.runExecution(record, machine, saved.current).finally(() => this.clock.release());
    }
    return { executions: snapshot.executions.length };
  }

  static savedClock(file: string): number | undefined {
    return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as { clockNow?: number }).clockNow : undefined;
  }

  // ── EventBridge Scheduler ─────────────────────────────────────────────────────────────────

  /** Arms every schedule of the template on the clock; each run re-arms the next one. */
  startSchedules(): void {
    for (const schedule of this.schedules) {
      const arm = () => {
        const next = CronExpressionParser.parse(schedule.cron, { currentDate: new Date(this.clock.nowMs()), tz: schedule.timeZone }).next().toDate().getTime();
        this.clock.timer(next, () => {
          this.count('Scheduler', 'Invoke');
          const invoker: Invoker = { principal: { kind: 'role', roleArn: schedule.roleArn, sessionName: schedule.name } };
          // Not tracked here: the invocation takes its own busy mark synchronously.
          void this.deliver({ arn: schedule.target, dlq: schedule.dlq, invoker }, schedule.input as Record<string, unknown>);
          arm();
        }, `schedule:${schedule.name}`, 'schedule');
      };
      arm();
    }
  }

  scheduleNames(): string[] {
    return this.schedules.map((s) => s.name);
  }

  // ── S3 ────────────────────────────────────────────────────────────────────────────────────

  putObject(bucket: string, key: string, body: string, contentType: string) {
    this.count('S3', 'PutObject');
    refuse(checkPutObject(key));
    this.objects.set(`${bucket}/${key}`, { body, contentType, at: this.clock.now().toISOString() });
    for (const listener of this.objectListeners) listener(bucket, key, body);
    return { ETag: `"${createHash('md5').update(body).digest('hex')}"` };
  }

  onObject(listener: (bucket: string, key: string, body: string) => void): void {
    this.objectListeners.push(listener);
  }

  // ── Amazon Connect, SES, Secrets Manager ──────────────────────────────────────────────────

  startTaskContact(request: { ClientToken?: string; Name?: string; Description?: string; References?: Record<string, { Value: string }>; Attributes?: Record<string, string> }) {
    this.count('Connect', 'StartTaskContact', request.ClientToken);
    const existing = request.ClientToken ? this.agentTasks.find((t) => t.clientToken === request.ClientToken) : undefined;
    if (existing) return { ContactId: existing.contactId };
    if (!request.Name) throw new AwsError('InvalidParameterException', 'Name is required');
    refuse(checkTaskContact(request, this.clock.nowMs(), this.connectTasks.active(this.clock.nowMs()), this.connectTasks.quota));
    const task: AgentTaskRecord = {
      contactId: this.nextId('contact'),
      clientToken: request.ClientToken ?? '',
      name: request.Name,
      description: request.Description ?? '',
      outcomeFormUrl: request.References?.outcomeForm?.Value ?? '',
      references: Object.fromEntries(Object.entries(request.References ?? {}).map(([name, ref]) => [name, ref.Value])),
      attributes: request.Attributes ?? {},
      createdAt: this.clock.now().toISOString(),
    };
    this.agentTasks.push(task);
    this.connectTasks.opened(task.contactId, this.clock.nowMs(), Object.values(task.references));
    this.persistSoon();
    this.contactStarts.push(this.clock.nowMs());
    for (const listener of this.listeners.agentTask) listener(task);
    return { ContactId: task.contactId };
  }

  /** StopContact: the task leaves the agents' queue and no longer counts as active. */
  stopContact(contactId: string): Record<string, never> {
    this.count('Connect', 'StopContact', contactId);
    const task = this.agentTasks.find((t) => t.contactId === contactId);
    // "Chat and task contacts can be terminated in any state"; ContactNotFoundException is for voice only.
    if (!task) throw new AwsError('ResourceNotFoundException', `Contact ${contactId} not found`, 404);
    this.connectTasks.closed(contactId);
    task.closedAt ??= this.clock.now().toISOString();
    this.persistSoon();
    return {};
  }

  /** An outcome or acknowledge link answered: the agent has completed the task it was on. */
  linkAnswered(path: string): void {
    const contactId = this.connectTasks.linkAnswered(path);
    const task = contactId ? this.agentTasks.find((t) => t.contactId === contactId) : undefined;
    if (task && !task.closedAt) task.closedAt = this.clock.now().toISOString();
  }

  sendEmail(request: { FromEmailAddress?: string; Destination?: { ToAddresses?: string[] }; Content?: { Simple?: { Subject?: { Data?: string }; Body?: { Html?: { Data?: string }; Text?: { Data?: string } }; Headers?: { Name?: string; Value?: string }[] } } }) {
    this.count('SES', 'SendEmail', `${request.Destination?.ToAddresses?.join(',')}:${request.Content?.Simple?.Subject?.Data}`);
    refuse(checkSendEmail(request));
    const simple = request.Content?.Simple;
    if (!request.Destination?.ToAddresses?.length || !simple?.Subject?.Data) throw new AwsError('BadRequestException', 'Destination and Subject are required');
    const refusal = this.ses.refusal(request.FromEmailAddress ?? '', request.Destination.ToAddresses, this.clock.nowMs());
    if (refusal) {
      this.rejectedMail.push({ to: request.Destination.ToAddresses, subject: simple.Subject.Data, code: refusal.code, reason: refusal.message, at: this.clock.now().toISOString() });
      throw new AwsError(refusal.code, refusal.message, refusal.status);
    }
    this.ses.recordSent(request.Destination.ToAddresses.length, this.clock.nowMs());
    const email: SentEmail = {
      messageId: this.nextId('msg'),
      to: request.Destination.ToAddresses,
      from: request.FromEmailAddress ?? '',
      subject: simple.Subject.Data,
      html: simple.Body?.Html?.Data ?? '',
      text: simple.Body?.Text?.Data ?? '',
      ...(simple.Headers?.length ? { headers: simple.Headers.map((h) => ({ name: h.Name ?? '', value: h.Value ?? '' })) } : {}),
      sentAt: this.clock.now().toISOString(),
    };
    this.outbox.push(email);
    this.persistSoon();
    for (const listener of this.listeners.email) listener(email);
    return { MessageId: email.messageId };
  }

  getSecretValue(secretId: string) {
    this.count('SecretsManager', 'GetSecretValue');
    if (!this.secrets.has(secretId)) {
      const key = createHash('sha256').update(`${this.secretSeed}:${secretId}`).digest('base64url');
      this.secrets.set(secretId, JSON.stringify({ currentId: 'k1', current: key }));
    }
    return { ARN: secretId, Name: secretId.split(':').pop(), SecretString: this.secrets.get(secretId)!, VersionId: 'local' };
  }

  /** Most Connect tasks created in any one second and in any one minute. */
  peakContactRate(): { perSecond: number; perMinute: number } {
    const peak = (bucketMs: number) => Math.max(0, ...Object.values(this.contactStarts.reduce<Record<number, number>>((acc, t) => ((acc[Math.floor(t / bucketMs)] = (acc[Math.floor(t / bucketMs)] ?? 0) + 1), acc), {})));
    return { perSecond: peak(1000), perMinute: peak(60_000) };
  }

  onAgentTask(listener: (task: AgentTaskRecord) => void): void {
    this.listeners.agentTask.push(listener);
  }

  onEmail(listener: (email: SentEmail) => void): void {
    this.listeners.email.push(listener);
  }
}
