import '../handlers/setup-env.js';
import { ConnectClient, StartTaskContactCommand, StopContactCommand } from '@aws-sdk/client-connect';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { SendTaskSuccessCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { awsContactChannels } from '../../functions/shared/adapters/contact-channels.js';
import { awsEventPublisher } from '../../functions/shared/adapters/event-publisher.js';
import { s3ReportArchive } from '../../functions/shared/adapters/report-archive.js';
import { awsWorkflow } from '../../functions/shared/adapters/workflow.js';
import { escalationConfig } from '../../functions/shared/config/escalation.js';
import { policyConfig } from '../../functions/shared/config/policies.js';
import type { Complaint } from '../../functions/shared/domain/complaint.js';
import { managerEmail, managerTask } from '../../functions/shared/domain/complaint-content.js';
import { agentTaskFor, surveyEmailFor } from '../../functions/shared/domain/contact-content.js';
import type { FollowUp } from '../../functions/shared/domain/follow-up.js';
import { awsConstraints, checkRequest, refuseByContract } from '../../local/cloud/contracts.js';

const task = {
  InstanceId: 'instance-1',
  ContactFlowId: 'flow-1',
  ClientToken: 'fu-1-1',
  Name: '回访：维修 (1)',
  Description: '话术：您好',
  References: { outcomeForm: { Type: 'URL', Value: 'https://links.example.com/links/abc' } },
  Attributes: { followUpId: 'fu-1', attempt: '1' },
};
const email = {
  FromEmailAddress: 'follow-up@example.com',
  Destination: { ToAddresses: ['c1@example.com'] },
  Content: { Simple: { Subject: { Data: '服务回访', Charset: 'UTF-8' }, Body: { Text: { Data: 'hello', Charset: 'UTF-8' } } } },
};
const entry = { EventBusName: 'customer-follow-up', Source: 'dealer.dms', DetailType: 'Service Completed', Detail: '{}' };
/** One regular expression written in pieces, so a long AWS message stays readable. */
const pattern = (...pieces: RegExp[]) => new RegExp(pieces.map((piece) => piece.source).join(''));

describe('the model constraints file', () => {
  it('records the model commit it was generated from and the operations the project calls', () => {
    expect(awsConstraints.source.commit).toMatch(/^[0-9a-f]{40}$/);
    expect(Object.keys(awsConstraints.services.connect!.operations)).toEqual(['StartTaskContact', 'StopContact']);
    expect(awsConstraints.services.connect!.operations.StartTaskContact).toMatchObject({
      http: { method: 'PUT', uri: '/contact/task' },
      validationError: { code: 'InvalidParameterException', status: 400 },
    });
    expect(awsConstraints.services.connect!.operations.StartTaskContact!.errors.ServiceQuotaExceededException).toBe(402);
    expect(awsConstraints.services.sesv2!.operations.SendEmail!.validationError.code).toBe('BadRequestException');
    expect(awsConstraints.services.eventbridge!.operations.PutEvents!.validationError.code).toBe('ValidationException');
    expect(awsConstraints.services.sfn!.targetPrefix).toBe('AWSStepFunctions');
  });
});

describe('checkRequest: Amazon Connect StartTaskContact', () => {
  it('accepts a well-formed task', () => {
    expect(checkRequest('connect', 'StartTaskContact', task)).toBeUndefined();
  });

  it('refuses a Name over the model length in AWS wording, without echoing the sensitive name', () => {
    const refusal = checkRequest('connect', 'StartTaskContact', { ...task, Name: '张'.repeat(1025) });
    expect(refusal).toEqual({
      code: 'InvalidParameterException',
      status: 400,
      message:
        "1 validation error detected: Value at 'name' failed to satisfy constraint: Member must have length less than or equal to 1024",
    });
  });

  it('counts length in code points, as Smithy does: 1024 emoji (2048 UTF-16 units) fit', () => {
    expect(checkRequest('connect', 'StartTaskContact', { ...task, Name: '😀'.repeat(1024) })).toBeUndefined();
    expect(checkRequest('connect', 'StartTaskContact', { ...task, Name: '😀'.repeat(1025) })?.message).toContain(
      'less than or equal to 1024',
    );
  });

  it('refuses a missing required member', () => {
    const { InstanceId: _, ...withoutInstance } = task;
    expect(checkRequest('connect', 'StartTaskContact', withoutInstance)?.message).toBe(
      "1 validation error detected: Value null at 'instanceId' failed to satisfy constraint: Member must not be null",
    );
  });

  it('refuses a reference type outside the enum', () => {
    const refusal = checkRequest('connect', 'StartTaskContact', {
      ...task,
      References: { outcomeForm: { Type: 'LINK', Value: 'https://x' } },
    });
    expect(refusal?.message).toBe(
      "1 validation error detected: Value 'LINK' at 'references.outcomeForm.member.type' failed to satisfy constraint: " +
        'Member must satisfy enum value set: [URL, ATTACHMENT, CONTACT_ANALYSIS, NUMBER, STRING, DATE, EMAIL, EMAIL_MESSAGE]',
    );
  });

  it('refuses a Description over 4096 characters', () => {
    expect(checkRequest('connect', 'StartTaskContact', { ...task, Description: 'x'.repeat(4096) })).toBeUndefined();
    expect(checkRequest('connect', 'StartTaskContact', { ...task, Description: 'x'.repeat(4097) })?.message).toBe(
      "1 validation error detected: Value at 'description' failed to satisfy constraint: " +
        'Member must have length less than or equal to 4096',
    );
  });

  it('refuses a reference Value over 4096 characters', () => {
    const refusal = checkRequest('connect', 'StartTaskContact', {
      ...task,
      References: { outcomeForm: { Type: 'URL', Value: `https://x/${'a'.repeat(4096)}` } },
    });
    expect(refusal?.message).toMatch(
      pattern(
        /^1 validation error detected: Value 'https:\/\/x\/a+\.\.\.' at 'references\.outcomeForm\.member\.value' /,
        /failed to satisfy constraint: Member must have length less than or equal to 4096$/,
      ),
    );
  });

  it('refuses Attributes whose keys or values break the map limits, naming the map once', () => {
    const refusal = checkRequest('connect', 'StartTaskContact', {
      ...task,
      Attributes: { '': 'a', big: 'v'.repeat(32_768), other: 'w'.repeat(40_000) },
    });
    expect(refusal?.message).toBe(
      "2 validation errors detected: Value at 'attributes' failed to satisfy constraint: " +
        'Map keys must satisfy constraint: [Member must have length greater than or equal to 1]; ' +
        "Value at 'attributes' failed to satisfy constraint: " +
        'Map value must satisfy constraint: [Member must have length less than or equal to 32767]',
    );
  });

  it('answers a wrong JSON type as a SerializationException, not a validation error', () => {
    expect(checkRequest('connect', 'StartTaskContact', { ...task, Name: 42 })).toMatchObject({
      code: 'SerializationException',
      message: "Expected string at 'name'",
    });
  });
});

describe('checkRequest: other services', () => {
  it('SES v2: a missing subject is a BadRequestException naming the nested member', () => {
    expect(checkRequest('sesv2', 'SendEmail', email)).toBeUndefined();
    const noSubject = { ...email, Content: { Simple: { Body: email.Content.Simple.Body } } };
    expect(checkRequest('sesv2', 'SendEmail', noSubject)).toEqual({
      code: 'BadRequestException',
      status: 400,
      message: "1 validation error detected: Value null at 'content.simple.subject' failed to satisfy constraint: Member must not be null",
    });
  });

  it('SES v2: the destination list and the sender are typed: a string where a list belongs is refused', () => {
    expect(checkRequest('sesv2', 'SendEmail', { ...email, Destination: { ToAddresses: 'c1@example.com' } })).toMatchObject({
      code: 'SerializationException',
      message: "Expected list at 'destination.toAddresses'",
    });
    expect(checkRequest('sesv2', 'SendEmail', { ...email, FromEmailAddress: ['a@example.com'] })).toMatchObject({
      code: 'SerializationException',
    });
  });

  it('EventBridge: 11 entries is one ValidationException for the whole request', () => {
    const refusal = checkRequest('eventbridge', 'PutEvents', { Entries: Array.from({ length: 11 }, () => entry) });
    expect(refusal).toEqual({
      code: 'ValidationException',
      status: 400,
      message:
        "1 validation error detected: Value at 'entries' failed to satisfy constraint: Member must have length less than or equal to 10",
    });
    expect(checkRequest('eventbridge', 'PutEvents', { Entries: Array.from({ length: 10 }, () => entry) })).toBeUndefined();
  });

  it('EventBridge: a bus name breaking the pattern is named with its entry index', () => {
    expect(checkRequest('eventbridge', 'PutEvents', { Entries: [entry, { ...entry, EventBusName: 'bus with spaces' }] })?.message).toMatch(
      pattern(
        /^1 validation error detected: Value 'bus with spaces' at 'entries\.2\.member\.eventBusName' /,
        /failed to satisfy constraint: Member must satisfy regular expression pattern: /,
      ),
    );
  });

  it('Step Functions: an execution name over 80 characters', () => {
    expect(
      checkRequest('sfn', 'StartExecution', {
        stateMachineArn: 'arn:aws:states:us-east-1:1:stateMachine:F',
        name: 'n'.repeat(81),
        input: '{}',
      })?.message,
    ).toBe(
      `1 validation error detected: Value '${'n'.repeat(64)}...' at 'name' failed to satisfy constraint: ` +
        'Member must have length less than or equal to 80',
    );
  });

  it('S3: an enum bound to a header is checked with its wire value', () => {
    expect(checkRequest('s3', 'PutObject', { Bucket: 'b', Key: 'k', ServerSideEncryption: 'aws:kms' })).toBeUndefined();
    expect(checkRequest('s3', 'PutObject', { Bucket: 'b', Key: 'k', ServerSideEncryption: 'AES-256' })?.code).toBe('InvalidArgument');
  });

  it('stays fast: a task request checks in a few microseconds', () => {
    checkRequest('connect', 'StartTaskContact', task);
    const started = performance.now();
    for (let i = 0; i < 10_000; i += 1) checkRequest('connect', 'StartTaskContact', task);
    expect((performance.now() - started) / 10_000).toBeLessThan(0.1);
  });
});

describe('refuseByContract: the wire', () => {
  const json = (value: unknown) => Buffer.from(JSON.stringify(value));

  it('answers awsJson with __type and x-amzn-errortype', () => {
    const refused = refuseByContract({
      method: 'POST',
      url: '/',
      headers: { 'x-amz-target': 'AWSEvents.PutEvents' },
      body: json({ Entries: [] }),
    });
    expect(refused).toMatchObject({
      status: 400,
      headers: { 'x-amzn-errortype': 'ValidationException', 'content-type': 'application/x-amz-json-1.1' },
    });
    expect(JSON.parse(refused!.body)).toEqual({
      __type: 'ValidationException',
      message:
        "1 validation error detected: Value at 'entries' failed to satisfy constraint: Member must have length greater than or equal to 1",
    });
  });

  it('finds REST operations by method and URI template and answers restJson with the header and {message}', () => {
    const refused = refuseByContract({ method: 'PUT', url: '/contact/task', headers: {}, body: json({ ...task, Name: undefined }) });
    expect(refused).toMatchObject({ status: 400, headers: { 'x-amzn-errortype': 'InvalidParameterException' } });
    expect(JSON.parse(refused!.body)).toEqual({
      message: "1 validation error detected: Value null at 'name' failed to satisfy constraint: Member must not be null",
    });
    expect(refuseByContract({ method: 'PUT', url: '/contact/task', headers: {}, body: json(task) })).toBeUndefined();
  });

  it('reads S3 members from the path and headers and answers in XML', () => {
    const ok = {
      method: 'PUT',
      url: '/reports/monthly/2026-11.html?x-id=PutObject',
      headers: { 'x-amz-server-side-encryption': 'AES256' },
      body: Buffer.from('<html>'),
    };
    expect(refuseByContract(ok)).toBeUndefined();
    const refused = refuseByContract({ ...ok, headers: { 'x-amz-server-side-encryption': 'DES' } });
    expect(refused).toMatchObject({ status: 400, headers: { 'content-type': 'application/xml' } });
    expect(refused!.body).toContain('<Code>InvalidArgument</Code>');
  });

  it('passes operations outside the model file untouched', () => {
    expect(
      refuseByContract({ method: 'POST', url: '/', headers: { 'x-amz-target': 'AWSStepFunctions.ListExecutions' }, body: json({}) }),
    ).toBeUndefined();
  });
});

describe('every request the handlers send passes the contracts', () => {
  const connect = mockClient(ConnectClient);
  const ses = mockClient(SESv2Client);
  const events = mockClient(EventBridgeClient);
  const sfn = mockClient(SFNClient);
  const s3 = mockClient(S3Client);
  beforeEach(() => {
    for (const mock of [connect, ses, events, sfn, s3]) mock.reset();
    connect.on(StartTaskContactCommand).resolves({ ContactId: 'c-1' });
    connect.on(StopContactCommand).resolves({});
    ses.on(SendEmailCommand).resolves({ MessageId: 'm-1' });
    events.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e' }] });
    sfn.on(StartExecutionCommand).resolves({ executionArn: 'arn' });
    sfn.on(SendTaskSuccessCommand).resolves({});
    s3.on(PutObjectCommand).resolves({});
  });

  // A long name and a long description in Chinese: the largest content the builders make.
  const followUp: FollowUp = {
    followUpId: 'fu-0123456789abcdef0123456789abcdef',
    source: 'dealer.dms',
    serviceId: 'RO-1',
    serviceType: 'vehicle-repair',
    round: 0,
    completedAt: '2026-11-20T07:00:00.000Z',
    customer: { id: 'C1', name: '欧阳'.repeat(40), phone: '+8613800138000', email: 'zhao@example.com' },
    departmentId: 'service',
    status: 'scheduled',
    createdAt: '2026-11-20T07:00:00.000Z',
    attempts: [],
  };
  const complaint: Complaint = {
    complaintId: 'cp-0123456789abcdef',
    followUpId: followUp.followUpId,
    serviceType: 'vehicle-repair',
    serviceId: 'RO-1',
    customer: followUp.customer,
    customerSource: 'dealer.dms',
    departmentId: 'service',
    severity: 'major',
    status: 'open',
    cycle: 1,
    level: 2,
    notices: 3,
    raisedAt: '2026-11-23T01:00:00.000Z',
    acknowledgeBy: '2026-11-24T01:00:00.000Z',
    resolveBy: '2026-11-24T01:00:00.000Z',
    complaintQuestions: ['overall', 'explained'],
    repeat: false,
    history: [],
  } as Complaint;
  const link = `https://links.example.com/links/${'x'.repeat(300)}`;

  it('Connect tasks (follow-up and manager) and SES emails built by the content builders', async () => {
    const survey = policyConfig.surveys[policyConfig.policies[followUp.serviceType]!.survey]!;
    await awsContactChannels.startAgentTask(agentTaskFor(followUp, policyConfig, survey, 3, link));
    await awsContactChannels.startAgentTask(
      managerTask(complaint, 2, 3, 'complaints-l2', { acknowledge: link, resolve: link }, policyConfig, escalationConfig),
    );
    await awsContactChannels.sendEmail(surveyEmailFor(followUp, policyConfig, link, 72, link));
    await awsContactChannels.sendEmail(
      managerEmail(complaint, 'manager@example.com', 2, 3, true, { acknowledge: link, resolve: link }, policyConfig, escalationConfig),
    );
    const requests = [
      ...connect.commandCalls(StartTaskContactCommand).map((c) => ['connect', 'StartTaskContact', c.args[0].input] as const),
      ...ses.commandCalls(SendEmailCommand).map((c) => ['sesv2', 'SendEmail', c.args[0].input] as const),
    ];
    expect(requests).toHaveLength(4);
    for (const [service, operation, input] of requests)
      expect(checkRequest(service, operation, input), `${service}.${operation}`).toBeUndefined();
  });

  it('events, executions, task answers and report archives', async () => {
    await awsEventPublisher.publish('Follow-up Completed', { followUpId: followUp.followUpId, status: 'completed' });
    await awsWorkflow.startFollowUp(followUp.followUpId, { followUpId: followUp.followUpId, action: 'contact', attempt: 1 });
    await awsWorkflow.completeTask(`token-${'t'.repeat(500)}`, { result: 'reached', answers: { overall: 5 } });
    await s3ReportArchive.put('monthly/2026-11.html', '<html></html>', 'text/html');
    const requests = [
      ...events.commandCalls(PutEventsCommand).map((c) => ['eventbridge', 'PutEvents', c.args[0].input] as const),
      ...sfn.commandCalls(StartExecutionCommand).map((c) => ['sfn', 'StartExecution', c.args[0].input] as const),
      ...sfn.commandCalls(SendTaskSuccessCommand).map((c) => ['sfn', 'SendTaskSuccess', c.args[0].input] as const),
      ...s3.commandCalls(PutObjectCommand).map((c) => ['s3', 'PutObject', c.args[0].input] as const),
    ];
    expect(requests).toHaveLength(4);
    for (const [service, operation, input] of requests)
      expect(checkRequest(service, operation, input), `${service}.${operation}`).toBeUndefined();
  });
});
