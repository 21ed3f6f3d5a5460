import { keysFromSecret } from '../../functions/shared/domain/signing-key-secret.js';
import { smsReportPath } from '../../functions/shared/domain/sms-report.js';
import { apiRoutes, invokeRoute } from '../api-gateway.js';
import type { LocalCloud } from './index.js';
import type { SentSms } from './sms.js';

/**
 * Alibaba Cloud SMS's delivery reports (SmsReport), locally: the stand-in's console is configured
 * with the URL the README prints (the outcome API's /sms-reports/ route with the link key's token),
 * and a report is POSTed there as Alibaba's HTTP batch push does, through the API's route and the
 * function's resource policy. Alibaba pushes again 1, 5 and 10 minutes after an answer other than 200.
 */
const RETRY_MINUTES = [1, 5, 10];

export class LocalSmsReports {
  /** Each push and the status it was answered with: what a test or the simulation can look at. */
  readonly pushes: { outId: string; success: boolean; statusCode: number }[] = [];

  constructor(
    private readonly cloud: LocalCloud,
    private readonly signingKey: () => string | undefined,
  ) {}

  /** The text `sent` was not delivered: its report, a minute after Alibaba accepted it (as a carrier's receipt takes). */
  undelivered(sent: SentSms): void {
    const { clock } = this.cloud;
    const report = {
      phone_number: sent.to,
      send_time: alibabaTime(sent.sentAt),
      report_time: '',
      success: false,
      err_code: 'MN:0001',
      err_msg: '空号',
      sms_size: '1',
      biz_id: sent.messageId,
      out_id: sent.context.outId ?? '',
    };
    clock.timer(clock.nowMs() + 60_000, () => void clock.track(() => this.push(report, 0)));
  }

  private async push(report: Record<string, unknown>, retry: number): Promise<void> {
    const secret = this.signingKey();
    if (!secret) return;
    const { clock } = this.cloud;
    const body = JSON.stringify([{ ...report, report_time: alibabaTime(clock.now().toISOString()) }]);
    const path = smsReportPath(keysFromSecret(secret));
    let statusCode = 0;
    try {
      const response = await invokeRoute(this.cloud, apiRoutes(this.cloud.template), {
        method: 'POST',
        path,
        query: '',
        headers: { 'content-type': 'application/json;charset=utf-8', 'user-agent': 'alibaba-sms-report (local)' },
        body,
      });
      statusCode = response?.statusCode ?? 404;
    } catch {
      statusCode = 500;
    }
    this.pushes.push({ outId: String(report.out_id), success: report.success === true, statusCode });
    const wait = RETRY_MINUTES[retry];
    if (statusCode !== 200 && wait !== undefined)
      clock.timer(clock.nowMs() + wait * 60_000, () => void clock.track(() => this.push(report, retry + 1)));
  }
}

/** Alibaba's report times: "yyyy-MM-dd HH:mm:ss" in Beijing time. */
function alibabaTime(iso: string): string {
  return new Date(Date.parse(iso) + 8 * 3_600_000).toISOString().slice(0, 19).replace('T', ' ');
}
