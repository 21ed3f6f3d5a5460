import { beforeAll, describe, expect, it } from 'vitest';
import { type Principal, TemplateIam } from '../../local/cloud/iam.js';
import { arnOf, LOCAL_ACCOUNT, LOCAL_API_ID, resolve, resourcesOfType, synthesizeTemplate, type Template } from '../../local/template.js';
import { alarmNotificationRequests, cloudwatch } from '../support/alarm-notifications.js';

/** The template's IAM as the local cloud evaluates it: what each role and service may do, and nothing more. */
let template: Template;
let iam: TemplateIam;
const role = (functionLogicalIdPrefix: string): Principal => {
  const [logicalId] = resourcesOfType(template, 'AWS::Lambda::Function').find(([id]) => id.startsWith(functionLogicalIdPrefix))!;
  return { kind: 'role', roleArn: iam.roleOf.get(arnOf(template, logicalId))!, sessionName: logicalId };
};
const arnOfType = (type: string, prefix = '') => arnOf(template, resourcesOfType(template, type).find(([id]) => id.startsWith(prefix))![0]);
const allowed = async (principal: Principal, action: string, resource: string, context?: Record<string, string | string[]>) =>
  (await iam.decide(principal, { action, resource, context })).allowed;

beforeAll(() => {
  template = synthesizeTemplate();
  iam = new TemplateIam(template);
});

describe("the template's IAM, evaluated locally", () => {
  it('lets Contact answer task tokens on the FollowUp state machine, Plan only with success (a released matter), Record not', async () => {
    const followUp = arnOfType('AWS::StepFunctions::StateMachine', 'FollowUp');
    expect(await allowed(role('FollowUpContact'), 'states:SendTaskSuccess', followUp)).toBe(true);
    expect(await allowed(role('FollowUpPlan'), 'states:SendTaskSuccess', followUp)).toBe(true);
    expect(await allowed(role('FollowUpPlan'), 'states:SendTaskFailure', followUp)).toBe(false);
    expect(await allowed(role('FollowUpRecord'), 'states:SendTaskSuccess', followUp)).toBe(false);
  });

  it('refuses with the AccessDeniedException AWS returns, naming the principal, the action and the resource', async () => {
    const table = arnOfType('AWS::DynamoDB::Table');
    const principalPattern = `arn:aws:sts::${LOCAL_ACCOUNT}:assumed-role/[^/]+/ReportsSend\\w*`;
    const tablePattern = table.replace(/[/.]/g, '\\$&');
    await expect(iam.authorize(role('ReportsSend'), { action: 'dynamodb:PutItem', resource: table })).rejects.toMatchObject({
      code: 'AccessDeniedException',
      message: expect.stringMatching(
        new RegExp(
          `^User: ${principalPattern} is not authorized to perform: dynamodb:PutItem on resource: ${tablePattern} ` +
            'because no identity-based policy allows the dynamodb:PutItem action$',
        ),
      ),
    });
    expect(await allowed(role('ReportsSend'), 'dynamodb:Query', table)).toBe(true);
  });

  it('lets Record and intake (a follow-up the sample leaves out) publish on the follow-up bus only', async () => {
    const bus = arnOfType('AWS::Events::EventBus');
    for (const publisher of ['FollowUpRecord', 'IngestServiceCompleted']) {
      expect(await allowed(role(publisher), 'events:PutEvents', bus)).toBe(true);
      expect(await allowed(role(publisher), 'events:PutEvents', bus.replace(/event-bus\/.*/, 'event-bus/default'))).toBe(false);
    }
    expect(await allowed(role('IngestOptOut'), 'events:PutEvents', bus)).toBe(false);
  });

  it('lets EventBridge invoke the ingest function from its own rule and from no other', async () => {
    const ingest = arnOfType('AWS::Lambda::Function', 'IngestServiceCompleted');
    const ruleArn = arnOfType('AWS::Events::Rule', 'IngestServiceCompleted');
    const otherRule = arnOfType('AWS::Events::Rule', 'IngestCustomerOptedOut');
    const events: Principal = { kind: 'service', service: 'events.amazonaws.com' };
    expect(await allowed(events, 'lambda:InvokeFunction', ingest, { 'aws:SourceArn': ruleArn })).toBe(true);
    expect(await allowed(events, 'lambda:InvokeFunction', ingest, { 'aws:SourceArn': otherRule })).toBe(false);
  });

  it('lets API Gateway invoke the outcome API function for its routes only', async () => {
    const [logicalId] = resourcesOfType(template, 'AWS::ApiGatewayV2::Integration')[0]!;
    const functionArn = String(resolve(template, template.Resources[logicalId]!.Properties!.IntegrationUri));
    const apigateway: Principal = { kind: 'service', service: 'apigateway.amazonaws.com' };
    const source = (api: string, route: string) => ({
      'aws:SourceArn': `arn:aws:execute-api:us-east-1:${LOCAL_ACCOUNT}:${api}/$default/${route}`,
    });
    expect(await allowed(apigateway, 'lambda:InvokeFunction', functionArn, source(LOCAL_API_ID, 'POST/links/{token}'))).toBe(true);
    expect(await allowed(apigateway, 'lambda:InvokeFunction', functionArn, source('otherapi', 'POST/links/{token}'))).toBe(false);
  });

  it("lets each schedule's role invoke its target and write its dead-letter queue", async () => {
    for (const [, schedule] of resourcesOfType(template, 'AWS::Scheduler::Schedule')) {
      const target = resolve(template, schedule.Properties!.Target) as { Arn: string; RoleArn: string; DeadLetterConfig?: { Arn: string } };
      const scheduler: Principal = { kind: 'role', roleArn: target.RoleArn, sessionName: 'scheduler' };
      expect(await allowed(scheduler, 'lambda:InvokeFunction', target.Arn)).toBe(true);
      if (target.DeadLetterConfig) expect(await allowed(scheduler, 'sqs:SendMessage', target.DeadLetterConfig.Arn)).toBe(true);
    }
  });

  it('lets EventBridge dead-letter every rule target it cannot deliver', async () => {
    const events: Principal = { kind: 'service', service: 'events.amazonaws.com' };
    for (const [logicalId, rule] of resourcesOfType(template, 'AWS::Events::Rule')) {
      for (const target of resolve(template, rule.Properties!.Targets) as { DeadLetterConfig?: { Arn: string } }[]) {
        if (target.DeadLetterConfig)
          expect(
            await allowed(events, 'sqs:SendMessage', target.DeadLetterConfig.Arn, { 'aws:SourceArn': arnOf(template, logicalId) }),
            logicalId,
          ).toBe(true);
      }
    }
  });

  it("lets CloudWatch publish every alarm to its topic, through the topic's encryption key", async () => {
    const requests = alarmNotificationRequests(template);
    expect(requests.length).toBeGreaterThan(0);
    for (const { alarm, request } of requests) {
      expect(
        await allowed(cloudwatch, request.action, request.resource, request.context),
        `${alarm}: ${request.action} on ${request.resource}`,
      ).toBe(true);
    }
  });

  it('lets send-report archive under reports/ over TLS only', async () => {
    const bucket = arnOf(
      template,
      resourcesOfType(template, 'AWS::S3::Bucket').find(([id]) => id.startsWith('ReportsArchive') && !id.includes('Access'))![0],
    );
    expect(await allowed(role('ReportsSend'), 's3:PutObject', `${bucket}/reports/monthly/2026-10/report.html`)).toBe(true);
    expect(await allowed(role('ReportsSend'), 's3:PutObject', `${bucket}/elsewhere/x`)).toBe(false);
    expect(await allowed(role('ReportsSend'), 's3:PutObject', `${bucket}/reports/x`, { 'aws:SecureTransport': 'false' })).toBe(false);
  });

  it("lets every function's role write its own logs and traces", async () => {
    for (const [logicalId, fn] of resourcesOfType(template, 'AWS::Lambda::Function')) {
      const props = resolve(template, fn.Properties) as { Role: string; LoggingConfig?: { LogGroup?: string } };
      const principal: Principal = { kind: 'role', roleArn: props.Role, sessionName: logicalId };
      const logGroup = props.LoggingConfig?.LogGroup ?? `/aws/lambda/${logicalId}`;
      const stream = `arn:aws:logs:us-east-1:${LOCAL_ACCOUNT}:log-group:${logGroup}:log-stream:s`;
      expect(await allowed(principal, 'logs:PutLogEvents', stream), logicalId).toBe(true);
      expect(await allowed(principal, 'xray:PutTraceSegments', '*'), logicalId).toBe(true);
    }
  });
});
