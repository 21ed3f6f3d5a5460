import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { DateTime } from 'luxon';
import * as z from 'zod';

/** A simulated month: who completes which services, how agents work and how customers answer. */
const localTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/);
const share = z.number().min(0).max(1);

/** A permanent error of one operation, by the code AWS returns for it. */
const permanentFault = z.discriminatedUnion('operation', [
  z.strictObject({ operation: z.literal('SES.SendEmail'), error: z.literal('MessageRejected'), rate: share }),
  z.strictObject({
    operation: z.literal('Connect.StartTaskContact'),
    error: z.enum(['ResourceNotFoundException', 'InvalidParameterException', 'ServiceQuotaExceededException']),
    rate: share,
  }),
  /** End User Messaging refusing a destination (the Alibaba stand-in words it as an illegal number). */
  z.strictObject({ operation: z.literal('SMS.SendTextMessage'), error: z.literal('ValidationException'), rate: share }),
  z.strictObject({ operation: z.literal('AlibabaSms.SendSms'), error: z.literal('ValidationException'), rate: share }),
  z.strictObject({
    operation: z.literal('Lambda.Invoke'),
    error: z.literal('Sandbox.Timedout'),
    /** The function's logical id in the template, with or without CDK's 8-character hash. */
    function: z.string().min(1),
    rate: share,
  }),
]);
export type PermanentFault = z.infer<typeof permanentFault>;

export const scenarioSchema = z.strictObject({
  name: z.string().min(1),
  seed: z.number().int(),
  /** Local midnight of the first simulated day, with its offset. */
  start: z.iso.datetime({ offset: true }),
  timeZone: z.string().default('Asia/Shanghai'),
  days: z.number().int().min(1).max(62),
  /** Time after the last service for open follow-ups to finish. */
  drainDays: z.number().int().min(0).max(60).default(10),
  source: z.string().default('simulator'),
  customers: z.strictObject({
    count: z.number().int().min(1),
    phoneShare: share.default(0.95),
    emailShare: share.default(0.5),
    englishShare: share.default(0.05),
    /**
     * Share of key customers (followed up every 6 months, the rest every 12). Absent: the events
     * carry no `customer.tier`, and every customer is an ordinary one.
     */
    keyShare: share.optional(),
    /** Share of customers whose events carry a birthday (for the care run's greetings). Absent: none do. */
    birthdayShare: share.optional(),
  }),
  services: z
    .array(
      z.strictObject({
        serviceType: z.string(),
        perDay: z.number().min(0),
        /** Services are completed only on these ISO weekdays (1 = Monday). */
        weekdays: z.array(z.number().int().min(1).max(7)).default([1, 2, 3, 4, 5, 6, 7]),
        hours: z.tuple([localTime, localTime]).default(['08:30', '18:00']),
        departments: z.array(z.string()).min(1).default(['service']),
        /**
         * A share of these services is followed, for the same customer, by another service some
         * hours later (a repair, then the new car's delivery): the two follow-ups fall due close
         * together, so one contact carries both (一事一扰). Absent: every customer has one service.
         */
        followedBy: z
          .strictObject({
            serviceType: z.string(),
            share,
            afterHours: z.tuple([z.number().min(0), z.number().min(0)]).default([2, 18]),
            departments: z.array(z.string()).min(1).default(['service']),
          })
          .optional(),
      }),
    )
    .min(1),
  agents: z.strictObject({
    count: z.number().int().min(1),
    shift: z.tuple([localTime, localTime]),
    weekdays: z.array(z.number().int().min(1).max(7)).default([1, 2, 3, 4, 5]),
    handlingMinutes: z.tuple([z.number().positive(), z.number().positive()]),
  }),
  behaviour: z.strictObject({
    answerRate: share,
    busyShare: share.default(0.3),
    callbackRate: share.default(0.05),
    refuseRate: share.default(0.03),
    complaintRate: share.default(0.03),
    /** Relative weights of scores 1..5. */
    scoreWeights: z.tuple([z.number(), z.number(), z.number(), z.number(), z.number()]).default([1, 2, 6, 25, 50]),
    emailReplyRate: share.default(0.4),
    /** Reactivation calls: share of reached dormant customers who book an appointment. */
    appointmentRate: share.default(0.35),
    emailReplyHours: z.tuple([z.number().min(0), z.number().min(0)]).default([1, 36]),
  }),
  /**
   * Customers and texts (policies that list `sms`). Absent: every phone number is a +86 mobile and
   * nobody answers a text by reply (the survey link still works for them as for email).
   */
  sms: z
    .strictObject({
      /** Share of texted customers who reply with a score (1–5, by `behaviour.scoreWeights`) to our number. */
      replyRate: share.default(0.3),
      /** Hours between the text and the reply. */
      replyHours: z.tuple([z.number().min(0), z.number().min(0)]).default([0.05, 6]),
      /** Share of phone numbers that are +86 mobiles (texted through Alibaba Cloud SMS); the rest are +1 (End User Messaging). */
      mainlandShare: share.default(1),
      /** Share of numbers the provider refuses every text to (a permanent error: the attempt fails, the next channel follows). */
      failureRate: share.default(0),
    })
    .optional(),
  /** List prices for summary.json's `cost` (defaults as of writing; SMS prices default to functions/shared/config/sms.json). */
  prices: z
    .strictObject({
      /** Amazon Connect, per task contact (USD). */
      connectTask: z.number().min(0).default(0.06),
      /** Amazon SES, per outbound email (USD: 0.10 per 1,000). */
      sesEmail: z.number().min(0).default(0.0001),
      /** Per billed SMS part, by provider, in the provider's configured currency. */
      smsPerPart: z.strictObject({ aws: z.number().min(0).optional(), alibaba: z.number().min(0).optional() }).default({}),
    })
    .default({ connectTask: 0.06, sesEmail: 0.0001, smsPerPart: {} }),
  /** How managers react to each complaint notification (defaults: most act within a working day). */
  managers: z
    .strictObject({
      acknowledgeRate: share.default(0.75),
      acknowledgeAfterHours: z.tuple([z.number().min(0), z.number().min(0)]).default([0.2, 3]),
      resolveRate: share.default(0.8),
      resolveAfterHours: z.tuple([z.number().min(0), z.number().min(0)]).default([1, 20]),
    })
    .default({ acknowledgeRate: 0.75, acknowledgeAfterHours: [0.2, 3], resolveRate: 0.8, resolveAfterHours: [1, 20] }),
  /** Customers whose last service was long ago (imported history): the monthly dormant run finds them. */
  dormant: z.strictObject({ customers: z.number().int().min(0) }).default({ customers: 0 }),
  /**
   * Customers whose last follow-up was one tier interval before the scenario month (imported
   * history; key ones by `customers.keyShare`): the monthly periodic run follows them up.
   */
  periodic: z.strictObject({ customers: z.number().int().min(0) }).default({ customers: 0 }),
  noise: z
    .strictObject({
      /** Share of events delivered more than once (EventBridge is at-least-once). */
      duplicateRate: share.default(0),
      /** Share of events with a broken field (no contact channel). */
      badEventRate: share.default(0),
    })
    .default({ duplicateRate: 0, badEventRate: 0 }),
  /**
   * The SES account: the sandbox unless `production` (a real business month needs production
   * access). The template's sender is verified; `verified` adds addresses and domains.
   */
  ses: z
    .strictObject({
      production: z.boolean().default(false),
      verified: z.array(z.string().min(1)).default([]),
      maxPer24Hours: z.number().int().positive().optional(),
      maxSendRate: z.number().positive().optional(),
    })
    .default({ production: false, verified: [] }),
  faults: z
    .strictObject({
      /** Share of calls to these operations answered with the service's throttling error (retried). */
      throttleRate: share.default(0),
      operations: z.array(z.string()).default(['Connect.StartTaskContact', 'SES.SendEmail']),
      /**
       * Errors a retry does not cure: the same request fails the same way every time. `rate` is
       * the share of distinct requests (a Connect ClientToken, an email, a Lambda payload) hit.
       */
      permanent: z.array(permanentFault).default([]),
    })
    .optional(),
});
export type Scenario = z.infer<typeof scenarioSchema>;

export function loadScenario(file: string): Scenario {
  return parseScenario(JSON.parse(readFileSync(file, 'utf8')), `scenario ${file}`);
}

/** A scenario's JSON checked and completed with its defaults; an error names the field and says where it came from. */
export function parseScenario(raw: unknown, origin: string): Scenario {
  const parsed = scenarioSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`${origin}: ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  return parsed.data;
}

/** A repeatable draw in [0, 1) for a named decision: independent of the order decisions are made in. */
export function draw(seed: number, key: string): number {
  return createHash('sha256').update(`${seed}:${key}`).digest().readUInt32BE(0) / 0x1_0000_0000;
}

export function between(seed: number, key: string, [low, high]: readonly [number, number]): number {
  return low + (high - low) * draw(seed, key);
}

export interface PlannedEvent {
  at: number;
  detailType: string;
  detail: Record<string, unknown>;
}

/** A customer's tier, the same on every event: a key customer by `customers.keyShare`. */
export function customerTier(s: Scenario, customerId: string): 'key' | 'ordinary' {
  return draw(s.seed, `tier:${customerId}`) < (s.customers.keyShare ?? 0) ? 'key' : 'ordinary';
}

/** A customer's birthday ("MM-DD"), the same on every event, for `customers.birthdayShare` of them. */
export function customerBirthday(s: Scenario, customerId: string): string | undefined {
  if (draw(s.seed, `birthday:${customerId}`) >= (s.customers.birthdayShare ?? 0)) return undefined;
  // Any day of a leap year, so 29 February occurs as it does among real customers.
  const dayOfYear = Math.floor(draw(s.seed, `birthday-day:${customerId}`) * 366);
  return DateTime.fromObject({ year: 2024, month: 1, day: 1 }).plus({ days: dayOfYear }).toFormat('MM-dd');
}

const minutesOf = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3));

/** A customer's number: a +86 mobile, or with `sms.mainlandShare` below 1 for some a +1 number (fictional 555 range). */
export function phoneOf(s: Scenario, customerNo: number): string {
  const mainland = !s.sms || draw(s.seed, `mainland:${customerNo}`) < s.sms.mainlandShare;
  return mainland ? `+86139${String(10_000_000 + customerNo).slice(-8)}` : `+1415555${String(10_000 + customerNo).slice(-4)}`;
}

const birthdayOf = (s: Scenario, customerId: string) => {
  const birthday = customerBirthday(s, customerId);
  return birthday ? { birthday } : {};
};

/** The month's "Service Completed" events, published a few minutes after each completion. */
export function plannedEvents(s: Scenario): PlannedEvent[] {
  const events: PlannedEvent[] = [];
  const first = DateTime.fromISO(s.start, { setZone: true }).setZone(s.timeZone).startOf('day');
  for (let d = 0; d < s.days; d += 1) {
    const day = first.plus({ days: d });
    for (const service of s.services) {
      if (!service.weekdays.includes(day.weekday)) continue;
      const whole = Math.floor(service.perDay);
      const count = whole + (draw(s.seed, `count:${service.serviceType}:${d}`) < service.perDay - whole ? 1 : 0);
      for (let n = 0; n < count; n += 1) {
        const key = `${service.serviceType}:${d}:${n}`;
        const minute = between(s.seed, `minute:${key}`, [minutesOf(service.hours[0]), minutesOf(service.hours[1])]);
        const completedAt = day.plus({ minutes: Math.floor(minute) });
        const customerNo = Math.floor(draw(s.seed, `customer:${key}`) * s.customers.count);
        const bad = draw(s.seed, `bad:${key}`) < s.noise.badEventRate;
        const hasPhone = draw(s.seed, `phone:${customerNo}`) < s.customers.phoneShare;
        const hasEmail = !hasPhone || draw(s.seed, `email:${customerNo}`) < s.customers.emailShare;
        const detail = {
          serviceId: `${service.serviceType.toUpperCase()}-${d + 1}-${n + 1}`,
          serviceType: service.serviceType,
          completedAt: completedAt.toISO({ suppressMilliseconds: true }),
          customer: {
            id: `CUST-${customerNo}`,
            name: `Customer ${customerNo}`,
            ...(bad ? {} : hasPhone ? { phone: phoneOf(s, customerNo) } : {}),
            ...(bad || !hasEmail ? {} : { email: `customer${customerNo}@example.com` }),
            locale: draw(s.seed, `locale:${customerNo}`) < s.customers.englishShare ? 'en' : 'zh-CN',
            ...(s.customers.keyShare === undefined ? {} : { tier: customerTier(s, `CUST-${customerNo}`) }),
            ...birthdayOf(s, `CUST-${customerNo}`),
          },
          departmentId: service.departments[Math.floor(draw(s.seed, `dept:${key}`) * service.departments.length)],
        };
        const at = completedAt.plus({ minutes: 5 }).toMillis();
        events.push({ at, detailType: 'Service Completed', detail });
        if (draw(s.seed, `dup:${key}`) < s.noise.duplicateRate) events.push({ at: at + 60_000, detailType: 'Service Completed', detail });
        const next = service.followedBy;
        if (next && !bad && draw(s.seed, `followedBy:${key}`) < next.share) {
          const later = completedAt.plus({ minutes: Math.floor(between(s.seed, `followedByAfter:${key}`, next.afterHours) * 60) });
          events.push({
            at: later.plus({ minutes: 5 }).toMillis(),
            detailType: 'Service Completed',
            detail: {
              ...detail,
              serviceId: `${next.serviceType.toUpperCase()}-${d + 1}-${n + 1}-AFTER-${service.serviceType.toUpperCase()}`,
              serviceType: next.serviceType,
              completedAt: later.toISO({ suppressMilliseconds: true }),
              departmentId: next.departments[Math.floor(draw(s.seed, `followedByDept:${key}`) * next.departments.length)],
            },
          });
        }
      }
    }
  }
  return events.sort((a, b) => a.at - b.at);
}
