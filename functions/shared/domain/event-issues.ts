import type * as z from 'zod';

/**
 * Why an incoming event (or one of its fields) could not be used, as a stable code: the record
 * keeps the code and the values its sentence needs, and each reader sees the sentence in their
 * own language (catalogue `codes.eventReason`).
 */
export const eventReasons = [
  'field-required',
  'wrong-type',
  'not-integer',
  'too-short',
  'too-long',
  'too-small',
  'too-big',
  'too-few',
  'too-many',
  'not-email',
  'not-phone',
  'not-iso-time',
  'not-time-zone',
  'bad-format',
  'not-allowed-value',
  'value-invalid',
  'unknown-service-type',
  'reserved-for-system',
  'in-the-future',
  'no-usable-channel',
  'unknown-complaint',
  'either-id-required',
] as const;
export type EventReason = (typeof eventReasons)[number];

/** One problem with one field of an event. */
export interface EventIssue {
  /** The field's dotted path in the event, e.g. `detail.customer.email`. */
  field: string;
  reason: EventReason;
  /**
   * The values the reason's sentence names (a length limit, the allowed values, the unknown
   * service type): taken from the schema or the configuration, never from the customer's data.
   */
  params?: Record<string, string | number>;
  /** The same in English, for logs and the sender's diagnostics. */
  message: string;
}

const isReason = (value: unknown): value is EventReason => typeof value === 'string' && (eventReasons as readonly string[]).includes(value);

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let value = input;
  for (const key of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

/** The reason code and sentence values of one zod issue; `input` is what was parsed (to tell missing from wrong). */
function reasonOf(issue: z.core.$ZodIssue, input: unknown): Pick<EventIssue, 'reason' | 'params'> {
  switch (issue.code) {
    case 'invalid_type':
      if (valueAt(input, issue.path) === undefined) return { reason: 'field-required' };
      if (issue.expected === 'int') return { reason: 'not-integer' };
      return { reason: 'wrong-type', params: { expected: String(issue.expected) } };
    case 'too_small': {
      const limit = Number(issue.minimum);
      if (issue.origin === 'string') return { reason: 'too-short', params: { limit } };
      if (issue.origin === 'array' || issue.origin === 'set') return { reason: 'too-few', params: { limit } };
      return { reason: 'too-small', params: { limit } };
    }
    case 'too_big': {
      const limit = Number(issue.maximum);
      if (issue.origin === 'string') return { reason: 'too-long', params: { limit } };
      if (issue.origin === 'array' || issue.origin === 'set') return { reason: 'too-many', params: { limit } };
      return { reason: 'too-big', params: { limit } };
    }
    case 'invalid_format':
      if (issue.format === 'email') return { reason: 'not-email' };
      if (issue.format === 'datetime') return { reason: 'not-iso-time' };
      return { reason: 'bad-format' };
    case 'invalid_value':
      return { reason: 'not-allowed-value', params: { values: issue.values.map(String).join(', ') } };
    case 'custom': {
      const reason = (issue.params as { reason?: unknown } | undefined)?.reason;
      return { reason: isReason(reason) ? reason : 'value-invalid' };
    }
    default:
      return { reason: 'value-invalid' };
  }
}

const pathOf = (prefix: string, path: readonly PropertyKey[]) => [prefix, ...path.map(String)].filter(Boolean).join('.');

/** The first problem of a failed parse of `input`, with the offending field's dotted path under `prefix`. */
export function firstIssue(error: z.ZodError, input: unknown, prefix: string): EventIssue {
  const issue = error.issues[0]!;
  return { field: pathOf(prefix, issue.path), ...reasonOf(issue, input), message: issue.message };
}
