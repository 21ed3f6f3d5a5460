import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { Hono, type Context } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import { DateTime } from 'luxon';
import { policyConfig } from '../functions/shared/config/policies.js';
import { localeSchema, type Locale } from '../functions/shared/domain/policy-schema.js';
import type { LocalCloud } from './local-cloud.js';
import { apiRoutes, invokeRoute } from './api-gateway.js';
import { FollowUpQueries } from './follow-up-queries.js';
import { deskPage, followUpDetailPage, followUpsPage, layout, mailPage, sendPage, wordsFor } from './web-pages.js';
import { managerPage } from './manager-page.js';
import { rejectionsPage, sentNotice } from './rejections-page.js';
import { escalationConfig } from '../functions/shared/config/escalation.js';
import { escalationHours } from '../functions/shared/domain/complaint.js';

/**
 * The local web server: the outcome API's routes exactly as API Gateway serves them, and one
 * page for people trying the system: the agent desk, sent mail, follow-ups, complaints and a
 * form that publishes a sample event.
 */
export async function startWebServer(
  cloud: LocalCloud,
  port: number,
  data: { dynamoUrl: string; tableName: string },
): Promise<{ url: string; close: () => Promise<void> }> {
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
  const render = (c: Context, active: string, body: unknown, notice?: string) => c.html(layout(localeOf(c), cloud.clock.now(), active, body, notice));

  async function callLink(method: string, path: string, headers: Record<string, string>, body: string) {
    return cloud.clock.track(() => invokeRoute(cloud, routes, { method, path, query: '', headers, body }));
  }

  app.all('/links/*', async (c) => {
    const url = new URL(c.req.url);
    const response = await callLink(c.req.method, url.pathname, Object.fromEntries(c.req.raw.headers.entries()), await c.req.text());
    if (!response) return c.text('Not found', 404);
    return new Response(response.body ?? '', { status: response.statusCode ?? 200, headers: response.headers as Record<string, string> });
  });

  /** Tasks an agent can still work: not answered, and the workflow is still waiting on them. */
  async function openTasks() {
    const followUps = new Map((await queries.followUps()).map((f) => [f.followUpId, f]));
    const open = [];
    for (const task of cloud.agentTasks) {
      // Stopped (nobody completed it in time) or completed: Connect no longer offers it.
      if (task.closedAt) continue;
      const followUp = followUps.get(task.attributes.followUpId ?? '');
      if (!followUp || followUp.outcome || String(followUp.nextAttempt) !== task.attributes.attempt) continue;
      const attempt = (await queries.attempts(followUp.followUpId)).find((a) => String(a.attempt) === task.attributes.attempt);
      if (attempt && !attempt.usedAt) open.push(task);
    }
    return open.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  }

  app.get('/', (c) => c.redirect('/desk'));
  app.get('/desk', async (c) => render(c, '/desk', deskPage(localeOf(c), await openTasks()), c.req.query('done') ? wordsFor(localeOf(c)).recorded : undefined));
  app.post('/desk/tasks/:contactId', async (c) => {
    const task = cloud.agentTasks.find((t) => t.contactId === c.req.param('contactId'));
    if (!task) return c.text('Unknown task', 404);
    const response = await callLink('POST', new URL(task.outcomeFormUrl).pathname, { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' }, await c.req.text());
    const result = JSON.parse(response?.body ?? '{}') as { code?: string; message?: string };
    if (response?.statusCode === 200) return c.redirect(`/desk?done=${task.contactId}`, 303);
    return render(c, '/desk', deskPage(localeOf(c), await openTasks(), { contactId: task.contactId, message: result.message ?? 'error' }));
  });
  const managerView = async (c: Context, error?: { complaintId: string; message: string }) => {
    const complaints = (await queries.complaints()).sort((a, b) => Number(['resolved', 'closed', 'unconfirmed'].includes(a.status)) - Number(['resolved', 'closed', 'unconfirmed'].includes(b.status)));
    return render(c, '/manager', managerPage(localeOf(c), complaints, cloud.clock.now(), escalationHours(escalationConfig), error), c.req.query('done') ? wordsFor(localeOf(c)).actionDone : undefined);
  };
  app.get('/manager', (c) => managerView(c));
  app.post('/manager/:complaintId/:action', async (c) => {
    const complaintId = c.req.param('complaintId');
    const action = c.req.param('action');
    // The newest notification's links: the same signed links the manager got by email and task.
    const task = cloud.agentTasks.filter((t) => t.attributes.complaintId === complaintId).at(-1);
    const url = action === 'acknowledge' ? task?.references.acknowledge : action === 'resolve' ? task?.references.outcomeForm : undefined;
    if (!url) return managerView(c, { complaintId, message: 'No open link for this action.' });
    const response = await callLink('POST', new URL(url).pathname, { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' }, await c.req.text());
    if (response?.statusCode === 200) return c.redirect('/manager?done=1', 303);
    return managerView(c, { complaintId, message: (JSON.parse(response?.body ?? '{}') as { message?: string }).message ?? 'error' });
  });
  app.get('/mail', (c) => render(c, '/mail', mailPage(localeOf(c), cloud.outbox)));
  app.get('/follow-ups', async (c) => {
    const w = wordsFor(localeOf(c));
    const notice = c.req.query('sent') ? w.sent : c.req.query('rejected') ? `${w.rejected}: ${c.req.query('rejected')}` : undefined;
    return render(c, '/follow-ups', followUpsPage(localeOf(c), await queries.followUps(), w.followUps, w.noFollowUps), notice);
  });
  app.get('/follow-ups/:id', async (c) => {
    const followUp = (await queries.followUps()).find((f) => f.followUpId === c.req.param('id'));
    if (!followUp) return c.text('Not found', 404);
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
    const result = await cloud.clock.track(async () => cloud.putEvents([{ EventBusName: 'customer-follow-up', Source: 'local.web', DetailType: 'Service Completed', Detail: JSON.stringify(detail) }]));
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
    const notice = event ? sentNotice(locale, rejections.find((r) => r.eventId === event), warnings.find((w) => w.eventId === event)) : undefined;
    return render(c, '/rejections', rejectionsPage(locale, rejections, warnings, event), notice);
  });
  app.post('/clock/next', async (c) => {
    const next = cloud.clock.nextWakeUp();
    if (next !== undefined) cloud.clock.advanceTo(next);
    await cloud.clock.settle();
    return c.redirect(c.req.header('referer') ?? '/desk', 303);
  });

  const server = serve({ fetch: app.fetch, port, hostname: '127.0.0.1' });
  await new Promise<void>((resolve, reject) => {
    server.once('listening', () => resolve());
    server.once('error', reject);
  });
  const { port: actual } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${actual}`,
    close: () =>
      new Promise<void>((resolve) => {
        queries.close();
        (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}
