import { AwsError } from './aws-error.js';
import type { Refusal } from './contract-model.js';

/**
 * Limits AWS documents but its API models do not carry. Each check is pure and answers the
 * refusal AWS gives (code, message, HTTP status); the local cloud calls them where the service
 * would apply them, so the same request is refused however it reaches the local cloud.
 */

/** Throws the refusal as the AwsError the service answers with. */
export function refuse(refusal: Refusal | undefined): void {
  if (refusal) throw new AwsError(refusal.code, refusal.message, refusal.status);
}

const utf8 = (text: string | undefined): number => (text ? Buffer.byteLength(text, 'utf8') : 0);

// ── EventBridge ─────────────────────────────────────────────────────────────────────────────

export const PUT_EVENTS_MAX_ENTRIES = 10;
/** "The total entry size must be less than 256KB" (EventBridge quotas). */
export const PUT_EVENTS_MAX_BYTES = 256 * 1024;

export interface PutEventsEntry {
  Time?: unknown;
  Source?: string;
  DetailType?: string;
  Detail?: string;
  Resources?: (string | null)[];
}

/** An entry's size as EventBridge computes it ("Calculating PutEvents event entry size"). */
export function putEventsEntrySize(entry: PutEventsEntry): number {
  return (
    (entry.Time !== undefined && entry.Time !== null ? 14 : 0) +
    utf8(entry.Source) +
    utf8(entry.DetailType) +
    utf8(entry.Detail) +
    (entry.Resources ?? []).reduce((sum, r) => sum + utf8(r ?? undefined), 0)
  );
}

/** The whole request is refused, not single entries: nothing of it is put. */
export function checkPutEvents(entries: PutEventsEntry[]): Refusal | undefined {
  if (entries.length > PUT_EVENTS_MAX_ENTRIES || entries.length < 1) {
    const lengthRule = entries.length < 1 ? 'greater than or equal to 1' : `less than or equal to ${PUT_EVENTS_MAX_ENTRIES}`;
    return {
      code: 'ValidationException',
      status: 400,
      message: `1 validation error detected: Value at 'entries' failed to satisfy constraint: Member must have length ${lengthRule}`,
    };
  }
  const total = entries.reduce((sum, entry) => sum + putEventsEntrySize(entry), 0);
  if (total > PUT_EVENTS_MAX_BYTES)
    return {
      code: 'ValidationException',
      status: 400,
      message: `Total size of the entries in the request is over the limit (${total} bytes; at most ${PUT_EVENTS_MAX_BYTES}).`,
    };
  return undefined;
}

// ── Step Functions ──────────────────────────────────────────────────────────────────────────

/** Maximum input or output of a state, an execution or a task result: 256 KiB as UTF-8. */
export const STATES_PAYLOAD_MAX_BYTES = 262_144;
/** Maximum events in an execution's history (Standard workflows). */
export const EXECUTION_HISTORY_MAX_EVENTS = 25_000;

export function payloadBytes(value: unknown): number {
  return typeof value === 'string' ? utf8(value) : utf8(JSON.stringify(value ?? null));
}

/**
 * StartExecution's documented name rules (the model has only the length): no white space,
 * brackets, wildcards, the listed special characters or control characters.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: AWS forbids control characters in a name; this class matches them on purpose.
const INVALID_EXECUTION_NAME = /[\s<>{}[\]?*"#%\\^|~`$&,;:/\u0000-\u001f\u007f-\u009f]/;

export function checkStartExecution(name: string | undefined, input: string): Refusal | undefined {
  if (name !== undefined && INVALID_EXECUTION_NAME.test(name))
    return { code: 'InvalidName', status: 400, message: `Invalid Name: '${name}'` };
  return checkExecutionInput(input);
}

/** Refuses an execution input or a task output over the states' payload limit, naming what it was. */
function checkStatesPayload(text: string, code: string, what: string): Refusal | undefined {
  const bytes = utf8(text);
  if (bytes <= STATES_PAYLOAD_MAX_BYTES) return undefined;
  const message = `${what} is ${bytes} bytes; the maximum is ${STATES_PAYLOAD_MAX_BYTES} bytes (256 KiB) of UTF-8.`;
  return { code, status: 400, message };
}

export function checkExecutionInput(input: string): Refusal | undefined {
  return checkStatesPayload(input, 'InvalidExecutionInput', 'The execution input');
}

export function checkTaskOutput(output: string): Refusal | undefined {
  return checkStatesPayload(output, 'InvalidOutput', 'The task output');
}

/** Why an execution fails at a state whose input or output is too large; undefined when it fits. */
export function stateDataLimit(stateName: string, kind: 'input' | 'output', value: unknown): { error: string; cause: string } | undefined {
  const bytes = payloadBytes(value);
  if (bytes <= STATES_PAYLOAD_MAX_BYTES) return undefined;
  const limit = 'exceeding the maximum number of bytes service limit';
  const cause =
    kind === 'input'
      ? `The state '${stateName}' received an input of ${bytes} bytes, ${limit} (${STATES_PAYLOAD_MAX_BYTES}).`
      : `The state/task '${stateName}' returned a result with a size ${limit} (${bytes} bytes; at most ${STATES_PAYLOAD_MAX_BYTES}).`;
  return { error: 'States.DataLimitExceeded', cause };
}

/**
 * Counts an execution's history the way AWS writes it, roughly: ExecutionStarted, then per state
 * entered an Entered and an Exited event, plus for a Task the events of its resource (Lambda:
 * Scheduled, Started, Succeeded/Failed; a callback task: Scheduled, Started, Submitted,
 * Succeeded/Failed/TimedOut — we count 3 for either), plus 3 per retry (the failed attempt's
 * Scheduled/Started/Failed), 1 per caught error, and the closing event. Within a few percent of
 * AWS's count for this project's Task/Choice/Wait/Pass machines, which is what the 25,000 quota needs.
 */
export class ExecutionHistory {
  private events = 1;

  /** Adds one engine event; answers the failure once the history is over the quota. */
  add(event: { type: string; state?: { type?: string } }): { error: string; cause: string } | undefined {
    if (event.type === 'StateEntered') this.events += 1 + (event.state?.type === 'Task' ? 3 : 0);
    else if (event.type === 'StateExited') this.events += 1;
    else if (event.type === 'StateRetried') this.events += 3;
    else if (event.type === 'StateCaught' || event.type === 'StateFailed') this.events += 1;
    else return undefined;
    // +1: the ExecutionFailed/Succeeded event that closes the history must fit as well.
    if (this.events + 1 <= EXECUTION_HISTORY_MAX_EVENTS) return undefined;
    return {
      error: 'States.Runtime',
      cause: `The execution reached the maximum number of history events (${EXECUTION_HISTORY_MAX_EVENTS}).`,
    };
  }

  get count(): number {
    return this.events;
  }
}

/**
 * Watches one execution's engine events for the limits that fail an execution: a state's output
 * over 256 KiB (States.DataLimitExceeded) and the 25,000-event history. Both are terminal: no
 * Retry or Catch applies, the execution fails.
 */
export class ExecutionLimits {
  private readonly history = new ExecutionHistory();
  exceeded: { error: string; cause: string } | undefined;

  observe(event: {
    type: string;
    state?: { name?: string; type?: string; output?: unknown };
  }): { error: string; cause: string } | undefined {
    if (this.exceeded) return undefined;
    const output = event.type === 'StateExited' ? stateDataLimit(event.state?.name ?? '?', 'output', event.state?.output) : undefined;
    this.exceeded = output ?? this.history.add(event);
    return this.exceeded;
  }
}

/** The error a state fails with when a limit is hit: neither retried nor caught, as AWS treats terminal errors. */
export function terminalError(failure: { error: string; cause: string }): Error {
  return Object.assign(new Error(failure.cause), { name: failure.error, isRetryable: false, isCatchable: false });
}

/** Throws the terminal error when a task's effective input or its result is over the payload limit. */
export function enforceStateData(stateName: string, kind: 'input' | 'output', value: unknown): void {
  const failure = stateDataLimit(stateName, kind, value);
  if (failure) throw terminalError(failure);
}

// ── Amazon Connect ──────────────────────────────────────────────────────────────────────────

/** "It must be within up to 6 days in future" (StartTaskContact ScheduledTime). */
export const TASK_SCHEDULE_MAX_AHEAD_MS = 6 * 86_400_000;
/** Concurrent active tasks per instance (Amazon Connect service quotas, default). */
export const DEFAULT_ACTIVE_TASK_QUOTA = 2_500;
/** A task not completed expires 7 days after it was created (the default). */
export const TASK_EXPIRY_MS = 7 * 86_400_000;
/** From the model's documentation of StartTaskContact: "up to 4,096 UTF-8 bytes across all references". */
export const TASK_REFERENCES_MAX_BYTES = 4_096;
/** "up to 32,768 UTF-8 bytes across all key-value pairs per contact"; keys alphanumeric, dash, underscore. */
export const CONTACT_ATTRIBUTES_MAX_BYTES = 32_768;
const ATTRIBUTE_KEY = /^[A-Za-z0-9_-]+$/;

export interface TaskRequest {
  ScheduledTime?: unknown;
  References?: Record<string, { Value?: string } | undefined>;
  Attributes?: Record<string, string>;
}

function epochMs(value: unknown): number | undefined {
  if (value instanceof Date) return value.getTime();
  if (typeof value === 'number') return value * 1000;
  if (typeof value === 'string') return Date.parse(value);
  return undefined;
}

/** The documented limits of a StartTaskContact request, given the instance's open tasks. */
export function checkTaskContact(request: TaskRequest, nowMs: number, activeTasks: number, quota: number): Refusal | undefined {
  const scheduled = epochMs(request.ScheduledTime);
  if (request.ScheduledTime !== undefined && (scheduled === undefined || Number.isNaN(scheduled)))
    return { code: 'InvalidParameterException', status: 400, message: 'ScheduledTime is not a valid timestamp.' };
  if (scheduled !== undefined && scheduled < nowMs)
    return { code: 'InvalidParameterException', status: 400, message: 'ScheduledTime cannot be in the past.' };
  if (scheduled !== undefined && scheduled > nowMs + TASK_SCHEDULE_MAX_AHEAD_MS)
    return { code: 'InvalidParameterException', status: 400, message: 'ScheduledTime must be within 6 days in the future.' };
  const referenceBytes = Object.entries(request.References ?? {}).reduce((sum, [name, ref]) => sum + utf8(name) + utf8(ref?.Value), 0);
  if (referenceBytes > TASK_REFERENCES_MAX_BYTES)
    return {
      code: 'InvalidParameterException',
      status: 400,
      message: `References total ${referenceBytes} UTF-8 bytes; at most ${TASK_REFERENCES_MAX_BYTES} across all references of a contact.`,
    };
  const attributes = Object.entries(request.Attributes ?? {});
  const badKey = attributes.find(([key]) => !ATTRIBUTE_KEY.test(key));
  if (badKey)
    return {
      code: 'InvalidParameterException',
      status: 400,
      message: `Attribute key '${badKey[0]}' may contain only alphanumeric, dash and underscore characters.`,
    };
  const attributeBytes = attributes.reduce((sum, [key, value]) => sum + utf8(key) + utf8(value), 0);
  if (attributeBytes > CONTACT_ATTRIBUTES_MAX_BYTES)
    return {
      code: 'InvalidParameterException',
      status: 400,
      message:
        `Attributes total ${attributeBytes} UTF-8 bytes; ` +
        `at most ${CONTACT_ATTRIBUTES_MAX_BYTES} across all key-value pairs of a contact.`,
    };
  if (activeTasks >= quota)
    return {
      code: 'ServiceQuotaExceededException',
      status: 402,
      message: `The instance has ${activeTasks} active tasks: the quota of concurrent active tasks (${quota}) is reached.`,
    };
  return undefined;
}

// ── SES v2 ──────────────────────────────────────────────────────────────────────────────────

/** "The message may not include more than 50 recipients, across the To:, CC: and BCC: fields." */
export const SES_MAX_RECIPIENTS = 50;
/** Maximum message size including attachments, after encoding (SES v2). */
export const SES_MAX_MESSAGE_BYTES = 40 * 1024 * 1024;
/** SES takes the local part as 7-bit ASCII and needs a domain (Unicode domains as Punycode). */
const SES_ADDRESS = /^(?:"?[^"<>]*"?\s*<)?[\x21-\x7e]+@[A-Za-z0-9.-]+\.[A-Za-z0-9-]+>?$/;

export interface EmailRequest {
  FromEmailAddress?: string;
  Destination?: { ToAddresses?: string[]; CcAddresses?: string[]; BccAddresses?: string[] };
  Content?: {
    Simple?: { Subject?: { Data?: string }; Body?: { Html?: { Data?: string }; Text?: { Data?: string } } };
    Template?: unknown;
    Raw?: { Data?: unknown };
  };
}

export function checkSendEmail(request: EmailRequest): Refusal | undefined {
  const bad = (message: string): Refusal => ({ code: 'BadRequestException', status: 400, message });
  const raw = request.Content?.Raw !== undefined;
  if (!raw && !request.FromEmailAddress)
    return bad('Missing required field: FromEmailAddress (a simple or templated message needs a sender).');
  const recipients = [
    ...(request.Destination?.ToAddresses ?? []),
    ...(request.Destination?.CcAddresses ?? []),
    ...(request.Destination?.BccAddresses ?? []),
  ];
  if (!raw && recipients.length === 0) return bad('Missing required field: Destination (at least one recipient).');
  if (recipients.length > SES_MAX_RECIPIENTS) return bad(`Recipient count exceeds ${SES_MAX_RECIPIENTS}.`);
  // No address in the message: it is customer data.
  if ([request.FromEmailAddress, ...recipients].some((address) => address !== undefined && !SES_ADDRESS.test(address)))
    return bad('Illegal address.');
  const simple = request.Content?.Simple;
  const size = utf8(simple?.Subject?.Data) + utf8(simple?.Body?.Html?.Data) + utf8(simple?.Body?.Text?.Data);
  if (size > SES_MAX_MESSAGE_BYTES)
    return { code: 'MessageRejected', status: 400, message: `Message length is more than ${SES_MAX_MESSAGE_BYTES} bytes.` };
  return undefined;
}

// ── S3 ──────────────────────────────────────────────────────────────────────────────────────

export const S3_KEY_MAX_BYTES = 1_024;

export function checkPutObject(key: string): Refusal | undefined {
  return utf8(key) > S3_KEY_MAX_BYTES ? { code: 'KeyTooLongError', status: 400, message: 'Your key is too long' } : undefined;
}
