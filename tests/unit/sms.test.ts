import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { policyConfig } from '../../functions/shared/config/policies.js';
import raw from '../../functions/shared/config/sms.json' with { type: 'json' };
import type { FollowUp } from '../../functions/shared/domain/follow-up.js';
import { nextAttempt, planFollowUp, usableChannels } from '../../functions/shared/domain/plan.js';
import { parsePolicyConfig } from '../../functions/shared/domain/policy-schema.js';
import { MAX_KEY_ID_LENGTH, signedLinkUrl } from '../../functions/shared/domain/signed-link.js';
import { keysFromSecret } from '../../functions/shared/domain/signing-key-secret.js';
import { e164, surveySmsFor } from '../../functions/shared/domain/sms-content.js';
import { smsCost } from '../../functions/shared/domain/sms-cost.js';
import { describeSmsLength, smsLength } from '../../functions/shared/domain/sms-length.js';
import {
  LONGEST_OUTCOME_BASE_URL,
  longestSurveyLink,
  parseSmsConfig,
  providerFor,
  SmsConfigError,
  surveySmsText,
} from '../../functions/shared/domain/sms-schema.js';

const company = policyConfig.organization.name;
const config = parseSmsConfig(raw, company);

describe('SMS length as the carriers count it', () => {
  it('counts GSM-7 in septets: 160 in one part, 153 per part after that; extension characters take two', () => {
    expect(smsLength('a'.repeat(160))).toEqual({ encoding: 'GSM-7', units: 160, parts: 1 });
    expect(smsLength('a'.repeat(161))).toEqual({ encoding: 'GSM-7', units: 161, parts: 2 });
    expect(smsLength('a'.repeat(306)).parts).toBe(2);
    expect(smsLength('a'.repeat(307)).parts).toBe(3);
    expect(smsLength('€[]')).toEqual({ encoding: 'GSM-7', units: 6, parts: 1 });
  });

  it('counts Chinese as UCS-2: 70 in one part, 67 per part concatenated', () => {
    expect(smsLength('好'.repeat(70))).toEqual({ encoding: 'UCS-2', units: 70, parts: 1 });
    expect(smsLength('好'.repeat(71)).parts).toBe(2);
    expect(smsLength('好'.repeat(134)).parts).toBe(2);
    expect(smsLength('好'.repeat(135)).parts).toBe(3);
    // One non-GSM character turns the whole message into UCS-2.
    expect(smsLength(`${'a'.repeat(100)}好`)).toEqual({ encoding: 'UCS-2', units: 101, parts: 2 });
    expect(describeSmsLength(smsLength('好'.repeat(71)))).toBe('2 parts (UCS-2, 71 characters)');
  });

  it('never gives fewer parts than the units need, nor more than one extra', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 600 }), (text) => {
        const { encoding, units, parts } = smsLength(text);
        const per = encoding === 'GSM-7' ? 153 : 67;
        const single = encoding === 'GSM-7' ? 160 : 70;
        expect(parts).toBe(units <= single ? 1 : Math.ceil(units / per));
      }),
    );
  });
});

describe('SMS configuration', () => {
  it('routes +86 to Alibaba and every other destination to AWS', () => {
    expect(providerFor(config, '+8613800138000')).toBe('alibaba');
    expect(providerFor(config, '+14155550100')).toBe('aws');
    expect(providerFor(config, '+85291234567')).toBe('aws');
  });

  it('names the size of a template that does not fit maxParts, with its key', () => {
    const long = {
      ...raw,
      alibaba: { ...raw.alibaba, surveyTemplate: { ...raw.alibaba.surveyTemplate, text: `${'很'.repeat(150)}\${link}` } },
    };
    expect(() => parseSmsConfig(long, company)).toThrow(SmsConfigError);
    expect(() => parseSmsConfig(long, company)).toThrow(
      'the template with its sign name is 6 parts (UCS-2, 399 characters) with the longest signed link (243 characters); maxParts is 4',
    );
  });

  it('measures texts with the longest link the signer makes, so a real survey text bills no more parts than maxParts', () => {
    const longest = longestSurveyLink();
    // Every claim at its widest, under the API's longest default address: no signed survey link is longer.
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 100_000 }),
        fc.integer({ min: 1_700_000_000, max: 9_999_999_999 }),
        fc.string({ minLength: 1, maxLength: MAX_KEY_ID_LENGTH }),
        (attempt, expiresAt, keyId) => {
          const claims = { followUpId: `fu-${'0'.repeat(32)}`, attempt, purpose: 'survey' as const, expiresAt };
          const url = signedLinkUrl(LONGEST_OUTCOME_BASE_URL, claims, { current: { id: keyId, secret: 's' }, previous: [] });
          expect(url.length).toBeLessThanOrEqual(longest.length);
        },
      ),
      { seed: 7 },
    );
    expect(longest).toHaveLength(243);
    // The shipped template and texts, as delivered (Alibaba: sign name, template, parameters), with a real-length link.
    const survey = (phone: string, locale: 'zh-CN' | 'en') =>
      smsCost(config, surveySmsFor({ ...followUp, customer: { ...followUp.customer, phone, locale } }, policyConfig, config, 3, longest)!);
    const bills = {
      alibaba: survey('+8613800138000', 'zh-CN'),
      alibabaEn: survey('+8613800138000', 'en'),
      awsZh: survey('+14155550100', 'zh-CN'),
      awsEn: survey('+14155550100', 'en'),
    };
    expect(Object.fromEntries(Object.entries(bills).map(([k, b]) => [k, `${b.provider} ${describeSmsLength(b)}`]))).toEqual({
      alibaba: 'alibaba 4 parts (UCS-2, 267 characters)',
      alibabaEn: 'alibaba 4 parts (UCS-2, 267 characters)',
      awsZh: 'aws 4 parts (UCS-2, 267 characters)',
      awsEn: 'aws 3 parts (GSM-7, 359 septets)',
    });
    for (const bill of Object.values(bills)) expect(bill.parts).toBeLessThanOrEqual(config.maxParts);
    // The 160-character stand-in the check used to take passed texts that a real link makes a part longer.
    expect(smsLength(surveySmsText('zh-CN', company['zh-CN'], 'x'.repeat(160))).parts).toBe(3);
  });

  it('refuses a template or a company name that a real link would push past maxParts, naming the field', () => {
    // Two characters more than the shipped template: 269 characters, a fifth part.
    const longer = {
      ...raw,
      alibaba: { ...raw.alibaba, surveyTemplate: { ...raw.alibaba.surveyTemplate, text: `请您${raw.alibaba.surveyTemplate.text}` } },
    };
    expect(() => parseSmsConfig(longer, company)).toThrow(
      'alibaba.surveyTemplate.text: the template with its sign name is 5 parts (UCS-2, 269 characters) with the longest signed link',
    );
    const longName = { ...company, 'zh-CN': `${company['zh-CN']}北京分公司` };
    expect(() => parseSmsConfig(raw, longName)).toThrow(/\(catalogue\)\.zh-CN\.sms\.survey: the survey text is 5 parts/);
    expect(() => parseSmsConfig(raw, longName)).toThrow(/alibaba\.surveyTemplate\.text: /);
    expect(() => parseSmsConfig({ ...raw, maxParts: 3 }, company)).toThrow(/maxParts is 3/);
  });

  it('lets no signing key id grow the links past what the length check counts', () => {
    expect(() => keysFromSecret(JSON.stringify({ currentId: 'k'.repeat(MAX_KEY_ID_LENGTH + 1), current: 's'.repeat(16) }))).toThrow(
      /currentId/,
    );
    expect(keysFromSecret(JSON.stringify({ currentId: 'k'.repeat(MAX_KEY_ID_LENGTH), current: 's'.repeat(16) })).current.id).toHaveLength(
      8,
    );
  });

  it('refuses a template code Alibaba would not have issued and a template without the link', () => {
    const bad = { ...raw, alibaba: { ...raw.alibaba, surveyTemplate: { code: 'T1', text: '请评价' } } };
    expect(() => parseSmsConfig(bad, company)).toThrow(/alibaba\.surveyTemplate\.code: expected an Alibaba template code/);
    expect(() => parseSmsConfig(bad, company)).toThrow(/alibaba\.surveyTemplate\.text: the template must carry \$\{link\}/);
  });

  it('writes stored phones in E.164, with the default country for those without one', () => {
    expect(e164('138 0013 8000', '+86')).toBe('+8613800138000');
    expect(e164('+1 415-555-0100', '+86')).toBe('+14155550100');
    expect(e164('12', '+86')).toBeUndefined();
  });
});

const followUp: FollowUp = {
  followUpId: 'fu-1',
  source: 'dms',
  serviceId: 'RO-1',
  serviceType: 'vehicle-repair',
  round: 0,
  completedAt: '2026-11-20T07:00:00.000Z',
  customer: { id: 'C1', name: '赵六', phone: '13800138000' },
  status: 'scheduled',
  createdAt: '2026-11-20T07:00:00.000Z',
  attempts: [],
};

describe('the sms channel in a policy', () => {
  const withSms = parsePolicyConfig({
    ...structuredClone(policyConfig),
    policies: {
      ...policyConfig.policies,
      'vehicle-repair': {
        ...policyConfig.policies['vehicle-repair']!,
        channels: [
          { channel: 'phone', attempts: 1, retryAfter: { hours: 2 }, responseTimeout: { hours: 8 } },
          { channel: 'sms', attempts: 1, retryAfter: { hours: 4 }, responseTimeout: { hours: 24 } },
          { channel: 'email', attempts: 1, retryAfter: { days: 1 }, responseTimeout: { days: 2 } },
        ],
      },
    },
  });

  it('needs a phone number, like a call, and has its own rate (1/s unless configured)', () => {
    const policy = withSms.policies['vehicle-repair']!;
    expect(usableChannels(policy, followUp).map((s) => s.channel)).toEqual(['phone', 'sms']);
    expect(usableChannels(policy, { customer: { ...followUp.customer, phone: undefined, email: 'a@example.com' } })).toHaveLength(1);
    expect(withSms.contactRates.sms).toEqual({ perSecond: 1 });
  });

  it('falls back from phone to sms with the sms step’s response timeout', () => {
    const now = new Date('2026-11-23T02:00:00Z');
    const first = planFollowUp(followUp, withSms, { now, optedOut: false, contactsThisQuarter: 0 });
    expect(first).toMatchObject({ action: 'contact', channel: 'phone' });
    const planned = { ...followUp, deadline: '2026-11-30T10:00:00.000Z' };
    const last = { attempt: 1, channel: 'phone' as const, result: 'no_answer' as const };
    expect(nextAttempt(planned, withSms, [last], last, now)).toMatchObject({
      action: 'contact',
      attempt: 2,
      channel: 'sms',
      timeoutSeconds: 86_400,
    });
  });

  it('texts the survey link in the customer’s language, with the template’s parameters', () => {
    const sms = surveySmsFor(followUp, policyConfig, config, 2, 'https://links.example.com/links/abc')!;
    expect(sms.to).toBe('+8613800138000');
    expect(sms.text).toContain('https://links.example.com/links/abc');
    expect(sms.purpose).toEqual({ kind: 'follow-up', followUpId: 'fu-1', attempt: 2 });
    expect(sms.templateParams).toEqual({ company: policyConfig.organization.name['zh-CN'], link: 'https://links.example.com/links/abc' });
    expect(surveySmsFor({ ...followUp, customer: { ...followUp.customer, phone: '12' } }, policyConfig, config, 1, 'x')).toBeUndefined();
  });
});

describe('SMS cost at list price', () => {
  const link = `https://links.example.com/links/${'a'.repeat(120)}`;
  const sms = (to: string, text: string) => ({
    to,
    text,
    purpose: { kind: 'follow-up' as const, followUpId: 'fu-1', attempt: 1 },
    templateParams: { company: '示例公司', link },
  });

  it('bills an AWS text by its GSM-7 parts at the AWS price', () => {
    const cost = smsCost(config, sms('+14155550100', `Example: how did it go? ${link}`));
    expect(cost).toMatchObject({ provider: 'aws', encoding: 'GSM-7', parts: 2, currency: 'USD', amount: 0.0158 });
  });

  it('bills a +86 text as Alibaba delivers it: sign name and registered template, UCS-2 parts at the Alibaba price', () => {
    const cost = smsCost(config, sms('+8613800138000', 'ignored free text'));
    expect(cost).toMatchObject({ provider: 'alibaba', encoding: 'UCS-2', currency: 'CNY' });
    expect(cost.parts).toBe(smsLength(`【客户回访】示例公司邀请您评价本次服务：${link}`).parts);
    expect(cost.amount).toBeCloseTo(cost.parts * 0.045, 6);
  });
});
