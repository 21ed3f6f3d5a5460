import { readFileSync } from 'node:fs';
import { keysFromSecret } from '../functions/shared/domain/signing-key-secret.js';
import { smsReportPath } from '../functions/shared/domain/sms-report.js';

/**
 * Prints the URL to give Alibaba Cloud SMS's console for delivery reports (SmsReport, HTTP batch
 * push): the outcome API's /sms-reports/ route with the token of the link key's current key.
 *   aws secretsmanager get-secret-value --secret-id <link key ARN> --query SecretString --output text \
 *     | npx tsx scripts/sms-report-url.ts <OutcomeApiUrl output>
 * The secret is read from stdin, so it stays out of the shell's history and the process list.
 */
const baseUrl = process.argv[2];
if (!baseUrl || !/^https?:\/\//.test(baseUrl)) {
  console.error('usage: … | npx tsx scripts/sms-report-url.ts <OutcomeApiUrl>  (the link key secret on stdin)');
  process.exit(2);
}
const keys = keysFromSecret(readFileSync(0, 'utf8').trim());
console.log(`${baseUrl.replace(/\/$/, '')}${smsReportPath(keys)}`);
