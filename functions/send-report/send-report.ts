import { MetricUnit } from '@aws-lambda-powertools/metrics';
import * as z from 'zod';
import { policyConfig } from '../shared/config/policies.js';
import { reportConfig } from '../shared/config/reports.js';
import { PermanentContactError, wasAnsweredWithError } from '../shared/domain/errors.js';
import { buildReport } from '../shared/domain/report.js';
import { parsePeriod, periodEndingBefore, type ReportPeriod } from '../shared/domain/report-period.js';
import { type ReportContext, renderReportCsv, renderReportHtml, renderReportText, reportTitle } from '../shared/domain/report-render.js';
import { reportKinds } from '../shared/domain/report-schema.js';
import type { AggregateStore } from '../shared/ports/aggregate-store.js';
import type { ContactChannels } from '../shared/ports/contact-channels.js';
import type { ReportArchive } from '../shared/ports/report-archive.js';
import { logger, metrics } from '../shared/powertools.js';
import type { ReportDeliveries } from './report-deliveries.js';

export const reportInputSchema = z.object({
  kind: z.enum(reportKinds),
  /** Optional explicit period ("2026-10", "2026-W45", "2026-11-03"); default: the one just ended. */
  period: z.string().optional(),
});

export interface ReportDeps {
  aggregates: Pick<AggregateStore, 'days'>;
  mail: Pick<ContactChannels, 'sendEmail'>;
  archive: ReportArchive;
  /** Waits for this message's turn under SES's send rate (the same per-second slots survey emails use). */
  awaitSendSlot: () => Promise<void>;
  deliveries: ReportDeliveries;
  now: Date;
}

/**
 * sendReport: reads the period's daily aggregates (O(days × service types), no scan), emails
 * each subscribed recipient their departments' report in their language, and archives the whole
 * report as HTML and CSV.
 */
export async function sendReport(input: z.infer<typeof reportInputSchema>, deps: ReportDeps) {
  const period: ReportPeriod | undefined = input.period
    ? parsePeriod(input.period, reportConfig.timeZone)
    : periodEndingBefore(input.kind, deps.now, reportConfig.timeZone);
  if (!period || period.kind !== input.kind) throw new Error(`period "${input.period}" is not a ${input.kind} period`);
  const [rows, previousRows] = await Promise.all([deps.aggregates.days(period.days), deps.aggregates.days(period.previous.days)]);

  const recipients = reportConfig.recipients.filter((r) => r.reports.includes(input.kind));
  const report = `${input.kind}/${period.label}`;
  const prefix = `reports/${report}`;
  const context: ReportContext = {
    policies: policyConfig,
    config: reportConfig,
    archiveKey: `${prefix}/report.html`,
    generatedAt: deps.now,
  };
  let rejected = 0;
  for (const recipient of recipients) {
    // A retried run skips the recipients an earlier try already emailed.
    if (!(await deps.deliveries.claim(report, recipient.email))) continue;
    const model = buildReport(period, rows, previousRows, recipient.departments, reportConfig);
    // Back-to-back sends exceed SES's rate (1 a second in the sandbox) and fail the whole run.
    await deps.awaitSendSlot();
    try {
      await deps.mail.sendEmail({
        to: recipient.email,
        subject: reportTitle(model, recipient.locale),
        // SES sends Html with Text as multipart/alternative; the charts are tables, which mail clients keep.
        html: renderReportHtml(model, recipient.locale, context),
        text: renderReportText(model, recipient.locale, context),
      });
    } catch (error) {
      // SES answered that it did not take the message: a retry may send it.
      if (wasAnsweredWithError(error) && !(error instanceof PermanentContactError)) await deps.deliveries.release(report, recipient.email);
      if (!(error instanceof PermanentContactError)) throw error;
      // One address SES refuses for good (unverified, suppressed) must not cost the others their report.
      rejected += 1;
      logger.warn('report email rejected', { kind: input.kind, period: period.label, code: error.code });
      metrics.addMetric('ReportEmailRejected', MetricUnit.Count, 1);
    }
  }
  const whole = buildReport(period, rows, previousRows, 'all', reportConfig);
  await deps.archive.put(
    `${prefix}/report.html`,
    renderReportHtml(whole, policyConfig.defaults.locale, { ...context, archiveKey: undefined }),
    'text/html; charset=utf-8',
  );
  await deps.archive.put(`${prefix}/report.csv`, renderReportCsv(whole), 'text/csv; charset=utf-8');
  logger.info('report sent', { kind: input.kind, period: period.label, recipients: recipients.length, rejected, rows: rows.length });
  metrics.addMetric(`Report_${input.kind}`, MetricUnit.Count, 1);
  return { period: period.label, recipients: recipients.length, rejected, archived: [`${prefix}/report.html`, `${prefix}/report.csv`] };
}
