import { createHmac, timingSafeEqual } from 'node:crypto';
import * as z from 'zod';
import type { SigningKeys } from './signed-link.js';

/**
 * Alibaba Cloud SMS's delivery reports (SmsReport, "HTTP batch push"): Alibaba POSTs a JSON array
 * of reports to the URL configured in its console and reads only the answer's numeric `code`
 * (https://help.aliyun.com/document_detail/101867.html); any other status, or no answer, is pushed
 * again after 1, 5 and 10 minutes.
 */
export const SMS_REPORT_ACCEPTED = { code: 0, msg: '接收成功' } as const;

/** One report: only what deciding needs; the phone number is never read. */
const reportSchema = z.object({
  success: z.boolean(),
  err_code: z.string().optional(),
  biz_id: z.string().optional(),
  /** The OutId the text was sent with: "<followUpId>#<attempt>" for a follow-up's text. */
  out_id: z.string().optional(),
});

export type SmsReport =
  | { kind: 'delivered'; followUpId?: string; attempt?: number }
  | { kind: 'undelivered'; errCode: string; followUpId?: string; attempt?: number };

/** Why an entry was skipped: the field, never its value (a report carries the customer's number). */
export interface SkippedReport {
  index: number;
  field: string;
}

const OUT_ID = /^((?:fu|cp)-[0-9a-f]{32})#([1-9]\d{0,5})$/;

/**
 * The reports of a push, each read on its own: a malformed entry is skipped (its index and the
 * field at fault), the others still count. A body that is not an array reads as no reports.
 */
export function readSmsReports(body: unknown): { reports: SmsReport[]; skipped: SkippedReport[] } {
  const reports: SmsReport[] = [];
  const skipped: SkippedReport[] = [];
  if (!Array.isArray(body)) return { reports, skipped: [{ index: -1, field: '(body)' }] };
  body.forEach((entry: unknown, index) => {
    const parsed = reportSchema.safeParse(entry);
    if (!parsed.success) {
      skipped.push({ index, field: parsed.error.issues[0]?.path.map(String).join('.') || '(entry)' });
      return;
    }
    const match = OUT_ID.exec(parsed.data.out_id ?? '');
    const ref = match ? { followUpId: match[1]!, attempt: Number(match[2]) } : {};
    reports.push(
      parsed.data.success ? { kind: 'delivered', ...ref } : { kind: 'undelivered', errCode: parsed.data.err_code ?? '', ...ref },
    );
  });
  return { reports, skipped };
}

/**
 * Alibaba does not sign its pushes: the callback URL carries a token, an HMAC of a fixed purpose
 * under the link-signing key, so no other secret is needed. Each key of a rotation (current,
 * previous, next) gives its own token and each is accepted, so the URL in Alibaba's console can
 * be changed at any step of the rotation (README "Rotating the link key").
 */
const PURPOSE = 'alibaba-sms-report';

export function smsReportToken(key: SigningKeys['current']): string {
  return `${key.id}.${createHmac('sha256', key.secret).update(PURPOSE).digest('base64url')}`;
}

export function verifySmsReportToken(token: string, keys: SigningKeys): boolean {
  const given = Buffer.from(token);
  return [keys.current, ...keys.previous, ...(keys.next ? [keys.next] : [])].some((key) => {
    const expected = Buffer.from(smsReportToken(key));
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
}

/** The path Alibaba's console is given under the outcome API's base URL. */
export function smsReportPath(keys: SigningKeys): string {
  return `/sms-reports/${smsReportToken(keys.current)}`;
}
