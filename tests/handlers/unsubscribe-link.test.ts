import './setup-env.js';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { handler } from '../../functions/outcome-api/handler.js';
import { awsContactChannels } from '../../functions/shared/adapters/contact-channels.js';
import { keys as tableKeys } from '../../functions/shared/adapters/table.js';
import { useClock } from '../../functions/shared/clock.js';
import { policyConfig } from '../../functions/shared/config/policies.js';
import { surveyEmailFor } from '../../functions/shared/domain/contact-content.js';
import type { FollowUp } from '../../functions/shared/domain/follow-up.js';
import { signLink } from '../../functions/shared/domain/signed-link.js';

const db = mockClient(DynamoDBDocumentClient);
const secrets = mockClient(SecretsManagerClient);
const ses = mockClient(SESv2Client);
const context = { awsRequestId: 'r1', functionName: 'outcome-api' } as never;
const now = new Date('2026-11-23T02:00:00Z');
useClock(() => now);
const id = 'fu-0123456789abcdef0123456789abcdef';
const keys = { current: { id: 'k1', secret: 'a-very-secret-signing-key' }, previous: [] };
const followUp = {
  followUpId: id,
  serviceType: 'hospital-discharge',
  serviceId: 'D-1',
  source: 'hospital.his',
  round: 0,
  completedAt: '2026-11-20T07:00:00.000Z',
  customer: { id: 'P-1', name: 'Ann Lee', email: 'ann@example.com', locale: 'en' },
  status: 'scheduled',
  createdAt: '2026-11-20T07:00:00.000Z',
  attempts: [],
} as FollowUp;
const token = (expiresAt = now.getTime() / 1000 + 180 * 86_400) =>
  signLink({ followUpId: id, attempt: 1, purpose: 'unsubscribe', expiresAt }, keys);

function request(method: string, tokenValue: string, body?: string, headers: Record<string, string> = {}): APIGatewayProxyEventV2 {
  return {
    version: '2.0',
    routeKey: `${method} /links/{token}`,
    rawPath: `/links/${tokenValue}`,
    rawQueryString: '',
    headers,
    pathParameters: { token: tokenValue },
    requestContext: { http: { method } } as never,
    body,
    isBase64Encoded: false,
  };
}
const optOuts = () =>
  db
    .commandCalls(PutCommand)
    .map((c) => c.args[0].input.Item!)
    .filter((item) => item.kind === 'OptOut');

beforeEach(() => {
  for (const mock of [db, secrets, ses]) mock.reset();
  secrets.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify({ currentId: 'k1', current: keys.current.secret }) });
  db.on(GetCommand).resolves({ Item: { ...tableKeys.followUp(id), ...followUp } });
  db.on(PutCommand).resolves({});
});

describe('the unsubscribe link', () => {
  it('shows a confirmation page in the customer language on GET and records nothing', async () => {
    const response = await handler(request('GET', token()), context);
    expect(response.statusCode).toBe(200);
    expect(response.body).toContain('Unsubscribe from follow-ups');
    expect(response.body).toContain('name="List-Unsubscribe" value="One-Click"');
    expect(optOuts()).toHaveLength(0);
  });

  it("records the opt-out on an RFC 8058 one-click POST, under the follow-up's source, for good", async () => {
    const response = await handler(
      request('POST', token(), 'List-Unsubscribe=One-Click', { 'content-type': 'application/x-www-form-urlencoded' }),
      context,
    );
    expect(response.statusCode).toBe(200);
    expect(response.body).toContain('You are unsubscribed');
    expect(optOuts()).toEqual([
      expect.objectContaining({ ...tableKeys.optOut({ source: 'hospital.his', id: 'P-1' }), kind: 'OptOut', at: now.toISOString() }),
    ]);
    expect(optOuts()[0]!.expiresAt).toBeUndefined();
  });

  it('works long after the survey link stopped, and answers a forged or stale link without recording', async () => {
    expect(policyConfig.unsubscribeLinkValidityDays * 24).toBeGreaterThan(policyConfig.linkValidityHours);
    expect((await handler(request('POST', token(now.getTime() / 1000 - 1)), context)).statusCode).toBe(410);
    const forged = token().replace(/.$/, (c) => (c === 'A' ? 'B' : 'A'));
    expect((await handler(request('POST', forged), context)).statusCode).toBe(403);
    const wrongBody = await handler(
      request('POST', token(), 'List-Unsubscribe=Later', {
        'content-type': 'application/x-www-form-urlencoded',
        accept: 'application/json',
      }),
      context,
    );
    expect(wrongBody.statusCode).toBe(400);
    expect(JSON.parse(wrongBody.body!)).toMatchObject({ code: 'invalid-field', message: expect.stringContaining('List-Unsubscribe') });
    expect(optOuts()).toHaveLength(0);
  });
});

describe('survey emails carry a one-click unsubscribe', () => {
  it('sends List-Unsubscribe and List-Unsubscribe-Post through SES v2 and links the body', async () => {
    ses.on(SendEmailCommand).resolves({ MessageId: 'm-1' });
    const url = `https://links.example.com/links/${token()}`;
    await awsContactChannels.sendEmail(surveyEmailFor(followUp, policyConfig, 'https://links.example.com/links/survey', 72, url));
    const simple = ses.commandCalls(SendEmailCommand)[0]!.args[0].input.Content!.Simple!;
    expect(simple.Headers).toEqual([
      { Name: 'List-Unsubscribe', Value: `<${url}>` },
      { Name: 'List-Unsubscribe-Post', Value: 'List-Unsubscribe=One-Click' },
    ]);
    expect(simple.Body!.Html!.Data).toContain(`href="${url}"`);
    expect(simple.Body!.Text!.Data).toContain(url);
    expect(simple.Body!.Text!.Data).not.toMatch(/reply/i);
  });
});
