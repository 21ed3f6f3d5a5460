import './setup-env.js';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { MessageRejected, SESv2Client, SendEmailCommand, TooManyRequestsException } from '@aws-sdk/client-sesv2';
import { DynamoDBDocumentClient, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { handler } from '../../functions/send-report/handler.js';
import { keys } from '../../functions/shared/adapters/table.js';
import { useClock } from '../../functions/shared/clock.js';
import { countersOf } from '../../functions/shared/domain/kpi.js';

const db = mockClient(DynamoDBDocumentClient);
const ses = mockClient(SESv2Client);
const s3 = mockClient(S3Client);
const context = { awsRequestId: 'r1', functionName: 'report' } as never;
const delivered = new Set<string>();
useClock(() => new Date('2026-11-01T01:00:00Z')); // 09:00 on 1 November in Shanghai: October's report

const item = (day: string, subject: string, departmentId: string, status: 'completed' | 'unreachable') => ({
  ...keys.aggregate(day, subject, departmentId, 0),
  kind: 'Aggregate',
  day,
  subject,
  departmentId,
  counted: new Set(['x']),
  ...countersOf({ serviceType: subject, status, attempts: 2, onTime: true, scores: { overall: 4 }, complaint: false }),
});

beforeEach(() => {
  for (const mock of [db, ses, s3]) mock.reset();
  db.on(QueryCommand).callsFake((input: { ExpressionAttributeValues: { ':pk': string } }) => {
    const day = input.ExpressionAttributeValues[':pk'].slice(4);
    if (day === '2026-10-15')
      return {
        Items: [item(day, 'vehicle-repair', 'after-sales', 'completed'), item(day, 'hospital-discharge', 'surgery', 'unreachable')],
      };
    if (day === '2026-09-10') return { Items: [item(day, 'vehicle-repair', 'after-sales', 'completed')] };
    return { Items: [] };
  });
  ses.on(SendEmailCommand).resolves({ MessageId: 'm' });
  delivered.clear();
  // Rate slots always have room; report deliveries are claimed and released as DynamoDB would.
  db.on(UpdateCommand).callsFake((input: { Key: { pk: string; sk: string }; UpdateExpression: string }) => {
    if (input.Key.pk === keys.rateChannelPk('email')) return { Attributes: { reserved: 1 } };
    const id = `${input.Key.pk}/${input.Key.sk}`;
    if (input.UpdateExpression.startsWith('REMOVE')) return void delivered.delete(id);
    if (delivered.has(id))
      throw new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: { httpStatusCode: 400 } });
    delivered.add(id);
    return {};
  });
  s3.on(PutObjectCommand).resolves({});
});

describe('send-report handler', () => {
  it("takes an email send slot before each message, so two recipients in one run stay within SES's rate", async () => {
    await handler({ kind: 'daily' }, context);
    const slots = db
      .commandCalls(UpdateCommand)
      .map((c) => c.args[0].input.Key)
      .filter((key) => key?.pk === keys.rateChannelPk('email'));
    expect(slots).toHaveLength(ses.commandCalls(SendEmailCommand).length);
    expect(slots.length).toBeGreaterThan(1);
  });

  it('emails nobody twice when the Scheduler retries a run that failed half way', async () => {
    ses
      .on(SendEmailCommand)
      .resolvesOnce({ MessageId: 'm1' })
      .rejectsOnce(new TooManyRequestsException({ message: 'Maximum sending rate exceeded.', $metadata: { httpStatusCode: 429 } }));
    await expect(handler({ kind: 'daily' }, context)).rejects.toThrow('Maximum sending rate exceeded.');
    ses.on(SendEmailCommand).resolves({ MessageId: 'm2' });
    await handler({ kind: 'daily' }, context);
    const to = ses.commandCalls(SendEmailCommand).map((c) => c.args[0].input.Destination?.ToAddresses?.[0]);
    // The first recipient once; the second refused (throttled) and then sent by the retry.
    expect(to).toEqual(['follow-up-lead@example.com', 'after-sales-manager@example.com', 'after-sales-manager@example.com']);
  });

  it('still reports to the others when SES refuses one address for good', async () => {
    ses
      .on(SendEmailCommand)
      .rejectsOnce(new MessageRejected({ message: 'Email address is not verified.', $metadata: { httpStatusCode: 400 } }))
      .resolves({ MessageId: 'm' });
    const result = await handler({ kind: 'daily' }, context);
    expect(result).toMatchObject({ recipients: 2, rejected: 1 });
    expect(ses.commandCalls(SendEmailCommand)).toHaveLength(2);
    expect(s3.commandCalls(PutObjectCommand)).toHaveLength(2);
  });

  it('reads one query per day of the month and of the month before, never a scan', async () => {
    const result = await handler({ kind: 'monthly' }, context);
    expect(result.period).toBe('2026-10');
    expect(db.commandCalls(QueryCommand)).toHaveLength(31 + 30);
  });

  it('emails each monthly recipient in their language, HTML and plain text, with their departments', async () => {
    await handler({ kind: 'monthly' }, context);
    const mails = ses.commandCalls(SendEmailCommand).map((c) => c.args[0].input);
    expect(mails.map((m) => m.Destination?.ToAddresses?.[0])).toEqual(['follow-up-lead@example.com', 'general-manager@example.com']);
    expect(mails[0]!.Content?.Simple?.Subject?.Data).toBe('回访月报 2026-10');
    expect(mails[1]!.Content?.Simple?.Subject?.Data).toBe('Monthly follow-up report 2026-10');
    // Text and HTML bodies: SES sends them as multipart/alternative.
    const body = mails[1]!.Content?.Simple?.Body;
    expect(body?.Text?.Data).toContain('Follow-ups finished: 2 (previous 1)');
    // Charts are table cells mail clients keep: no SVG, no script, no image to fetch.
    expect(body?.Html?.Data).toContain('role="img" aria-label="Reach rate"');
    expect(body?.Html?.Data).not.toMatch(/<svg|<script|<img/);
    // The archive is named, not linked: no link to a server that is gone when the mail is read.
    expect(body?.Html?.Data).toContain('reports/monthly/2026-10/report.html');
    expect(body?.Html?.Data).not.toMatch(/href=/);
  });

  it('archives the whole report as HTML and CSV under its period', async () => {
    await handler({ kind: 'monthly' }, context);
    const puts = s3.commandCalls(PutObjectCommand).map((c) => c.args[0].input);
    expect(puts.map((p) => [p.Bucket, p.Key, p.ContentType])).toEqual([
      ['follow-up-reports', 'reports/monthly/2026-10/report.html', 'text/html; charset=utf-8'],
      ['follow-up-reports', 'reports/monthly/2026-10/report.csv', 'text/csv; charset=utf-8'],
    ]);
    expect(String(puts[1]!.Body)).toContain('serviceType,hospital-discharge,status.unreachable,1');
    expect(puts[0]!.ServerSideEncryption).toBe('AES256');
  });

  it("sends the after-sales manager's daily report with only their departments", async () => {
    useClock(() => new Date('2026-10-16T00:00:00Z'));
    await handler({ kind: 'daily' }, context);
    const mail = ses
      .commandCalls(SendEmailCommand)
      .map((c) => c.args[0].input)
      .find((m) => m.Destination?.ToAddresses?.[0] === 'after-sales-manager@example.com')!;
    expect(mail.Content?.Simple?.Body?.Text?.Data).toContain('已结束回访: 1');
    expect(mail.Content?.Simple?.Body?.Text?.Data).toContain('部门：售后服务部、钣喷车间');
    useClock(() => new Date('2026-11-01T01:00:00Z'));
  });

  it('refuses a period of the wrong kind, naming it', async () => {
    await expect(handler({ kind: 'weekly', period: '2026-10' }, context)).rejects.toThrow('"2026-10" is not a weekly period');
  });
});
