import { StateMachine } from 'aws-local-stepfunctions';
import { arnOf, resolve, resourcesOfType } from '../template.js';
import { AwsError } from './aws-error.js';
import type { CloudCore } from './core.js';
import type { Principal } from './iam.js';
import type { LocalLambda } from './lambda.js';
import { checkStartExecution, ExecutionLimits, enforceStateData, refuse, terminalError } from './limits.js';
import { type LocalDefinition, localDefinition, type WaitSpec, waitEnd } from './state-machine-definition.js';
import { TaskTokens } from './task-tokens.js';

/** Step Functions: the template's state machines, run by aws-local-stepfunctions on the virtual clock. */

/** The state an execution is in: enough to resume it after a restart. */
export interface CurrentState {
  state: string;
  input: unknown;
  /** When the state was entered: a resumed Wait or task timeout runs on from here. Absent in older state files. */
  enteredAt?: string;
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
  current?: CurrentState;
}

type Machine = LocalDefinition & { engine: StateMachine; resumeEngines?: Map<string, StateMachine> };

export class LocalStepFunctions {
  readonly executions = new Map<string, ExecutionRecord>();
  readonly tokens: TaskTokens;
  private readonly machines = new Map<string, Machine>();
  private readonly pendingChecks: Promise<void>[] = [];

  constructor(
    private readonly core: CloudCore,
    private readonly lambda: LocalLambda,
  ) {
    this.tokens = new TaskTokens(core, lambda);
    const { template } = core;
    for (const [logicalId, resource] of resourcesOfType(template, 'AWS::StepFunctions::StateMachine')) {
      const definition = JSON.parse(resolve(template, resource.Properties?.DefinitionString) as string) as Record<string, unknown>;
      this.pendingChecks.push(this.checkStateMachineRole(logicalId, resource.Properties ?? {}));
      const local = localDefinition(definition);
      // Validated once here: building the engine compiles the ASL schema, far too slow per execution.
      const engine = new StateMachine(local.definition as never, { validationOptions: { checkPaths: false, checkArn: false } });
      this.machines.set(arnOf(template, logicalId), { ...local, engine });
    }
  }

  stateMachineArns(): string[] {
    return [...this.machines.keys()];
  }

  /** Resolves once the template has passed the checks AWS makes when it creates the resources. */
  async ready(): Promise<void> {
    await Promise.all(this.pendingChecks);
  }

  startExecution(stateMachineArn: string, name: string | undefined, input: string): ExecutionRecord {
    const { core } = this;
    const machine = this.machines.get(stateMachineArn);
    if (!machine) throw new AwsError('StateMachineDoesNotExist', `state machine ${stateMachineArn} does not exist`);
    core.count('StepFunctions', 'StartExecution');
    refuse(checkStartExecution(name, input));
    const executionName = name ?? core.nextId('exec');
    const executionArn = `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${executionName}`;
    const existing = this.executions.get(executionArn);
    if (existing) {
      if (existing.status === 'RUNNING' && existing.input === input) return existing;
      throw new AwsError('ExecutionAlreadyExists', `Execution already exists: '${executionArn}'`);
    }
    const record: ExecutionRecord = {
      executionArn,
      stateMachineArn,
      name: executionName,
      input,
      status: 'RUNNING',
      startDate: core.nowIso(),
      transitions: 0,
      states: [],
    };
    this.executions.set(executionArn, record);
    core.clock.hold();
    void this.runExecution(record, machine).finally(() => core.clock.release());
    return record;
  }

  /** Restarts saved executions, each in the state it was in, with that state's input. */
  resume(saved: ExecutionRecord[]): void {
    for (const execution of saved) {
      const machine = this.machines.get(execution.stateMachineArn);
      if (!machine || !execution.current) continue;
      const record: ExecutionRecord = { ...execution, status: 'RUNNING' };
      this.executions.set(record.executionArn, record);
      this.core.clock.hold();
      void this.runExecution(record, machine, execution.current).finally(() => this.core.clock.release());
    }
  }

  private async runExecution(record: ExecutionRecord, machine: Machine, resumeAt?: CurrentState) {
    const { core } = this;
    const { definition } = machine;
    const overrides: Record<string, (input: unknown) => Promise<unknown>> = {};
    // Limits are seen on the engine's event log, a little behind the engine: no task runs once one is hit.
    const limits = new ExecutionLimits();
    const retryIntervals: Record<string, number> = {};
    // A resumed state was entered before the restart: its Wait or task timeout runs on from then, as in AWS.
    let resumedEntry = resumeAt?.enteredAt;
    let resumedStart = resumeAt?.enteredAt === undefined ? undefined : Date.parse(resumeAt.enteredAt);
    for (const [stateName, state] of Object.entries(definition.States)) {
      if (state.Type !== 'Task') continue;
      retryIntervals[stateName] = 0;
      overrides[stateName] = (input) => {
        const startedAt = resumedStart !== undefined && stateName === resumeAt?.state ? resumedStart : core.clock.nowMs();
        resumedStart = undefined;
        if (limits.exceeded) return Promise.reject(terminalError(limits.exceeded));
        return this.runTask(record, stateName, state, machine.waits.get(stateName), input, startedAt);
      };
    }
    let engine = machine.engine;
    if (resumeAt) {
      machine.resumeEngines ??= new Map();
      engine =
        machine.resumeEngines.get(resumeAt.state) ??
        new StateMachine({ ...definition, StartAt: resumeAt.state } as never, { validationOptions: { noValidate: true } });
      machine.resumeEngines.set(resumeAt.state, engine);
    }
    const execution = engine.run((resumeAt ? resumeAt.input : JSON.parse(record.input)) as never, {
      overrides: { taskResourceLocalHandlers: overrides as never, retryIntervalOverrides: retryIntervals },
      context: {
        Execution: { Id: record.executionArn, Name: record.name, StartTime: record.startDate, Input: JSON.parse(record.input) },
        StateMachine: { Id: record.stateMachineArn },
      },
      noThrowOnAbort: true,
    });
    const counting = (async () => {
      for await (const event of execution.eventLogs as AsyncGenerator<{ type: string; state?: { name: string; input?: unknown } }>) {
        if (limits.observe(event)) execution.abort();
        if (event.type === 'StateEntered') {
          const state = event.state?.name ?? '?';
          record.transitions += 1;
          record.states.push(state);
          record.current = { state, input: event.state?.input, enteredAt: resumedEntry ?? core.nowIso() };
          resumedEntry = undefined;
          core.changed();
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
    record.stopDate = core.nowIso();
    core.changed();
  }

  /** One Task state (or a Wait, run as a task on the virtual clock) entered at `startedAt`. */
  private async runTask(
    record: ExecutionRecord,
    stateName: string,
    state: Record<string, unknown>,
    wait: WaitSpec | undefined,
    input: unknown,
    startedAt: number,
  ): Promise<unknown> {
    if (wait) {
      await this.core.clock.sleepUntil(waitEnd(wait, input, startedAt), { key: `${record.name}:${stateName}`, owner: 'execution' });
      return input;
    }
    const resource = String(state.Resource);
    const invoker = this.core.roleInvoker(record.stateMachineArn, record.stateMachineArn.split(':').pop()!);
    enforceStateData(stateName, 'input', input);
    if (resource.endsWith('.waitForTaskToken')) return this.tokens.run(record, input as Record<string, unknown>, invoker, startedAt);
    if (resource === 'arn:aws:states:::lambda:invoke') {
      const params = input as { FunctionName: string; Payload: unknown };
      const result = { StatusCode: 200, Payload: await this.lambda.invokeFunction(params.FunctionName, params.Payload, invoker) };
      enforceStateData(stateName, 'output', result);
      return result;
    }
    const result = await this.lambda.invokeFunction(resource, input, invoker);
    enforceStateData(stateName, 'output', result);
    return result;
  }

  /** The state machine whose execution is waiting on `token` (what SendTask* calls are authorised on). */
  stateMachineOfToken(token: string): string | undefined {
    const executionArn = this.tokens.executionWaitingOn(token);
    if (executionArn) return this.executions.get(executionArn)?.stateMachineArn;
    // A token already answered (or from before a restart) still names its execution, as AWS's tokens do.
    const executionName = token.slice(token.indexOf('.') + 1);
    return [...this.executions.values()].find((e) => e.name === executionName)?.stateMachineArn;
  }

  /**
   * CreateStateMachine refuses a definition whose role cannot deliver its logs or traces, so the
   * local cloud refuses to boot one too.
   */
  private async checkStateMachineRole(logicalId: string, props: Record<string, unknown>): Promise<void> {
    const roleArn = String(resolve(this.core.template, props.RoleArn));
    const principal: Principal = { kind: 'role', roleArn, sessionName: 'states' };
    const needed: string[] = [];
    if ((props.LoggingConfiguration as { Destinations?: unknown[] } | undefined)?.Destinations?.length) {
      needed.push(...LOG_DELIVERY_ACTIONS);
    }
    if ((props.TracingConfiguration as { Enabled?: boolean } | undefined)?.Enabled) needed.push(...TRACING_ACTIONS);
    for (const action of needed) {
      const decision = await this.core.iam.decide(principal, { action, resource: '*' });
      if (!decision.allowed) {
        const purpose = action.startsWith('logs') ? 'log destination' : 'tracing';
        throw new AwsError(
          'AccessDeniedException',
          `CreateStateMachine ${logicalId}: the state machine's role is not authorized to perform ${action} (needed for its ${purpose})`,
        );
      }
    }
  }
}

const LOG_DELIVERY_ACTIONS: readonly string[] = [
  'logs:CreateLogDelivery',
  'logs:GetLogDelivery',
  'logs:UpdateLogDelivery',
  'logs:DeleteLogDelivery',
  'logs:ListLogDeliveries',
  'logs:PutResourcePolicy',
  'logs:DescribeResourcePolicies',
  'logs:DescribeLogGroups',
];
const TRACING_ACTIONS: readonly string[] = [
  'xray:PutTraceSegments',
  'xray:PutTelemetryRecords',
  'xray:GetSamplingRules',
  'xray:GetSamplingTargets',
];
