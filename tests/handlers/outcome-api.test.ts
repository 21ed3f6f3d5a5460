import './setup-env.js';
import { beforeEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { SFNClient, SendTaskSuccessCommand, TaskTimedOut } from '@aws-sdk/client-sfn';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { handler } from '../../functions/outcome-api/handler.js';
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
  followUpId: id, serviceType: 'vehicle-repair', serviceId: 'RO-1', source: 'dms', round: 0, completedAt: '2026-11-20T07:00:00.000Z',
  customer: { id: 'C1', name: '钱七', phone: '+8613800138000' }, status: 'scheduled', createdAt: '2026-11-20T07:00:00.000Z', attempts: [],
};
const link = (purpose: 'agent' | 'survey', expiresAt = now.getTime() / 1000 + 3600) => signLink({ followUpId: id, attempt: 1, purpose, expiresAt }, keys);

function request(method: 'GET' | 'POST', token: string, body?: unknown, json = true): APIGatewayProxyEventV2 {
  return {
    version: '2.0', routeKey: `${method} /links/{token}`, rawPath: `/links/${token}`, rawQueryString: '',
    headers: json ? { 'content-type': 'application/json', accept: 'application/json' } : { 'content-type': 'application/x-www-form-urlencoded' },
    pathParameters: { token },
    requestContext: { http: { method } } as never,
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    isBase64Encoded: false,
  };
}
const parsed = (r: { body?: string }) => JSON.parse(r.body ?? '{}') as { code: string; message: string };

beforeEach(() => {
  for (const mock of [db, sfn, secrets]) mock.reset();
  secrets.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify({ currentId: 'k1', current: keys.current.secret }) });
  db.on(QueryCommand).resolves({ Items: [{ pk: `FU#${id}`, sk: 'META', ...followUp }, { pk: `FU#${id}`, sk: 'ATTEMPT#001', followUpId: id, attempt: 1, channel: 'phone', taskToken: 'token-1', openedAt: now.toISOString() }] });
  sfn.on(SendTaskSuccessCommand).resolves({});
});

describe('outcome-api handler', () => {
  it("shows the agent's outcome form with the script", async () => {
    const response = await handler(request('GET', link('agent'), undefined, false), context);
    expect(response.statusCode).toBe(200);
    expect(response.body).toContain('钱七');
    expect(response.body).toContain('name="result"');
  });

  it('stores the outcome once, single-use, and resumes the workflow with the result only', async () => {
    const response = await handler(request('POST', link('agent'), { result: 'reached', answers: { overall: 5, explained: 'yes', wantsComplaint: 'no' } }), context);
    expect(response.statusCode).toBe(200);
    const update = db.commandCalls(UpdateCommand)[0]!.args[0].input;
    expect(update.ConditionExpression).toContain('attribute_not_exists(usedAt)');
    expect(update.ExpressionAttributeValues![':answers']).toEqual({ overall: 5, explained: 'yes', wantsComplaint: 'no' });
    expect(sfn.commandCalls(SendTaskSuccessCommand)[0]!.args[0].input).toEqual({ taskToken: 'token-1', output: JSON.stringify({ result: 'reached' }) });
  });

  it('accepts the HTML form post of a customer survey', async () => {
    const form = new URLSearchParams({ 'answers.overall': '4', 'answers.explained': 'yes', 'answers.wantsComplaint': 'no', 'answers.suggestions': '' }).toString();
    const response = await handler(request('POST', link('survey'), form, false), context);
    expect(response.statusCode).toBe(200);
    expect(db.commandCalls(UpdateCommand)[0]!.args[0].input.ExpressionAttributeValues![':answers']).toEqual({ overall: 4, explained: 'yes', wantsComplaint: 'no' });
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
    expect(parsed(response).message).toContain('already been used');
    expect(sfn.commandCalls(SendTaskSuccessCommand)).toHaveLength(0);
  });

  it('names the missing answer and keeps the link usable', async () => {
    const response = await handler(request('POST', link('agent'), { result: 'reached', answers: { overall: 5 } }), context);
    expect(response.statusCode).toBe(400);
    expect(parsed(response).message).toMatch(/^answers\.explained/);
    expect(db.commandCalls(UpdateCommand)).toHaveLength(0);
  });

  it('answers "closed" when the follow-up stopped waiting before the answer came', async () => {
    sfn.on(SendTaskSuccessCommand).rejects(new TaskTimedOut({ message: 'timed out', $metadata: {} }));
    const response = await handler(request('POST', link('agent'), { result: 'busy' }), context);
    expect(response.statusCode).toBe(410);
    expect(parsed(response).code).toBe('follow-up-closed');
  });
});
