import * as z from 'zod';
import { translator } from '../i18n/index.js';
import type { Locale } from './policy-schema.js';
import { longestSignedLinkUrl } from './signed-link.js';
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

/**
 * The longest base URL the stack gives the outcome API (infra/constructs/outcome-api.ts): an HTTP
 * API's default endpoint, `https://<10-character id>.execute-api.<region>.<suffix>`, in the region
 * with the longest name and suffix (cn-northwest-1, amazonaws.com.cn).
 */
export const LONGEST_OUTCOME_BASE_URL = `https://${'a'.repeat(10)}.execute-api.cn-northwest-1.amazonaws.com.cn`;

/** The survey link texts are measured with: the longest a signed survey link can be (signed-link.ts). */
export const longestSurveyLink = () => longestSignedLinkUrl(LONGEST_OUTCOME_BASE_URL, 'survey');

/** The company name as a text carries it, per language (policies' `organization.name`). */
export type CompanyNames = Record<Locale, string>;

/**
 * Alibaba's registered template is Chinese, so it carries the company's Chinese name whatever the
 * customer's language: one length to check, and no English name inside Chinese words.
 */
export const alibabaCompany = (company: CompanyNames) => company['zh-CN'];

/** The text Alibaba delivers for a registered template and its parameters: sign name first. */
export function alibabaText(config: Pick<SmsConfig, 'alibaba'>, params: Record<string, string>): string {
  const body = config.alibaba.surveyTemplate.text.replace(/\$\{(\w+)\}/g, (_match, name: string) => params[name] ?? '');
  return `【${config.alibaba.signName}】${body}`;
}

const templateSchema = z.strictObject({
  /** The template code Alibaba Cloud gave the registered template, e.g. SMS_123456789. */
  code: z.string().regex(/^SMS_\d+$/, 'expected an Alibaba template code such as SMS_123456789'),
  /** The registered text, with ${company} and ${link}: kept here to count its length. */
  text: z.string().includes(LINK_VARIABLE, { message: `the template must carry ${LINK_VARIABLE}` }),
});

const priceSchema = z.strictObject({ currency: z.string().length(3), perPart: z.number().nonnegative() });

const smsConfigShape = z.strictObject({
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
});
export type SmsConfig = z.infer<typeof smsConfigShape>;

/**
 * The schema with the length check: each survey text, with the company's name and the longest
 * signed survey link, must fit maxParts, so what the check accepts is what a real text is billed.
 */
export function smsConfigSchema(company: CompanyNames) {
  return smsConfigShape.superRefine((config, ctx) => {
    const link = longestSurveyLink();
    const measuredWith = `the longest signed link (${link.length} characters)`;
    const tooLong = (path: (string | number)[], text: string, what: string) => {
      const length = smsLength(text);
      if (length.parts > config.maxParts) {
        ctx.addIssue({
          code: 'custom',
          path,
          message: `${what} is ${describeSmsLength(length)} with ${measuredWith}; maxParts is ${config.maxParts}`,
        });
      }
    };
    const alibaba = alibabaText(config, { company: alibabaCompany(company), link });
    tooLong(['alibaba', 'surveyTemplate', 'text'], alibaba, 'the template with its sign name');
    for (const locale of ['zh-CN', 'en'] as const) {
      tooLong(['(catalogue)', locale, 'sms.survey'], surveySmsText(locale, company[locale], link), 'the survey text');
    }
  });
}

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

/** The SMS configuration, checked against the company's names (policies' `organization.name`) as texts carry them. */
export function parseSmsConfig(raw: unknown, company: CompanyNames): SmsConfig {
  const result = smsConfigSchema(company).safeParse(raw);
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
