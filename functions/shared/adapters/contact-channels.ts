import type { ConnectClient } from '@aws-sdk/client-connect';
import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { smsConfig } from '../config/sms.js';
import { PermanentContactError } from '../domain/errors.js';
import type { Channel } from '../domain/policy-schema.js';
import { requireEnv } from '../env.js';
import type { ContactChannels } from '../ports/contact-channels.js';
import { sdkClientConfig } from './sdk-config.js';
import { sendSms } from './sms-providers.js';

/**
 * The AWS errors that no retry can fix (Connect StartTaskContact's and SES v2 SendEmail's client
 * faults other than throttling): the contact falls back to the next channel instead. Connect's
 * active-tasks quota (ServiceQuotaExceededException) is here too: the Contact step waits for agents
 * to free capacity until the follow-up's deadline, then falls back. Throttling, LimitExceededException
 * (SES's sending quota) and 5xx stay retryable. The SMS providers classify their own (sms-providers.ts).
 */
const PERMANENT_CODES: Record<Exclude<Channel, 'sms'>, ReadonlySet<string>> = {
  phone: new Set(['ResourceNotFoundException', 'InvalidParameterException', 'InvalidRequestException', 'ServiceQuotaExceededException']),
  email: new Set([
    'MessageRejected',
    'MailFromDomainNotVerifiedException',
    'NotFoundException',
    'BadRequestException',
    'AccountSuspendedException',
    'SendingPausedException',
  ]),
};

/** Turns a channel's permanent AWS error into PermanentContactError; anything else passes unchanged. */
export function asContactError(channel: Exclude<Channel, 'sms'>, error: unknown): unknown {
  const code = (error as { name?: string } | undefined)?.name ?? '';
  return PERMANENT_CODES[channel].has(code)
    ? Object.assign(new PermanentContactError(channel, code), { $metadata: (error as { $metadata?: unknown }).$metadata })
    : error;
}

const isAlreadyEnded = (error: unknown) =>
  ['ContactNotFoundException', 'ResourceNotFoundException'].includes((error as { name?: string } | undefined)?.name ?? '');

// Throttling from Connect (2 req/s per account) and SES (send rate) is retried by the SDK with
// jittered backoff first, then by the workflow's Retry on the Contact step.
/**
 * The Connect client is loaded on the first agent task, not at init: of the functions that carry
 * this module, those that text, greet or report never call Connect.
 */
let connectSdk: Promise<{ client: ConnectClient; sdk: typeof import('@aws-sdk/client-connect') }> | undefined;
function connect() {
  connectSdk ??= import('@aws-sdk/client-connect').then((sdk) => ({ sdk, client: new sdk.ConnectClient(sdkClientConfig()) }));
  return connectSdk;
}
const ses = new SESv2Client(sdkClientConfig());

export const awsContactChannels: ContactChannels = {
  sendSms(sms) {
    return sendSms(sms, smsConfig);
  },
  async startAgentTask(task) {
    const { client, sdk } = await connect();
    const response = await client
      .send(
        new sdk.StartTaskContactCommand({
          InstanceId: requireEnv('CONNECT_INSTANCE_ID'),
          ContactFlowId: requireEnv('CONNECT_CONTACT_FLOW_ID'),
          // Same follow-up and attempt → same token → Connect returns the task it already made.
          ClientToken: `${task.followUpId}-${task.attempt}`,
          Name: task.name.slice(0, 512),
          Description: task.description.slice(0, 4096),
          References: {
            outcomeForm: { Type: 'URL', Value: task.outcomeFormUrl },
            ...Object.fromEntries(
              Object.entries(task.extraReferences ?? {}).map(([name, url]) => [name, { Type: 'URL' as const, Value: url }]),
            ),
            ...Object.fromEntries(
              Object.entries(task.textReferences ?? {}).map(([name, text]) => [name, { Type: 'STRING' as const, Value: text }]),
            ),
          },
          Attributes: task.attributes,
        }),
      )
      .catch((error: unknown) => {
        throw asContactError('phone', error);
      });
    return { contactId: response.ContactId ?? '' };
  },
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
  async stopAgentTask(contactId) {
    try {
      const { client, sdk } = await connect();
      await client.send(new sdk.StopContactCommand({ InstanceId: requireEnv('CONNECT_INSTANCE_ID'), ContactId: contactId }));
    } catch (error) {
      if (!isAlreadyEnded(error)) throw error;
    }
  },
};
