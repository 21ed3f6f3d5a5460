import * as z from 'zod';
import { localeSchema } from './policy-schema.js';

/** When reports go out, to whom, and how long they are kept. */
const at = { hour: z.number().int().min(0).max(23), minute: z.number().int().min(0).max(59) };
export const reportKinds = ['daily', 'weekly', 'monthly'] as const;
export type ReportKind = (typeof reportKinds)[number];

const share = z.number().min(0).max(1);
const followUpTargets = {
  coverageRate: share.optional(),
  reachRate: share.optional(),
  onTimeRate: share.optional(),
  /** Average score, 1–5. */
  satisfaction: z.number().min(1).max(5).optional(),
  dormantAppointmentRate: share.optional(),
};
export type FollowUpTargets = { [K in keyof typeof followUpTargets]?: number };
export type ReportTargets = FollowUpTargets & { complaintsAcknowledgedInSla?: number; complaintsResolvedInSla?: number };

export const reportConfigSchema = z.strictObject({
  timeZone: z.string().min(1),
  schedules: z.strictObject({
    daily: z.strictObject(at),
    weekly: z.strictObject({ weekday: z.enum(['MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT', 'SUN']), ...at }),
    monthly: z.strictObject({ day: z.number().int().min(1).max(28), ...at }),
    dormant: z.strictObject({ day: z.number().int().min(1).max(28), ...at }),
  }),
  recipients: z
    .array(
      z.strictObject({
        name: z.string().min(1),
        email: z.email(),
        locale: localeSchema,
        departments: z.array(z.string().min(1)).min(1),
        reports: z.array(z.enum(reportKinds)).min(1),
      }),
    )
    .min(1),
  /**
   * What each KPI should reach (every target is a minimum): `all` for the whole report and each
   * department, `serviceTypes` to set a service type's own target (the others fall back to `all`).
   */
  targets: z.strictObject({
    all: z.strictObject({ ...followUpTargets, complaintsAcknowledgedInSla: share.optional(), complaintsResolvedInSla: share.optional() }),
    serviceTypes: z.record(z.string().min(1), z.strictObject(followUpTargets)).default({}),
  }),
  /** Department names as managers know them; a department missing here shows its id. */
  departments: z.record(z.string().min(1), z.strictObject({ 'zh-CN': z.string().min(1), en: z.string().min(1) })).default({}),
  archive: z.strictObject({
    keepDays: z.number().int().min(730),
    infrequentAccessAfterDays: z.number().int().min(30),
    glacierAfterDays: z.number().int().min(90),
  }),
  dormant: z.strictObject({ afterMonths: z.number().int().min(1), serviceType: z.string().min(1) }),
});
export type ReportConfig = z.infer<typeof reportConfigSchema>;

export function parseReportConfig(raw: unknown): ReportConfig {
  const result = reportConfigSchema.safeParse(raw);
  if (!result.success) {
    const issues = result.error.issues.map((i) => `${i.path.map(String).join('.') || '(root)'}: ${i.message}`);
    throw new Error(`Invalid report configuration: ${issues.join('; ')}`);
  }
  return result.data;
}
