import { z } from 'zod';
import { localeSchema } from './policy-schema.js';

/** The contract upstream systems publish on the bus (detail-type "Service Completed"). */
export const SERVICE_COMPLETED = 'Service Completed';
export const CUSTOMER_OPTED_OUT = 'Customer Opted Out';

const ianaZone = z.string().refine((zone) => {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}, 'not an IANA time zone');

export const customerSchema = z.strictObject({
  id: z.string().min(1).max(128),
  name: z.string().min(1).max(200),
  phone: z
    .string()
    .regex(/^\+?[0-9][0-9 -]{5,19}$/, 'expected a phone number such as +8613800138000')
    .optional(),
  email: z.email('expected an email address').max(254).optional(),
  locale: localeSchema.optional(),
  timeZone: ianaZone.optional(),
});
export type Customer = z.infer<typeof customerSchema>;

export const serviceCompletedSchema = z.strictObject({
  serviceId: z.string().min(1).max(128),
  serviceType: z.string().min(1).max(64),
  completedAt: z.iso.datetime({ offset: true, message: 'expected an ISO 8601 time with an offset, e.g. 2026-11-20T16:30:00+08:00' }),
  customer: customerSchema,
  advisorId: z.string().min(1).max(128).optional(),
  departmentId: z.string().min(1).max(128).optional(),
  reworkCount: z.number().int().min(0).max(100).optional(),
  /**
   * Only on the system's own follow-up requests (dormant, post-complaint): the upstream source
   * that owns `customer.id`, so opt-outs and caps keyed by that source still apply.
   */
  customerSource: z.string().min(1).max(256).optional(),
});
export type ServiceCompleted = z.infer<typeof serviceCompletedSchema>;

export const customerOptedOutSchema = z.strictObject({
  customerId: z.string().min(1).max(128),
  /** Absent: the customer wants no follow-up at all. */
  until: z.iso.datetime({ offset: true }).optional(),
});
export type CustomerOptedOut = z.infer<typeof customerOptedOutSchema>;

/** The EventBridge envelope fields this system relies on. */
export const envelopeSchema = z.object({
  id: z.string().min(1),
  source: z.string().min(1).max(256),
  'detail-type': z.string().min(1),
  time: z.string().optional(),
  detail: z.unknown(),
});

export interface Rejection {
  field: string;
  message: string;
}

/** The first problem of a failed parse, with the offending field's dotted path. */
export function firstIssue(error: z.ZodError, prefix: string): Rejection {
  const issue = error.issues[0]!;
  const path = [prefix, ...issue.path.map(String)].filter(Boolean).join('.');
  return { field: path, message: issue.message };
}
