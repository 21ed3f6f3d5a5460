import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from '../support/browser.js';
import { at, idOf, serviceCompleted } from '../support/follow-up-fixtures.js';
import { Harness } from '../support/local-harness.js';

/** The local web page in the npm-shipped Chromium: an agent completes a task on the desk. */
let h: Harness;
let browser: Browser;
beforeAll(async () => {
  h = await Harness.start(new Date('2026-11-20T08:00:00Z'));
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await h?.stop();
});

describe('local web page', () => {
  it('shows the open task on the desk, records the outcome the agent enters, and lists it as completed', async () => {
    const detail = serviceCompleted(0, {}, { name: '周九' });
    const id = idOf(detail);
    await h.runUntil(at(0, 0, '16:00'));
    await h.publish('Service Completed', detail);
    await h.runUntil(at(0, 3, '09:00'));

    const page = await browser.newPage();
    await page.goto(`${h.stack.webUrl}/desk?lang=zh-CN`);
    const task = page.locator(`[data-testid="task"][data-follow-up="${id}"]`);
    await expect(task.locator('h2').textContent()).resolves.toContain('车辆维修');
    await expect(task.textContent()).resolves.toContain('周九');
    await task.locator('input[name="result"][value="reached"]').check();
    await task.locator('input[name="answers.overall"][value="4"]').check();
    await task.locator('input[name="answers.explained"][value="yes"]').check();
    await task.locator('input[name="answers.wantsComplaint"][value="no"]').check();
    await task.locator('textarea[name="answers.suggestions"]').fill('服务很好');
    await h.stack.clock.track(() => Promise.all([page.waitForURL(/\/desk\?done=/), task.locator('button[type="submit"]').click()]));
    await h.stack.clock.settle();
    await expect(page.locator('[role="status"]').textContent()).resolves.toContain('已记录');
    await expect(page.locator(`[data-testid="task"][data-follow-up="${id}"]`).count()).resolves.toBe(0);

    await page.goto(`${h.stack.webUrl}/follow-ups?lang=en`);
    const row = page.locator(`[data-testid="follow-up"][data-follow-up="${id}"]`);
    await expect(row.locator('.status').textContent()).resolves.toBe('Completed');
    // The question's text in the page's language, not its key.
    await expect(row.textContent()).resolves.toContain('Overall, how satisfied are you with this service (1-5)? 4/5');
    expect((await h.followUp(id))!.outcome).toMatchObject({ status: 'completed', answers: { overall: 4, suggestions: '服务很好' } });
    await page.close();
  });

  it('names the missing answer when the agent submits an incomplete form, and keeps the task open', async () => {
    const detail = serviceCompleted(1);
    const id = idOf(detail);
    await h.runUntil(at(1, 0, '16:00'));
    await h.publish('Service Completed', detail);
    await h.runUntil(at(1, 3, '09:00'));
    const page = await browser.newPage();
    await page.goto(`${h.stack.webUrl}/desk?lang=en`);
    const task = page.locator(`[data-testid="task"][data-follow-up="${id}"]`);
    await task.locator('input[name="result"][value="reached"]').check();
    await h.stack.clock.track(() => Promise.all([page.waitForLoadState('load'), task.locator('button[type="submit"]').click()]));
    await expect(page.locator('[role="alert"]').textContent()).resolves.toBe(
      'Please answer: Overall, how satisfied are you with this service (1-5)?',
    );
    // What the agent chose is still chosen.
    await expect(
      page.locator(`[data-testid="task"][data-follow-up="${id}"] input[name="result"][value="reached"]`).isChecked(),
    ).resolves.toBe(true);
    await expect(page.locator(`[data-testid="task"][data-follow-up="${id}"]`).count()).resolves.toBe(1);
    await page.close();
  });
});
