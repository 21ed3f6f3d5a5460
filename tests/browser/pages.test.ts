import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Locale } from '../../functions/shared/domain/policy-schema.js';
import { launchBrowser } from '../support/browser.js';
import { at, idOf, serviceCompleted } from '../support/follow-up-fixtures.js';
import { Harness, linkIn } from '../support/local-harness.js';
import { expectReadable } from '../support/readable.js';

/**
 * Every page of the local web app and of the links people get, in Chinese and in English: words
 * of the reader's language only (expectReadable), a screenshot of each under test-output/.
 * One week of one stack, in order: a newcomer's empty desk, the jump to Monday's calls, the
 * agent's work, then what it left behind (mail, follow-ups, complaints, links).
 */
let h: Harness;
let browser: Browser;
const locales: Locale[] = ['zh-CN', 'en'];

// Phone customers get a call task; email-only ones a survey email. One of each per language.
const callZh = serviceCompleted(0, { departmentId: 'after-sales' }, { name: '周九' });
const callEn = serviceCompleted(0, {}, { name: 'Alex Chen', locale: 'en' });
const mailZh = serviceCompleted(0, {}, { name: '吴十', phone: undefined });
const mailEn = serviceCompleted(0, {}, { name: 'Sam Lee', phone: undefined, locale: 'en' });

beforeAll(async () => {
  // With the report schedules armed: their timers sit between now and Monday's calls.
  h = await Harness.start(new Date(at(0, 0, '16:00')), { schedules: true });
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await h?.stop();
});

async function open(path: string, locale: Locale): Promise<Page> {
  const page = await browser.newPage();
  await page.goto(`${h.stack.webUrl}${path}${path.includes('?') ? '&' : '?'}lang=${locale}`);
  return page;
}

/** Submits a form on the page and waits for the answer, the local stack counting the request as work. */
async function submit(page: Page, button: ReturnType<Page['locator']>, url?: RegExp) {
  await h.stack.clock.track(() => Promise.all([url ? page.waitForURL(url) : page.waitForLoadState('load'), button.click()]));
  await h.stack.clock.settle();
}

describe('the local web app and the link pages, in Chinese and English', () => {
  it('tells a newcomer on the empty desk what to do first, and keeps the steps under "Getting started"', async () => {
    for (const locale of locales) {
      const page = await open('/desk', locale);
      const guide = page.locator('[data-testid="guide"]');
      await expect(guide.locator('li').count()).resolves.toBe(4);
      await expect(guide.locator('li').first().textContent()).resolves.toContain(
        locale === 'zh-CN' ? '发送示例事件' : 'Send a sample event',
      );
      await expectReadable(page, locale, 'desk-empty');
      await page.click('header a[href="/start"]');
      await expect(page.locator('[data-testid="guide"] li').count()).resolves.toBe(4);
      await expectReadable(page, locale, 'getting-started');
      await page.goto(`${h.stack.webUrl}/send?lang=${locale}`);
      await expectReadable(page, locale, 'send');
      await page.close();
    }
  });

  it('reaches Monday\'s calls in one "next follow-up action", past the report timers, and says what the jump did', async () => {
    for (const detail of [callZh, callEn, mailZh, mailEn]) await h.publish('Service Completed', detail);
    const plain = h.stack.clock.nextWakeUp();
    const action = h.stack.clock.nextWakeUp('execution')!;
    // A report timer comes first: the plain skip would stop there.
    expect(plain).toBeLessThan(action);

    const page = await open('/desk', 'zh-CN');
    await Promise.all([page.waitForURL(/jumped=/), page.click('[data-testid="next-action"]')]);
    await h.stack.clock.settle();
    expect(h.now().getTime()).toBeGreaterThanOrEqual(action);
    const notice = await page.locator('[role="status"]').textContent();
    expect(notice).toMatch(/^时钟已从 2026年11月20日 16:\d\d 拨到 2026年11月23日 \d\d:\d\d：/);
    expect(notice).toContain('新任务 2 个');
    // Survey emails, and the daily reports of the weekend on the way.
    expect(notice).toMatch(/发出邮件 \d+ 封/);
    // Both survey emails, though SES sends one a second: the jump finishes the work it woke.
    for (const detail of [mailZh, mailEn]) expect(h.emailsTo(detail.customer.email!)).toHaveLength(1);
    await expect(page.locator('[data-testid="task"]').count()).resolves.toBe(2);
    await expect(page.locator('[data-testid="clock"]').textContent()).resolves.toMatch(/^2026年11月23日/);
    await expectReadable(page, 'zh-CN', 'desk-after-jump');
    await page.close();

    for (const locale of locales) {
      const desk = await open('/desk', locale);
      await expect(desk.locator('[data-testid="guide"]').count()).resolves.toBe(0);
      // The agent's page speaks the agent's language and says which one the customer speaks.
      await expect(
        desk.locator(`[data-testid="task"][data-follow-up="${idOf(callEn)}"] [data-testid="customer-language"]`).textContent(),
      ).resolves.toBe(locale === 'zh-CN' ? '英语' : 'English');
      await expectReadable(desk, locale, 'desk');
      await desk.close();
    }
  });

  it("keeps everything the agent entered when one answer is missing, and names the question in the page's language", async () => {
    const expected = {
      'zh-CN': '请回答：服务顾问是否向您解释了所做的工作和费用？',
      en: 'Please answer: Did your advisor explain the work done and its cost?',
    };
    for (const locale of locales) {
      const page = await open('/desk', locale);
      const task = page.locator(`[data-testid="task"][data-follow-up="${idOf(callZh)}"]`);
      await task.locator('input[name="result"][value="reached"]').check();
      await task.locator('input[name="answers.overall"][value="2"]').check();
      await task.locator('input[name="answers.wantsComplaint"][value="yes"]').check();
      await task.locator('textarea[name="answers.suggestions"]').fill('等了三个小时');
      await task.locator('input[name="complaint"]').check();
      await task.locator('select[name="severity"]').selectOption('major');
      await submit(page, task.locator('button[type="submit"]'));

      const again = page.locator(`[data-testid="task"][data-follow-up="${idOf(callZh)}"]`);
      await expect(again.locator('[role="alert"]').textContent()).resolves.toBe(expected[locale]);
      await expect(again.locator('input[name="result"][value="reached"]').isChecked()).resolves.toBe(true);
      await expect(again.locator('input[name="answers.overall"][value="2"]').isChecked()).resolves.toBe(true);
      await expect(again.locator('input[name="answers.wantsComplaint"][value="yes"]').isChecked()).resolves.toBe(true);
      await expect(again.locator('textarea[name="answers.suggestions"]').inputValue()).resolves.toBe('等了三个小时');
      await expect(again.locator('input[name="complaint"]').isChecked()).resolves.toBe(true);
      await expect(again.locator('select[name="severity"]').inputValue()).resolves.toBe('major');
      await expectReadable(page, locale, 'desk-validation-error');

      if (locale === 'en') {
        // The agent adds the one missing answer and submits: nothing else typed again.
        await again.locator('input[name="answers.explained"][value="no"]').check();
        await submit(page, again.locator('button[type="submit"]'), /\/desk\?done=/);
        await expect(page.locator('[role="status"]').textContent()).resolves.toBe('Outcome recorded.');
      }
      await page.close();
    }
    expect((await h.followUp(idOf(callZh)))!.outcome).toMatchObject({
      status: 'completed',
      answers: { overall: 2, explained: 'no', wantsComplaint: 'yes', suggestions: '等了三个小时' },
    });
  });

  it("shows the agent's outcome link page in the customer's language, refilled after a refused submit", async () => {
    for (const [locale, detail] of [['en', callEn]] as const) {
      const url = h.tasksFor(idOf(detail))[0]!.outcomeFormUrl;
      const page = await browser.newPage();
      await page.goto(url);
      await expectReadable(page, locale, 'agent-link');
      await page.locator('input[name="result"][value="reached"]').check();
      await page.locator('input[name="answers.overall"][value="5"]').check();
      await submit(page, page.locator('button[type="submit"]'));
      await expect(page.locator('[role="alert"]').textContent()).resolves.toBe(
        'Please answer: Did your advisor explain the work done and its cost?',
      );
      await expect(page.locator('input[name="answers.overall"][value="5"]').isChecked()).resolves.toBe(true);
      await expectReadable(page, locale, 'agent-link-validation-error');
      await page.close();
    }
    const zh = await browser.newPage();
    // The Chinese customer's task is answered: its link says so, in Chinese, titled in words.
    await zh.goto(h.tasksFor(idOf(callZh))[0]!.outcomeFormUrl);
    await expect(zh.title()).resolves.toBe('链接已使用');
    await expectReadable(zh, 'zh-CN', 'link-used');
    await zh.close();
  });

  it("shows the customer's survey, the thank-you page, the used link and the unsubscribe page in the customer's language", async () => {
    for (const [locale, detail] of [
      ['zh-CN', mailZh],
      ['en', mailEn],
    ] as const) {
      const email = h.emailsTo(detail.customer.email!)[0]!;
      const survey = linkIn(email);
      const page = await browser.newPage();
      await page.goto(survey);
      await expectReadable(page, locale, 'survey');
      await page.locator('input[name="answers.overall"][value="5"]').check();
      await page.locator('input[name="answers.explained"][value="yes"]').check();
      await page.locator('input[name="answers.wantsComplaint"][value="no"]').check();
      await submit(page, page.locator('button[type="submit"]'));
      await expect(page.title()).resolves.toBe(locale === 'zh-CN' ? '感谢您的反馈' : 'Thank you');
      await expectReadable(page, locale, 'thank-you');
      await page.goto(survey);
      await expect(page.title()).resolves.toBe(locale === 'zh-CN' ? '链接已使用' : 'Link already used');
      if (locale === 'en') await expectReadable(page, locale, 'link-used');
      const unsubscribe = /https?:\/\/\S+\/links\/[\w.-]+/g[Symbol.match](email.text)!.find((l) => l !== survey)!;
      await page.goto(unsubscribe);
      await expectReadable(page, locale, 'unsubscribe');
      await page.close();
    }
  });

  it('labels each link in the sent mail by what it does and keeps long links inside the page', async () => {
    // The complaint the agent raised has reached a manager by now.
    await h.runUntil(new Date(h.now().getTime() + 10 * 60_000).toISOString());
    for (const locale of locales) {
      const page = await open('/mail', locale);
      const words =
        locale === 'zh-CN'
          ? { survey: '打开问卷', acknowledge: '确认收到投诉', unsubscribe: '退订' }
          : { survey: 'Open the survey', acknowledge: 'Acknowledge the complaint', unsubscribe: 'Unsubscribe' };
      for (const [purpose, label] of Object.entries(words)) {
        await expect(page.locator(`a.mail-link[data-purpose="${purpose}"]`).first().textContent()).resolves.toBe(label);
      }
      const overflow = (await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth')) as number;
      expect(overflow).toBeLessThanOrEqual(0);
      await expectReadable(page, locale, 'mail');
      await page.close();
    }
  });

  it('lists follow-ups with names, words and local times; the detail page shows the outcome as rows, not data', async () => {
    const overallAnswer = {
      'zh-CN': '您对本次服务的总体满意度（1-5分）？ 2/5',
      en: 'Overall, how satisfied are you with this service (1-5)? 2/5',
    };
    for (const locale of locales) {
      const page = await open('/follow-ups', locale);
      const row = page.locator(`[data-testid="follow-up"][data-follow-up="${idOf(callZh)}"]`);
      await expect(row.textContent()).resolves.toContain('周九');
      await expect(row.locator('.status').textContent()).resolves.toBe(locale === 'zh-CN' ? '已完成' : 'Completed');
      await expect(row.textContent()).resolves.toContain(overallAnswer[locale]);
      await expectReadable(page, locale, 'follow-ups');

      await row.locator('a').first().click();
      await page.waitForURL(/\/follow-ups\/fu-/);
      await expect(page.locator('[data-testid="outcome"]').count()).resolves.toBe(1);
      await expect(page.locator('pre').count()).resolves.toBe(0);
      await expectReadable(page, locale, 'follow-up-detail');

      await page.goto(`${h.stack.webUrl}/complaints?lang=${locale}`);
      await expect(page.locator('header a.active').textContent()).resolves.toBe(
        locale === 'zh-CN' ? '投诉回访记录' : 'Follow-ups with complaints',
      );
      await expect(page.locator(`[data-testid="follow-up"][data-follow-up="${idOf(callZh)}"]`).textContent()).resolves.toContain('周九');
      await expectReadable(page, locale, 'complaints');

      await page.close();
    }
  });
});
