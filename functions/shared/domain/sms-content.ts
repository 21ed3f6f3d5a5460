import type { OutgoingSms } from '../ports/contact-channels.js';
import { localeOf } from './contact-content.js';
import type { FollowUp } from './follow-up.js';
import type { PolicyConfig } from './policy-schema.js';
import { alibabaCompany, type SmsConfig, surveySmsText } from './sms-schema.js';

/**
 * The destination in E.164 (+<country><number>), or undefined when the stored phone cannot be one.
 * Stored phones may carry spaces and dashes, or no country code: then the configured default
 * country's applies (mainland mobiles are written 138 0013 8000).
 */
export function e164(phone: string, defaultCountryCode: string): string | undefined {
  const digits = phone.replace(/[\s-]/g, '');
  const full = digits.startsWith('+') ? digits : `${defaultCountryCode}${digits.replace(/^0+/, '')}`;
  return /^\+[1-9]\d{6,14}$/.test(full) ? full : undefined;
}

/**
 * The survey text message: the free text for AWS, the template's parameters for Alibaba (its
 * registered template holds the words). Undefined when the phone cannot be made E.164.
 */
export function surveySmsFor(
  followUp: FollowUp,
  config: PolicyConfig,
  sms: SmsConfig,
  attempt: number,
  surveyUrl: string,
): OutgoingSms | undefined {
  const to = followUp.customer.phone ? e164(followUp.customer.phone, sms.defaultCountryCode) : undefined;
  if (!to) return undefined;
  const locale = localeOf(followUp, config);
  const company = config.organization.name[locale];
  return {
    to,
    text: surveySmsText(locale, company, surveyUrl),
    purpose: { kind: 'follow-up', followUpId: followUp.followUpId, attempt },
    templateParams: { company: alibabaCompany(config.organization.name), link: surveyUrl },
  };
}
