import { describe, expect, it } from 'vitest';
import { SesAccount } from '../../local/cloud/ses-account.js';

/** The local SES account refuses what a new AWS account's SES refuses, with the same errors. */
const T0 = Date.parse('2026-11-20T01:00:00Z');
const SECOND = 1000;
const HOUR = 3_600_000;

describe('SES account: sandbox', () => {
  const sandbox = () => new SesAccount({ verified: ['follow-up@dealer.example', 'example.com'] });

  it('delivers to verified addresses and domains, including subdomains', () => {
    const account = sandbox();
    expect(account.refusal('follow-up@dealer.example', ['c1@example.com'], T0)).toBeUndefined();
    expect(account.refusal('Follow-up <FOLLOW-UP@dealer.example>', ['c2@mail.example.com'], T0 + SECOND)).toBeUndefined();
    expect(account.refusal('follow-up@dealer.example', ['success@simulator.amazonses.com'], T0 + 2 * SECOND)).toBeUndefined();
  });

  it('rejects an unverified recipient with MessageRejected, naming the identity and the region', () => {
    expect(sandbox().refusal('follow-up@dealer.example', ['zhang@customer.cn'], T0)).toEqual({
      code: 'MessageRejected',
      status: 400,
      message: 'Email address is not verified. The following identities failed the check in region US-EAST-1: zhang@customer.cn',
    });
  });

  it('rejects an unverified sender, and a domain does not verify a look-alike', () => {
    const refusal = sandbox().refusal('noreply@dealer.example.net', ['c@example.com', 'x@notexample.com'], T0);
    expect(refusal?.code).toBe('MessageRejected');
    expect(refusal?.message).toMatch(/: noreply@dealer\.example\.net, x@notexample\.com$/);
  });

  it('sends 1 message a second: the second in the same second is throttled, the next second is fine', () => {
    const account = sandbox();
    expect(account.refusal('follow-up@dealer.example', ['a@example.com'], T0)).toBeUndefined();
    account.recordSent(1, T0);
    expect(account.refusal('follow-up@dealer.example', ['b@example.com'], T0 + 999)).toEqual({
      code: 'TooManyRequestsException',
      status: 429,
      message: 'Maximum sending rate exceeded.',
    });
    expect(account.refusal('follow-up@dealer.example', ['b@example.com'], T0 + SECOND)).toBeUndefined();
  });

  it('sends 200 messages in any rolling 24 hours, each recipient counting as one', () => {
    const account = sandbox();
    for (let i = 0; i < 100; i += 1) account.recordSent(2, T0 + i * 2 * SECOND);
    const last = T0 + 199 * SECOND;
    expect(account.sendQuota(last + SECOND)).toEqual({ Max24HourSend: 200, MaxSendRate: 1, SentLast24Hours: 200 });
    expect(account.refusal('follow-up@dealer.example', ['a@example.com'], T0 + 23 * HOUR)).toEqual({
      code: 'TooManyRequestsException',
      status: 429,
      message: 'Daily message quota exceeded.',
    });
    // 24 h after the first two were sent, quota is left again: as in SES, a message goes out while
    // any is left, even to more recipients than remain, and the overdraft blocks what follows.
    account.recordSent(3, T0 + 24 * HOUR + 1);
    expect(account.refusal('follow-up@dealer.example', ['a@example.com'], T0 + 24 * HOUR + SECOND)?.message).toBe(
      'Daily message quota exceeded.',
    );
  });

  it('lets a message to several recipients through at the rate, then throttles until the rate has paid for it', () => {
    const account = sandbox();
    expect(account.refusal('follow-up@dealer.example', ['a@example.com', 'b@example.com', 'c@example.com'], T0)).toBeUndefined();
    account.recordSent(3, T0);
    expect(account.refusal('follow-up@dealer.example', ['d@example.com'], T0 + 2 * SECOND)?.message).toBe('Maximum sending rate exceeded.');
    expect(account.refusal('follow-up@dealer.example', ['d@example.com'], T0 + 3 * SECOND)).toBeUndefined();
  });

  it('checks identities before quotas: a rejected message costs no quota', () => {
    const account = new SesAccount({ verified: ['example.com'], maxPer24Hours: 1 });
    account.recordSent(1, T0);
    expect(account.refusal('a@example.com', ['x@elsewhere.org'], T0 + HOUR)?.code).toBe('MessageRejected');
  });
});

describe('SES account: production', () => {
  it('sends to anyone from a verified sender, 14 a second and 50,000 a day by default', () => {
    const account = new SesAccount({ production: true, verified: ['follow-up@dealer.example'] });
    expect(account.refusal('follow-up@dealer.example', ['zhang@customer.cn'], T0)).toBeUndefined();
    account.recordSent(14, T0);
    expect(account.refusal('follow-up@dealer.example', ['li@customer.cn'], T0 + 50)?.message).toBe('Maximum sending rate exceeded.');
    // The rate refills continuously: one more message every 1/14 s.
    expect(account.refusal('follow-up@dealer.example', ['li@customer.cn'], T0 + 72)).toBeUndefined();
    expect(account.sendQuota(T0)).toMatchObject({ Max24HourSend: 50_000, MaxSendRate: 14 });
  });

  it('still rejects an unverified sender', () => {
    expect(new SesAccount({ production: true }).refusal('someone@dealer.example', ['a@b.cn'], T0)?.code).toBe('MessageRejected');
  });

  it('takes configured quotas and names a bad identity or quota', () => {
    expect(new SesAccount({ production: true, maxPer24Hours: 1000, maxSendRate: 5 }).sendQuota(T0)).toMatchObject({
      Max24HourSend: 1000,
      MaxSendRate: 5,
    });
    expect(() => new SesAccount({ verified: ['not an identity'] })).toThrow(
      'ses.verified: "not an identity" is neither an email address nor a domain',
    );
    expect(() => new SesAccount({ maxSendRate: 0 })).toThrow('ses.maxSendRate must be a positive number');
  });
});
