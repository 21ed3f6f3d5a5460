import { Readable } from 'node:stream';
import { buildQueryString, HttpResponse } from '@smithy/core/protocols';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { HttpHandlerOptions, HttpRequest } from '@smithy/types';
import { CALLER_ROLE_HEADER, CALLER_SESSION_HEADER, currentCaller } from './cloud/caller.js';

/**
 * The wire between the handlers' AWS SDK clients and the local services, without the socket.
 * The SDK still builds, signs and serialises each request and parses each answer as it would
 * over HTTP; only the bytes go by function call to the service that listens on the request's
 * origin (the AWS endpoint, DynamoDB). A request to any other origin goes over HTTP as before.
 */
export interface WireRequest {
  method: string;
  /** Path and query string, as in the request line. */
  url: string;
  /** Lower-case names, as Node's HTTP server gives them. */
  headers: Record<string, string>;
  body: Buffer;
}

export interface WireResponse {
  status: number;
  headers: Record<string, string>;
  body: string | Buffer;
}

export type WireService = (request: WireRequest) => Promise<WireResponse>;

const services = new Map<string, WireService>();

/** Serves `origin` ("http://127.0.0.1:4010") in-process; returns the undo. */
export function serveInProcess(origin: string, service: WireService): () => void {
  const key = new URL(origin).origin;
  services.set(key, service);
  return () => {
    if (services.get(key) === service) services.delete(key);
  };
}

async function bodyBytes(body: unknown): Promise<Buffer> {
  if (body === undefined || body === null) return Buffer.alloc(0);
  if (typeof body === 'string') return Buffer.from(body, 'utf8');
  if (body instanceof Uint8Array) return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  if (body instanceof Readable) {
    const chunks: Buffer[] = [];
    for await (const chunk of body) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
    return Buffer.concat(chunks);
  }
  throw new Error(`in-process transport: unsupported request body ${Object.prototype.toString.call(body)}`);
}

/**
 * A request handler for SDK clients (`requestHandler` in their configuration). The calling
 * function's role travels in the same headers the HTTP path adds (caller.ts), so the services
 * authorise in-process calls exactly as they authorise calls over a socket.
 */
export class InProcessHttpHandler {
  readonly metadata = { handlerProtocol: 'http/1.1' };
  private fallback: NodeHttpHandler | undefined;

  async handle(request: HttpRequest, options?: HttpHandlerOptions): Promise<{ response: HttpResponse }> {
    const origin = `${request.protocol}//${request.hostname}${request.port ? `:${request.port}` : ''}`;
    const service = services.get(origin);
    if (!service) {
      this.fallback ??= new NodeHttpHandler();
      return this.fallback.handle(request as never, options) as Promise<{ response: HttpResponse }>;
    }
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(request.headers)) headers[name.toLowerCase()] = value;
    headers.host ??= `${request.hostname}${request.port ? `:${request.port}` : ''}`;
    const caller = currentCaller();
    if (caller) {
      headers[CALLER_ROLE_HEADER] = caller.roleArn;
      headers[CALLER_SESSION_HEADER] = caller.sessionName;
    }
    const query = buildQueryString(request.query ?? {});
    const body = await bodyBytes(request.body);
    if (body.length > 0) headers['content-length'] ??= String(body.length);
    const answer = await service({ method: request.method, url: `${request.path}${query ? `?${query}` : ''}`, headers, body });
    const responseBody = typeof answer.body === 'string' ? Buffer.from(answer.body, 'utf8') : answer.body;
    const responseHeaders: Record<string, string> = {};
    for (const [name, value] of Object.entries(answer.headers)) responseHeaders[name.toLowerCase()] = String(value);
    responseHeaders['content-length'] ??= String(responseBody.length);
    return { response: new HttpResponse({ statusCode: answer.status, headers: responseHeaders, body: responseBody }) };
  }

  updateHttpClientConfig(): void {}

  httpHandlerConfigs(): Record<string, never> {
    return {};
  }

  destroy(): void {
    this.fallback?.destroy();
  }
}
