import { DateTime } from 'luxon';
import * as z from 'zod';

/**
 * Periodic follow-ups (定期回访): key customers every 6 months, ordinary customers every 12
 * (seed 002: "对于重点客户,公司应当每半年进行一次回访。对于普通客户,公司应当每年进行一次回访").
 * A customer is due in the month that lies their tier's interval after the month of their last
 * follow-up, counted in the time zone of the monthly run.
 */
export const customerTiers = ['key', 'ordinary'] as const;
export const customerTierSchema = z.enum(customerTiers);
export type CustomerTier = z.infer<typeof customerTierSchema>;

const tierRuleSchema = z.strictObject({
  /** Months from the month of the last follow-up to the month the next periodic one starts. */
  everyMonths: z.number().int().min(1).max(120),
  /** The follow-up policy (follow-up-policies.json) the periodic follow-up runs under. */
  serviceType: z.string().min(1).max(64),
});

export const periodicConfigSchema = z.strictObject({
  /**
   * The tier of a customer whose event names none. Seed 002 treats every customer not marked as a
   * key customer as an ordinary one ("每年至少进行一次全面回访"): a yearly follow-up for all.
   */
  defaultTier: customerTierSchema,
  tiers: z.strictObject({ key: tierRuleSchema, ordinary: tierRuleSchema }),
  /** When the monthly run starts (day of the month, local time in the report time zone). */
  schedule: z.strictObject({
    day: z.number().int().min(1).max(28),
    hour: z.number().int().min(0).max(23),
    minute: z.number().int().min(0).max(59),
  }),
});
export type PeriodicConfig = z.infer<typeof periodicConfigSchema>;

export function parsePeriodicConfig(raw: unknown): PeriodicConfig {
  const result = periodicConfigSchema.safeParse(raw);
  if (!result.success) {
    const issues = result.error.issues.map((i) => `${i.path.map(String).join('.') || '(root)'}: ${i.message}`);
    throw new Error(`Invalid periodic follow-up configuration: ${issues.join('; ')}`);
  }
  return result.data;
}

export const tierOf = (customer: { tier?: CustomerTier }, config: PeriodicConfig): CustomerTier => customer.tier ?? config.defaultTier;

/** The month ("2027-05") a customer followed up at `followedUpAt` is next due for a periodic follow-up. */
export function periodicDueMonth(followedUpAt: Date, tier: CustomerTier, config: PeriodicConfig, timeZone: string): string {
  return DateTime.fromJSDate(followedUpAt, { zone: timeZone })
    .startOf('month')
    .plus({ months: config.tiers[tier].everyMonths })
    .toFormat('yyyy-MM');
}

/** The month a run at `now` serves: the current month in the run's time zone. */
export function periodicRunMonth(now: Date, timeZone: string): string {
  return DateTime.fromJSDate(now, { zone: timeZone }).toFormat('yyyy-MM');
}
