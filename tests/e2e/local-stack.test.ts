import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { at, idOf, serviceCompleted } from '../support/follow-up-fixtures.js';
import { Harness, linkIn } from '../support/local-harness.js';

/** End to end over HTTP: PutEvents endpoint → workflow → desk form / survey page → recorded outcome. */
let h: Harness;
beforeAll(async () => {
  h = await Harness.start(new Date('2026-11-20T08:00:00Z'));
});
afterAll(async () => {
  await h?.stop();
});

async function post(path: string, form: Record<string, string>) {
  return h.stack.clock.track(() =>
    fetch(`${h.stack.webUrl}${path}`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(form).toString(),
    }),
  );
}

describe('local stack end to end', () => {
  it('an event sent to the PutEvents endpoint ends as a recorded outcome after an agent completes the task on the desk', async () => {
    const detail = serviceCompleted(0);
    const id = idOf(detail);
    await h.runUntil(at(0, 0, '16:00'));
    expect((await h.publish('Service Completed', detail)).FailedEntryCount).toBe(0);
    await h.runUntil(at(0, 3, '09:00'));
    const desk = await (await fetch(`${h.stack.webUrl}/desk?lang=en`)).text();
    expect(desk).toContain(`data-follow-up="${id}"`);
    const task = h.tasksFor(id)[0]!;
    const response = await post(`/desk/tasks/${task.contactId}`, {
      result: 'reached',
      'answers.overall': '2',
      'answers.explained': 'no',
      'answers.wantsComplaint': 'yes',
      complaint: 'yes',
    });
    expect(response.status).toBe(303);
    await h.stack.clock.settle();
    const stored = await h.followUp(id);
    expect(stored!.outcome).toMatchObject({ status: 'completed', assessment: { complaint: true, scores: { overall: 2 } } });
    expect(
      h.cloud.publishedEvents.some(
        (e) => e.event['detail-type'] === 'Complaint Raised' && (e.event.detail as { followUpId: string }).followUpId === id,
      ),
    ).toBe(true);
    const complaints = await (await fetch(`${h.stack.webUrl}/complaints`)).text();
    expect(complaints).toContain(`data-follow-up="${id}"`);
  });

  it('an emailed survey link opens a form in the customer language and records the answers once', async () => {
    const detail = serviceCompleted(1, { serviceType: 'hospital-discharge' }, { phone: undefined, locale: 'en' });
    const id = idOf(detail);
    await h.runUntil(at(1, 0, '16:00'));
    await h.publish('Service Completed', detail);
    // Discharged on Friday afternoon, due three days later inside the hospital's 14:30–19:30 window.
    await h.runUntil(at(1, 3, '15:00'));
    const [email] = h.emailsTo(detail.customer.email!);
    const link = new URL(linkIn(email!));
    const form = await (await fetch(`${h.stack.webUrl}${link.pathname}`)).text();
    expect(form).toContain('After-discharge follow-up');
    expect(form).toContain('name="answers.staffAttitude"');
    const answers = {
      'answers.recovering': 'yes',
      'answers.staffAttitude': '5',
      'answers.guidance': '4',
      'answers.wantsComplaint': 'no',
      'answers.suggestions': 'Thank you',
    };
    const first = await post(link.pathname, answers);
    expect(first.status).toBe(200);
    expect(await first.text()).toContain('Thank you! Your answers are recorded.');
    await h.stack.clock.settle();
    expect((await h.followUp(id))!.outcome).toMatchObject({
      status: 'completed',
      channel: 'email',
      assessment: { scores: { attitude: 5, guidance: 4 } },
    });
    const replay = await post(link.pathname, answers);
    expect(replay.status).toBe(409);
  });

  it('the sample-event form publishes an event, and a bad one is shown with the field named', async () => {
    await h.runUntil(at(2, 0, '16:00'));
    const ok = await post('/send', {
      serviceType: 'gas-hotline-ticket',
      name: '吴十',
      phone: '+8613700137000',
      email: '',
      locale: 'zh-CN',
      completedAt: '2026-12-04T15:00',
    });
    expect(ok.headers.get('location')).toBe('/follow-ups?sent=1');
    const bad = await post('/send', {
      serviceType: 'gas-hotline-ticket',
      name: '吴十',
      phone: '',
      email: '',
      locale: 'zh-CN',
      completedAt: '2026-12-04T15:00',
    });
    const location = bad.headers.get('location') ?? '';
    expect(location).toMatch(/^\/rejections\?event=evt-/);
    const page = await (await fetch(`${h.stack.webUrl}${location}&lang=en`)).text();
    expect(page).toContain('The event was rejected. Customer phone: the customer has no phone to be followed up by');
    expect(page).toContain('data-field="detail.customer.phone"');
    expect(page).not.toContain('吴十');
  });
});
