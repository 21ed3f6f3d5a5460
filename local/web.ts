import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { type Context, Hono } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import { DateTime } from 'luxon';
import { formToObject } from '../functions/outcome-api/form-fields.js';
import { escalationConfig } from '../functions/shared/config/escalation.js';
import { policyConfig } from '../functions/shared/config/policies.js';
import { escalationHours } from '../functions/shared/domain/complaint.js';
import { type Locale, localeSchema } from '../functions/shared/domain/policy-schema.js';
import { catalogues, translator } from '../functions/shared/i18n/index.js';
import { apiRoutes, invokeRoute } from './api-gateway.js';
import type { LocalCloud } from './cloud/index.js';
import { LOCAL_TWO_WAY_NUMBER } from './cloud/sms-replies.js';
import { FollowUpQueries } from './follow-up-queries.js';
import { managerPage } from './manager-page.js';
import { rejectionsPage, sentNotice } from './rejections-page.js';
import { smsPage } from './sms-page.js';
import {
  type ClockJump,
  type DeskTask,
  deskPage,
  followUpDetailPage,
  followUpsPage,
  guidePage,
  jumpNotice,
  layout,
  mailPage,
  sendPage,
  wordsFor,
} from './web-pages.js';

/**
 * The local web server: the outcome API's routes exactly as API Gateway serves them, and one
 * page for people trying the system: the agent desk, sent mail, follow-ups, complaints and a
 * form that publishes a sample event.
 */
export async function startWebServer(
  cloud: LocalCloud,
  port: number,
  data: { dynamoUrl: string; tableName: string; aliases?: string[] },
): Promise<{ url: string; close: () => Promise<void>; fetch: typeof fetch }> {
  const routes = apiRoutes(cloud.template);
  const queries = new FollowUpQueries(data.dynamoUrl, data.tableName);
  const app = new Hono();

  const localeOf = (c: Context): Locale => {
    const asked = localeSchema.safeParse(c.req.query('lang'));
    if (asked.success) {
      setCookie(c, 'lang', asked.data, { path: '/', sameSite: 'Lax' });
      return asked.data;
    }
    const saved = localeSchema.safeParse(getCookie(c, 'lang'));
    return saved.success ? saved.data : policyConfig.defaults.locale;
  };
  /** The last clock jump someone asked for, shown once on the page they come back to. */
  let lastJump: (ClockJump & { id: number }) | undefined;
  const jumpShown = (c: Context) =>
    lastJump && c.req.query('jumped') === String(lastJump.id) ? jumpNotice(localeOf(c), lastJump) : undefined;
  const nothingShown = (c: Context) => {
    const nothing = c.req.query('nothing');
    return nothing === 'noFollowUpAction' || nothing === 'nothingScheduled' ? wordsFor(localeOf(c))[nothing] : undefined;
  };
  const render = (c: Context, active: string, body: unknown, notice?: string) =>
    c.html(layout(localeOf(c), cloud.clock.now(), active, body, notice ?? jumpShown(c) ?? nothingShown(c)));

  async function callLink(method: string, path: string, headers: Record<string, string>, body: string, query = '') {
    return cloud.clock.track(() => invokeRoute(cloud, routes, { method, path, query, headers, body }));
  }

  app.all('/links/*', async (c) => {
    const url = new URL(c.req.url);
    const response = await callLink(
      c.req.method,
      url.pathname,
      Object.fromEntries(c.req.raw.headers.entries()),
      await c.req.text(),
      url.search.slice(1),
    );
    // What API Gateway answers a path no route matches.
    if (!response) return c.json({ message: 'Not Found' }, 404);
    return new Response(response.body ?? '', { status: response.statusCode ?? 200, headers: response.headers as Record<string, string> });
  });

  /** Tasks an agent can still work: not answered, and the workflow is still waiting on them. */
  async function openTasks() {
    const followUps = new Map((await queries.followUps()).map((f) => [f.followUpId, f]));
    const open: DeskTask[] = [];
    for (const task of cloud.agentTasks) {
      // Stopped (nobody completed it in time) or completed: Connect no longer offers it.
      if (task.closedAt) continue;
      const followUp = followUps.get(task.attributes.followUpId ?? '');
      if (!followUp || followUp.outcome || String(followUp.nextAttempt) !== task.attributes.attempt) continue;
      const attempt = (await queries.attempts(followUp.followUpId)).find((a) => String(a.attempt) === task.attributes.attempt);
      // A task about several matters (一事一扰) asks each matter's questions, as its link's form does.
      const joined = [...new Set((attempt?.joined ?? []).map((m) => m.followUpId))].flatMap((id) => followUps.get(id) ?? []);
      const customerLocale = followUp.customer.locale ?? policyConfig.defaults.locale;
      if (attempt && !attempt.usedAt) open.push({ task, customerLocale, matters: { lead: followUp, joined } });
    }
    return open.sort((a, b) => a.task.createdAt.localeCompare(b.task.createdAt));
  }

  app.get('/', (c) => c.redirect('/desk'));
  app.get('/desk', async (c) =>
    render(c, '/desk', deskPage(localeOf(c), await openTasks()), c.req.query('done') ? wordsFor(localeOf(c)).recorded : undefined),
  );
  app.post('/desk/tasks/:contactId', async (c) => {
    const task = cloud.agentTasks.find((t) => t.contactId === c.req.param('contactId'));
    if (!task) return render(c, '/desk', deskPage(localeOf(c), await openTasks()), wordsFor(localeOf(c)).unknownTask);
    const submitted = await c.req.text();
    const response = await callLink(
      'POST',
      new URL(task.outcomeFormUrl).pathname,
      { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      submitted,
      `lang=${localeOf(c)}`,
    );
    const result = JSON.parse(response?.body ?? '{}') as { code?: string; message?: string };
    if (response?.statusCode === 200) return c.redirect(`/desk?done=${task.contactId}`, 303);
    // The form comes back as the agent left it, with the reason it was refused.
    return render(
      c,
      '/desk',
      deskPage(localeOf(c), await openTasks(), {
        contactId: task.contactId,
        message: result.message ?? '',
        values: formToObject(new URLSearchParams(submitted)),
      }),
    );
  });
  const managerView = async (c: Context, error?: { complaintId: string; message: string; note?: string }) => {
    const locale = localeOf(c);
    const complaints = (await queries.complaints()).sort(
      (a, b) =>
        Number(['resolved', 'closed', 'unconfirmed'].includes(a.status)) - Number(['resolved', 'closed', 'unconfirmed'].includes(b.status)),
    );
    const done = c.req.query('done');
    const notice = done === 'acknowledged' || done === 'resolved' ? catalogues[locale].links.messages[done] : undefined;
    return render(c, '/manager', managerPage(locale, complaints, cloud.clock.now(), escalationHours(escalationConfig), error), notice);
  };
  app.get('/manager', (c) => managerView(c));
  app.post('/manager/:complaintId/:action', async (c) => {
    const complaintId = c.req.param('complaintId');
    const action = c.req.param('action');
    const submitted = await c.req.text();
    const note = new URLSearchParams(submitted).get('note') ?? undefined;
    // The newest notification's links: the same signed links the manager got by email and task.
    const task = cloud.agentTasks.filter((t) => t.attributes.complaintId === complaintId).at(-1);
    const url = action === 'acknowledge' ? task?.references.acknowledge : action === 'resolve' ? task?.references.outcomeForm : undefined;
    if (!url) return managerView(c, { complaintId, message: translator(localeOf(c))('complaints.errors.noOpenLink'), note });
    // The link answers in the page's language; it records the action on the complaint before answering, so the view below already shows it.
    const response = await callLink(
      'POST',
      new URL(url).pathname,
      { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json', 'accept-language': localeOf(c) },
      submitted,
    );
    if (response?.statusCode === 200) return c.redirect(`/manager?done=${action === 'acknowledge' ? 'acknowledged' : 'resolved'}`, 303);
    return managerView(c, { complaintId, message: (JSON.parse(response?.body ?? '{}') as { message?: string }).message ?? '', note });
  });
  app.get('/mail', (c) => render(c, '/mail', mailPage(localeOf(c), cloud.outbox)));
  app.get('/sms', (c) =>
    render(c, '/sms', smsPage(localeOf(c), cloud.sentSms), c.req.query('replied') ? catalogues[localeOf(c)].sms.replied : undefined),
  );
  // The reply box: the customer's answer to one of our numbers, as End User Messaging would publish it.
  app.post('/sms/reply', async (c) => {
    const form = await c.req.parseBody();
    const from = typeof form.from === 'string' ? form.from : '';
    const body = typeof form.body === 'string' ? form.body : '';
    if (from && body) await cloud.clock.track(() => cloud.smsReply(from, LOCAL_TWO_WAY_NUMBER, body));
    return c.redirect(`/sms?replied=1&lang=${localeOf(c)}`, 303);
  });
  app.get('/follow-ups', async (c) => {
    const w = wordsFor(localeOf(c));
    const notice = c.req.query('sent') ? w.sent : c.req.query('rejected') ? `${w.rejected}: ${c.req.query('rejected')}` : undefined;
    return render(c, '/follow-ups', followUpsPage(localeOf(c), await queries.followUps(), w.followUps, w.noFollowUps), notice);
  });
  app.get('/follow-ups/:id', async (c) => {
    const followUp = (await queries.followUps()).find((f) => f.followUpId === c.req.param('id'));
    if (!followUp) return c.html(layout(localeOf(c), cloud.clock.now(), '/follow-ups', wordsFor(localeOf(c)).notFound), 404);
    return render(c, '/follow-ups', followUpDetailPage(localeOf(c), followUp, await queries.attempts(followUp.followUpId)));
  });
  app.get('/complaints', async (c) => {
    const w = wordsFor(localeOf(c));
    const complaints = (await queries.followUps()).filter((f) => f.outcome?.assessment?.complaint);
    return render(c, '/complaints', followUpsPage(localeOf(c), complaints, w.complaints, w.noComplaints));
  });
  app.get('/send', (c) => render(c, '/send', sendPage(localeOf(c), cloud.clock.now())));
  app.post('/send', async (c) => {
    const form = await c.req.parseBody();
    const text = (key: string) => (typeof form[key] === 'string' && form[key] !== '' ? (form[key] as string) : undefined);
    const completed = DateTime.fromISO(text('completedAt') ?? '', { zone: policyConfig.defaults.timeZone });
    const serial = cloud.nextId('web');
    const detail = {
      serviceId: `WEB-${serial}`,
      serviceType: text('serviceType'),
      completedAt: completed.isValid ? completed.toISO() : text('completedAt'),
      customer: { id: `CUST-${serial}`, name: text('name'), phone: text('phone'), email: text('email'), locale: text('locale') },
    };
    const result = await cloud.clock.track(async () =>
      cloud.putEvents([
        { EventBusName: 'customer-follow-up', Source: 'local.web', DetailType: 'Service Completed', Detail: JSON.stringify(detail) },
      ]),
    );
    const eventId = result.Entries[0] && 'EventId' in result.Entries[0] ? result.Entries[0].EventId : undefined;
    if (eventId) await cloud.delivered(eventId);
    const rejected = (await queries.rejections()).some((r) => r.eventId === eventId);
    const warned = (await queries.eventWarnings()).some((w) => w.eventId === eventId);
    return c.redirect(eventId && (rejected || warned) ? `/rejections?event=${encodeURIComponent(eventId)}` : '/follow-ups?sent=1', 303);
  });
  app.get('/rejections', async (c) => {
    const locale = localeOf(c);
    const [rejections, warnings] = await Promise.all([queries.rejections(), queries.eventWarnings()]);
    const event = c.req.query('event');
    const notice = event
      ? sentNotice(
          locale,
          rejections.find((r) => r.eventId === event),
          warnings.find((w) => w.eventId === event),
        )
      : undefined;
    return render(c, '/rejections', rejectionsPage(locale, rejections, warnings, event), notice);
  });
  app.get('/start', (c) => render(c, '/start', guidePage(localeOf(c))));
  /**
   * Moves the clock to `target` one wake-up at a time (report timers on the way run as usual),
   * then sends the reader back where they were with what the jump did.
   */
  async function jump(c: Context, target: number | undefined, nothing: 'noFollowUpAction' | 'nothingScheduled') {
    const back = new URL(c.req.header('referer') ?? '/desk', 'http://local');
    back.searchParams.delete('jumped');
    back.searchParams.delete('done');
    if (target === undefined) {
      back.searchParams.set('nothing', nothing);
      return c.redirect(`${back.pathname}${back.search}`, 303);
    }
    const finished = async () => (await queries.followUps()).filter((f) => f.outcome).length;
    const before = { from: cloud.clock.nowMs(), tasks: cloud.agentTasks.length, emails: cloud.outbox.length, finished: await finished() };
    await cloud.clock.runUntil(Math.max(target, before.from));
    // The work due at that moment finishes in the same jump: contacts spread over send slots a
    // second apart, a retry's short backoff, are one batch to a person, not a click each.
    for (let next = cloud.clock.peek(); next && next.owner !== 'schedule' && next.at - target <= 60_000; next = cloud.clock.peek()) {
      await cloud.clock.runUntil(next.at);
    }
    lastJump = {
      id: (lastJump?.id ?? 0) + 1,
      from: before.from,
      to: cloud.clock.nowMs(),
      tasks: cloud.agentTasks.length - before.tasks,
      emails: cloud.outbox.length - before.emails,
      finished: (await finished()) - before.finished,
    };
    back.searchParams.delete('nothing');
    back.searchParams.set('jumped', String(lastJump.id));
    return c.redirect(`${back.pathname}${back.search}`, 303);
  }
  app.post('/clock/next', (c) => jump(c, cloud.clock.nextWakeUp(), 'nothingScheduled'));
  // Only the wake-ups of follow-up and escalation executions: a Monday call is one click away, not one per report timer.
  app.post('/clock/next-action', (c) => jump(c, cloud.clock.nextWakeUp('execution'), 'noFollowUpAction'));

  const server = serve({ fetch: app.fetch, port, hostname: '127.0.0.1' });
  await new Promise<void>((resolve, reject) => {
    server.once('listening', () => resolve());
    server.once('error', reject);
  });
  const { port: actual } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${actual}`;
  return {
    url,
    // The simulator's people reach the same app without a socket: the request and answer are the same objects.
    fetch: (input, init) => {
      const request = new Request(input, init);
      const ours = [url, ...(data.aliases ?? [])].some((origin) => request.url.startsWith(`${origin}/`));
      return ours ? Promise.resolve(app.fetch(request)) : fetch(request);
    },
    close: () =>
      new Promise<void>((resolve) => {
        queries.close();
        (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}
