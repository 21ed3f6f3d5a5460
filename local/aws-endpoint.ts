import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { type AuthorizationFacts, accessRequestsFor, s3PutObjectRequest } from './cloud/authorization.js';
import { callerOf } from './cloud/caller.js';
import { refuseByContract } from './cloud/contracts.js';
import { AwsError, type LocalCloud } from './cloud/index.js';
import { serveInProcess, type WireResponse, type WireService } from './in-process-transport.js';

/**
 * One HTTP endpoint speaking the wire protocols the AWS SDK uses for Step Functions, EventBridge
 * and Secrets Manager (JSON with X-Amz-Target) and Amazon Connect and SES v2 (REST JSON), so
 * handlers reach the local stack through AWS_ENDPOINT_URL and run unchanged. Also usable from
 * the AWS CLI: `aws events put-events --endpoint-url http://localhost:4010 ...`. End User Messaging SMS
 * (JSON with X-Amz-Target) and the Alibaba Cloud SMS stand-in answer here too.
 */
type Operation = (body: Record<string, unknown>) => unknown;

function operations(cloud: LocalCloud): Record<string, Operation> {
  return {
    'AWSStepFunctions.StartExecution': (b) => {
      const record = cloud.startExecution(String(b.stateMachineArn), b.name as string | undefined, String(b.input ?? '{}'));
      return { executionArn: record.executionArn, startDate: new Date(record.startDate).getTime() / 1000 };
    },
    'AWSStepFunctions.SendTaskSuccess': (b) => {
      cloud.sendTaskSuccess(String(b.taskToken), String(b.output));
      return {};
    },
    'AWSStepFunctions.SendTaskFailure': (b) => {
      cloud.sendTaskFailure(String(b.taskToken), b.error as string | undefined, b.cause as string | undefined);
      return {};
    },
    'AWSStepFunctions.DescribeExecution': (b) => {
      const record = cloud.executions.get(String(b.executionArn));
      if (!record) throw new AwsError('ExecutionDoesNotExist', 'execution does not exist');
      return {
        ...record,
        startDate: new Date(record.startDate).getTime() / 1000,
        stopDate: record.stopDate ? new Date(record.stopDate).getTime() / 1000 : undefined,
      };
    },
    'AWSEvents.PutEvents': (b) => cloud.putEvents((b.Entries as never[]) ?? []),
    'secretsmanager.GetSecretValue': (b) => cloud.getSecretValue(String(b.SecretId)),
    'PUT /contact/task': (b) => cloud.startTaskContact(b as never),
    'POST /contact/stop': (b) => cloud.stopContact(String(b.ContactId)),
    'POST /v2/email/outbound-emails': (b) => cloud.sendEmail(b as never),
    'PinpointSMSVoiceV2.SendTextMessage': (b) => cloud.sendTextMessage(b as never),
  };
}

/**
 * The endpoint's answer to one request, whether it came over a socket or in-process: the same
 * contract checks, IAM and operations either way.
 */
export function awsEndpointService(cloud: LocalCloud): WireService {
  const ops = operations(cloud);
  const authorizationFacts: AuthorizationFacts = {
    stateMachineOfToken: (token) => cloud.stateMachineOfToken(token),
    sendingIdentity: (address) => (cloud.ses.verifiedIdentities().includes(address) ? address : (address.split('@')[1] ?? address)),
  };
  const json = (status: number, body: unknown, errorType?: string): WireResponse => ({
    status,
    headers: { 'content-type': 'application/x-amz-json-1.1', ...(errorType ? { 'x-amzn-errortype': errorType } : {}) },
    body: JSON.stringify(body),
  });
  return async (req) => {
    // Alibaba Cloud SMS's stand-in shares the endpoint (ALIBABA_SMS_ENDPOINT): its SDK names the action in x-acs-action.
    if (req.headers['x-acs-action'] === 'SendSms') {
      const query = new URL(req.url, 'http://local').searchParams;
      const params = new URLSearchParams([...query, ...new URLSearchParams(req.body.toString('utf8'))]);
      return { status: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify(cloud.alibabaSendSms(params)) };
    }
    // AWS validates a request against its published model before running it: so does the local cloud.
    const refused = refuseByContract(req);
    if (refused) {
      cloud.refusedRequests.push({ ...refused.refused, at: cloud.clock.now().toISOString() });
      return { status: refused.status, headers: refused.headers, body: refused.body };
    }
    const target = req.headers['x-amz-target'];
    const path = req.url.split('?')[0] ?? '';
    const key = typeof target === 'string' ? target : `${req.method} ${path}`;
    const caller = callerOf(req.headers);
    if (!ops[key] && req.method === 'PUT' && path.split('/').filter(Boolean).length >= 2) {
      // S3 PutObject, path style: /bucket/key…
      const [, bucket, ...rest] = path.split('/');
      const objectKey = decodeURIComponent(rest.join('/'));
      return cloud.clock.track(async (): Promise<WireResponse> => {
        try {
          if (caller) await cloud.iam.authorize({ kind: 'role', ...caller }, s3PutObjectRequest(bucket!, objectKey));
          const { ETag } = cloud.putObject(
            bucket!,
            objectKey,
            req.body.toString('utf8'),
            String(req.headers['content-type'] ?? 'application/octet-stream'),
          );
          return { status: 200, headers: { etag: ETag }, body: '' };
        } catch (error) {
          // S3 names its denial AccessDenied.
          const code = error instanceof AwsError ? (error.code === 'AccessDeniedException' ? 'AccessDenied' : error.code) : 'InternalError';
          return {
            status: error instanceof AwsError ? error.status : 500,
            headers: { 'content-type': 'application/xml' },
            body: `<Error><Code>${code}</Code><Message>${String((error as Error).message)}</Message></Error>`,
          };
        }
      });
    }
    const op = ops[key];
    if (!op)
      return json(
        400,
        { __type: 'UnknownOperationException', message: `local stack does not implement ${key}` },
        'UnknownOperationException',
      );
    return cloud.clock.track(async () => {
      try {
        const text = req.body.toString('utf8');
        const body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
        // A function's call is authorised against its role's policies in the template, as AWS does;
        // a call from outside (an upstream system, the operator's CLI) is another account's business.
        if (caller) {
          const requests = accessRequestsFor(key, body, authorizationFacts);
          if (!requests)
            throw new AwsError(
              'AccessDeniedException',
              `the local cloud has no authorization rule for ${key}; add one to local/cloud/authorization.ts`,
              403,
            );
          for (const request of requests) await cloud.iam.authorize({ kind: 'role', ...caller }, request);
        }
        return json(200, op(body));
      } catch (error) {
        if (error instanceof AwsError) return json(error.status, { __type: error.code, message: error.message }, error.code);
        return json(500, { __type: 'InternalFailure', message: String((error as Error).message) }, 'InternalFailure');
      }
    });
  };
}

/**
 * Serves a wire service over HTTP. The request counts as busy from its first byte, so the clock
 * does not move on while a caller's request is on its way.
 */
export async function serveHttp(
  service: WireService,
  clock: { hold(): void; release(): void },
  port = 0,
): Promise<{ url: string; close: () => Promise<void> }> {
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(req.headers)) if (typeof value === 'string') headers[name] = value;
      clock.hold();
      service({ method: req.method ?? 'GET', url: req.url ?? '/', headers, body: Buffer.concat(chunks) })
        .then(
          (answer) => res.writeHead(answer.status, answer.headers).end(answer.body),
          (error: unknown) => res.writeHead(500, { 'content-type': 'text/plain' }).end(String((error as Error).message)),
        )
        .finally(() => clock.release());
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const { port: actual } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${actual}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The AWS endpoint over HTTP (the AWS CLI, the Alibaba SDK, tests) and, for this process's SDK clients, in-process. */
export async function startAwsEndpoint(cloud: LocalCloud, port = 0): Promise<{ url: string; close: () => Promise<void> }> {
  const service = awsEndpointService(cloud);
  const server = await serveHttp(service, cloud.clock, port);
  const unserve = serveInProcess(server.url, service);
  return {
    url: server.url,
    close: () => {
      unserve();
      return server.close();
    },
  };
}
