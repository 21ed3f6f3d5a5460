import './setup-env.js';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SendTaskSuccessCommand, SFNClient, TaskTimedOut } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { handler } from '../../functions/outcome-api/handler.js';
import { keys as tableKeys } from '../../functions/shared/adapters/table.js';
import { useClock } from '../../functions/shared/clock.js';
import { signLink } from '../../functions/shared/domain/signed-link.js';

const db = mockClient(DynamoDBDocumentClient);
const sfn = mockClient(SFNClient);
const secrets = mockClient(SecretsManagerClient);
const context = { awsRequestId: 'r1', functionName: 'outcome-api' } as never;
const now = new Date('2026-11-23T02:00:00Z');
useClock(() => now);
const id = 'fu-0123456789abcdef0123456789abcdef';
const keys = { current: { id: 'k1', secret: 'a-very-secret-signing-key' }, previous: [] };
const followUp = {
  followUpId: id,
  serviceType: 'vehicle-repair',
  serviceId: 'RO-1',
  source: 'dms',
  round: 0,
  completedAt: '2026-11-20T07:00:00.000Z',
  customer: { id: 'C1', name: '钱七', phone: '+8613800138000' },
  status: 'scheduled',
  createdAt: '2026-11-20T07:00:00.000Z',
  attempts: [],
};
const link = (purpose: 'agent' | 'survey', expiresAt = now.getTime() / 1000 + 3600) =>
  signLink({ followUpId: id, attempt: 1, purpose, expiresAt }, keys);

function request(
  method: string,
  token: string,
  body?: unknown,
  json = true,
  extraHeaders: Record<string, string> = {},
): APIGatewayProxyEventV2 {
  return {
    version: '2.0',
    routeKey: `${method} /links/{token}`,
    rawPath: `/links/${token}`,
    rawQueryString: '',
    headers: {
      ...(json
        ? { 'content-type': 'application/json', accept: 'application/json' }
        : { 'content-type': 'application/x-www-form-urlencoded' }),
      ...extraHeaders,
    },
    pathParameters: { token },
    requestContext: { http: { method } } as never,
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    isBase64Encoded: false,
  };
}
const parsed = (r: { body?: string }) => JSON.parse(r.body ?? '{}') as { code: string; field?: string; message: string };

beforeEach(() => {
  for (const mock of [db, sfn, secrets]) mock.reset();
  secrets.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify({ currentId: 'k1', current: keys.current.secret }) });
  db.on(QueryCommand).resolves({
    Items: [
      { ...tableKeys.followUp(id), ...followUp },
      { ...tableKeys.attempt(id, 1), followUpId: id, attempt: 1, channel: 'phone', taskToken: 'token-1', openedAt: now.toISOString() },
    ],
  });
  sfn.on(SendTaskSuccessCommand).resolves({});
  db.on(UpdateCommand).resolves({});
});

describe('outcome-api handler', () => {
  it("shows the agent's outcome form with the script", async () => {
    const response = await handler(request('GET', link('agent'), undefined, false), context);
    expect(response.statusCode).toBe(200);
    expect(response.body).toContain('钱七');
    expect(response.body).toContain('name="result"');
  });

  it('stores the outcome once, single-use, and resumes the workflow with the result only', async () => {
    const response = await handler(
      request('POST', link('agent'), { result: 'reached', answers: { overall: 5, explained: 'yes', wantsComplaint: 'no' } }),
      context,
    );
    expect(response.statusCode).toBe(200);
    const update = db.commandCalls(UpdateCommand)[0]!.args[0].input;
    expect(update.ConditionExpression).toContain('attribute_not_exists(usedAt)');
    expect(update.ExpressionAttributeValues![':answers']).toEqual({ overall: 5, explained: 'yes', wantsComplaint: 'no' });
    const resumed = sfn.commandCalls(SendTaskSuccessCommand)[0]!.args[0].input;
    expect(resumed.taskToken).toBe('token-1');
    // Record's input: ids, the attempt and its result; the answers stay in the table.
    expect(JSON.parse(resumed.output!)).toEqual({
      followUpId: id,
      action: 'contact',
      attempt: 1,
      channel: 'phone',
      dueAt: now.toISOString(),
      deadline: now.toISOString(),
      outcome: { result: 'reached' },
      result: 'reached',
    });
  });

  it('accepts the HTML form post of a customer survey', async () => {
    const form = new URLSearchParams({
      'answers.overall': '4',
      'answers.explained': 'yes',
      'answers.wantsComplaint': 'no',
      'answers.suggestions': '',
    }).toString();
    const response = await handler(request('POST', link('survey'), form, false), context);
    expect(response.statusCode).toBe(200);
    expect(db.commandCalls(UpdateCommand)[0]!.args[0].input.ExpressionAttributeValues![':answers']).toEqual({
      overall: 4,
      explained: 'yes',
      wantsComplaint: 'no',
    });
  });

  it('refuses a tampered link', async () => {
    const token = link('agent');
    const response = await handler(request('POST', `${token.slice(0, 10)}x${token.slice(11)}`, { result: 'reached' }), context);
    expect(response.statusCode).toBe(403);
    expect(parsed(response).code).toBe('link-tampered');
    expect(sfn.commandCalls(SendTaskSuccessCommand)).toHaveLength(0);
  });

  it('refuses an expired link', async () => {
    const response = await handler(request('POST', link('agent', now.getTime() / 1000 - 1), { result: 'reached' }), context);
    expect(response.statusCode).toBe(410);
    expect(parsed(response).code).toBe('link-expired');
  });

  it('refuses a replayed link', async () => {
    db.on(UpdateCommand).rejects(new ConditionalCheckFailedException({ message: 'used', $metadata: {} }));
    const response = await handler(request('POST', link('agent'), { result: 'no_answer' }), context);
    expect(response.statusCode).toBe(409);
    // The customer's language (钱七 has none: the default, zh-CN), the code for machines.
    expect(parsed(response)).toEqual({ code: 'link-used', message: '此链接已经使用过，您的回答已记录。谢谢！' });
    expect(sfn.commandCalls(SendTaskSuccessCommand)).toHaveLength(0);
  });

  it("names the missing answer by its question, in the reader's language, and keeps the link usable", async () => {
    const response = await handler(request('POST', link('agent'), { result: 'reached', answers: { overall: 5 } }), context);
    expect(response.statusCode).toBe(400);
    expect(parsed(response)).toEqual({
      code: 'invalid-field',
      field: 'answers.explained',
      message: '请回答：服务顾问是否向您解释了所做的工作和费用？',
    });
    expect(db.commandCalls(UpdateCommand)).toHaveLength(0);
  });

  it('gives the form back with everything the agent entered when one answer is missing', async () => {
    const form =
      'result=reached&answers.overall=4&answers.wantsComplaint=no&answers.suggestions=%E5%BE%88%E5%A5%BD&complaint=yes&severity=major';
    const response = await handler(request('POST', link('agent'), form, false), context);
    expect(response.statusCode).toBe(400);
    const page = String(response.body);
    expect(page).toContain('请回答：服务顾问是否向您解释了所做的工作和费用？');
    expect(page).toMatch(/name="result" value="reached" required checked/);
    expect(page).toMatch(/name="answers\.overall" value="4" checked/);
    expect(page).toMatch(/name="answers\.wantsComplaint" value="no" checked/);
    expect(page).toContain('>很好</textarea>');
    expect(page).toMatch(/name="complaint" value="yes" checked/);
    expect(page).toMatch(/<option value="major" selected>/);
    expect(page).not.toMatch(/name="answers\.explained" value="(yes|no)" checked/);
  });

  it("titles its pages in words of the reader's language, never with the code", async () => {
    db.on(UpdateCommand).rejects(new ConditionalCheckFailedException({ message: 'used', $metadata: {} }));
    const page = String(
      (await handler(request('POST', link('survey'), 'answers.overall=5&answers.explained=yes&answers.wantsComplaint=no', false), context))
        .body,
    );
    expect(page).toContain('<title>链接已使用</title>');
    expect(page).not.toContain('link-used');
  });

  it('says a tampered link is invalid in the language the browser asks for', async () => {
    const response = await handler(
      request('GET', `${link('survey')}x`, undefined, false, { 'accept-language': 'en-GB,en;q=0.9' }),
      context,
    );
    expect(response.statusCode).toBe(403);
    expect(String(response.body)).toContain('<title>Invalid link</title>');
  });

  it.each(['PUT', 'DELETE', 'PATCH'])('answers %s with 405 and the methods a link takes', async (method) => {
    const response = await handler(request(method, link('survey'), { result: 'reached' }), context);
    expect(response.statusCode).toBe(405);
    expect(response.headers).toMatchObject({ allow: 'GET, POST' });
    expect(parsed(response).code).toBe('method-not-allowed');
    expect(db.commandCalls(UpdateCommand)).toHaveLength(0);
  });

  it('answers "closed" when the follow-up stopped waiting before the answer came', async () => {
    sfn.on(SendTaskSuccessCommand).rejects(new TaskTimedOut({ message: 'timed out', $metadata: {} }));
    const response = await handler(request('POST', link('agent'), { result: 'busy' }), context);
    expect(response.statusCode).toBe(410);
    expect(parsed(response).code).toBe('follow-up-closed');
  });
});
