import * as z from 'zod';
import { birthdaySchema } from './care.js';
import { type EventIssue, firstIssue } from './event-issues.js';
import { customerTierSchema } from './periodic.js';
import { localeSchema } from './policy-schema.js';

/**
 * The contracts upstream systems publish on the bus. Every object is parsed with `z.object`,
 * which drops keys it does not know: upstream systems add fields (a VIN, a loyalty tier) without
 * asking, and a field this system does not read must not cost the customer their follow-up.
 */

const ianaZone = z.string().refine(
  (zone) => {
    try {
      new Intl.DateTimeFormat('en', { timeZone: zone });
      return true;
    } catch {
      return false;
    }
  },
  { message: 'not an IANA time zone', params: { reason: 'not-time-zone' } },
);

const phoneSchema = z.string().refine((phone) => /^\+?[0-9][0-9 -]{5,19}$/.test(phone), {
  message: 'expected a phone number such as +8613800138000',
  params: { reason: 'not-phone' },
});
const emailSchema = z.email('expected an email address').max(254);

/** The customer as stored on a follow-up: a phone or email here is one the system can use. */
export const customerSchema = z.object({
  id: z.string().min(1).max(128),
  name: z.string().min(1).max(200),
  phone: phoneSchema.optional(),
  email: emailSchema.optional(),
  locale: localeSchema.optional(),
  timeZone: ianaZone.optional(),
  /** "MM-DD", for the birthday greeting (care messages); the year is not asked for. */
  birthday: birthdaySchema.optional(),
  /** Key customers are followed up every 6 months, ordinary ones every 12 (periodic.json); absent: the default tier. */
  tier: customerTierSchema.optional(),
});
export type Customer = z.infer<typeof customerSchema>;

/** The customer as it arrives: each contact field is checked on its own (see `usableContacts`). */
const incomingCustomerSchema = customerSchema.extend({
  phone: z.unknown().optional(),
  email: z.unknown().optional(),
  birthday: z.unknown().optional(),
});

const serviceCompletedFields = {
  serviceId: z.string().min(1).max(128),
  serviceType: z.string().min(1).max(64),
  completedAt: z.iso.datetime({ offset: true, message: 'expected an ISO 8601 time with an offset, e.g. 2026-11-20T16:30:00+08:00' }),
  advisorId: z.string().min(1).max(128).optional(),
  departmentId: z.string().min(1).max(128).optional(),
  reworkCount: z.number().int().min(0).max(100).optional(),
  /**
   * Only on the system's own follow-up requests (dormant, post-complaint): the upstream source
   * that owns `customer.id`, so opt-outs and caps keyed by that source still apply.
   */
  customerSource: z.string().min(1).max(256).optional(),
};
export const serviceCompletedSchema = z.object({ ...serviceCompletedFields, customer: customerSchema });
export type ServiceCompleted = z.infer<typeof serviceCompletedSchema>;
const incomingServiceCompletedSchema = z.object({ ...serviceCompletedFields, customer: incomingCustomerSchema });

export const customerOptedOutSchema = z.object({
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

const contactSchemas = { phone: phoneSchema, email: emailSchema } as const;
export type ContactField = keyof typeof contactSchemas;

/**
 * The phone and email the system can use. A field that is present but unusable is dropped with
 * its issue, so one bad address costs only its own channel; an empty or null field is simply
 * absent. Whether what is left is enough depends on the policy (see the intake).
 */
export function usableContacts(
  customer: { phone?: unknown; email?: unknown },
  prefix: string,
): { contacts: Partial<Record<ContactField, string>>; dropped: EventIssue[] } {
  const contacts: Partial<Record<ContactField, string>> = {};
  const dropped: EventIssue[] = [];
  for (const field of Object.keys(contactSchemas) as ContactField[]) {
    const value = customer[field];
    if (value === undefined || value === null || value === '') continue;
    const parsed = contactSchemas[field].safeParse(value);
    if (parsed.success) contacts[field] = parsed.data;
    else dropped.push(firstIssue(parsed.error, value, `${prefix}.${field}`));
  }
  return { contacts, dropped };
}

export type ParsedServiceCompleted = { ok: true; detail: ServiceCompleted; dropped: EventIssue[] } | { ok: false; issue: EventIssue };

/** A "Service Completed" detail with unknown fields ignored and unusable contact fields dropped. */
export function parseServiceCompleted(raw: unknown): ParsedServiceCompleted {
  const parsed = incomingServiceCompletedSchema.safeParse(raw);
  if (!parsed.success) return { ok: false, issue: firstIssue(parsed.error, raw, 'detail') };
  const { phone: _phone, email: _email, birthday: rawBirthday, ...customer } = parsed.data.customer;
  const { contacts, dropped } = usableContacts(parsed.data.customer, 'detail.customer');
  const birthday = usableBirthday(rawBirthday);
  if (birthday.issue) dropped.push(birthday.issue);
  const kept = { ...customer, ...contacts, ...(birthday.value ? { birthday: birthday.value } : {}) };
  return { ok: true, detail: { ...parsed.data, customer: kept }, dropped };
}

/** Like a contact field, a birthday that is not one is dropped with a warning: it costs only the greeting. */
function usableBirthday(value: unknown): { value?: string; issue?: EventIssue } {
  if (value === undefined || value === null || value === '') return {};
  const parsed = birthdaySchema.safeParse(value);
  return parsed.success ? { value: parsed.data } : { issue: firstIssue(parsed.error, value, 'detail.customer.birthday') };
}
