import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keys } from '../../functions/shared/adapters/table.js';
import { at, fullAnswers, idOf, serviceCompleted, shanghai } from '../support/follow-up-fixtures.js';
import { Harness, linkIn } from '../support/local-harness.js';

/**
 * One interruption for several matters (一事一扰) on the local stack: a customer's second repair
 * is due the next morning when the first one's call is made, so the one agent task carries both;
 * each follow-up keeps its own answers and outcome. Repairs are due 20 hours after completion,
 * inside 09:00–12:00 / 14:00–20:00 on working days (Shanghai).
 */
let h: Harness;
beforeAll(async () => {
  h = await Harness.start(new Date('2026-11-27T00:00:00Z'));
});
afterAll(async () => {
  await h?.stop();
});

/** Two repairs of one customer: Monday 15:00 (due Tuesday 11:00) and Tuesday 10:00 (due Wednesday 09:00). */
function twoRepairs(week: number, customerId: string) {
  const customer = { id: customerId, email: `${customerId.toLowerCase()}@example.com` };
  const first = serviceCompleted(week, { completedAt: shanghai(at(week, 3, '15:00')) }, customer);
  const second = serviceCompleted(week, { completedAt: shanghai(at(week, 4, '10:00')) }, customer);
  return { first, second, firstId: idOf(first), secondId: idOf(second) };
}

const secondAnswers = { overall: 3, explained: 'no', wantsComplaint: 'no', suggestions: '等待时间太长' };

async function formOf(url: string) {
  const response = await fetch(url, { headers: { accept: 'application/json' } });
  return (await response.json()) as { joined?: { followUpId: string; heading: string; questions: { id: string }[] }[] };
}

describe('One contact for several matters', () => {
  it('carries a matter due the next morning in the same agent task, and records each matter its own answers', {
    timeout: 60_000,
  }, async () => {
    const { first, second, firstId, secondId } = twoRepairs(1, 'C-MERGE-1');
    await h.runUntil(at(1, 3, '15:30'));
    await h.publish('Service Completed', first);
    await h.runUntil(at(1, 4, '09:59'));
    await h.publish('Service Completed', second);
    await h.runUntil(at(1, 4, '11:00'));

    // One task at Tuesday 11:00 about both repairs; the second matter gets no task of its own.
    const [task] = h.tasksFor(firstId);
    expect(task).toBeDefined();
    expect(task!.createdAt).toBe(at(1, 4, '11:00'));
    expect(task!.description).toContain(second.serviceId);
    expect(task!.description).toContain(first.serviceId);
    expect(task!.attributes).toMatchObject({ matters: '2' });
    const form = await formOf(task!.outcomeFormUrl);
    expect(form.joined?.map((m) => m.followUpId)).toEqual([secondId]);

    // A reached call needs the second matter's answers too: refused naming its field.
    const missing = await h.submit(task!.outcomeFormUrl, { result: 'reached', answers: fullAnswers });
    expect(missing.status).toBe(400);
    expect(missing.body).toMatchObject({ code: 'invalid-field', field: `joined.${secondId}.answers.overall` });
    expect(missing.body.message).toContain(second.serviceId);

    const answered = await h.submit(task!.outcomeFormUrl, {
      result: 'reached',
      answers: fullAnswers,
      joined: { [secondId]: { answers: secondAnswers } },
    });
    expect(answered.status).toBe(200);
    expect(await h.followUp(firstId)).toMatchObject({ status: 'completed', outcome: { answers: fullAnswers } });

    // The second follow-up's own execution reaches its due time, takes the answer and records it: no call of its own.
    await h.runUntil(at(1, 5, '10:00'));
    expect(h.tasksFor(secondId)).toHaveLength(0);
    const stored = await h.followUp(secondId);
    expect(stored).toMatchObject({ status: 'completed', outcome: { status: 'completed', channel: 'phone', answers: secondAnswers } });
    expect(stored!.outcome?.onTime).toBe(true);
    expect(stored!.attempts).toMatchObject([{ attempt: 1, channel: 'phone', result: 'reached' }]);
    expect(h.tasksFor(firstId)).toHaveLength(1);

    // The shared contact counted once against the customer's quarterly cap.
    const customer = { source: 'dealer.dms', id: 'C-MERGE-1' };
    const quarters = (await h.items('ContactCount')).filter((i) => i.pk === keys.quarterContacts(customer, '2026-Q4').pk);
    expect(quarters.map((q) => [...(q.followUps as Set<string>)])).toEqual([[firstId]]);
    // Both ended: nothing of theirs is left pending for another contact to carry.
    expect((await h.items('PendingContact')).filter((i) => i.pk === keys.customerPk(customer))).toEqual([]);
  });

  it('gives the carried matter back when nobody completes the shared task: the next call carries both again', {
    timeout: 60_000,
  }, async () => {
    const { first, second, firstId, secondId } = twoRepairs(2, 'C-MERGE-2');
    await h.runUntil(at(2, 3, '15:30'));
    await h.publish('Service Completed', first);
    await h.runUntil(at(2, 4, '09:59'));
    await h.publish('Service Completed', second);
    await h.runUntil(at(2, 4, '11:00'));
    const [shared] = h.tasksFor(firstId);
    expect((await formOf(shared!.outcomeFormUrl)).joined?.map((m) => m.followUpId)).toEqual([secondId]);

    // Nobody works the task: it times out at 19:00 and the first follow-up's retry falls on Wednesday 09:00,
    // when the second is due as well. The second is given back: waiting for a contact, no attempt used.
    await h.runUntil(at(2, 5, '08:00'));
    const pending = (await h.items('PendingContact')).filter((i) => i.followUpId === secondId);
    expect(pending).toEqual([expect.not.objectContaining({ joinedTo: expect.anything() })]);
    expect((await h.followUp(secondId))!.attempts).toEqual([]);

    // Wednesday morning: one call about both again, not two calls a second apart.
    await h.runUntil(at(2, 5, '09:30'));
    const tasks = [...h.tasksFor(firstId), ...h.tasksFor(secondId)];
    expect(tasks).toHaveLength(2);
    const retry = tasks.find((t) => t !== shared)!;
    const retryForm = await formOf(retry.outcomeFormUrl);
    expect(retryForm.joined).toHaveLength(1);
    const other = retryForm.joined![0]!.followUpId;
    const answered = await h.submit(retry.outcomeFormUrl, {
      result: 'reached',
      answers: fullAnswers,
      joined: { [other]: { answers: secondAnswers } },
    });
    expect(answered.status).toBe(200);
    await h.runUntil(at(2, 5, '12:00'));
    expect((await h.followUp(firstId))!.status).toBe('completed');
    expect((await h.followUp(secondId))!.status).toBe('completed');
    expect((await h.followUp(firstId))!.attempts.map((a) => a.result)).toEqual(['timeout', 'reached']);
    expect((await h.followUp(secondId))!.attempts.map((a) => a.result)).toEqual(['reached']);
  });

  it('makes one call for two repairs sent in one batch and due the same second', { timeout: 60_000 }, async () => {
    const customer = { id: 'C-MERGE-3', email: 'c-merge-3@example.com' };
    const both = [0, 1].map(() => serviceCompleted(3, { completedAt: shanghai(at(3, 3, '15:00')) }, customer));
    await h.runUntil(at(3, 3, '15:30'));
    await h.publishTogether('Service Completed', both);
    await h.runUntil(at(3, 4, '11:30'));
    const tasks = both.flatMap((d) => h.tasksFor(idOf(d)));
    expect(tasks).toHaveLength(1);
    const form = await formOf(tasks[0]!.outcomeFormUrl);
    const other = both.map((d) => idOf(d)).find((id) => id !== tasks[0]!.attributes.followUpId)!;
    expect(form.joined?.map((m) => m.followUpId)).toEqual([other]);
    const answered = await h.submit(tasks[0]!.outcomeFormUrl, {
      result: 'reached',
      answers: fullAnswers,
      joined: { [other]: { answers: secondAnswers, complaint: true } },
      severity: 'general',
    });
    expect(answered.status).toBe(200);
    await h.runUntil(at(3, 4, '12:00'));
    // The second matter's complaint is its own: raised on its follow-up, not on the lead's.
    expect(await h.followUp(other)).toMatchObject({ status: 'completed', outcome: { answers: secondAnswers, agentSeverity: 'general' } });
    expect((await h.followUp(other))!.outcome?.assessment?.complaint).toBe(true);
    expect((await h.followUp(tasks[0]!.attributes.followUpId!))!.outcome?.assessment?.complaint).toBe(false);
  });

  it('covers two matters in one survey email, each answered under its own heading', { timeout: 60_000 }, async () => {
    const customer = { id: 'C-MERGE-4', phone: undefined, email: 'c-merge-4@example.com', locale: 'en' };
    const first = serviceCompleted(4, { completedAt: shanghai(at(4, 3, '15:00')) }, customer);
    const second = serviceCompleted(4, { completedAt: shanghai(at(4, 4, '10:00')) }, customer);
    await h.runUntil(at(4, 3, '15:30'));
    await h.publish('Service Completed', first);
    await h.runUntil(at(4, 4, '10:30'));
    await h.publish('Service Completed', second);
    await h.runUntil(at(4, 4, '11:30'));
    const mails = h.emailsTo('c-merge-4@example.com');
    expect(mails).toHaveLength(1);
    expect(mails[0]!.text).toContain(first.serviceId);
    expect(mails[0]!.text).toContain(second.serviceId);
    const link = linkIn(mails[0]!);
    const page = await (await fetch(link)).text();
    expect(page).toContain(second.serviceId);
    expect(page).toContain(`name="joined.${idOf(second)}.answers.overall"`);
    const answered = await h.submit(link, { answers: fullAnswers, joined: { [idOf(second)]: { answers: secondAnswers } } });
    expect(answered.status).toBe(200);
    await h.runUntil(at(4, 5, '10:00'));
    expect(await h.followUp(idOf(first))).toMatchObject({ status: 'completed', outcome: { channel: 'email', answers: fullAnswers } });
    expect(await h.followUp(idOf(second))).toMatchObject({ status: 'completed', outcome: { channel: 'email', answers: secondAnswers } });
    expect(h.emailsTo('c-merge-4@example.com')).toHaveLength(1);
  });
});
