import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import type { LocalCloud } from './local-cloud.js';
import { apiRoutes, invokeRoute } from './api-gateway.js';

/** The local web server: the outcome API's routes (as API Gateway would serve them). */
export async function startWebServer(cloud: LocalCloud, port: number): Promise<{ url: string; close: () => Promise<void> }> {
  const routes = apiRoutes(cloud.template);
  const app = new Hono();
  app.all('/links/*', async (c) => {
    const url = new URL(c.req.url);
    const response = await cloud.clock.track(async () =>
      invokeRoute(cloud, routes, {
        method: c.req.method,
        path: url.pathname,
        query: url.search.replace(/^\?/, ''),
        headers: Object.fromEntries(c.req.raw.headers.entries()),
        body: await c.req.text(),
      }),
    );
    if (!response) return c.text('Not found', 404);
    return new Response(response.body ?? '', { status: response.statusCode ?? 200, headers: response.headers as Record<string, string> });
  });
  const server = serve({ fetch: app.fetch, port, hostname: '127.0.0.1' });
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const { port: actual } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${actual}`,
    close: () => new Promise<void>((resolve) => { (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.(); server.close(() => resolve()); }),
  };
}
