import type { IncomingMessage, RequestListener, Server, ServerResponse } from 'node:http';
import { PassThrough } from 'node:stream';
import { LOCAL_ACCOUNT, LOCAL_REGION } from '../template.js';
import { type Caller, callerOf } from './caller.js';
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
 * Puts the authoriser in front of dynalite's request listener. Requests from outside any function
 * (the local web page reading the desk, a test's own client) pass as the operator's.
 */
export function guardDynamo(server: Server, authorizer: () => DynamoAuthorizer | undefined): void {
  const listeners = server.listeners('request') as RequestListener[];
  server.removeAllListeners('request');
  const dynalite = (req: IncomingMessage, res: ServerResponse) => {
    for (const listener of listeners) listener(req, res);
  };
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const caller = callerOf(req.headers);
    const authorize = authorizer();
    if (!caller || !authorize) return dynalite(req, res);
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const operation =
        String(req.headers['x-amz-target'] ?? '')
          .split('.')
          .pop() ?? '';
      let parsed: Body = {};
      try {
        parsed = JSON.parse(body.toString('utf8') || '{}') as Body;
      } catch {
        // dynalite answers malformed JSON itself.
      }
      authorize(caller, dynamoAccessRequests(operation, parsed)).then(
        () => {
          // Replays the buffered request to dynalite, which reads it as a stream.
          const replay = Object.assign(new PassThrough(), {
            headers: req.headers,
            method: req.method,
            url: req.url,
            httpVersion: req.httpVersion,
            socket: req.socket,
            connection: req.socket,
          });
          dynalite(replay as unknown as IncomingMessage, res);
          replay.end(body);
        },
        (error: Error & { code?: string }) => {
          const payload = JSON.stringify({
            __type: `com.amazon.coral.service#${error.code ?? 'AccessDeniedException'}`,
            message: error.message,
          });
          res.writeHead(400, {
            'content-type': 'application/x-amz-json-1.0',
            'content-length': Buffer.byteLength(payload),
            'x-amzn-requestid': 'local',
          });
          res.end(payload);
        },
      );
    });
  });
}
