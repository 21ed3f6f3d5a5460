import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { at, fullAnswers, idOf, serviceCompleted } from '../support/follow-up-fixtures.js';
import { Harness, linkIn } from '../support/local-harness.js';

/**
 * Contact paths of the synthesized FollowUp state machine on the local engine (dynalite,
 * virtual clock). Repairs finish on a Friday at 15:00 in Shanghai; calling hours are
 * 09:00–12:00 and 14:00–20:00 on working days.
 */
let h: Harness;
beforeAll(async () => {
  h = await Harness.start(new Date('2026-11-20T08:00:00Z'));
});
afterAll(async () => {
  await h?.stop();
});

describe('FollowUp workflow: contacting the customer', () => {
  it('calls on the next working morning when a repair finishes on Friday afternoon, and records the answers in 4 transitions', async () => {
    const detail = serviceCompleted(0);
    const id = idOf(detail);
    await h.runUntil(at(0, 0, '16:00'));
    await h.publish('Service Completed', detail);
    await h.runUntil(at(0, 3, '08:59'));
    expect(h.tasksFor(id)).toHaveLength(0);
    await h.runUntil(at(0, 3, '09:00'));
    const [task] = h.tasksFor(id);
    expect(task!.createdAt).toBe(at(0, 3, '09:00'));
    expect(task!.description).toContain('张三');
    expect(task!.clientToken).toBe(`${id}-1`);

    const answer = await h.submit(task!.outcomeFormUrl, { result: 'reached', answers: fullAnswers });
    expect(answer.status).toBe(200);

    const stored = await h.followUp(id);
    expect(stored!.status).toBe('completed');
    expect(stored!.outcome).toMatchObject({
      status: 'completed',
      channel: 'phone',
      onTime: true,
      answers: fullAnswers,
      assessment: { complaint: false, scores: { overall: 5 } },
    });
    expect(stored!.attempts).toHaveLength(1);
    expect(stored!.expiresAt * 1000).toBeGreaterThanOrEqual(h.now().getTime() + 730 * 86_400_000);
    const execution = h.executionOf(id)!;
    expect(execution.status).toBe('SUCCEEDED');
    // Intake planned the first contact: the execution starts at its Wait.
    expect(execution.states).toEqual(['Wait until due', 'Contact customer', 'Settled?', 'Record outcome']);
    expect(execution.transitions).toBe(4);
    const completed = h.cloud.publishedEvents.find(
      (e) => e.event['detail-type'] === 'Follow-up Completed' && (e.event.detail as { followUpId: string }).followUpId === id,
    );
    expect(completed?.event.detail).toMatchObject({ status: 'completed', onTime: true, attempts: 1 });
    expect(JSON.stringify(completed)).not.toContain('张三');
    expect(JSON.stringify(execution)).not.toContain('张三');
  });

  it('emails a survey to a customer without a phone and records the survey answers', async () => {
    const detail = serviceCompleted(1, {}, { phone: undefined, locale: 'en' });
    const id = idOf(detail);
    await h.runUntil(at(1, 0, '16:00'));
    await h.publish('Service Completed', detail);
    await h.runUntil(at(1, 3, '09:00'));
    const [email] = h.emailsTo(detail.customer.email!);
    expect(email!.subject).toContain('Vehicle repair');
    expect(email!.html).toContain('Dear 张三');
    expect(email!.sentAt).toBe(at(1, 3, '09:00'));
    const response = await h.submit(linkIn(email!), { answers: { overall: 4, explained: 'yes', wantsComplaint: 'no' } });
    expect(response.status).toBe(200);
    const stored = await h.followUp(id);
    expect(stored!.outcome).toMatchObject({ status: 'completed', channel: 'email', answers: { overall: 4 } });
    expect(h.executionOf(id)!.transitions).toBe(4);
    expect((await h.submit(linkIn(email!), { answers: { overall: 1, explained: 'no', wantsComplaint: 'yes' } })).status).toBe(409);
  });

  it('retries after "no answer" at the next calling slot and records both attempts', async () => {
    const detail = serviceCompleted(2);
    const id = idOf(detail);
    await h.runUntil(at(2, 0, '16:00'));
    await h.publish('Service Completed', detail);
    await h.runUntil(at(2, 3, '09:00'));
    expect((await h.submit(h.tasksFor(id)[0]!.outcomeFormUrl, { result: 'no_answer' })).status).toBe(200);
    // 09:00 + 3 h is 12:00, the lunch break: the retry waits for 14:00.
    await h.runUntil(at(2, 3, '13:59'));
    expect(h.tasksFor(id)).toHaveLength(1);
    await h.runUntil(at(2, 3, '14:00'));
    const second = h.tasksFor(id)[1]!;
    expect(second.clientToken).toBe(`${id}-2`);
    await h.submit(second.outcomeFormUrl, { result: 'reached', answers: fullAnswers });
    const stored = await h.followUp(id);
    expect(stored!.status).toBe('completed');
    expect(stored!.attempts.map((a) => a.result)).toEqual(['no_answer', 'reached']);
    // The happy path's 4, and 3 for the retry: the answer carried the next plan, Settled? → Wait until due → Contact customer.
    expect(h.executionOf(id)!.transitions).toBe(7);
  });

  it('falls back to email when the phone attempts fail: no answer, timeout, wrong number', async () => {
    const detail = serviceCompleted(3);
    const id = idOf(detail);
    await h.runUntil(at(3, 0, '16:00'));
    await h.publish('Service Completed', detail);
    await h.runUntil(at(3, 3, '09:00'));
    await h.submit(h.tasksFor(id)[0]!.outcomeFormUrl, { result: 'no_answer' });
    await h.runUntil(at(3, 3, '14:00'));
    expect(h.tasksFor(id)).toHaveLength(2);
    // Nobody completes the second task: after its 8 h timeout (22:00) it counts as unanswered,
    // and the third call waits for the next calling window (Tuesday 09:00).
    await h.runUntil(at(3, 4, '09:00'));
    const third = h.tasksFor(id)[2]!;
    expect(third.createdAt).toBe(at(3, 4, '09:00'));
    await h.submit(third.outcomeFormUrl, { result: 'wrong_number' });
    const [email] = h.emailsTo(detail.customer.email!);
    expect(email).toBeDefined();
    await h.submit(linkIn(email!), { answers: fullAnswers });
    const stored = await h.followUp(id);
    expect(stored!.outcome).toMatchObject({ status: 'completed', channel: 'email' });
    expect(stored!.attempts.map((a) => `${a.channel}:${a.result}`)).toEqual([
      'phone:no_answer',
      'phone:timeout',
      'phone:wrong_number',
      'email:reached',
    ]);
  });

  it('calls back at the time the customer asked for', async () => {
    const detail = serviceCompleted(4);
    const id = idOf(detail);
    await h.runUntil(at(4, 0, '16:00'));
    await h.publish('Service Completed', detail);
    await h.runUntil(at(4, 3, '09:00'));
    const refused = await h.submit(h.tasksFor(id)[0]!.outcomeFormUrl, { result: 'call_back' });
    expect(refused).toMatchObject({ status: 400, body: { code: 'invalid-field', field: 'callbackAt' } });
    const localDate = at(4, 3, '18:30').slice(0, 10);
    await h.submit(h.tasksFor(id)[0]!.outcomeFormUrl, { result: 'call_back', callbackAt: `${localDate}T18:30` });
    await h.runUntil(at(4, 3, '18:29'));
    expect(h.tasksFor(id)).toHaveLength(1);
    await h.runUntil(at(4, 3, '18:30'));
    expect(h.tasksFor(id)).toHaveLength(2);
    await h.submit(h.tasksFor(id)[1]!.outcomeFormUrl, { result: 'refused' });
    expect((await h.followUp(id))!.outcome).toMatchObject({ status: 'refused' });
  });
});
