import type { Channel } from './policy-schema.js';

/**
 * The errors a step throws when trying again cannot help. Step Functions matches a Lambda error by
 * its `name` (the runtime reports it as the error type), so each name here appears once in the
 * state machines' Retry (MaxAttempts 0) and Catch lists, and nowhere else.
 *
 * Messages carry ids and AWS error codes only: an SDK message can quote the customer's address
 * (SES "MessageRejected … identities failed the check: …"), and the error ends up in the execution
 * history and the logs.
 */

export const PERMANENT_ERROR_NAMES = ['FollowUpNotFound', 'ComplaintNotFound', 'PermanentContactError'] as const;
export type PermanentErrorName = (typeof PERMANENT_ERROR_NAMES)[number];

export class FollowUpNotFound extends Error {
  override readonly name = 'FollowUpNotFound';
  constructor(readonly followUpId: string) {
    super(`follow-up ${followUpId} not found`);
  }
}

export class ComplaintNotFound extends Error {
  override readonly name = 'ComplaintNotFound';
  constructor(readonly complaintId: string) {
    super(`complaint ${complaintId} not found`);
  }
}

/** A channel refused the contact for good: the address is rejected, the Connect setup is wrong, a quota is full. */
export class PermanentContactError extends Error {
  override readonly name = 'PermanentContactError';
  constructor(
    readonly channel: Channel,
    /** The AWS error code, e.g. MessageRejected, ResourceNotFoundException. */
    readonly code: string,
  ) {
    super(`${channel} ${code}`);
  }
}

/**
 * The SDK received an error response from the service (as opposed to a network failure or a
 * timeout, where the request may have been carried out): the request was not accepted.
 */
export function wasAnsweredWithError(error: unknown): boolean {
  const status = (error as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode;
  return typeof status === 'number' && status >= 400;
}

/** A workflow error as Step Functions hands it to a Catch (`{ Error, Cause }`), reduced to what may be recorded. */
export interface CaughtError {
  Error?: string;
  Cause?: string;
}

/**
 * What a caught error says about a contact, safe to record: the channel's AWS code for a
 * PermanentContactError (read from its JSON cause), else the error name (States.Timeout,
 * Sandbox.Timedout, …). Never the message.
 */
export function reasonOf(caught: CaughtError | undefined): string {
  const name = caught?.Error ?? 'unknown';
  if (name !== 'PermanentContactError') return name;
  // AWS hands over the Lambda error as JSON ({"errorMessage": …}); the local engine the message itself.
  let message = caught?.Cause ?? '';
  try {
    message = (JSON.parse(message) as { errorMessage?: string }).errorMessage ?? '';
  } catch {
    // not JSON: the message as it is
  }
  const [channel, code] = message.split(' ');
  return channel && code && /^(phone|email)$/.test(channel) && /^[A-Za-z.]+$/.test(code) ? `${channel}:${code}` : name;
}
