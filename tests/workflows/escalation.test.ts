import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { complaintIdFor } from '../../functions/shared/domain/complaint.js';
import { resolutionServiceId } from '../../functions/shared/domain/complaint-events.js';
import { followUpIdFor } from '../../functions/shared/domain/follow-up.js';
import { at, idOf, serviceCompleted } from '../support/follow-up-fixtures.js';
import { Harness } from '../support/local-harness.js';

/**
 * The synthesized Escalation state machine with the FollowUp one, on the local engine. Managers'
 * working hours are 08:30–12:00 and 13:30–18:00 on CN working days; each level re-notifies twice,
 * two working hours apart, before the next level is told.
 */
let h: Harness;
beforeAll(async () => {
  h = await Harness.start(new Date('2026-11-20T08:00:00Z'));
});
afterAll(async () => {
  await h?.stop();
});

const unhappy = {
  result: 'reached',
  answers: { overall: 1, explained: 'no', wantsComplaint: 'yes', suggestions: '太差了' },
  note: '客户要求店长回电',
};

/** A repair finished on Friday of `week`, called on Monday 09:00, where the customer complains. */
async function complaintIn(week: number, customer: Record<string, unknown> = {}) {
  const detail = serviceCompleted(week, { departmentId: 'after-sales' }, customer);
  await h.runUntil(at(week, 0, '16:00'));
  await h.publish('Service Completed', detail);
  await h.runUntil(at(week, 3, '09:00'));
  await h.submit(h.tasksFor(idOf(detail))[0]!.outcomeFormUrl, unhappy);
  const complaintId = complaintIdFor(idOf(detail));
  return { detail, complaintId };
}

const act = (url: string, note?: string) => h.submit(url, note ? { note } : {});
const escalationsOf = (complaintId: string) => [...h.cloud.executions.values()].filter((e) => e.name.startsWith(complaintId));

describe('Escalation workflow', () => {
  it('notifies level 1 at once; acknowledged and resolved there; the post-resolution follow-up closes it', async () => {
    const { complaintId } = await complaintIn(0);
    const [task] = h.managerTasks(complaintId);
    // The task flow routes on the provisioned queue of the department's level-1 manager (a queue ARN).
    expect(task).toMatchObject({
      createdAt: at(0, 3, '09:00'),
      attributes: { level: '1', severity: 'major', queue: expect.stringMatching(/^arn:aws:connect:.+\/queue\/.+after.?sales/i) },
    });
    expect(h.emailsTo('after-sales-manager@example.com')).toHaveLength(1);
    // What the complaint is about travels on the complaint item, not in the workflow's state.
    expect(await h.complaint(complaintId)).toMatchObject({ answers: unhappy.answers, agentNote: '客户要求店长回电' });
    expect(JSON.stringify(escalationsOf(complaintId)[0]!.input)).not.toContain('太差了');
    const [email] = h.emailsTo('after-sales-manager@example.com');
    for (const words of [
      '车辆维修 · ',
      '售后服务部',
      '您对本次服务的总体满意度（1-5分）？ 1/5 ⚠',
      '服务顾问是否向您解释了所做的工作和费用？ 否',
      '客户意见: 太差了',
      '坐席备注: 客户要求店长回电',
      '发现时间: 2026年11月23日 09:00',
    ]) {
      expect(email!.text).toContain(words);
      expect(email!.html).toContain(words.split(': ').at(-1)!.split(' ')[0]);
    }
    expect(email!.text).not.toMatch(/overall|wantsComplaint|after-sales(?!-manager)/);
    expect(task!.description).toContain('太差了');
    expect((await act(task!.references.outcomeForm!)).body).toMatchObject({ code: 'invalid-field', field: 'note' });
    expect((await act(task!.references.acknowledge!)).status).toBe(200);
    expect((await act(task!.references.acknowledge!)).status).toBe(409);
    await h.runUntil(at(0, 3, '11:00'));
    expect(h.managerTasks(complaintId)).toHaveLength(1); // acknowledged: no more reminders
    expect((await act(task!.references.outcomeForm!, '更换了零件并致歉')).status).toBe(200);

    const complaint = await h.complaint(complaintId);
    expect(complaint).toMatchObject({
      status: 'resolved',
      level: 1,
      acknowledgedAt: at(0, 3, '09:00'),
      resolvedAt: at(0, 3, '11:00'),
      resolution: '更换了零件并致歉',
    });
    expect(complaint!.history.map((e) => e.type)).toEqual(['raised', 'notified', 'acknowledged', 'resolved']);
    expect(escalationsOf(complaintId)[0]).toMatchObject({ status: 'SUCCEEDED', transitions: 11 });

    // The customer is left alone for 24 h after complaining, then asked whether the fix worked.
    const resolutionFollowUp = followUpIdFor(
      'customer-follow-up.complaints',
      'complaint-resolved-major',
      resolutionServiceId(complaintId, 1),
      0,
    );
    await h.runUntil(at(0, 4, '08:59'));
    expect(h.tasksFor(resolutionFollowUp)).toHaveLength(0);
    await h.runUntil(at(0, 4, '09:00'));
    const [check] = h.tasksFor(resolutionFollowUp);
    expect(check!.description.split('\n')[0]).toContain('张三');
    expect(JSON.stringify(check!.attributes)).not.toContain('张三');
    await h.submit(check!.outcomeFormUrl, { result: 'reached', answers: { resolved: 'yes', handling: 5 } });
    expect(await h.complaint(complaintId)).toMatchObject({ status: 'closed' });
  });

  it('re-notifies level 1 twice, then moves to level 2 and level 3, counting working time only', async () => {
    const { complaintId } = await complaintIn(1);
    await h.runUntil(at(1, 4, '15:00'));
    const sent = h.managerTasks(complaintId).map((t) => `${t.attributes.level}@${t.createdAt}`);
    expect(sent).toEqual([
      `1@${at(1, 3, '09:00')}`,
      `1@${at(1, 3, '11:00')}`,
      `1@${at(1, 3, '14:30')}`, // 11:00 + 2 working hours: 1 h before lunch, 1 h after 13:30
      `2@${at(1, 3, '16:30')}`,
      `2@${at(1, 4, '09:00')}`, // 16:30 + 2 h: 1.5 h to 18:00, then 0.5 h from 08:30
      `2@${at(1, 4, '11:00')}`,
      `3@${at(1, 4, '14:30')}`,
    ]);
    expect(h.emailsTo('service-director@example.com').length).toBeGreaterThanOrEqual(3);
    expect(h.emailsTo('general-manager@example.com')).toHaveLength(1);
    const complaint = await h.complaint(complaintId);
    expect(complaint!.history.filter((e) => e.type === 'escalated').map((e) => e.level)).toEqual([2, 3]);
    const [top] = h.managerTasks(complaintId).slice(-1);
    expect((await act(top!.references.outcomeForm!, 'GM handled')).status).toBe(200);
    expect(await h.complaint(complaintId)).toMatchObject({ status: 'resolved', level: 3 });
  });

  it('reopens the complaint at the level it was closed when the customer is still unhappy, as a repeat', async () => {
    const { complaintId } = await complaintIn(2);
    await h.runUntil(at(2, 3, '16:30'));
    const levelTwo = h.managerTasks(complaintId).find((t) => t.attributes.level === '2')!;
    await act(levelTwo.references.outcomeForm!, 'refund offered');
    const resolutionFollowUp = followUpIdFor(
      'customer-follow-up.complaints',
      'complaint-resolved-major',
      resolutionServiceId(complaintId, 1),
      0,
    );
    await h.runUntil(at(2, 4, '16:30'));
    await h.submit(h.tasksFor(resolutionFollowUp)[0]!.outcomeFormUrl, { result: 'reached', answers: { resolved: 'no', handling: 1 } });
    const reopened = await h.complaint(complaintId);
    expect(reopened).toMatchObject({ status: 'open', cycle: 2, level: 2, repeat: true, severity: 'major' });
    expect(reopened!.history.map((e) => e.type)).toContain('reopened');
    const cycleTwo = h.managerTasks(complaintId).filter((t) => t.attributes.cycle === '2');
    expect(cycleTwo.map((t) => t.attributes.level)).toEqual(['2']);
    expect(
      escalationsOf(complaintId)
        .map((e) => e.name)
        .sort(),
    ).toEqual([`${complaintId}-c1`, `${complaintId}-c2`]);
  });

  it('starts one escalation however often "Complaint Raised" arrives, and an upstream "Complaint Resolved" resolves it', async () => {
    const { detail, complaintId } = await complaintIn(3);
    const raised = h.cloud.publishedEvents.find(
      (e) => e.event['detail-type'] === 'Complaint Raised' && (e.event.detail as { followUpId: string }).followUpId === idOf(detail),
    )!;
    for (let i = 0; i < 3; i += 1) await h.publish('Complaint Raised', raised.event.detail, 'customer-follow-up');
    // Other complaints' reminders may hold this second's contact slots: the notification can come a second later.
    await h.runUntil(at(3, 3, '09:01'));
    expect(escalationsOf(complaintId)).toHaveLength(1);
    expect(h.managerTasks(complaintId)).toHaveLength(1);
    await h.publish('Complaint Resolved', { followUpId: idOf(detail), note: 'fixed in the workshop system' }, 'dealer.crm');
    expect(await h.complaint(complaintId)).toMatchObject({ status: 'resolved', resolution: 'fixed in the workshop system' });
  });
});
