import { parseSmsConfig, type SmsConfig } from '../domain/sms-schema.js';
import raw from './sms.json' with { type: 'json' };

/** Parsed once per container: a template or text too long for maxParts stops the function at start, with its size named. */
export const smsConfig: SmsConfig = parseSmsConfig(raw);
