import './interpreted-validation.js';
import { parseSmsConfig, type SmsConfig } from '../domain/sms-schema.js';
import { policyConfig } from './policies.js';
import raw from './sms.json' with { type: 'json' };

/**
 * Parsed once per container: a template or text too long for maxParts, with the company's name and
 * the longest signed link, stops the function at start, with its size named.
 */
export const smsConfig: SmsConfig = parseSmsConfig(raw, policyConfig.organization.name);
