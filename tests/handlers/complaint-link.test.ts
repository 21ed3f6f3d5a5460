import './setup-env.js';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SendTaskSuccessCommand, SFNClient, TaskTimedOut } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { handler } from '../../functions/outcome-api/handler.js';
import { keys as tableKeys } from '../../functions/shared/adapters/table.js';
import { useClock } from '../../functions/shared/clock.js';
import type { Complaint } from '../../functions/shared/domain/complaint.js';
import { signLink } from '../../functions/shared/domain/signed-link.js';

/**
 * A manager's acknowledge and resolve links, and the agent's note that reaches them: what the
 * page shows, what it refuses, and in which language it answers.
 */
const db = mockClient(DynamoDBDocumentClient);
const sfn = mockClient(SFNClient);
const secrets = mockClient(SecretsManagerClient);
const context = { awsRequestId: 'r1', functionName: 'outcome-api' } as never;
const now = new Date('2026-11-23T02:00:00Z');
useClock(() => now);
const keys = { current: { id: 'k1', secret: 'a-very-secret-signing-key' }, previous: [] };
const complaintId = 'cp-0123456789abcdef0123456789abcdef';
const followUpId = 'fu-0123456789abcdef0123456789abcdef';

const complaint: Complaint & { waitingToken: string } = {
  complaintId,
  followUpId,
  serviceType: 'vehicle-repair',
  serviceId: 'RO-PH-2',
  customer: { id: 'C1', name: '钱七', phone: '+8613800138000' },
  customerSource: 'dealer.dms',
  departmentId: 'after-sales',
  severity: 'urgent',
  status: 'open',
  cycle: 1,
  level: 1,
  notices: 1,
  raisedAt: '2026-11-23T01:00:00.000Z',
  acknowledgeBy: '2026-11-23T02:00:00.000Z',
  resolveBy: '2026-11-23T09:00:00.000Z',
  complaintQuestions: ['overall', 'wantsComplaint'],
  answers: { overall: 1, explained: 'no', wantsComplaint: 'yes', suggestions: '刹车异响没有修好，还多收了工时费' },
  agentNote: '客户情绪激动，要求店长回电',
  repeat: false,
  history: [{ at: '2026-11-23T01:00:00.000Z', type: 'raised', level: 1, cycle: 1, note: 'urgent' }],
  waitingToken: 'escalation-token-1',
};
const link = (purpose: 'acknowledge' | 'resolve', attempt = 11001) =>
  signLink({ followUpId: complaintId, attempt, purpose, expiresAt: now.getTime() / 1000 + 3600 }, keys);

function request(
  method: string,
  token: string,
  body?: unknown,
  { json = true, language }: { json?: boolean; language?: string } = {},
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
      ...(language ? { 'accept-language': language } : {}),
    },
    pathParameters: { token },
    requestContext: { http: { method } } as never,
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    isBase64Encoded: false,
  };
}
const parsed = (r: { body?: string }) => JSON.parse(r.body ?? '{}') as { code: string; field?: string; message: string };
/** The order in which the workflow was told and the complaint written. */
let calls: string[] = [];

beforeEach(() => {
  for (const mock of [db, sfn, secrets]) mock.reset();
  calls = [];
  secrets.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify({ currentId: 'k1', current: keys.current.secret }) });
  db.on(GetCommand).resolves({ Item: { ...tableKeys.complaint(complaintId), kind: 'Complaint', ...complaint } });
  db.on(PutCommand).resolves({});
  db.on(UpdateCommand).callsFake(() => {
    calls.push('complaint');
    return {};
  });
  sfn.on(SendTaskSuccessCommand).callsFake(() => {
    calls.push('workflow');
    return {};
  });
});

const statusWrite = () =>
  db
    .commandCalls(UpdateCommand)
    .map((c) => c.args[0].input)
    .find((input) => input.Key?.pk === tableKeys.complaint(complaintId).pk);

describe("a manager's complaint link", () => {
  it("shows what the complaint is about: service, customer, each answer under its question, the comment and the agent's note", async () => {
    const response = await handler(request('GET', link('acknowledge'), undefined, { json: false }), context);
    expect(response.statusCode).toBe(200);
    const body = response.body!;
    for (const text of [
      '确认收到投诉',
      '车辆维修 · RO-PH-2',
      '钱七',
      '售后服务部',
      '紧急',
      '您对本次服务的总体满意度',
      '1/5',
      '刹车异响没有修好，还多收了工时费',
      '客户情绪激动，要求店长回电',
      '2026年11月23日 10:00',
      'L1 部门经理',
    ]) {
      expect(body).toContain(text);
    }
    // No stored code reaches the reader.
    expect(body).not.toMatch(/\boverall\b|wantsComplaint|vehicle-repair|\burgent\b|after-sales/);
  });

  it("answers in the reader's language", async () => {
    const response = await handler(request('GET', link('resolve'), undefined, { json: false, language: 'en-GB,en;q=0.9' }), context);
    const body = response.body!;
    for (const text of [
      'Record the resolution',
      'Vehicle repair · RO-PH-2',
      'After-sales',
      'Urgent',
      'Overall, how satisfied are you with this service (1-5)?',
      'Agent&#39;s note',
      'What was done',
      '23 Nov 2026, 10:00',
    ]) {
      expect(body).toContain(text);
    }
  });

  it("refuses a resolution without a note, naming the field in the reader's language, and tells the workflow nothing", async () => {
    const zh = await handler(request('POST', link('resolve'), { note: '   ' }), context);
    expect(zh.statusCode).toBe(400);
    expect(parsed(zh)).toMatchObject({ code: 'invalid-field', field: 'note' });
    expect(parsed(zh).message).toContain('处理说明');
    const en = await handler(request('POST', link('resolve'), {}, { language: 'en' }), context);
    expect(parsed(en).message).toContain('What was done');
    const page = await handler(request('POST', link('resolve'), 'note=', { json: false }), context);
    expect(page.statusCode).toBe(400);
    expect(page.body).toMatch(/role="alert">[^<]*处理说明/);
    expect(sfn.commandCalls(SendTaskSuccessCommand)).toHaveLength(0);
    expect(db.commandCalls(PutCommand)).toHaveLength(0); // the link is not used up by a refused form
  });

  it('records an acknowledgement on the complaint once the workflow took it, so every reader sees it at once', async () => {
    const response = await handler(request('POST', link('acknowledge'), {}), context);
    expect(response.statusCode).toBe(200);
    expect(parsed(response)).toEqual({ code: 'acknowledged', message: '已确认收到，谢谢。' });
    expect(calls).toEqual(['workflow', 'complaint']);
    const write = statusWrite()!;
    expect(write.ConditionExpression).toContain('#status = :open');
    expect(write.ConditionExpression).toContain('#cycle = :cycle');
    expect(write.ExpressionAttributeValues).toMatchObject({ ':status': 'acknowledged', ':at': now.toISOString(), ':cycle': 1 });
  });

  it('records a resolution with its note; a write that comes after the escalation moved on changes nothing', async () => {
    db.on(UpdateCommand).rejects(new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} }));
    const resolution = '更换刹车片，退还工时费';
    const response = await handler(request('POST', link('resolve'), { note: resolution }), context);
    expect(response.statusCode).toBe(200);
    expect(JSON.parse(sfn.commandCalls(SendTaskSuccessCommand)[0]!.args[0].input.output!)).toMatchObject({
      result: 'resolved',
      note: resolution,
    });
    expect(statusWrite()!.ExpressionAttributeValues).toMatchObject({ ':status': 'resolved', ':resolution': resolution });
  });

  it('leaves the complaint as it was when the notice timed out before the manager acted', async () => {
    sfn.on(SendTaskSuccessCommand).rejects(new TaskTimedOut({ message: 'Task Timed Out', $metadata: {} }));
    const response = await handler(request('POST', link('acknowledge'), {}, { language: 'en' }), context);
    expect(response.statusCode).toBe(503);
    expect(parsed(response).message).toBe('The escalation moved on a moment ago. Please use the newest link.');
    expect(statusWrite()).toBeUndefined();
  });

  it("answers a second acknowledgement in the reader's language", async () => {
    db.on(GetCommand).resolves({
      Item: { ...tableKeys.complaint(complaintId), ...complaint, status: 'acknowledged', acknowledgedAt: now.toISOString() },
    });
    const zh = await handler(request('POST', link('acknowledge', 11002), {}), context);
    expect(zh.statusCode).toBe(409);
    expect(parsed(zh)).toEqual({ code: 'complaint-acknowledged', message: '这条投诉已经确认收到。' });
    const en = await handler(request('POST', link('acknowledge', 11002), {}, { language: 'en-US' }), context);
    expect(parsed(en).message).toBe('This complaint is already acknowledged.');
    const page = await handler(request('GET', link('acknowledge', 11002), undefined, { json: false, language: 'en' }), context);
    expect(page.body).toContain('Complaint already acknowledged');
    expect(sfn.commandCalls(SendTaskSuccessCommand)).toHaveLength(0);
  });
});

describe("the agent's note", () => {
  const agentLink = () => signLink({ followUpId, attempt: 1, purpose: 'agent', expiresAt: now.getTime() / 1000 + 3600 }, keys);
  const followUp = {
    followUpId,
    serviceType: 'vehicle-repair',
    serviceId: 'RO-PH-2',
    source: 'dealer.dms',
    round: 0,
    completedAt: '2026-11-20T07:00:00.000Z',
    customer: { id: 'C1', name: '钱七', phone: '+8613800138000' },
    status: 'scheduled',
    createdAt: '2026-11-20T07:00:00.000Z',
    attempts: [],
  };
  beforeEach(() => {
    db.on(QueryCommand).resolves({
      Items: [
        { ...tableKeys.followUp(followUpId), ...followUp },
        {
          ...tableKeys.attempt(followUpId, 1),
          followUpId,
          attempt: 1,
          channel: 'phone',
          taskToken: 'token-1',
          openedAt: now.toISOString(),
        },
      ],
    });
  });

  it('is a field of the outcome form, stored with the attempt, and never sent to the workflow', async () => {
    const form = await handler(request('GET', agentLink(), undefined, { json: false }), context);
    expect(form.body).toMatch(/坐席备注[^<]*<br><textarea name="note"/);
    const answers = { overall: 2, explained: 'no', wantsComplaint: 'yes' };
    const response = await handler(
      request('POST', agentLink(), { result: 'reached', answers, complaint: true, note: '  客户要求店长回电  ' }),
      context,
    );
    expect(response.statusCode).toBe(200);
    const stored = db.commandCalls(UpdateCommand)[0]!.args[0].input;
    expect(stored.ExpressionAttributeValues).toMatchObject({ ':note': '客户要求店长回电', ':answers': answers });
    const output = sfn.commandCalls(SendTaskSuccessCommand)[0]!.args[0].input.output!;
    expect(JSON.parse(output)).toMatchObject({ outcome: { result: 'reached' } });
    expect(output).not.toContain('店长');
  });

  it('is optional, and refused past 2,000 characters with the form kept', async () => {
    const answers = { overall: 5, explained: 'yes', wantsComplaint: 'no' };
    expect((await handler(request('POST', agentLink(), { result: 'reached', answers }), context)).statusCode).toBe(200);
    expect(db.commandCalls(UpdateCommand)[0]!.args[0].input.ExpressionAttributeValues![':note']).toBeNull();
    db.resetHistory();
    const tooLong = new URLSearchParams({ result: 'reached', note: '长'.repeat(2001), 'answers.overall': '5' }).toString();
    const long = await handler(request('POST', agentLink(), tooLong, { json: false }), context);
    expect(long.statusCode).toBe(400);
    expect(long.body).toMatch(/role="alert">[^<]*坐席备注/);
    expect(long.body).toContain('value="5" checked');
    expect(db.commandCalls(UpdateCommand)).toHaveLength(0);
  });
});
