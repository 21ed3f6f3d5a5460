import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { policyConfig } from '../../functions/shared/config/policies.js';
import { type PolicyConfig, parsePolicyConfig } from '../../functions/shared/domain/policy-schema.js';
import { AwsError } from '../../local/cloud/index.js';
import { LOCAL_TWO_WAY_NUMBER } from '../../local/cloud/sms-replies.js';
import { at, fullAnswers, idOf, serviceCompleted } from '../support/follow-up-fixtures.js';
import { Harness } from '../support/local-harness.js';

/**
 * SMS on the local stack: the FollowUp state machine falls back from phone to a text, which the
 * End User Messaging stand-in (non-+86) or the Alibaba Cloud SMS stand-in (+86) carries; the
 * customer answers through the text's signed link. Vehicle repairs here try phone once, then sms,
 * then email (the shipped policy has no sms step: this file's process changes its copy).
 */
let h: Harness;
let shipped: PolicyConfig['policies'][string]['channels'];
beforeAll(async () => {
  const repair = policyConfig.policies['vehicle-repair']!;
  shipped = repair.channels;
  repair.channels = parsePolicyConfig({
    ...policyConfig,
    policies: {
      'vehicle-repair': {
        ...repair,
        channels: [
          { channel: 'phone', attempts: 1, retryAfter: { hours: 3 }, responseTimeout: { hours: 8 } },
          { channel: 'sms', attempts: 1, retryAfter: { hours: 4 }, responseTimeout: { days: 1 } },
          { channel: 'email', attempts: 1, retryAfter: { days: 1 }, responseTimeout: { days: 3 } },
        ],
      },
    },
  }).policies['vehicle-repair']!.channels;
  h = await Harness.start(new Date('2026-11-20T08:00:00Z'));
});
afterAll(async () => {
  policyConfig.policies['vehicle-repair']!.channels = shipped;
  await h?.stop();
});

const smsTo = (to: string) => h.cloud.sentSms.filter((sms) => sms.to === to);
const linkOf = (text: string) => /https?:\/\/\S+\/links\/[\w.-]+/.exec(text)![0];

describe('FollowUp workflow: SMS', () => {
  it('texts the survey through End User Messaging after an unanswered call, and records the answers on the sms attempt', async () => {
    const detail = serviceCompleted(0, {}, { phone: '+14155550100', locale: 'en' });
    const id = idOf(detail);
    await h.runUntil(at(0, 0, '16:00'));
    await h.publish('Service Completed', detail);
    await h.runUntil(at(0, 3, '09:00'));
    await h.submit(h.tasksFor(id)[0]!.outcomeFormUrl, { result: 'no_answer' });
    await h.runUntil(at(0, 3, '09:01'));
    const [sms] = smsTo('+14155550100');
    expect(sms).toMatchObject({ provider: 'aws', sentAt: at(0, 3, '09:00') });
    expect(sms!.via).toMatch(/-sms /);
    expect(sms!.context).toEqual({ kind: 'follow-up', followUpId: id, attempt: '2' });
    expect(sms!.text).toContain('how did our service go?');
    expect(JSON.stringify(sms!.context)).not.toContain('4155550100');

    expect((await h.submit(linkOf(sms!.text), { answers: fullAnswers })).status).toBe(200);
    const stored = await h.followUp(id);
    expect(stored!.outcome).toMatchObject({ status: 'completed', channel: 'sms', answers: fullAnswers });
    expect(stored!.attempts.map((a) => `${a.channel}:${a.result}`)).toEqual(['phone:no_answer', 'sms:reached']);
    expect(h.emailsTo(detail.customer.email!)).toEqual([]);
  });

  it('routes a +86 number to Alibaba Cloud SMS: the registered template and sign name, the link as a parameter', async () => {
    const detail = serviceCompleted(1, {}, { phone: '+8613900139000' });
    const id = idOf(detail);
    await h.runUntil(at(1, 0, '16:00'));
    await h.publish('Service Completed', detail);
    await h.runUntil(at(1, 3, '09:00'));
    await h.submit(h.tasksFor(id)[0]!.outcomeFormUrl, { result: 'no_answer' });
    await h.runUntil(at(1, 3, '09:01'));
    expect(smsTo('+8613900139000')).toEqual([]);
    const [sms] = smsTo('13900139000');
    expect(sms).toMatchObject({ provider: 'alibaba', via: '客户回访 SMS_100000001', context: { outId: `${id}#2` } });
    expect(sms!.text.startsWith('【客户回访】')).toBe(true);
    expect(sms!.text).toContain('邀请您评价本次服务');
    expect((await h.submit(linkOf(sms!.text), { answers: fullAnswers })).status).toBe(200);
    expect((await h.followUp(id))!.outcome).toMatchObject({ status: 'completed', channel: 'sms' });
  });

  it('counts a number the provider refuses as a failed attempt and moves on to email, for AWS and for Alibaba', async () => {
    for (const [week, phone] of [
      [2, '+14155550199'],
      [3, '+8613900139099'],
    ] as const) {
      h.cloud.refusedSmsNumbers.add(phone);
      const detail = serviceCompleted(week, {}, { phone });
      const id = idOf(detail);
      await h.runUntil(at(week, 0, '16:00'));
      await h.publish('Service Completed', detail);
      await h.runUntil(at(week, 3, '09:00'));
      await h.submit(h.tasksFor(id)[0]!.outcomeFormUrl, { result: 'no_answer' });
      await h.runUntil(at(week, 3, '09:01'));
      const [email] = h.emailsTo(detail.customer.email!);
      expect(email).toBeDefined();
      expect(h.cloud.sentSms.filter((sms) => phone.endsWith(sms.to))).toEqual([]);
      expect((await h.submit(linkOf(email!.text), { answers: fullAnswers })).status).toBe(200);
      const stored = await h.followUp(id);
      expect(stored!.attempts.map((a) => `${a.channel}:${a.result}`)).toEqual(['phone:no_answer', 'sms:failed', 'email:reached']);
    }
  });

  /** A follow-up of `week` whose call goes unanswered, so its survey is texted to `phone` at Monday 09:00. */
  async function textedAfterUnansweredCall(week: number, phone: string) {
    const detail = serviceCompleted(week, {}, { phone, locale: 'en' });
    const id = idOf(detail);
    await h.runUntil(at(week, 0, '16:00'));
    await h.publish('Service Completed', detail);
    await h.runUntil(at(week, 3, '09:00'));
    await h.submit(h.tasksFor(id)[0]!.outcomeFormUrl, { result: 'no_answer' });
    await h.runUntil(at(week, 3, '09:01'));
    expect(smsTo(phone)).toHaveLength(1);
    return { detail, id };
  }

  it('records a score replied to the text as the survey’s score question, and answers HELP with the help text', async () => {
    const { id } = await textedAfterUnansweredCall(4, '+14155550123');
    await h.cloud.smsReply('+14155550123', LOCAL_TWO_WAY_NUMBER, 'help');
    expect(smsTo('+14155550123').at(-1)!.text).toContain('reply 1-5');
    await h.cloud.smsReply('+14155550123', LOCAL_TWO_WAY_NUMBER, '４');
    expect(h.cloud.deadLetters).toEqual([]);
    await h.runUntil(at(4, 3, '09:02'));
    const stored = await h.followUp(id);
    expect(stored!.outcome).toMatchObject({ status: 'completed', channel: 'sms', answers: { overall: 4 } });
    expect(stored!.attempts.map((a) => `${a.channel}:${a.result}`)).toEqual(['phone:no_answer', 'sms:reached']);
    expect(h.cloud.deadLetters).toEqual([]);
  });

  it('opts the customer out on a TD reply and ends the attempt as refused; a reply from an unknown number changes nothing', async () => {
    const { detail, id } = await textedAfterUnansweredCall(5, '+14155550124');
    await h.cloud.smsReply('+14155550199', LOCAL_TWO_WAY_NUMBER, 'TD');
    expect((await h.followUp(id))!.outcome).toBeUndefined();
    await h.cloud.smsReply('+14155550124', LOCAL_TWO_WAY_NUMBER, 'TD');
    await h.runUntil(at(5, 3, '09:02'));
    expect((await h.followUp(id))!.outcome).toMatchObject({ status: 'refused', channel: 'sms' });
    const optOuts = await h.items('OptOut');
    expect(optOuts.filter((item) => item.customerId === detail.customer.id)).toHaveLength(1);
    expect(h.emailsTo(detail.customer.email!)).toEqual([]);
  });

  it('fails the attempt on an undelivered-text receipt and moves on to email before the response timeout', async () => {
    h.cloud.undeliverableSmsNumbers.add('+14155550125');
    const { detail, id } = await textedAfterUnansweredCall(6, '+14155550125');
    await h.runUntil(at(6, 3, '09:05'));
    const [email] = h.emailsTo(detail.customer.email!);
    expect(email).toBeDefined();
    expect((await h.submit(linkOf(email!.text), { answers: fullAnswers })).status).toBe(200);
    const stored = await h.followUp(id);
    expect(stored!.attempts.map((a) => `${a.channel}:${a.result}`)).toEqual(['phone:no_answer', 'sms:failed', 'email:reached']);
    expect(h.cloud.deadLetters).toEqual([]);
  });

  it('answers a scenario fault on the Alibaba stand-in in Alibaba’s words: a permanent one fails the attempt, email follows', async () => {
    h.cloud.faults = {
      before(service) {
        if (service === 'AlibabaSms') throw new AwsError('ValidationException', 'injected', 400);
      },
    };
    try {
      const detail = serviceCompleted(7, {}, { phone: '+8613900139077' });
      const id = idOf(detail);
      await h.runUntil(at(7, 0, '16:00'));
      await h.publish('Service Completed', detail);
      await h.runUntil(at(7, 3, '09:00'));
      await h.submit(h.tasksFor(id)[0]!.outcomeFormUrl, { result: 'no_answer' });
      // The carrier's refusal: Alibaba accepts the text, and its delivery report a minute later fails the attempt.
      await h.runUntil(at(7, 3, '09:05'));
      expect(h.emailsTo(detail.customer.email!)).toHaveLength(1);
      expect((await h.followUp(id))!.attempts.map((a) => `${a.channel}:${a.result}`)).toEqual(['phone:no_answer', 'sms:failed']);
    } finally {
      h.cloud.faults = undefined;
    }
  });

  it('fails a +86 attempt when Alibaba’s delivery report says undelivered, and moves on to email at once', async () => {
    h.cloud.undeliverableSmsNumbers.add('+8613900139088');
    const detail = serviceCompleted(8, {}, { phone: '+8613900139088' });
    const id = idOf(detail);
    await h.runUntil(at(8, 0, '16:00'));
    await h.publish('Service Completed', detail);
    await h.runUntil(at(8, 3, '09:00'));
    await h.submit(h.tasksFor(id)[0]!.outcomeFormUrl, { result: 'no_answer' });
    await h.runUntil(new Date(Date.parse(at(8, 3, '09:00')) + 30_000).toISOString());
    expect(smsTo('13900139088')).toMatchObject([{ provider: 'alibaba', context: { outId: `${id}#2` } }]);
    expect(h.emailsTo(detail.customer.email!)).toEqual([]);
    // The report comes a minute later, through the outcome API's /sms-reports/{token} route; the next channel follows it.
    await h.runUntil(at(8, 3, '09:05'));
    expect(h.cloud.smsReportPushes).toContainEqual({ outId: `${id}#2`, success: false, statusCode: 200 });
    const [email] = h.emailsTo(detail.customer.email!);
    // Not the sms step's day-long response timeout: the email goes as the report arrives.
    expect(email).toMatchObject({ sentAt: at(8, 3, '09:01') });
    expect((await h.submit(linkOf(email!.text), { answers: fullAnswers })).status).toBe(200);
    const stored = await h.followUp(id);
    expect(stored!.attempts.map((a) => `${a.channel}:${a.result}`)).toEqual(['phone:no_answer', 'sms:failed', 'email:reached']);
    expect(h.cloud.deadLetters).toEqual([]);
  });
});
