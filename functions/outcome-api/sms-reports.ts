import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import * as z from 'zod';
import type { PlanningDeps } from '../shared/attempt-planning.js';
import type { SigningKeys } from '../shared/domain/signed-link.js';
import { readSmsReports, SMS_REPORT_ACCEPTED, verifySmsReportToken } from '../shared/domain/sms-report.js';
import { logger, metrics } from '../shared/powertools.js';
import { failUndeliveredText } from '../shared/undelivered-text.js';

/** The route Alibaba Cloud SMS pushes its delivery reports (SmsReport) to; the token is the push's only credential. */
export const SMS_REPORT_ROUTE = 'POST /sms-reports/{token}';

export interface SmsReportRequest {
  method: string;
  token: string;
  /** The body as sent: a JSON array of reports, or text that is not JSON. */
  body: unknown;
}

export const smsReportRequestSchema = z.custom<APIGatewayProxyEventV2>().transform((event): SmsReportRequest => {
  const text = event.body ? (event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body) : '';
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { method: event.requestContext.http.method.toUpperCase(), token: event.pathParameters?.token ?? '', body };
});

export interface SmsReportDeps extends PlanningDeps {
  keys: SigningKeys;
}

export type SmsReportHandled = 'delivered' | 'undelivered' | 'unmatched' | 'already-answered' | 'closed' | 'error';

const json = (statusCode: number, body: object): APIGatewayProxyStructuredResultV2 => ({
  statusCode,
  headers: { 'content-type': 'application/json', 'cache-control': 'no-store' },
  body: JSON.stringify(body),
});

/**
 * handleSmsReports: each report of Alibaba's push in turn. An undelivered text fails its attempt
 * (as End User Messaging's receipt does), a delivered one is only counted, a malformed entry is
 * skipped with its index and field. Alibaba pushes again on any answer but 200, so a report whose
 * workflow could not be told makes the answer a 503 once the others are done (a report already
 * acted on finds its attempt answered). Logs carry counts, codes and ids, never a number.
 */
export async function handleSmsReports(request: SmsReportRequest, deps: SmsReportDeps): Promise<APIGatewayProxyStructuredResultV2> {
  if (!verifySmsReportToken(request.token, deps.keys)) {
    logger.warn('sms report refused: unknown token');
    metrics.addMetric('SmsReportRefused', MetricUnit.Count, 1);
    return json(403, { code: 403, msg: 'forbidden' });
  }
  const { reports, skipped } = readSmsReports(request.body);
  for (const entry of skipped) logger.warn('sms report skipped', { index: entry.index, field: entry.field });
  if (skipped.length) metrics.addMetric('SmsReportMalformed', MetricUnit.Count, skipped.length);
  const handled: SmsReportHandled[] = [];
  for (const report of reports) {
    let outcome: SmsReportHandled;
    if (report.kind === 'delivered') outcome = 'delivered';
    else if (!report.followUpId || !report.attempt) outcome = 'unmatched';
    else {
      try {
        outcome = await failUndeliveredText({ followUpId: report.followUpId, attempt: report.attempt }, deps);
      } catch (error) {
        logger.error('sms report not applied', { followUpId: report.followUpId, attempt: report.attempt, error: (error as Error).name });
        outcome = 'error';
      }
    }
    if (report.kind === 'undelivered') logger.info('sms report', { outcome, errCode: report.errCode, followUpId: report.followUpId });
    metrics.addMetric(`SmsReport_${outcome}`, MetricUnit.Count, 1);
    handled.push(outcome);
  }
  logger.info('sms reports received', { reports: reports.length, skipped: skipped.length });
  return handled.includes('error') ? json(503, { code: 1, msg: 'retry' }) : json(200, SMS_REPORT_ACCEPTED);
}
