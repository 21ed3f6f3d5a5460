import { createHash } from 'node:crypto';
import MailComposer from 'nodemailer/lib/mail-composer/index.js';
import type { SentEmail } from './cloud/index.js';

/**
 * A sent email as the recipient's mail client gets it: SES sends a message with both a text and
 * an HTML body as multipart/alternative, so the .eml does too (it opens in any mail client). The
 * boundary derives from the message id, so the same run writes the same bytes.
 */
export async function emlOf(mail: SentEmail): Promise<Buffer> {
  const options = {
    from: mail.from,
    to: mail.to,
    subject: mail.subject,
    date: new Date(mail.sentAt),
    messageId: `<${mail.messageId}@local>`,
    text: mail.text,
    ...(mail.html ? { html: mail.html } : {}),
    headers: (mail.headers ?? []).map((h) => ({ key: h.name, value: h.value })),
    baseBoundary: createHash('sha256').update(mail.messageId).digest('hex').slice(0, 16),
  };
  return new MailComposer(options).compile().build();
}
