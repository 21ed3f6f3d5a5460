import { z } from 'zod';
import { translator } from '../i18n/index.js';
import type { Locale } from './policy-schema.js';
import { describeSmsLength, smsLength } from './sms-length.js';

/**
 * Which SMS provider carries a message to a destination, and what each needs. Mainland China
 * numbers (+86) go through Alibaba Cloud SMS: AWS End User Messaging needs registered templates
 * there, has no sender ids and generally no two-way SMS. Everything else goes through AWS End User
 * Messaging SMS, whose configuration set and origination identity the stack provisions (environment).
 */

export const smsProviderSchema = z.enum(['aws', 'alibaba']);
export type SmsProvider = z.infer<typeof smsProviderSchema>;

/** Alibaba's template variables, written ${name} in a registered template (not JavaScript placeholders). */
const variable = (name: string) => ['$', '{', name, '}'].join('');
const LINK_VARIABLE = variable('link');

/** A survey link as long as the longest signed link the stack makes, for the length checks. */
export const SAMPLE_LINK_LENGTH = 160;

const templateSchema = z.strictObject({
  /** The template code Alibaba Cloud gave the registered template, e.g. SMS_123456789. */
  code: z.string().regex(/^SMS_\d+$/, 'expected an Alibaba template code such as SMS_123456789'),
  /** The registered text, with ${company} and ${link}: kept here to count its length. */
  text: z.string().includes(LINK_VARIABLE, { message: `the template must carry ${LINK_VARIABLE}` }),
});

const priceSchema = z.strictObject({ currency: z.string().length(3), perPart: z.number().nonnegative() });

export const smsConfigSchema = z
  .strictObject({
    /** A message longer than this many parts is refused at load: each part is billed. */
    maxParts: z.number().int().min(1).max(10),
    /** For stored phones written without one, e.g. "+86". */
    defaultCountryCode: z.string().regex(/^\+\d{1,4}$/),
    defaultProvider: smsProviderSchema,
    /** The first route whose prefix starts the E.164 destination wins. */
    routes: z.array(z.strictObject({ prefix: z.string().regex(/^\+\d{1,6}$/), provider: smsProviderSchema })),
    aws: z.strictObject({
      messageType: z.enum(['TRANSACTIONAL', 'PROMOTIONAL']),
      price: priceSchema,
      /** The two-way number replies arrive at (E.164); without it a reply is matched on the customer's number alone. */
      replyNumber: z
        .string()
        .regex(/^\+[1-9]\d{6,14}$/)
        .optional(),
    }),
    alibaba: z.strictObject({
      /** The approved sign name, shown as 【name】 before every message. */
      signName: z.string().min(2).max(12),
      surveyTemplate: templateSchema,
      price: priceSchema,
    }),
  })
  .superRefine((config, ctx) => {
    const tooLong = (path: (string | number)[], text: string, what: string) => {
      const length = smsLength(text);
      if (length.parts > config.maxParts) {
        ctx.addIssue({
          code: 'custom',
          path,
          message: `${what} is ${describeSmsLength(length)} with a ${SAMPLE_LINK_LENGTH}-character link; maxParts is ${config.maxParts}`,
        });
      }
    };
    const link = 'x'.repeat(SAMPLE_LINK_LENGTH);
    const template = config.alibaba.surveyTemplate.text.replaceAll(LINK_VARIABLE, link).replaceAll(variable('company'), '');
    tooLong(['alibaba', 'surveyTemplate', 'text'], `【${config.alibaba.signName}】${template}`, 'the template with its sign name');
    for (const locale of ['zh-CN', 'en'] as const) {
      tooLong(['(catalogue)', locale, 'sms.survey'], surveySmsText(locale, '', link), 'the survey text');
    }
  });
export type SmsConfig = z.infer<typeof smsConfigSchema>;

/** The survey message for providers that take free text (AWS), in the customer's language. */
export function surveySmsText(locale: Locale, company: string, link: string): string {
  return translator(locale)('sms.survey', { company, link });
}

export function providerFor(config: SmsConfig, to: string): SmsProvider {
  return config.routes.find((route) => to.startsWith(route.prefix))?.provider ?? config.defaultProvider;
}

export class SmsConfigError extends Error {
  constructor(readonly issues: { key: string; message: string }[]) {
    super(`Invalid SMS configuration: ${issues.map((i) => `${i.key}: ${i.message}`).join('; ')}`);
    this.name = 'SmsConfigError';
  }
}

export function parseSmsConfig(raw: unknown): SmsConfig {
  const result = smsConfigSchema.safeParse(raw);
  if (!result.success) {
    throw new SmsConfigError(
      result.error.issues.map((issue) => ({ key: issue.path.map(String).join('.') || '(root)', message: issue.message })),
    );
  }
  return result.data;
}

/** The origination number a reply lookup is kept under: the configured two-way number, or one for all. */
export function replyNumberOf(config: SmsConfig): string {
  return config.aws.replyNumber ?? 'any';
}
