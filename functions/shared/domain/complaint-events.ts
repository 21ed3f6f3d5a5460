import * as z from 'zod';

export const complaintRaisedSchema = z.object({
  followUpId: z.string().regex(/^fu-[0-9a-f]{32}$/),
  source: z.string().min(1),
  serviceType: z.string().min(1),
  serviceId: z.string().min(1),
  customerId: z.string().min(1),
  departmentId: z.string().optional(),
  complaintQuestions: z.array(z.string()).default([]),
  raisedByAgent: z.boolean().default(false),
});

export const followUpCompletedSchema = z.object({
  followUpId: z.string(),
  source: z.string(),
  serviceId: z.string(),
  serviceType: z.string(),
  status: z.string(),
  complaint: z.boolean().default(false),
});

/** From an upstream system (ticketing, CRM) when the complaint was handled there; fields it adds are ignored. */
export const complaintResolvedSchema = z
  .object({
    complaintId: z
      .string()
      .regex(/^cp-[0-9a-f]{32}$/)
      .optional(),
    followUpId: z
      .string()
      .regex(/^fu-[0-9a-f]{32}$/)
      .optional(),
    note: z.string().max(2000).optional(),
  })
  .refine((d) => d.complaintId || d.followUpId, {
    message: 'complaintId or followUpId is required',
    path: ['complaintId'],
    params: { reason: 'either-id-required' },
  });

/** The post-resolution follow-up's serviceId names its complaint and cycle: "cp-…~c2". */
export const resolutionServiceId = (complaintId: string, cycle: number) => `${complaintId}~c${cycle}`;
export function complaintOfResolutionServiceId(serviceId: string): { complaintId: string; cycle: number } | undefined {
  const match = /^(cp-[0-9a-f]{32})~c(\d+)$/.exec(serviceId);
  return match ? { complaintId: match[1]!, cycle: Number(match[2]) } : undefined;
}
