import { createHash } from 'node:crypto';
import type { Template } from '../template.js';
import type { VirtualClock } from '../virtual-clock.js';
import { type Principal, TemplateIam } from './iam.js';

/**
 * What every local service shares: the template and its IAM, the virtual clock, request ids,
 * the API call counters (where injected faults strike) and the signal that something worth
 * keeping across a restart changed.
 */

export interface FaultInjector {
  /** Throws an AwsError to simulate throttling or a failure of `service.operation`. */
  before(service: string, operation: string, key: string): void;
  /** False when no fault can strike `service.operation`: the request is then not named at all. */
  affects?(service: string, operation: string): boolean;
}

/** Who invokes a function or starts an execution, and the request context AWS adds (the source rule's ARN). */
export interface Invoker {
  principal: Principal;
  context?: Record<string, string>;
}

export class CloudCore {
  readonly apiCalls: Record<string, number> = {};
  faults: FaultInjector | undefined;
  /** Requests the endpoint refused because they break AWS's published API contract: a normal run has none. */
  readonly refusedRequests: { operation: string; code: string; message: string; at: string }[] = [];
  /** The template's IAM: every call a function, state machine, rule or schedule makes is authorised here. */
  readonly iam: TemplateIam;
  private seq = 0;
  private readonly changeListeners: (() => void)[] = [];

  constructor(
    readonly template: Template,
    readonly clock: VirtualClock,
  ) {
    this.iam = new TemplateIam(template);
  }

  /**
   * Counts an API call and lets the fault injector fail it; `key` names the request for repeatable
   * faults (a function when naming it costs something: only a run with faults asks).
   */
  count(service: string, operation: string, key: string | (() => string) = ''): void {
    const name = `${service}.${operation}`;
    this.apiCalls[name] = (this.apiCalls[name] ?? 0) + 1;
    const { faults } = this;
    if (!faults || faults.affects?.(service, operation) === false) return;
    faults.before(service, operation, typeof key === 'function' ? key() : key);
  }

  nextId(prefix: string): string {
    this.seq += 1;
    return `${prefix}-${createHash('sha256').update(`${prefix}:${this.seq}`).digest('hex').slice(0, 12)}-${this.seq}`;
  }

  nowIso(): string {
    return this.clock.now().toISOString();
  }

  /** Something a restart must not lose changed (an execution moved on, a task opened, mail went out). */
  changed(): void {
    for (const listener of this.changeListeners) listener();
  }

  onChange(listener: () => void): void {
    this.changeListeners.push(listener);
  }

  /** A role as the principal its callers assume: a function's, a state machine's, a schedule's. */
  roleInvoker(resourceArn: string, sessionName: string): Invoker {
    return { principal: { kind: 'role', roleArn: this.iam.roleOf.get(resourceArn)!, sessionName } };
  }
}
