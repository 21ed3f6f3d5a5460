import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { requireEnv } from '../env.js';
import type { ContactChannels } from '../ports/contact-channels.js';
import { asContactError } from './contact-errors.js';
import { sdkClientConfig } from './sdk-config.js';

// Throttling (the account's send rate) is retried by the SDK with jittered backoff first, then by the caller's own retry.
const ses = new SESv2Client(sdkClientConfig());

/** Email through SES v2: surveys, care messages, manager notices and reports. */
export const sesEmailChannel: Pick<ContactChannels, 'sendEmail'> = {
  async sendEmail(email) {
    const response = await ses
      .send(
        new SendEmailCommand({
          FromEmailAddress: requireEnv('SENDER_EMAIL'),
          Destination: { ToAddresses: [email.to] },
          ConfigurationSetName: process.env.SES_CONFIGURATION_SET || undefined,
          Content: {
            Simple: {
              Subject: { Data: email.subject, Charset: 'UTF-8' },
              Body: { Html: { Data: email.html, Charset: 'UTF-8' }, Text: { Data: email.text, Charset: 'UTF-8' } },
              ...(email.headers?.length ? { Headers: email.headers.map((h) => ({ Name: h.name, Value: h.value })) } : {}),
            },
          },
        }),
      )
      .catch((error: unknown) => {
        throw asContactError('email', error);
      });
    return { messageId: response.MessageId ?? '' };
  },
};
