import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from '../support/browser.js';
import { serviceCompleted } from '../support/follow-up-fixtures.js';
import { Harness } from '../support/local-harness.js';
import { expectReadable } from '../support/readable.js';

/** The "Rejected events" view: a bad event sent as an upstream system or from the form shows its field and reason in the reader's words. */
let h: Harness;
let browser: Browser;
beforeAll(async () => {
  h = await Harness.start(new Date('2026-11-20T08:00:00Z'), { schedules: false });
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await h?.stop();
});

describe('rejected events view', () => {
  it('takes a form event with an unusable phone and no email to the view, which names the field and the reason in Chinese', async () => {
    const page = await browser.newPage();
    await page.goto(`${h.stack.webUrl}/send?lang=zh-CN`);
    await page.fill('input[name="name"]', '韩梅梅');
    await page.fill('input[name="phone"]', 'call me');
    await page.fill('input[name="email"]', '');
    await h.stack.clock.track(() =>
      Promise.all([page.waitForURL(/\/rejections\?event=/), page.click('form[action="/send"] button[type="submit"]')]),
    );
    await expect(page.locator('[role="status"]').textContent()).resolves.toBe(
      '事件被拒收。客户电话：不是有效的电话号码（例如 +8613800138000）',
    );
    const eventId = new URL(page.url()).searchParams.get('event')!;
    const row = page.locator(`[data-testid="event-issue"][data-event-id="${eventId}"]`);
    await expect(row.getAttribute('data-field')).resolves.toBe('detail.customer.phone');
    await expect(row.textContent()).resolves.toContain('已拒收，未开始回访');
    await expect(row.textContent()).resolves.toContain('服务完成');
    await expect(page.locator('header a.active').textContent()).resolves.toBe('被拒收的事件');
    // biome-ignore lint/performance/useDomNodeTextContent: Playwright's innerText() is the rendered text; textContent() adds hidden text
    expect(await page.locator('body').innerText()).not.toContain('韩梅梅');
    await expectReadable(page, 'zh-CN', 'rejections');
    await page.close();
  });

  it('lists an event accepted without its unusable email, and an opt-out missing its customer id, in English', async () => {
    const detail = serviceCompleted(0, { vin: 'LSVAU2180N2183294' }, { name: 'Li Lei', phone: '+8613912345678', email: 'li.lei@@example' });
    const accepted = await h.publish('Service Completed', detail);
    const optOut = await h.publish('Customer Opted Out', { customer: 'C-0-1' }, 'crm.app');
    const acceptedId = accepted.Entries![0]!.EventId!;
    const optOutId = optOut.Entries![0]!.EventId!;

    const page = await browser.newPage();
    await page.goto(`${h.stack.webUrl}/rejections?lang=en`);
    const warning = page.locator(`[data-testid="event-issue"][data-event-id="${acceptedId}"]`);
    await expect(warning.getAttribute('data-outcome')).resolves.toBe('accepted');
    await expect(warning.textContent()).resolves.toMatch(/Accepted without this field.*Customer email.*not an email address/s);
    await expect(warning.locator('a').count()).resolves.toBe(1);
    const rejected = page.locator(`[data-testid="event-issue"][data-event-id="${optOutId}"]`);
    await expect(rejected.textContent()).resolves.toMatch(
      /crm\.app.*Customer opted out.*Rejected: nothing started.*Customer id.*missing: this field is required/s,
    );
    // biome-ignore lint/performance/useDomNodeTextContent: Playwright's innerText() is the rendered text; textContent() adds hidden text
    const text = await page.locator('body').innerText();
    for (const personal of ['Li Lei', 'li.lei@@example', '+8613912345678']) expect(text).not.toContain(personal);
    await expectReadable(page, 'en', 'rejections');
    await page.close();
  });
});
