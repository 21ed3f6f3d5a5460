import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from '../support/browser.js';
import { Harness } from '../support/local-harness.js';
import { expectReadable } from '../support/readable.js';

/** The "Sent SMS" page: each text as the customer reads it, its provider and billed length, and its survey link. */
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

describe('sent SMS page', () => {
  it('shows each provider’s text in Chinese and English: provider, billed length, a reply box for the two-way one', async () => {
    h.cloud.sendTextMessage({
      DestinationPhoneNumber: '+14155550100',
      MessageBody: 'Example Co.: how did our service go? Tell us in a minute: https://x.example/links/abc',
      ConfigurationSetName: 'CustomerFollowUp-sms',
    });
    h.cloud.alibabaSendSms(
      new URLSearchParams({
        PhoneNumbers: '13800138000',
        SignName: '客户回访',
        TemplateCode: 'SMS_100000001',
        TemplateParam: JSON.stringify({ company: '示例公司', link: 'https://x.example/links/def' }),
      }),
    );
    const page = await browser.newPage();
    await page.goto(`${h.stack.webUrl}/sms?lang=zh-CN`);
    await expect(page.locator('header a.active').textContent()).resolves.toBe('已发短信');
    const cards = page.locator('[data-testid="sms"]');
    await expect(cards.count()).resolves.toBe(2);
    await expect(cards.nth(0).getAttribute('data-provider')).resolves.toBe('alibaba');
    await expect(cards.nth(0).textContent()).resolves.toMatch(/阿里云短信.*【客户回访】示例公司邀请您评价本次服务/s);
    await expect(cards.nth(1).textContent()).resolves.toContain('AWS End User Messaging');
    await expectReadable(page, 'zh-CN', 'sms');
    await page.goto(`${h.stack.webUrl}/sms?lang=en`);
    await expect(page.locator('h1').textContent()).resolves.toBe('Sent SMS');
    await expect(cards.nth(1).textContent()).resolves.toMatch(/1 part\(s\), \d+ characters/);
    await expectReadable(page, 'en', 'sms');
    // The reply box of the AWS text: the reply reaches the SMS reply function (no attempt waits on this number).
    await expect(cards.nth(0).locator('[data-testid="sms-reply"]').count()).resolves.toBe(0);
    await cards.nth(1).locator('input[name="body"]').fill('HELP');
    await h.stack.clock.track(() =>
      Promise.all([page.waitForURL(/\/sms\?replied=1/), cards.nth(1).locator('button[type="submit"]').click()]),
    );
    await expect(page.locator('[role="status"]').textContent()).resolves.toContain('Reply delivered');
    expect(h.cloud.deadLetters).toEqual([]);
    await page.close();
  });
});
