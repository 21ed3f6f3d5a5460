import * as z from 'zod';
import { callingWindowSchema, localeSchema } from './policy-schema.js';

/** The escalation ladder an operator edits: SLAs per severity, levels, and who stands on each level. */
const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);
export const workDurationSchema = z.union([
  z.strictObject({ hours: z.number().positive() }),
  z.strictObject({ workingHours: z.number().positive() }),
  z.strictObject({ workingDays: z.number().positive() }),
]);
export type WorkDuration = z.infer<typeof workDurationSchema>;

export const severities = ['urgent', 'major', 'general'] as const;
export type Severity = (typeof severities)[number];

const slaSchema = z.strictObject({ acknowledgeWithin: workDurationSchema, resolveWithin: workDurationSchema, followUp: z.string().min(1) });
const managerSchema = z.strictObject({ name: z.string().min(1), email: z.email(), connectQueue: z.string().min(1).optional() });

export const escalationConfigSchema = z
  .strictObject({
    timeZone: z.string().min(1),
    locale: localeSchema,
    calendar: z.strictObject({
      base: z.enum(['CN', 'none']),
      weekend: z.array(z.number().int().min(1).max(7)),
      holidays: z.array(isoDate).default([]),
      makeUpWorkdays: z.array(isoDate).default([]),
    }),
    workingHours: z.array(callingWindowSchema).min(1),
    severities: z.strictObject({ urgent: slaSchema, major: slaSchema, general: slaSchema }),
    levels: z
      .array(
        z.strictObject({
          level: z.number().int().min(1),
          title: z.strictObject({ 'zh-CN': z.string(), en: z.string() }),
          renotifyAfter: workDurationSchema,
          renotifyTimes: z.number().int().min(0).max(1000),
        }),
      )
      .min(1),
    contacts: z
      .record(z.string(), z.record(z.string().regex(/^\d+$/), managerSchema))
      .refine((c) => 'default' in c, 'a "default" department is required'),
    repeat: z.strictObject({ sameIssueComplaints: z.number().int().min(2), reworks: z.number().int().min(2) }),
    pauseAfterComplaintHours: z.number().min(0).max(168),
  })
  .superRefine((config, ctx) => {
    config.levels.forEach((level, i) => {
      if (level.level !== i + 1)
        ctx.addIssue({
          code: 'custom',
          path: ['levels', i, 'level'],
          message: `levels must be numbered 1, 2, 3…; found ${level.level} at position ${i + 1}`,
        });
    });
    for (const [department, byLevel] of Object.entries(config.contacts)) {
      for (const level of config.levels) {
        if (!byLevel[String(level.level)])
          ctx.addIssue({
            code: 'custom',
            path: ['contacts', department, String(level.level)],
            message: `no manager for level ${level.level}`,
          });
      }
    }
  });
export type EscalationConfig = z.infer<typeof escalationConfigSchema>;

export function parseEscalationConfig(raw: unknown): EscalationConfig {
  const result = escalationConfigSchema.safeParse(raw);
  if (!result.success) {
    const detail = result.error.issues.map((i) => `${i.path.map(String).join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new Error(`Invalid escalation configuration: ${detail}`);
  }
  return result.data;
}
