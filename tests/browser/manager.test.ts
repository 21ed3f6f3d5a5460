import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { complaintIdFor } from '../../functions/shared/domain/complaint.js';
import type { Locale } from '../../functions/shared/domain/policy-schema.js';
import { launchBrowser } from '../support/browser.js';
import { at, idOf, serviceCompleted } from '../support/follow-up-fixtures.js';
import { Harness } from '../support/local-harness.js';
import { expectReadable } from '../support/readable.js';

/**
 * The manager's side in the npm-shipped Chromium: a complaint raised on the agent desk, read in
 * the manager view and on the emailed acknowledge/resolve page in both languages, acknowledged
 * and resolved with the card showing each new state as the page comes back.
 */
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

const words = {
  'zh-CN': {
    overall: '您对本次服务的总体满意度（1-5分）？',
    acknowledged: '已确认',
    resolved: '已解决',
    noteRequired: '请填写“处理说明”',
    comment: '刹车还是有异响，等了三个小时',
    note: '客户要求店长今天回电',
    resolution: '更换刹车片并致歉，退还工时费',
  },
  en: {
    overall: 'Overall, how satisfied are you with this service (1-5)?',
    acknowledged: 'Acknowledged',
    resolved: 'Resolved',
    noteRequired: 'Please fill in “What was done”',
    comment: 'The brakes still squeal and I waited three hours',
    note: 'Customer wants the manager to call back today',
    resolution: 'Replaced the brake pads, apologised, refunded the labour',
  },
} as const;

/** A repair finished on Friday of `week`; on Monday 09:00 the agent records an urgent complaint on the desk. */
async function complaintRaisedOnTheDesk(page: Page, week: number, locale: Locale) {
  const w = words[locale];
  const detail = serviceCompleted(week, { departmentId: 'after-sales' }, { name: locale === 'en' ? 'Alex Chen' : '孙八' });
  await h.runUntil(at(week, 0, '16:00'));
  await h.publish('Service Completed', detail);
  await h.runUntil(at(week, 3, '09:00'));
  await page.goto(`${h.stack.webUrl}/desk?lang=${locale}`);
  const task = page.locator(`[data-testid="task"][data-follow-up="${idOf(detail)}"]`);
  await task.locator('input[name="result"][value="reached"]').check();
  await task.locator('input[name="answers.overall"][value="1"]').check();
  await task.locator('input[name="answers.explained"][value="no"]').check();
  await task.locator('input[name="answers.wantsComplaint"][value="yes"]').check();
  await task.locator('textarea[name="answers.suggestions"]').fill(w.comment);
  await task.locator('input[name="complaint"]').check();
  await task.locator('select[name="severity"]').selectOption('urgent');
  await task.locator('textarea[name="note"]').fill(w.note);
  await h.stack.clock.track(() => Promise.all([page.waitForURL(/\/desk\?done=/), task.locator('button[type="submit"]').click()]));
  // The complaint is raised and its first notice sent (contact slots may hold it a second).
  await h.runUntil(at(week, 3, '09:01'));
  return complaintIdFor(idOf(detail));
}

/** Submits one of the card's forms; the page that comes back is the manager view as it now is. */
async function act(page: Page, card: ReturnType<Page['locator']>, action: 'acknowledge' | 'resolve') {
  await h.stack.clock.track(() => Promise.all([page.waitForURL(/\/manager/), card.locator(`form[action$="/${action}"] button`).click()]));
}

for (const [week, locale] of [
  [0, 'zh-CN'],
  [1, 'en'],
] as const) {
  describe(`the manager view (${locale})`, () => {
    it('shows what the complaint is about; each action changes the card as the page comes back; a resolution needs a note', async () => {
      const w = words[locale];
      const page = await browser.newPage();
      const complaintId = await complaintRaisedOnTheDesk(page, week, locale);

      await page.goto(`${h.stack.webUrl}/manager?lang=${locale}`);
      const card = page.locator(`[data-testid="complaint"][data-complaint="${complaintId}"]`);
      await expect(card.locator('[data-testid="complaint-answers"]').textContent()).resolves.toContain(w.overall);
      await expect(card.locator('[data-testid="complaint-comment"]').textContent()).resolves.toBe(w.comment);
      await expect(card.locator('[data-testid="complaint-agent-note"]').textContent()).resolves.toBe(w.note);
      await expect(card.textContent()).resolves.toContain(locale === 'en' ? 'Alex Chen' : '孙八');
      await expectReadable(page, locale, 'manager-open');

      // The emailed links open the same content, in the reader's language.
      const mail = h.emailsTo('after-sales-manager@example.com').at(-1)!;
      const acknowledgeLink = /https?:\/\/\S+\/links\/[\w.-]+/.exec(mail.text)![0];
      const linkPage = await browser.newPage();
      await linkPage.goto(`${acknowledgeLink}?lang=${locale}`);
      await expect(linkPage.locator('[data-testid="complaint-answers"]').textContent()).resolves.toContain(w.overall);
      await expect(linkPage.locator('[data-testid="complaint-agent-note"]').textContent()).resolves.toBe(w.note);
      await expectReadable(linkPage, locale, 'complaint-link');
      await linkPage.close();

      await act(page, card, 'acknowledge');
      await expect(card.locator('[data-testid="complaint-status"]').textContent()).resolves.toBe(w.acknowledged);
      await expect(card.locator('form[action$="/acknowledge"]').count()).resolves.toBe(0);
      await expectReadable(page, locale, 'manager-acknowledged');

      await act(page, card, 'resolve');
      await expect(card.locator('[role="alert"]').textContent()).resolves.toContain(w.noteRequired);
      await expect(card.locator('[data-testid="complaint-status"]').textContent()).resolves.toBe(w.acknowledged);
      await expectReadable(page, locale, 'manager-note-required');

      await card.locator('textarea[name="note"]').fill(w.resolution);
      await act(page, card, 'resolve');
      await expect(card.locator('[data-testid="complaint-status"]').textContent()).resolves.toBe(w.resolved);
      await expect(card.locator('[data-testid="complaint-resolution"]').textContent()).resolves.toBe(w.resolution);
      await expectReadable(page, locale, 'manager-resolved');
      await h.stack.clock.settle();
      expect(await h.complaint(complaintId)).toMatchObject({ status: 'resolved', resolution: w.resolution });
      expect((await h.complaint(complaintId))!.history.map((e) => e.type)).toEqual(['raised', 'notified', 'acknowledged', 'resolved']);
      await page.close();
    });
  });
}
