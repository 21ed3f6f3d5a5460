import { EventEmitter } from 'node:events';
import type { IncomingMessage, RequestListener, Server, ServerResponse } from 'node:http';
import type { WireRequest, WireResponse, WireService } from '../in-process-transport.js';
import { LOCAL_ACCOUNT, LOCAL_REGION } from '../template.js';
import { type Caller, callerOf } from './caller.js';
import { keepDynaliteExpressionParses } from './dynamo-expressions.js';
import { DynamoTransactions, type ItemCall } from './dynamo-transactions.js';
import type { AccessRequest } from './iam.js';

/**
 * DynamoDB's side of IAM: every request a function's SDK client sends to the local DynamoDB is
 * authorised on the tables and indexes it names before dynalite sees it, and refused with the
 * AccessDeniedException DynamoDB returns.
 */
export type DynamoAuthorizer = (caller: Caller, requests: AccessRequest[]) => Promise<void>;

const tableArn = (table: string) => `arn:aws:dynamodb:${LOCAL_REGION}:${LOCAL_ACCOUNT}:table/${table}`;

type Body = Record<string, unknown>;

/** The IAM requests one DynamoDB API call makes: its action on every table (and index) it touches. */
export function dynamoAccessRequests(operation: string, body: Body): AccessRequest[] {
  const action = `dynamodb:${operation}`;
  switch (operation) {
    case 'BatchGetItem':
    case 'BatchWriteItem':
      return Object.keys((body.RequestItems as Body | undefined) ?? {}).map((table) => ({ action, resource: tableArn(table) }));
    case 'TransactWriteItems':
    case 'TransactGetItems': {
      // A transaction needs each item's own permission (PutItem, UpdateItem, DeleteItem, ConditionCheckItem, GetItem).
      const actions: Record<string, string> = {
        Put: 'PutItem',
        Update: 'UpdateItem',
        Delete: 'DeleteItem',
        ConditionCheck: 'ConditionCheckItem',
        Get: 'GetItem',
      };
      return ((body.TransactItems as Body[] | undefined) ?? []).flatMap((item) =>
        Object.entries(item).map(([kind, spec]) => ({
          action: `dynamodb:${actions[kind] ?? kind}`,
          resource: tableArn(String((spec as Body).TableName)),
        })),
      );
    }
    default: {
      if (typeof body.TableName !== 'string') return [];
      const table = tableArn(body.TableName);
      return [{ action, resource: typeof body.IndexName === 'string' ? `${table}/index/${body.IndexName}` : table }];
    }
  }
}

/**
 * Requests share the table; a transaction has it alone: it waits for the requests in flight, and
 * requests that come while it runs wait for it (transactions queue behind one another).
 */
function exclusiveAccess() {
  let inFlight = 0;
  let transaction: Promise<unknown> | undefined;
  let drained: (() => void) | undefined;
  let queue: Promise<unknown> = Promise.resolve();
  return {
    async shared<T>(run: () => Promise<T>): Promise<T> {
      while (transaction) await transaction.catch(() => {});
      inFlight += 1;
      try {
        return await run();
      } finally {
        inFlight -= 1;
        if (inFlight === 0) drained?.();
      }
    },
    exclusively<T>(run: () => Promise<T>): Promise<T> {
      const mine = queue.then(async () => {
        if (inFlight > 0) await new Promise<void>((resolve) => (drained = resolve));
        drained = undefined;
        return run();
      });
      const settled = mine.finally(() => {
        if (transaction === settled) transaction = undefined;
      });
      transaction = settled;
      queue = settled.catch(() => {});
      return mine;
    },
  };
}

/**
 * DynamoDB as a wire service: the authoriser, then dynalite's own request handling (its
 * validations and errors) on the same bytes. Requests from outside any function (the local web
 * page reading the desk, a test's own client) pass as the operator's. `server` is dynalite's;
 * its request listener is taken over so requests over a socket go the same way.
 */
export function guardDynamo(server: Server, authorizer: () => DynamoAuthorizer | undefined): WireService {
  keepDynaliteExpressionParses();
  const listeners = server.listeners('request') as RequestListener[];
  server.removeAllListeners('request');
  const dynalite = (request: WireRequest): Promise<WireResponse> =>
    new Promise((resolve) => {
      const req = Object.assign(new EventEmitter(), {
        headers: request.headers,
        method: request.method,
        url: request.url,
        httpVersion: '1.1',
      });
      const headers: Record<string, string> = {};
      const res = {
        statusCode: 200,
        contentType: undefined as string | undefined,
        setHeader: (name: string, value: unknown) => {
          headers[name.toLowerCase()] = String(value);
        },
        getHeader: (name: string) => headers[name.toLowerCase()],
        end: (body?: string | Buffer) => resolve({ status: res.statusCode, headers, body: body ?? '' }),
      };
      for (const listener of listeners) listener(req as unknown as IncomingMessage, res as unknown as ServerResponse);
      if (request.body.length > 0) req.emit('data', request.body);
      req.emit('end');
    });
  const table = exclusiveAccess();
  const transactions = new DynamoTransactions();
  /** A transaction's single-item requests, made with its own headers (signature, caller) straight to dynalite. */
  const itemCall =
    (request: WireRequest): ItemCall =>
    async (operation, body) => {
      const payload = Buffer.from(JSON.stringify(body));
      const target = `${(request.headers['x-amz-target'] ?? 'DynamoDB_20120810.').split('.')[0]}.${operation}`;
      const answer = await dynalite({
        ...request,
        headers: { ...request.headers, 'x-amz-target': target, 'content-length': String(payload.length) },
        body: payload,
      });
      return { status: answer.status, body: JSON.parse(String(answer.body) || '{}') as Body };
    };
  /** dynalite, with transactions: a transaction has the table to itself. */
  const execute = (request: WireRequest, operation: string, parsed: Body | undefined): Promise<WireResponse> =>
    operation === 'TransactWriteItems' && parsed
      ? table.exclusively(() => transactions.write(parsed, itemCall(request)))
      : table.shared(() => dynalite(request));
  const service: WireService = async (request) => {
    const operation = (request.headers['x-amz-target'] ?? '').split('.').pop() ?? '';
    const caller = callerOf(request.headers);
    const authorize = authorizer();
    // Read here only when needed (authorising, or running a transaction); dynalite parses the rest itself.
    let parsed: Body | undefined;
    if ((caller && authorize) || operation === 'TransactWriteItems') {
      try {
        parsed = JSON.parse(request.body.toString('utf8') || '{}') as Body;
      } catch {
        // dynalite answers malformed JSON itself.
      }
    }
    if (!caller || !authorize) return execute(request, operation, parsed);
    try {
      await authorize(caller, dynamoAccessRequests(operation, parsed ?? {}));
    } catch (error) {
      const payload = JSON.stringify({
        __type: `com.amazon.coral.service#${(error as { code?: string }).code ?? 'AccessDeniedException'}`,
        message: (error as Error).message,
      });
      return {
        status: 400,
        headers: {
          'content-type': 'application/x-amz-json-1.0',
          'content-length': String(Buffer.byteLength(payload)),
          'x-amzn-requestid': 'local',
        },
        body: payload,
      };
    }
    return execute(request, operation, parsed);
  };
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(req.headers)) if (typeof value === 'string') headers[name] = value;
      void service({ method: req.method ?? 'GET', url: req.url ?? '/', headers, body: Buffer.concat(chunks) }).then((answer) =>
        res.writeHead(answer.status, answer.headers).end(answer.body),
      );
    });
  });
  return service;
}
