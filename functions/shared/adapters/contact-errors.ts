import { PermanentContactError } from '../domain/errors.js';
import type { Channel } from '../domain/policy-schema.js';

/**
 * The AWS errors that no retry can fix (Connect StartTaskContact's and SES v2 SendEmail's client
 * faults other than throttling): the contact falls back to the next channel instead. Connect's
 * active-tasks quota (ServiceQuotaExceededException) is here too: the Contact step waits for agents
 * to free capacity until the follow-up's deadline, then falls back. Throttling, LimitExceededException
 * (SES's sending quota) and 5xx stay retryable. The SMS providers classify their own (sms-providers.ts).
 */
const PERMANENT_CODES: Record<Exclude<Channel, 'sms'>, ReadonlySet<string>> = {
  phone: new Set(['ResourceNotFoundException', 'InvalidParameterException', 'InvalidRequestException', 'ServiceQuotaExceededException']),
  email: new Set([
    'MessageRejected',
    'MailFromDomainNotVerifiedException',
    'NotFoundException',
    'BadRequestException',
    'AccountSuspendedException',
    'SendingPausedException',
  ]),
};

/** Turns a channel's permanent AWS error into PermanentContactError; anything else passes unchanged. */
export function asContactError(channel: Exclude<Channel, 'sms'>, error: unknown): unknown {
  const code = (error as { name?: string } | undefined)?.name ?? '';
  return PERMANENT_CODES[channel].has(code)
    ? Object.assign(new PermanentContactError(channel, code), { $metadata: (error as { $metadata?: unknown }).$metadata })
    : error;
}
