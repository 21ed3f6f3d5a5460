import type { OutgoingSms } from '../ports/contact-channels.js';
import { type SmsLength, smsLength } from './sms-length.js';
import { alibabaText, providerFor, type SmsConfig, type SmsProvider } from './sms-schema.js';

/**
 * What a text costs at the configured list price: the provider the destination routes to, the text
 * the carrier carries (for Alibaba the registered template with its sign name and parameters, not
 * the free text), its length in billed parts, and parts × price. For the cost figures of reports.
 */
export interface SmsCost extends SmsLength {
  provider: SmsProvider;
  currency: string;
  amount: number;
}

/** The text as the customer's handset receives it. */
export function deliveredText(config: SmsConfig, sms: OutgoingSms): string {
  if (providerFor(config, sms.to) === 'aws') return sms.text;
  // The same text the configuration's length check measures.
  return alibabaText(config, sms.templateParams ?? {});
}

export function smsCost(config: SmsConfig, sms: OutgoingSms): SmsCost {
  const provider = providerFor(config, sms.to);
  const length = smsLength(deliveredText(config, sms));
  const price = config[provider].price;
  // Rounded to a hundredth of the currency's minor unit: list prices have four decimals.
  return { provider, ...length, currency: price.currency, amount: Math.round(length.parts * price.perPart * 10_000) / 10_000 };
}
