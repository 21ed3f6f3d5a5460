import { AwsError, type FaultInjector } from './cloud/index.js';
import { InjectedLambdaTimeout } from './cloud/lambda-limits.js';
import { draw, type PermanentFault, type Scenario } from './scenario.js';
import { LOCAL_REGION } from './template.js';

/**
 * A scenario's faults, injected into the local cloud's AWS calls: throttling that a retry cures,
 * and permanent errors that it does not. Each is the error the service returns (code, HTTP status,
 * wording), and every decision is a draw keyed by the request, so a replay fails the same calls.
 */

/** Each service's throttling error, as its API model declares it. */
const throttlingErrors: Readonly<Record<string, { code: string; status: number; message: string }>> = {
  Connect: { code: 'ThrottlingException', status: 429, message: 'Rate exceeded' },
  SES: { code: 'TooManyRequestsException', status: 429, message: 'Maximum sending rate exceeded.' },
  S3: { code: 'SlowDown', status: 503, message: 'Please reduce your request rate.' },
};
const defaultThrottling = { code: 'ThrottlingException', status: 400, message: 'Rate exceeded' } as const;

/** The permanent errors as the services word them (Connect's from its API reference). */
function permanentError(fault: PermanentFault, key: string): Error {
  switch (fault.error) {
    case 'MessageRejected': {
      // The usual reason in practice: a recipient the account may not send to (the key starts with the recipients).
      const recipients = key.split(':')[0] ?? '';
      return new AwsError(
        'MessageRejected',
        `Email address is not verified. The following identities failed the check in region ${LOCAL_REGION.toUpperCase()}: ${recipients}`,
        400,
      );
    }
    case 'ResourceNotFoundException':
      return new AwsError(fault.error, 'The specified resource was not found.', 404);
    case 'InvalidParameterException':
      return new AwsError(fault.error, 'One or more of the specified parameters are not valid.', 400);
    case 'ServiceQuotaExceededException':
      return new AwsError(fault.error, 'The service quota has been exceeded.', 402);
    case 'ValidationException':
      return new AwsError(fault.error, 'The destination phone number cannot receive messages.', 400);
    case 'Sandbox.Timedout':
      return new InjectedLambdaTimeout();
  }
}

/** Whether a Lambda fault names this invocation's function (key = "<logicalId>:<payload hash>"). */
function targetsFunction(fault: PermanentFault, key: string): boolean {
  if (fault.operation !== 'Lambda.Invoke') return true;
  const logicalId = key.split(':')[0] ?? '';
  return logicalId === fault.function || logicalId.replace(/[0-9A-F]{8}$/, '') === fault.function;
}

export type ScenarioFaults = FaultInjector & {
  /** Throttling errors and permanent errors injected, in total. */
  readonly injected: number;
  readonly throttled: number;
  /** Requests failed with a permanent error, by "<Service.Operation> <error>[ <function>]" (each request once, however often retried). */
  readonly permanent: Record<string, number>;
};

export function scenarioFaults(seed: number, faults: NonNullable<Scenario['faults']>): ScenarioFaults {
  const tries = new Map<string, number>();
  const permanent: Record<string, number> = {};
  const hit = new Set<string>();
  let throttled = 0;
  return {
    get injected() {
      return throttled + Object.values(permanent).reduce((a, b) => a + b, 0);
    },
    get throttled() {
      return throttled;
    },
    permanent,
    affects(service, operation) {
      const name = `${service}.${operation}`;
      return faults.permanent.some((fault) => fault.operation === name) || (faults.throttleRate > 0 && faults.operations.includes(name));
    },
    before(service, operation, key) {
      const name = `${service}.${operation}`;
      for (const fault of faults.permanent) {
        if (fault.operation !== name || !targetsFunction(fault, key)) continue;
        // Keyed by the request alone: every retry of it meets the same error.
        if (draw(seed, `permanent:${name}:${fault.error}:${key}`) < fault.rate) {
          const label = `${name} ${fault.error}${fault.operation === 'Lambda.Invoke' ? ` ${fault.function}` : ''}`;
          if (!hit.has(`${label}:${key}`)) {
            hit.add(`${label}:${key}`);
            permanent[label] = (permanent[label] ?? 0) + 1;
          }
          throw permanentError(fault, key);
        }
      }
      if (faults.throttleRate === 0 || !faults.operations.includes(name)) return;
      const n = (tries.get(`${name}:${key}`) ?? 0) + 1;
      tries.set(`${name}:${key}`, n);
      if (draw(seed, `fault:${name}:${key}:${n}`) < faults.throttleRate) {
        throttled += 1;
        const error = throttlingErrors[service] ?? defaultThrottling;
        throw new AwsError(error.code, `${error.message} (injected)`, error.status);
      }
    },
  };
}
