import { AwsError } from './aws-error.js';
import type { CloudCore } from './core.js';

/**
 * The two SMS providers, locally: End User Messaging SMS's SendTextMessage on the local AWS
 * endpoint, and a stand-in for Alibaba Cloud SMS's SendSms (the Alibaba SDK pointed at the same
 * endpoint; it is told apart by its x-acs-action header). Every accepted text lands in one list,
 * the "Sent SMS" page.
 */

export interface SentSms {
  messageId: string;
  provider: 'aws' | 'alibaba';
  /** E.164 for AWS, the national number for Alibaba (as each provider is given it). */
  to: string;
  /** The text as the customer reads it: AWS's body, or Alibaba's registered template with its parameters filled in. */
  text: string;
  /** AWS: the configuration set and origination identity; Alibaba: the sign name and template code. */
  via: string;
  /** AWS: the configuration set the text went through (its event destinations get the delivery receipts). */
  configurationSet?: string;
  /** The ids the sender attached (AWS Context, Alibaba OutId). */
  context: Record<string, string>;
  sentAt: string;
}

export interface SendTextMessageRequest {
  DestinationPhoneNumber?: string;
  OriginationIdentity?: string;
  MessageBody?: string;
  ConfigurationSetName?: string;
  Context?: Record<string, string>;
}

/** The origination number the local account owns: End User Messaging picks it when a send names none. */
export const LOCAL_SMS_ORIGINATION = 'phone-number/phone-local0000000000000000000000';

/** What the local Alibaba account has registered: the stand-in refuses other templates, as Alibaba does. */
export interface AlibabaTemplates {
  signName: string;
  templates: Record<string, string>;
}

export class LocalSms {
  readonly sent: SentSms[] = [];
  /**
   * Numbers the providers refuse (a test or scenario says which): End User Messaging answers a
   * destination it cannot send to with ValidationException, Alibaba with isv.MOBILE_NUMBER_ILLEGAL.
   * Either way the attempt fails for good and the follow-up moves to its next channel.
   */
  readonly refusedNumbers = new Set<string>();
  /**
   * E.164 numbers a provider accepts a text for but the carrier never delivers to: End User Messaging's
   * TEXT_UNREACHABLE receipt follows, or for +86 Alibaba's SmsReport with success false.
   */
  readonly undeliverableNumbers = new Set<string>();
  private readonly listeners: ((sms: SentSms) => void)[] = [];

  constructor(
    private readonly core: CloudCore,
    private readonly alibaba: () => AlibabaTemplates,
  ) {}

  sendTextMessage(request: SendTextMessageRequest) {
    this.core.count('SMS', 'SendTextMessage', request.DestinationPhoneNumber ?? '');
    if (!request.DestinationPhoneNumber || !/^\+[1-9]\d{6,14}$/.test(request.DestinationPhoneNumber))
      throw new AwsError('ValidationException', 'DestinationPhoneNumber must be an E.164 phone number');
    if (this.refusedNumbers.has(request.DestinationPhoneNumber))
      throw new AwsError('ValidationException', 'The destination phone number cannot receive messages.');
    return {
      MessageId: this.record({
        provider: 'aws',
        to: request.DestinationPhoneNumber,
        text: request.MessageBody ?? '',
        via: `${request.ConfigurationSetName ?? ''} ${request.OriginationIdentity ?? LOCAL_SMS_ORIGINATION}`.trim(),
        ...(request.ConfigurationSetName ? { configurationSet: request.ConfigurationSetName } : {}),
        context: request.Context ?? {},
      }),
    };
  }

  /** Alibaba's SendSms: answers 200 with a Code, as Alibaba does, so the SDK's caller reads the Code. */
  alibabaSendSms(params: URLSearchParams): { Code: string; Message: string; RequestId: string; BizId?: string } {
    const to = params.get('PhoneNumbers') ?? '';
    const requestId = this.core.nextId('alibaba-request');
    const refuse = (Code: string, Message: string) => ({ Code, Message, RequestId: requestId });
    let carrierRefuses = false;
    try {
      this.core.count('AlibabaSms', 'SendSms', to);
    } catch (error) {
      // A scenario's fault, in Alibaba's words: flow control for throttling. A permanent one is the carrier's
      // (an empty or barred number): Alibaba accepts the text and its delivery report says it never arrived.
      const throttled = error instanceof AwsError && /Throttl|TooMany|SlowDown/.test(error.code);
      if (throttled) return refuse('isv.BUSINESS_LIMIT_CONTROL', 'flow control (injected)');
      carrierRefuses = true;
    }
    const registered = this.alibaba();
    if (!/^1\d{10}$/.test(to) || this.refusedNumbers.has(`+86${to}`)) return refuse('isv.MOBILE_NUMBER_ILLEGAL', 'invalid mobile number');
    if (params.get('SignName') !== registered.signName) return refuse('isv.SMS_SIGNATURE_ILLEGAL', 'unknown sign name');
    const template = registered.templates[params.get('TemplateCode') ?? ''];
    if (!template) return refuse('isv.SMS_TEMPLATE_ILLEGAL', 'unknown template');
    let values: Record<string, string>;
    try {
      values = JSON.parse(params.get('TemplateParam') ?? '{}') as Record<string, string>;
    } catch {
      return refuse('isv.INVALID_JSON_PARAM', 'TemplateParam is not JSON');
    }
    const missing = [...template.matchAll(/\$\{(\w+)\}/g)].map((m) => m[1]!).filter((name) => values[name] === undefined);
    if (missing.length) return refuse('isv.TEMPLATE_MISSING_PARAMETERS', `missing ${missing.join(', ')}`);
    const text = `【${registered.signName}】${template.replace(/\$\{(\w+)\}/g, (_m, name: string) => values[name] ?? '')}`;
    const outId = params.get('OutId');
    if (carrierRefuses) this.undeliverableNumbers.add(`+86${to}`);
    const BizId = this.record({
      provider: 'alibaba',
      to,
      text,
      via: `${registered.signName} ${params.get('TemplateCode')}`,
      context: outId ? { outId } : {},
    });
    return { Code: 'OK', Message: 'OK', RequestId: requestId, BizId };
  }

  onSms(listener: (sms: SentSms) => void): void {
    this.listeners.push(listener);
  }

  private record(sms: Omit<SentSms, 'messageId' | 'sentAt'>): string {
    const message: SentSms = { ...sms, messageId: this.core.nextId('sms'), sentAt: this.core.nowIso() };
    this.sent.push(message);
    this.core.changed();
    for (const listener of this.listeners) listener(message);
    return message.messageId;
  }
}
