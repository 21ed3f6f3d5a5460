import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { policyConfig } from '../../functions/shared/config/policies.js';
import { reportConfig } from '../../functions/shared/config/reports.js';
import { buildReport } from '../../functions/shared/domain/report.js';
import { parsePeriod, type ReportPeriod } from '../../functions/shared/domain/report-period.js';
import { renderReportHtml } from '../../functions/shared/domain/report-render.js';
import { launchBrowser } from '../support/browser.js';
import { expectReadable } from '../support/readable.js';
import { monthOfAggregates } from '../support/report-fixtures.js';

/**
 * A report email's HTML opened as a file, the way a manager's mail client shows it (no server
 * behind it): words in the reader's language and the charts drawn. Screenshots under
 * test-output/screenshots/report-*.png for a reviewer.
 */
let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

const dir = path.join('test-output', 'reports');

function reportFile(text: string, locale: 'zh-CN' | 'en'): string {
  const period = parsePeriod(text, reportConfig.timeZone)!;
  const previous: ReportPeriod = { ...period, days: period.previous.days };
  const model = buildReport(period, monthOfAggregates(period), monthOfAggregates(previous), 'all', reportConfig);
  const page = renderReportHtml(model, locale, {
    policies: policyConfig,
    config: reportConfig,
    archiveKey: `reports/${period.kind}/${period.label}/report.html`,
    generatedAt: new Date('2026-11-02T00:30:00Z'),
  });
  mkdirSync(dir, { recursive: true });
  const file = path.resolve(dir, `${period.kind}-${locale}.html`);
  writeFileSync(file, page);
  return pathToFileURL(file).href;
}

describe('report email', () => {
  for (const locale of ['zh-CN', 'en'] as const) {
    it(`reads in ${locale} with its charts drawn: a monthly report`, async () => {
      const page = await browser.newPage({ viewport: { width: 820, height: 1000 } });
      await page.goto(reportFile('2026-10', locale));
      const charts = page.locator('table[role="img"]');
      await expect(charts.count()).resolves.toBe(5);
      // The reach-rate chart: its columns have height (a stripped or broken chart would be flat).
      const reach = charts.nth(1);
      const heights = await reach.locator('td[bgcolor]').evaluateAll((cells) => cells.map((cell) => cell.getBoundingClientRect().height));
      expect(heights.length).toBeGreaterThanOrEqual(31);
      expect(Math.max(...heights)).toBeGreaterThan(60);
      const box = await reach.boundingBox();
      expect(box?.width ?? 0).toBeGreaterThan(400);
      await expectReadable(page, locale, 'report-monthly');
      await page.close();
    });

    it(`reads in ${locale}: a weekly report`, async () => {
      const page = await browser.newPage({ viewport: { width: 820, height: 1000 } });
      await page.goto(reportFile('2026-W44', locale));
      await expect(page.locator('table[role="img"]').count()).resolves.toBe(5);
      await expectReadable(page, locale, 'report-weekly');
      await page.close();
    });
  }
});
