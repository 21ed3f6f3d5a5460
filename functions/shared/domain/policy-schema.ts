import * as z from 'zod';
// Types only flow back from schedule.ts, so this import makes no cycle at run time.
import { durationSeconds } from './schedule.js';

/**
 * The operator-facing description of how each kind of service is followed up.
 * It is validated once at synth and once when a function container starts, so a typo
 * fails the deployment (or the local stack) instead of a customer's follow-up.
 */

const localTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected HH:mm (24-hour)');
const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected YYYY-MM-DD');
const ianaZone = z.string().refine((zone) => {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}, 'expected an IANA time zone such as Asia/Shanghai');

export const localeSchema = z.enum(['zh-CN', 'en']);
export type Locale = z.infer<typeof localeSchema>;

const localizedText = z.object({ 'zh-CN': z.string().min(1), en: z.string().min(1) });
export type LocalizedText = z.infer<typeof localizedText>;

export const durationSchema = z.union([
  z.strictObject({ minutes: z.number().int().positive() }),
  z.strictObject({ hours: z.number().positive() }),
  z.strictObject({ days: z.number().int().positive() }),
  z.strictObject({ workingDays: z.number().int().positive() }),
]);
export type Duration = z.infer<typeof durationSchema>;

export const callingWindowSchema = z
  .strictObject({ start: localTime, end: localTime })
  .refine((w) => w.start < w.end, { message: 'start must be before end', path: ['end'] });
export type CallingWindow = z.infer<typeof callingWindowSchema>;

const calendarSchema = z.strictObject({
  /** Built-in public-holiday data to start from; "CN" uses the State Council schedule (chinese-days). */
  base: z.enum(['CN', 'none']),
  /** ISO weekday numbers that are not working days: 1 = Monday … 7 = Sunday. */
  weekend: z.array(z.number().int().min(1).max(7)).max(6),
  holidays: z.array(isoDate).default([]),
  makeUpWorkdays: z.array(isoDate).default([]),
});
export type CalendarConfig = z.infer<typeof calendarSchema>;

const questionSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    id: z.string().regex(/^[a-z][a-zA-Z0-9]*$/),
    kind: z.literal('yesNo'),
    text: localizedText,
    required: z.boolean().default(true),
    /** The answer that means the customer is complaining. */
    complaintWhen: z.enum(['yes', 'no']).optional(),
  }),
  z.strictObject({
    id: z.string().regex(/^[a-z][a-zA-Z0-9]*$/),
    kind: z.literal('score'),
    text: localizedText,
    required: z.boolean().default(true),
    /** The satisfaction indicator this score feeds in the reports. */
    indicator: z.string().min(1),
    /** A score at or below this value is a complaint. */
    complaintAtOrBelow: z.number().int().min(1).max(5).optional(),
  }),
  z.strictObject({
    id: z.string().regex(/^[a-z][a-zA-Z0-9]*$/),
    kind: z.literal('text'),
    text: localizedText,
    required: z.boolean().default(false),
  }),
]);
export type SurveyQuestion = z.infer<typeof questionSchema>;

const surveySchema = z.strictObject({
  title: localizedText,
  /** What the agent says first: greeting and identity check, before any question. */
  opening: localizedText,
  questions: z.array(questionSchema).min(1),
});
export type Survey = z.infer<typeof surveySchema>;

export const channelSchema = z.enum(['phone', 'sms', 'email']);
export type Channel = z.infer<typeof channelSchema>;

const channelStepSchema = z.strictObject({
  channel: channelSchema,
  attempts: z.number().int().min(1).max(10),
  /** Pause between two unanswered attempts on this channel. */
  retryAfter: durationSchema,
  /**
   * How long an agent task, a texted or an emailed survey stays open before it counts as unanswered. It
   * becomes the callback task's TimeoutSeconds, a positive whole number of seconds, so a fraction
   * of an hour that rounds to 0 s would fail every contact at run time instead of at load.
   */
  responseTimeout: durationSchema.refine((d) => durationSeconds(d) >= 1, {
    message: 'must be at least 1 second after rounding to whole seconds',
  }),
});
export type ChannelStep = z.infer<typeof channelStepSchema>;

const roundSchema = z.strictObject({
  /** Earliest contact, counted from completion. */
  delay: durationSchema,
  /** The contact is on time when it happens before completion + deadline. */
  deadline: durationSchema,
});
export type Round = z.infer<typeof roundSchema>;

const policySchema = z.strictObject({
  label: localizedText,
  /** One entry per follow-up of the same service (urgent repair: within 24 h, then again 2 days later). */
  rounds: z.array(roundSchema).min(1).max(5),
  channels: z.array(channelStepSchema).min(1),
  /** Share of services followed up: 0.2 for a 20% sample, 1 for every one. */
  samplingRate: z.number().min(0).max(1),
  /** Special follow-ups (complaints, hotline tickets) that the per-customer cap does not limit. */
  frequencyCapExempt: z.boolean().default(false),
  survey: z.string().min(1),
  callingHours: z.array(callingWindowSchema).min(1).optional(),
  calendar: z.string().optional(),
  maxCallbacks: z.number().int().min(0).max(5).default(2),
  /** A thank-you care message on the day of the service (a purchase, a delivery), besides the follow-up (care.json). */
  thankYou: z.boolean().default(false),
});
export type FollowUpPolicy = z.infer<typeof policySchema>;

export const policyConfigSchema = z
  .strictObject({
    organization: z.strictObject({ name: localizedText }),
    defaults: z.strictObject({
      timeZone: ianaZone,
      locale: localeSchema,
      callingHours: z.array(callingWindowSchema).min(1),
      calendar: z.string(),
    }),
    frequencyCap: z.strictObject({
      maxPerQuarter: z.number().int().min(1),
    }),
    /**
     * Contacts started per second and channel, at or below the account's quotas: Amazon Connect
     * allows StartTaskContact 2/s (burst 5) per account and Region; SES allows its send rate
     * (1/s in the sandbox); AWS End User Messaging SMS sends 1 part/s per origination number by default.
     */
    contactRates: z.strictObject({
      phone: z.strictObject({ perSecond: z.number().int().min(1).max(100) }),
      email: z.strictObject({ perSecond: z.number().int().min(1).max(1000) }),
      sms: z.strictObject({ perSecond: z.number().int().min(1).max(1000) }).default({ perSecond: 1 }),
    }),
    /**
     * One interruption for several matters (一事一扰): follow-ups of one customer due within `window`
     * of a contact join it, up to `maxMatters` in one agent task or email (1 turns merging off).
     */
    merging: z
      .strictObject({
        window: durationSchema.default({ days: 2 }),
        maxMatters: z.number().int().min(1).max(5).default(3),
      })
      .default({ window: { days: 2 }, maxMatters: 3 }),
    /** Follow-up records are kept at least two years (DOMAIN: reports kept ≥ 2 years). */
    retentionDays: z.number().int().min(730),
    /** A contact link (agent form, customer survey) stops working after this many hours. */
    linkValidityHours: z
      .number()
      .int()
      .min(1)
      .max(24 * 30),
    /**
     * An email's unsubscribe link (List-Unsubscribe and the body's link) keeps working this long:
     * people unsubscribe from old mail. A key rotation keeps the old key verifying as long.
     */
    unsubscribeLinkValidityDays: z.number().int().min(30).max(730).default(180),
    calendars: z.record(z.string(), calendarSchema),
    surveys: z.record(z.string(), surveySchema),
    policies: z.record(z.string().regex(/^[a-z][a-z0-9-]*$/, 'serviceType ids are kebab-case'), policySchema),
  })
  .superRefine((config, ctx) => {
    if (!config.calendars[config.defaults.calendar]) {
      ctx.addIssue({ code: 'custom', path: ['defaults', 'calendar'], message: `unknown calendar "${config.defaults.calendar}"` });
    }
    for (const [serviceType, policy] of Object.entries(config.policies)) {
      if (!config.surveys[policy.survey]) {
        ctx.addIssue({ code: 'custom', path: ['policies', serviceType, 'survey'], message: `unknown survey "${policy.survey}"` });
      }
      if (policy.calendar && !config.calendars[policy.calendar]) {
        ctx.addIssue({ code: 'custom', path: ['policies', serviceType, 'calendar'], message: `unknown calendar "${policy.calendar}"` });
      }
      const channels = policy.channels.map((step) => step.channel);
      if (new Set(channels).size !== channels.length) {
        ctx.addIssue({ code: 'custom', path: ['policies', serviceType, 'channels'], message: 'a channel is listed twice' });
      }
    }
  });

export type PolicyConfigInput = z.input<typeof policyConfigSchema>;
export type PolicyConfig = z.infer<typeof policyConfigSchema>;

export class PolicyConfigError extends Error {
  constructor(readonly issues: { key: string; message: string }[]) {
    super(`Invalid follow-up policy configuration: ${issues.map((i) => `${i.key}: ${i.message}`).join('; ')}`);
    this.name = 'PolicyConfigError';
  }
}

export function parsePolicyConfig(raw: unknown): PolicyConfig {
  const result = policyConfigSchema.safeParse(raw);
  if (!result.success) {
    throw new PolicyConfigError(
      result.error.issues.map((issue) => ({ key: issue.path.map(String).join('.') || '(root)', message: issue.message })),
    );
  }
  return result.data;
}
