import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from '../support/browser.js';
import { at, idOf, serviceCompleted, shanghai } from '../support/follow-up-fixtures.js';
import { Harness, linkIn } from '../support/local-harness.js';
import { expectReadable } from '../support/readable.js';

/**
 * One contact for several matters (一事一扰) in the browser: a customer's repair (Monday 15:00,
 * due Tuesday 11:00) and delivery (Tuesday 10:00, due Wednesday morning) share one call or one
 * survey email. The agent's form (Chinese) and the customer's survey (English) show one section
 * per matter under a heading naming the service and its number; a refused submission names the
 * matter and the question and gives back everything typed in every section; the local desk asks
 * each matter's questions too.
 */
let h: Harness;
let browser: Browser;

const phoneCustomer = { id: 'C-MERGE-BROWSER-1', name: '钱七', email: 'c-merge-browser-1@example.com' };
const mailCustomer = { id: 'C-MERGE-BROWSER-2', name: 'Jo Park', phone: undefined, email: 'c-merge-browser-2@example.com', locale: 'en' };
const monday = { completedAt: shanghai(at(1, 3, '15:00')) };
const tuesday = { completedAt: shanghai(at(1, 4, '10:00')), serviceType: 'vehicle-delivery', departmentId: 'sales' };
const callRepair = serviceCompleted(1, monday, phoneCustomer);
const callDelivery = serviceCompleted(1, tuesday, phoneCustomer);
const mailRepair = serviceCompleted(1, monday, mailCustomer);
const mailDelivery = serviceCompleted(1, tuesday, mailCustomer);
const deskCustomer = { id: 'C-MERGE-BROWSER-3', name: '孙八', email: 'c-merge-browser-3@example.com' };
const deskRepair = serviceCompleted(1, monday, deskCustomer);
const deskDelivery = serviceCompleted(1, tuesday, deskCustomer);

beforeAll(async () => {
  h = await Harness.start(new Date(at(1, 3, '12:00')));
  browser = await launchBrowser();
  await h.runUntil(at(1, 3, '15:30'));
  for (const detail of [callRepair, mailRepair, deskRepair]) await h.publish('Service Completed', detail);
  await h.runUntil(at(1, 4, '10:30'));
  for (const detail of [callDelivery, mailDelivery, deskDelivery]) await h.publish('Service Completed', detail);
  await h.runUntil(at(1, 4, '11:30'));
});
afterAll(async () => {
  await browser?.close();
  await h?.stop();
});

/** Submits the form in `scope` (the page, or one task on the desk) and waits for the answer, counted as the local stack's work. */
async function submit(page: Page, scope: Page | Locator = page) {
  await h.stack.clock.track(() => Promise.all([page.waitForLoadState('load'), scope.locator('button[type="submit"]').click()]));
  await h.stack.clock.settle();
}

const sectionsOf = (page: Page) => page.locator('section[data-matter]');

/** The vehicle survey's four questions, each shown with its words, in one matter's section. */
async function expectQuestions(section: Locator, words: string[]) {
  await expect(section.locator('fieldset').count()).resolves.toBe(4);
  const legends = await section.locator('legend').allTextContents();
  for (const [i, word] of words.entries()) expect(legends[i]).toContain(word);
}

describe('a contact carrying two matters, in the browser', () => {
  it("asks each matter's questions on the local desk, in the agent's language, and records both", async () => {
    const page = await browser.newPage();
    await page.goto(`${h.stack.webUrl}/desk?lang=en`);
    const card = page.locator(`[data-testid="task"][data-follow-up="${idOf(deskRepair)}"]`);
    const sections = card.locator('section[data-matter]');
    await expect(sections.count()).resolves.toBe(2);
    await expect(sections.nth(0).locator('h2').textContent()).resolves.toBe(`Matter 1: Vehicle repair (service ${deskRepair.serviceId})`);
    await expect(sections.nth(1).locator('h2').textContent()).resolves.toBe(
      `Matter 2: Vehicle delivery (service ${deskDelivery.serviceId})`,
    );
    await expectReadable(page, 'en', 'merged-desk');

    const second = `joined.${idOf(deskDelivery)}`;
    await card.locator('input[name="result"][value="reached"]').check();
    await card.locator('input[name="answers.overall"][value="5"]').check();
    await card.locator('input[name="answers.explained"][value="yes"]').check();
    await card.locator('input[name="answers.wantsComplaint"][value="no"]').check();
    await card.locator(`input[name="${second}.answers.explained"][value="yes"]`).check();
    await card.locator(`input[name="${second}.answers.wantsComplaint"][value="no"]`).check();
    await card.locator(`textarea[name="${second}.answers.suggestions"]`).fill('交车很顺利');
    await submit(page, card);
    const again = page.locator(`[data-testid="task"][data-follow-up="${idOf(deskRepair)}"]`);
    await expect(again.locator('[role="alert"]').textContent()).resolves.toBe(
      `Matter 2: Vehicle delivery (service ${deskDelivery.serviceId}): Please answer: ` +
        'Overall, how satisfied are you with this service (1-5)?',
    );
    await expect(again.locator('input[name="answers.overall"][value="5"]').isChecked()).resolves.toBe(true);
    await expect(again.locator(`input[name="${second}.answers.explained"][value="yes"]`).isChecked()).resolves.toBe(true);
    await expect(again.locator(`textarea[name="${second}.answers.suggestions"]`).inputValue()).resolves.toBe('交车很顺利');
    await expectReadable(page, 'en', 'merged-desk-error');

    await again.locator(`input[name="${second}.answers.overall"][value="3"]`).check();
    await submit(page, again);
    await expect(page.locator('[role="status"]').textContent()).resolves.toBe('Outcome recorded.');
    await page.close();
    // Before the clock moves on (the other tasks wait on the desk): the delivery's answer waits on its attempt for its due time.
    expect(await h.followUp(idOf(deskRepair))).toMatchObject({ status: 'completed', outcome: { answers: { overall: 5 } } });
    const carried = (await h.items('Attempt')).find((a) => a.followUpId === idOf(deskDelivery));
    expect(carried).toMatchObject({
      result: 'reached',
      answers: { overall: 3, explained: 'yes', wantsComplaint: 'no', suggestions: '交车很顺利' },
    });
  });

  it("shows the agent one section per matter in the customer's language and keeps every typed value when refused", async () => {
    const tasks = [...h.tasksFor(idOf(callRepair)), ...h.tasksFor(idOf(callDelivery))];
    expect(tasks).toHaveLength(1);
    const page = await browser.newPage();
    await page.goto(tasks[0]!.outcomeFormUrl);
    const sections = sectionsOf(page);
    await expect(sections.count()).resolves.toBe(2);
    await expect(sections.nth(0).locator('h2').textContent()).resolves.toBe(`事项1：车辆维修（服务单 ${callRepair.serviceId}）`);
    await expect(sections.nth(1).locator('h2').textContent()).resolves.toBe(`事项2：新车交付（服务单 ${callDelivery.serviceId}）`);
    const questions = ['总体满意度', '解释', '投诉', '建议'];
    for (const i of [0, 1]) await expectQuestions(sections.nth(i), questions);
    // Each matter's complaint box is in its own section: the agent marks the matter the complaint is about.
    await expect(sections.nth(0).locator('input[type="checkbox"][name="complaint"]').count()).resolves.toBe(1);
    await expect(
      sections
        .nth(1)
        .locator(`input[type="checkbox"][name="joined.${idOf(callDelivery)}.complaint"]`)
        .count(),
    ).resolves.toBe(1);
    await expect(page.locator('input[type="checkbox"]').count()).resolves.toBe(2);
    await expectReadable(page, 'zh-CN', 'merged-agent-form');

    const second = `joined.${idOf(callDelivery)}`;
    await page.locator('input[name="result"][value="reached"]').check();
    await page.locator('input[name="answers.overall"][value="4"]').check();
    await page.locator('input[name="answers.explained"][value="yes"]').check();
    await page.locator('input[name="answers.wantsComplaint"][value="no"]').check();
    await page.locator('textarea[name="answers.suggestions"]').fill('前台很热情');
    // The delivery's score is left out: the call is refused and comes back with everything typed.
    await page.locator(`input[name="${second}.answers.explained"][value="no"]`).check();
    await page.locator(`input[name="${second}.answers.wantsComplaint"][value="yes"]`).check();
    await page.locator(`textarea[name="${second}.answers.suggestions"]`).fill('交车等了两个小时');
    await page.locator(`input[name="${second}.complaint"]`).check();
    await page.locator('select[name="severity"]').selectOption('general');
    await page.locator('textarea[name="note"]').fill('客户对交车时间不满');
    await submit(page);

    await expect(page.locator('[role="alert"]').textContent()).resolves.toBe(
      `事项2：新车交付（服务单 ${callDelivery.serviceId}）：请回答：您对本次服务的总体满意度（1-5分）？`,
    );
    const checkedNow = (selector: string) => page.locator(selector).isChecked();
    await expect(checkedNow('input[name="result"][value="reached"]')).resolves.toBe(true);
    await expect(checkedNow('input[name="answers.overall"][value="4"]')).resolves.toBe(true);
    await expect(checkedNow('input[name="answers.explained"][value="yes"]')).resolves.toBe(true);
    await expect(checkedNow('input[name="answers.wantsComplaint"][value="no"]')).resolves.toBe(true);
    await expect(page.locator('textarea[name="answers.suggestions"]').inputValue()).resolves.toBe('前台很热情');
    await expect(checkedNow(`input[name="${second}.answers.explained"][value="no"]`)).resolves.toBe(true);
    await expect(checkedNow(`input[name="${second}.answers.wantsComplaint"][value="yes"]`)).resolves.toBe(true);
    await expect(page.locator(`textarea[name="${second}.answers.suggestions"]`).inputValue()).resolves.toBe('交车等了两个小时');
    await expect(checkedNow(`input[name="${second}.complaint"]`)).resolves.toBe(true);
    await expect(checkedNow('input[name="complaint"]')).resolves.toBe(false);
    await expect(page.locator('select[name="severity"]').inputValue()).resolves.toBe('general');
    await expect(page.locator('textarea[name="note"]').inputValue()).resolves.toBe('客户对交车时间不满');
    await expect(sections.count()).resolves.toBe(2);
    await expectReadable(page, 'zh-CN', 'merged-agent-form-error');

    // The agent adds the one missing score: nothing else typed again.
    await page.locator(`input[name="${second}.answers.overall"][value="2"]`).check();
    await submit(page);
    await expect(page.locator('[role="status"]').textContent()).resolves.toBe('谢谢！已记录。');
    await expectReadable(page, 'zh-CN', 'merged-agent-form-recorded');
    await page.close();

    // The delivery's own execution takes the answer at its due time: each matter its own answers and complaint.
    await h.runUntil(at(1, 5, '12:00'));
    expect(await h.followUp(idOf(callRepair))).toMatchObject({
      status: 'completed',
      outcome: { answers: { overall: 4, explained: 'yes', wantsComplaint: 'no', suggestions: '前台很热情' } },
    });
    const delivery = await h.followUp(idOf(callDelivery));
    expect(delivery).toMatchObject({
      status: 'completed',
      outcome: { channel: 'phone', answers: { overall: 2, explained: 'no', wantsComplaint: 'yes', suggestions: '交车等了两个小时' } },
    });
    expect(delivery!.outcome?.assessment?.complaint).toBe(true);
    expect((await h.followUp(idOf(callRepair)))!.outcome?.assessment?.complaint).toBe(false);
    expect(h.tasksFor(idOf(callDelivery))).toHaveLength(0);
  });

  it('shows the customer one survey with a section per matter and keeps every answer when one is missing', async () => {
    const mails = h.emailsTo(mailCustomer.email);
    expect(mails).toHaveLength(1);
    const page = await browser.newPage();
    await page.goto(linkIn(mails[0]!));
    const sections = sectionsOf(page);
    await expect(sections.count()).resolves.toBe(2);
    await expect(sections.nth(0).locator('h2').textContent()).resolves.toBe(`Matter 1: Vehicle repair (service ${mailRepair.serviceId})`);
    await expect(sections.nth(1).locator('h2').textContent()).resolves.toBe(
      `Matter 2: Vehicle delivery (service ${mailDelivery.serviceId})`,
    );
    const questions = ['Overall, how satisfied', 'Did your advisor explain', 'complain about', 'suggestions'];
    for (const i of [0, 1]) await expectQuestions(sections.nth(i), questions);
    // A customer answers no agent's questions: no result, no complaint box.
    await expect(page.locator('input[type="checkbox"]').count()).resolves.toBe(0);
    await expectReadable(page, 'en', 'merged-survey');

    const second = `joined.${idOf(mailDelivery)}`;
    await page.locator('input[name="answers.overall"][value="5"]').check();
    await page.locator('input[name="answers.explained"][value="yes"]').check();
    await page.locator('input[name="answers.wantsComplaint"][value="no"]').check();
    await page.locator('textarea[name="answers.suggestions"]').fill('Quick and friendly');
    await page.locator(`input[name="${second}.answers.explained"][value="yes"]`).check();
    await page.locator(`input[name="${second}.answers.wantsComplaint"][value="no"]`).check();
    await page.locator(`textarea[name="${second}.answers.suggestions"]`).fill('Lovely handover');
    // The browser itself asks for a required answer: this is what a browser without that check sends.
    await page.evaluate('document.querySelector("form").noValidate = true');
    await submit(page);

    await expect(page.locator('[role="alert"]').textContent()).resolves.toBe(
      `Matter 2: Vehicle delivery (service ${mailDelivery.serviceId}): Please answer: ` +
        'Overall, how satisfied are you with this service (1-5)?',
    );
    const checkedNow = (selector: string) => page.locator(selector).isChecked();
    await expect(checkedNow('input[name="answers.overall"][value="5"]')).resolves.toBe(true);
    await expect(checkedNow('input[name="answers.explained"][value="yes"]')).resolves.toBe(true);
    await expect(checkedNow('input[name="answers.wantsComplaint"][value="no"]')).resolves.toBe(true);
    await expect(page.locator('textarea[name="answers.suggestions"]').inputValue()).resolves.toBe('Quick and friendly');
    await expect(checkedNow(`input[name="${second}.answers.explained"][value="yes"]`)).resolves.toBe(true);
    await expect(checkedNow(`input[name="${second}.answers.wantsComplaint"][value="no"]`)).resolves.toBe(true);
    await expect(page.locator(`textarea[name="${second}.answers.suggestions"]`).inputValue()).resolves.toBe('Lovely handover');
    await expectReadable(page, 'en', 'merged-survey-error');

    await page.locator(`input[name="${second}.answers.overall"][value="4"]`).check();
    await submit(page);
    await expect(page.title()).resolves.toBe('Thank you');
    await page.close();

    await h.runUntil(at(1, 5, '12:00'));
    expect(await h.followUp(idOf(mailRepair))).toMatchObject({
      status: 'completed',
      outcome: { channel: 'email', answers: { overall: 5, suggestions: 'Quick and friendly' } },
    });
    expect(await h.followUp(idOf(mailDelivery))).toMatchObject({
      status: 'completed',
      outcome: { channel: 'email', answers: { overall: 4, explained: 'yes', suggestions: 'Lovely handover' } },
    });
    expect(h.emailsTo(mailCustomer.email)).toHaveLength(1);
  });
});
