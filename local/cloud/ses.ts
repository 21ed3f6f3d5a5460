import { AwsError } from './aws-error.js';
import type { CloudCore } from './core.js';
import { checkSendEmail, type EmailRequest, refuse } from './limits.js';
import { SesAccount } from './ses-account.js';

/** SES v2: SendEmail into a local outbox, under the account's sandbox, quota and rate. */

export interface SentEmail {
  messageId: string;
  to: string[];
  from: string;
  subject: string;
  html: string;
  text: string;
  /** Message headers the sender added (SES v2 Content.Simple.Headers), e.g. List-Unsubscribe. */
  headers?: { name: string; value: string }[];
  sentAt: string;
}

export interface RejectedEmail {
  to: string[];
  subject: string;
  code: string;
  reason: string;
  at: string;
}

type SimpleContent = {
  Subject?: { Data?: string };
  Body?: { Html?: { Data?: string }; Text?: { Data?: string } };
  Headers?: { Name?: string; Value?: string }[];
};

export type SendEmailRequest = EmailRequest & {
  FromEmailAddress?: string;
  Destination?: { ToAddresses?: string[] };
  Content?: { Simple?: SimpleContent };
};

export class LocalSes {
  readonly outbox: SentEmail[] = [];
  /** Messages SES refused (never delivered, so not in the outbox). */
  readonly rejectedMail: RejectedEmail[] = [];
  /** The SES account's standing: a new account is in the sandbox (startLocalStack configures it). */
  account = new SesAccount();
  private readonly listeners: ((email: SentEmail) => void)[] = [];

  constructor(private readonly core: CloudCore) {}

  sendEmail(request: SendEmailRequest) {
    const { core } = this;
    core.count('SES', 'SendEmail', `${request.Destination?.ToAddresses?.join(',')}:${request.Content?.Simple?.Subject?.Data}`);
    refuse(checkSendEmail(request));
    const simple = request.Content?.Simple;
    if (!request.Destination?.ToAddresses?.length || !simple?.Subject?.Data)
      throw new AwsError('BadRequestException', 'Destination and Subject are required');
    const to = request.Destination.ToAddresses;
    const refusal = this.account.refusal(request.FromEmailAddress ?? '', to, core.clock.nowMs());
    if (refusal) {
      this.rejectedMail.push({ to, subject: simple.Subject.Data, code: refusal.code, reason: refusal.message, at: core.nowIso() });
      throw new AwsError(refusal.code, refusal.message, refusal.status);
    }
    this.account.recordSent(to.length, core.clock.nowMs());
    const email: SentEmail = {
      messageId: core.nextId('msg'),
      to,
      from: request.FromEmailAddress ?? '',
      subject: simple.Subject.Data,
      html: simple.Body?.Html?.Data ?? '',
      text: simple.Body?.Text?.Data ?? '',
      ...(simple.Headers?.length ? { headers: simple.Headers.map((h) => ({ name: h.Name ?? '', value: h.Value ?? '' })) } : {}),
      sentAt: core.nowIso(),
    };
    this.outbox.push(email);
    core.changed();
    for (const listener of this.listeners) listener(email);
    return { MessageId: email.messageId };
  }

  onEmail(listener: (email: SentEmail) => void): void {
    this.listeners.push(listener);
  }

  /** The outbox as it was before a restart: that mail still counts against the rolling 24-hour quota and the rate. */
  restore(outbox: SentEmail[]): void {
    this.outbox.push(...outbox);
    for (const mail of outbox) this.account.recordSent(mail.to.length, Date.parse(mail.sentAt));
  }
}
