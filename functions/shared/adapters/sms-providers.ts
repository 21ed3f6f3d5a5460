import type * as dysmsapi from '@alicloud/dysmsapi20170525';
import { PinpointSMSVoiceV2Client, SendTextMessageCommand } from '@aws-sdk/client-pinpoint-sms-voice-v2';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import * as z from 'zod';
import { PermanentContactError } from '../domain/errors.js';
import { providerFor, type SmsConfig, type SmsProvider } from '../domain/sms-schema.js';
import { requireEnv } from '../env.js';
import type { OutgoingSms } from '../ports/contact-channels.js';
import { sdkClientConfig } from './sdk-config.js';

/**
 * The SMS providers behind ContactChannels.sendSms, chosen per destination by sms.json's routes:
 * AWS End User Messaging SMS (SendTextMessage with the stack's configuration set and origination
 * identity) and Alibaba Cloud SMS for mainland China (a registered template and sign name; the
 * message's words are the template's, this side sends only its parameters).
 */

/**
 * SendTextMessage's client faults that no retry fixes: an invalid or opted-out destination
 * (ValidationException, ConflictException), a missing configuration set or identity, the monthly
 * spend limit (ServiceQuotaExceededException). Throttling and 5xx stay retryable.
 */
const AWS_PERMANENT = new Set(['ValidationException', 'ConflictException', 'ResourceNotFoundException', 'ServiceQuotaExceededException']);

/**
 * Alibaba's answer codes that no retry fixes (https://help.aliyun.com/document_detail/101346.html):
 * a bad number, template or sign, a blocked or capped destination. Other codes (flow control,
 * system errors) are retried like a throttle.
 */
const ALIBABA_PERMANENT = new Set([
  'isv.MOBILE_NUMBER_ILLEGAL',
  'isv.MOBILE_COUNT_OVER_LIMIT',
  'isv.SMS_TEMPLATE_ILLEGAL',
  'isv.SMS_SIGNATURE_ILLEGAL',
  'isv.TEMPLATE_MISSING_PARAMETERS',
  'isv.INVALID_PARAMETERS',
  'isv.BLACK_KEY_CONTROL_LIMIT',
  'isv.PARAM_LENGTH_LIMIT',
  'isv.DAY_LIMIT_CONTROL',
  'isv.AMOUNT_NOT_ENOUGH',
  'isv.ACCOUNT_ABNORMAL',
]);

export class AlibabaSmsError extends Error {
  override readonly name = 'AlibabaSmsError';
  constructor(readonly code: string) {
    super(`alibaba sms ${code}`);
  }
}

const aws = new PinpointSMSVoiceV2Client(sdkClientConfig());

async function sendWithAws(sms: OutgoingSms, config: SmsConfig): Promise<string> {
  const response = await aws
    .send(
      new SendTextMessageCommand({
        DestinationPhoneNumber: sms.to,
        // Without one (no smsOriginationIdentity deployed), End User Messaging picks one of the account's numbers.
        OriginationIdentity: process.env.SMS_ORIGINATION_IDENTITY || undefined,
        ConfigurationSetName: requireEnv('SMS_CONFIGURATION_SET'),
        MessageBody: sms.text,
        MessageType: config.aws.messageType,
        // Ids only: the context travels with delivery receipts and replies' events.
        Context: purposeContext(sms),
      }),
    )
    .catch((error: unknown) => {
      const code = (error as { name?: string } | undefined)?.name ?? '';
      throw AWS_PERMANENT.has(code)
        ? Object.assign(new PermanentContactError('sms', code), { $metadata: (error as { $metadata?: unknown }).$metadata })
        : error;
    });
  return response.MessageId ?? '';
}

function purposeContext(sms: OutgoingSms): Record<string, string> {
  return sms.purpose.kind === 'follow-up'
    ? { kind: 'follow-up', followUpId: sms.purpose.followUpId, attempt: String(sms.purpose.attempt) }
    : { kind: 'care', occasion: sms.purpose.occasion };
}

const alibabaSecretSchema = z.object({ accessKeyId: z.string().min(1), accessKeySecret: z.string().min(1) });
const secrets = new SecretsManagerClient(sdkClientConfig());
/** The client and the endpoint and secret it was made for. */
let alibabaClient: { madeFor: string; client: Promise<AlibabaClient> } | undefined;

type AlibabaClient = InstanceType<typeof dysmsapi.default.default>;

/**
 * The Alibaba SDK (with lodash, some 600 KiB) is loaded on the first text to a +86 number, not at
 * init: most invocations of the functions that carry it never text mainland China.
 */
let alibabaSdk:
  | Promise<{ Client: typeof dysmsapi.default.default; Config: typeof import('@alicloud/openapi-client').Config; sdk: typeof dysmsapi }>
  | undefined;
function loadAlibabaSdk() {
  alibabaSdk ??= Promise.all([import('@alicloud/dysmsapi20170525'), import('@alicloud/openapi-client')]).then(([sdk, openapi]) => {
    // The package is CommonJS with `exports.default = Client`: under Node's ESM loader the default import is
    // the exports object, under a bundler's interop (esbuild, vite) it is the class itself.
    const imported: unknown = sdk.default;
    const Client = (typeof imported === 'function' ? imported : sdk.default.default) as typeof dysmsapi.default.default;
    return { Client, Config: openapi.Config, sdk };
  });
  return alibabaSdk;
}

/**
 * One client per container, made on first use with the AccessKey pair from Secrets Manager.
 * ALIBABA_SMS_ENDPOINT points the SDK elsewhere (the local stand-in); an http:// endpoint is spoken as http.
 * The client is kept for the endpoint and secret it was made with: on Lambda they never change,
 * while a process that starts a second local stack gets a client for that stack's stand-in.
 */
function alibaba(): Promise<AlibabaClient> {
  const secretArn = requireEnv('ALIBABA_SMS_SECRET_ARN');
  const url = new URL(process.env.ALIBABA_SMS_ENDPOINT || 'https://dysmsapi.aliyuncs.com');
  const madeFor = `${url.href} ${secretArn}`;
  if (alibabaClient?.madeFor !== madeFor) {
    const client = (async () => {
      const secret = await secrets.send(new GetSecretValueCommand({ SecretId: secretArn }));
      const credentials = alibabaSecretSchema.parse(JSON.parse(secret.SecretString ?? '{}'));
      const { Client, Config } = await loadAlibabaSdk();
      return new Client(new Config({ ...credentials, endpoint: url.host, protocol: url.protocol.replace(':', ''), readTimeout: 10_000 }));
    })().catch((error: unknown) => {
      if (alibabaClient?.client === client) alibabaClient = undefined;
      throw error;
    });
    alibabaClient = { madeFor, client };
  }
  return alibabaClient.client;
}

async function sendWithAlibaba(sms: OutgoingSms, config: SmsConfig): Promise<string> {
  const client = await alibaba();
  const { sdk } = await loadAlibabaSdk();
  const template = config.alibaba.surveyTemplate;
  const response = await client
    .sendSms(
      new sdk.SendSmsRequest({
        // Mainland numbers go without the country code.
        phoneNumbers: sms.to.replace(/^\+86/, ''),
        signName: config.alibaba.signName,
        templateCode: template.code,
        templateParam: JSON.stringify(sms.templateParams ?? {}),
        outId: sms.purpose.kind === 'follow-up' ? `${sms.purpose.followUpId}#${sms.purpose.attempt}` : sms.purpose.occasion,
      }),
    )
    .catch((error: unknown) => {
      // The SDK throws for an HTTP error answer, with Alibaba's code; anything else (network) passes unchanged.
      const { code, statusCode } = error as { code?: unknown; statusCode?: unknown };
      if (typeof code !== 'string' || typeof statusCode !== 'number') throw error;
      throw alibabaError(code, statusCode);
    });
  const code = response.body?.code ?? '';
  if (code === 'OK') return response.body?.bizId ?? '';
  // An answer with a code other than OK: the message was not accepted.
  throw alibabaError(code, 400);
}

/** Alibaba's refusal as the contact step reads errors: permanent or not, and answered (so a claim may be released). */
function alibabaError(code: string, httpStatusCode: number): Error {
  const answered = { $metadata: { httpStatusCode } };
  return ALIBABA_PERMANENT.has(code)
    ? Object.assign(new PermanentContactError('sms', code), answered)
    : Object.assign(new AlibabaSmsError(code), answered);
}

const SENDERS: Record<SmsProvider, (sms: OutgoingSms, config: SmsConfig) => Promise<string>> = {
  aws: sendWithAws,
  alibaba: sendWithAlibaba,
};

export async function sendSms(sms: OutgoingSms, config: SmsConfig): Promise<{ messageId: string; provider: SmsProvider }> {
  const provider = providerFor(config, sms.to);
  return { messageId: await SENDERS[provider](sms, config), provider };
}
