import PostalMime from 'postal-mime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emlOf } from '../../local/eml.js';
import { at, fullAnswers, idOf, serviceCompleted } from '../support/follow-up-fixtures.js';
import { Harness } from '../support/local-harness.js';
import { rawCodesIn } from '../support/readable.js';

/**
 * The scheduled report Lambda on the local stack, from the template's schedules: a follow-up is
 * recorded, then Monday's weekly report reaches its recipients as text and HTML with the charts.
 */
let h: Harness;
beforeAll(async () => {
  h = await Harness.start(new Date(at(0, 0, '08:00')), { schedules: true });
});
afterAll(async () => {
  await h?.stop();
});

const visibleText = (page: string) =>
  page
    .replace(/<(style|title)[^>]*>[\s\S]*?<\/\1>/g, ' ')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&nbsp;/g, ' ');

describe('scheduled report email', () => {
  it("sends the weekly report as multipart/alternative text and HTML, with charts and targets, in each recipient's language", {
    timeout: 120_000,
  }, async () => {
    const detail = serviceCompleted(0, { departmentId: 'after-sales' });
    await h.runUntil(at(0, 0, '16:00'));
    await h.publish('Service Completed', detail);
    await h.runUntil(at(0, 3, '09:30'));
    const task = h.tasksFor(idOf(detail))[0]!;
    expect((await h.submit(task.outcomeFormUrl, { result: 'reached', answers: fullAnswers })).status).toBe(200);
    // Monday 30 November 08:30: the weekly report of 23–29 November.
    await h.runUntil(at(1, 3, '09:00'));

    const weekly = h.emailsTo('follow-up-lead@example.com').find((m) => m.subject === '回访周报 2026-W48');
    expect(weekly, 'the weekly report email').toBeDefined();
    const parsed = await PostalMime.parse(await emlOf(weekly!));
    expect(parsed.headers.find((header) => header.key === 'content-type')?.value).toMatch(/^multipart\/alternative/);
    expect(parsed.subject).toBe('回访周报 2026-W48');
    expect(parsed.text).toContain('已结束回访: 1');
    expect(parsed.html).toContain('role="img" aria-label="接通率"');
    expect(parsed.html).toContain('目标 70.0%');
    expect(parsed.html).toContain('售后服务部');
    expect(parsed.html).toContain('reports/weekly/2026-W48/report.html');
    // By channel, from the aggregate the outcome's step wrote: one call, answered, scored 5; no text, no email.
    expect(parsed.text).toContain('按渠道的接通率与满意度:\n  电话: 联系 1 次，联系客户 1，接通 1，接通率 100.0%，满意度 5.00\n');
    expect(parsed.text).toContain('  短信: 联系 0 次，联系客户 0，接通 0，接通率 —，满意度 —\n');
    expect(parsed.html).toMatch(/<tr[^>]*><td>电话<\/td><td>1<\/td><td>1<\/td><td>1<\/td><td>100\.0%<\/td><td>5\.00<\/td><\/tr>/);
    expect(parsed.html).not.toMatch(/<svg|<script|<img|href=/);
    expect(rawCodesIn(visibleText(parsed.html!), 'zh-CN')).toEqual([]);
    expect(rawCodesIn(parsed.text!, 'zh-CN')).toEqual([]);

    // The after-sales manager reads the daily report of their departments; the archive keeps the whole one.
    const daily = h.emailsTo('after-sales-manager@example.com').find((m) => m.subject === '回访日报 2026-11-23');
    expect(daily?.text).toContain('部门：售后服务部、钣喷车间');
    expect(daily?.text).toContain('已结束回访: 1');
    const archived = h.cloud.objects.get([...h.cloud.objects.keys()].find((key) => key.endsWith('reports/weekly/2026-W48/report.html'))!);
    expect(String(archived?.body)).toContain('回访周报 2026-W48');
  });
});
