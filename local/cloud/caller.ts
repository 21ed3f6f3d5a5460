import { AsyncLocalStorage } from 'node:async_hooks';
import diagnostics from 'node:diagnostics_channel';
import type { ClientRequest, IncomingHttpHeaders } from 'node:http';

/**
 * Who is calling AWS. In AWS every request is signed with the credentials of the calling
 * function's execution role; locally all handlers share one process and one set of SDK clients,
 * so the role travels with the invocation instead: `invokeFunction` runs the handler inside
 * `runAs`, and every HTTP request the handler's SDK clients open carries the role in a header
 * that the local endpoints (AWS endpoint, DynamoDB) authorise against the template's policies.
 */
export interface Caller {
  /** The execution role's ARN, as IAM sees the principal. */
  roleArn: string;
  /** The function's name: the role session name AWS shows in an AccessDenied message. */
  sessionName: string;
}

export const CALLER_ROLE_HEADER = 'x-local-caller-role';
export const CALLER_SESSION_HEADER = 'x-local-caller-session';

const storage = new AsyncLocalStorage<Caller>();

/**
 * The SDK's Node HTTP handler creates a ClientRequest synchronously inside the handler's async
 * context, before any header is written: the documented diagnostics channel lets us add ours.
 * Subscribed once, as this module loads; a request made outside any invocation is left alone.
 */
diagnostics.subscribe('http.client.request.created', (message) => {
  const caller = storage.getStore();
  if (!caller) return;
  const { request } = message as { request: ClientRequest };
  if (request.headersSent) return;
  request.setHeader(CALLER_ROLE_HEADER, caller.roleArn);
  request.setHeader(CALLER_SESSION_HEADER, caller.sessionName);
});

export function runAs<T>(caller: Caller, fn: () => T): T {
  return storage.run(caller, fn);
}

export function currentCaller(): Caller | undefined {
  return storage.getStore();
}

/** The caller a request was tagged with; undefined for callers outside any function (an upstream system, the operator). */
export function callerOf(headers: IncomingHttpHeaders): Caller | undefined {
  const roleArn = headers[CALLER_ROLE_HEADER];
  if (typeof roleArn !== 'string' || !roleArn) return undefined;
  const session = headers[CALLER_SESSION_HEADER];
  return { roleArn, sessionName: typeof session === 'string' ? session : 'local' };
}
