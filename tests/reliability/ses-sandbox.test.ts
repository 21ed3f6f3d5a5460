import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { at, idOf, serviceCompleted } from '../support/follow-up-fixtures.js';
import { Harness } from '../support/local-harness.js';

/**
 * The local SES starts where a new AWS account starts: in the sandbox. Only verified identities
 * receive mail (here the test domain example.com), 1 message a second and 200 a day, and the
 * errors are SES v2's own on the wire. A follow-up whose customer SES refuses still ends with a
 * recorded outcome.
 */
let h: Harness;
let ses: SESv2Client;
beforeAll(async () => {
  h = await Harness.start(new Date('2026-11-20T08:00:00Z'), { ses: { production: false, verified: ['example.com'] } });
  // One attempt: the test reads SES's answer, not the SDK's retries.
  ses = new SESv2Client({
    endpoint: h.stack.awsUrl,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
});
afterAll(async () => {
  ses?.destroy();
  await h?.stop();
});

const sender = () => process.env.SENDER_EMAIL!;
const send = (to: string, from = sender()) =>
  h.stack.clock.track(() =>
    ses.send(
      new SendEmailCommand({
        FromEmailAddress: from,
        Destination: { ToAddresses: [to] },
        Content: { Simple: { Subject: { Data: 'Hello' }, Body: { Text: { Data: 'Hi' } } } },
      }),
    ),
  );
const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: { name: string; message: string; $metadata?: { httpStatusCode?: number } }) => ({
      name: error.name,
      message: error.message,
      status: error.$metadata?.httpStatusCode,
    }),
  );

describe('SES sandbox', () => {
  it('refuses an unverified customer, and the follow-up still ends with a recorded outcome', async () => {
    const detail = serviceCompleted(0, {}, { phone: undefined, email: 'wang@unverified-customer.cn' });
    const id = idOf(detail);
    await h.runUntil(at(0, 0, '16:00'));
    await h.publish('Service Completed', detail);
    await h.runUntil(at(0, 3, '09:00'));

    // Refused, so not in the outbox: the web page's sent mail shows only what SES accepted.
    expect(h.emailsTo('wang@unverified-customer.cn')).toEqual([]);
    expect(h.cloud.rejectedMail.map((m) => [m.to, m.code])).toEqual([[['wang@unverified-customer.cn'], 'MessageRejected']]);

    await h.runUntil(at(0, 4, '09:00'));
    const stored = await h.followUp(id);
    expect(stored?.outcome).toMatchObject({ status: 'failed' });
    expect(stored?.outcome?.error).toMatch(/MessageRejected/);
    expect(h.executionOf(id)?.status).toBe('SUCCEEDED');
  });

  it('delivers to a verified domain and answers an unverified recipient or sender with MessageRejected (400)', async () => {
    await h.runUntil(at(1, 0, '10:00'));
    await send('li@example.com');
    expect(h.emailsTo('li@example.com')).toHaveLength(1);

    await h.runUntil(at(1, 0, '10:01'));
    expect(await failure(send('zhao@elsewhere.org'))).toEqual({
      name: 'MessageRejected',
      status: 400,
      message: 'Email address is not verified. The following identities failed the check in region US-EAST-1: zhao@elsewhere.org',
    });
    expect(await failure(send('li@example.com', 'marketing@elsewhere.org'))).toMatchObject({
      name: 'MessageRejected',
      message: expect.stringMatching(/: marketing@elsewhere\.org$/),
    });
    expect(h.emailsTo('zhao@elsewhere.org')).toEqual([]);
  });

  it('throttles a second message in the same second and the 201st of a day with TooManyRequestsException (429)', async () => {
    await h.runUntil(at(2, 0, '10:00'));
    await send('a@example.com');
    expect(await failure(send('b@example.com'))).toEqual({
      name: 'TooManyRequestsException',
      status: 429,
      message: 'Maximum sending rate exceeded.',
    });

    // 200 in the rolling 24 hours, one a second.
    for (let i = 1; i < 200; i += 1) {
      await h.stack.clock.runUntil(Date.parse(at(2, 0, '10:00')) + i * 1000);
      await send(`n${i}@example.com`);
    }
    await h.runUntil(at(2, 0, '12:00'));
    expect(await failure(send('late@example.com'))).toEqual({
      name: 'TooManyRequestsException',
      status: 429,
      message: 'Daily message quota exceeded.',
    });
    expect(h.cloud.ses.sendQuota(h.now().getTime())).toEqual({ Max24HourSend: 200, MaxSendRate: 1, SentLast24Hours: 200 });
    // A day after the first of them, quota is free again.
    await h.runUntil(at(2, 1, '10:00'));
    await send('next-day@example.com');
    expect(h.emailsTo('next-day@example.com')).toHaveLength(1);
  });
});
