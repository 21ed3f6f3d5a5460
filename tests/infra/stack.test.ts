import { beforeAll, describe, expect, it } from 'vitest';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import { buildApp } from '../../infra/app.js';

/** The synthesized stack (bundling skipped for speed) checked as CloudFormation and by cdk-nag. */
let template: Template;
beforeAll(() => {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const { stack } = buildApp({ app, nag: false });
  template = Template.fromStack(stack);
});

const policiesOf = (rolePrefix: string) =>
  JSON.stringify(Object.entries(template.findResources('AWS::IAM::Policy')).filter(([id]) => id.startsWith(rolePrefix)).map(([, r]) => r));

describe('infrastructure', () => {
  it('passes cdk-nag AwsSolutions with every finding either fixed or acknowledged with a reason', () => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    buildApp({ app, nag: true });
    expect(() => app.synth()).not.toThrow();
  });

  it('would fail the synth on an unacknowledged finding (the check is live)', () => {
    const app = new App();
    new sqs.Queue(new Stack(app, 'Probe'), 'Queue');
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    expect(() => app.synth()).toThrow(/AwsSolutions-SQS4/);
  });

  it('keeps follow-ups in an encrypted table with point-in-time recovery and TTL', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      BillingMode: 'PAY_PER_REQUEST',
      SSESpecification: { SSEEnabled: true },
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
    });
  });

  it('runs every function on Node 22, arm64, with tracing', () => {
    const functions = template.findResources('AWS::Lambda::Function');
    expect(Object.keys(functions)).toHaveLength(11);
    for (const fn of Object.values(functions)) {
      expect(fn.Properties).toMatchObject({ Runtime: 'nodejs22.x', Architectures: ['arm64'], TracingConfig: { Mode: 'Active' } });
    }
  });

  it('puts a dead-letter queue behind every EventBridge target and every asynchronously invoked function', () => {
    const rules = Object.values(template.findResources('AWS::Events::Rule'));
    expect(rules.length).toBeGreaterThanOrEqual(2);
    for (const rule of rules) {
      for (const target of rule.Properties.Targets) expect(target.DeadLetterConfig?.Arn).toBeDefined();
    }
    template.hasResourceProperties('AWS::Lambda::Function', { Handler: 'index.handler', DeadLetterConfig: { TargetArn: Match.anyValue() } });
    template.hasResourceProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true });
  });

  it('defines the FollowUp workflow with a callback task that always times out, logged and traced', () => {
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      StateMachineType: 'STANDARD',
      TracingConfiguration: { Enabled: true },
      LoggingConfiguration: Match.objectLike({ Level: 'ALL', IncludeExecutionData: false }),
    });
    const [machine] = Object.values(template.findResources('AWS::StepFunctions::StateMachine'));
    const definition = JSON.stringify(machine!.Properties.DefinitionString);
    expect(definition).toContain('lambda:invoke.waitForTaskToken');
    expect(definition).toContain('TimeoutSecondsPath');
    expect(definition).toContain('ThrottlingException');
  });

  it('grants least privilege: only intake starts executions, only the outcome API and contact resume them', () => {
    expect(policiesOf('IngestServiceCompleted')).toContain('states:StartExecution');
    expect(policiesOf('OutcomeApiHandler')).toContain('states:SendTaskSuccess');
    expect(policiesOf('FollowUpPlan')).not.toContain('states:');
    expect(policiesOf('FollowUpPlan')).not.toContain('connect:');
    expect(policiesOf('FollowUpContact')).toContain('connect:StartTaskContact');
    expect(policiesOf('FollowUpContact')).toContain('ses:SendEmail');
    expect(policiesOf('FollowUpRecord')).toContain('events:PutEvents');
    expect(policiesOf('IngestOptOut')).not.toContain('states:');
    for (const role of Object.values(template.findResources('AWS::IAM::Role'))) expect(role.Properties.ManagedPolicyArns).toBeUndefined();
  });

  it('serves the signed links on an HTTP API with access logs and throttling', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: 'GET /links/{token}' });
    template.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: 'POST /links/{token}' });
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', { AccessLogSettings: Match.objectLike({ DestinationArn: Match.anyValue() }), DefaultRouteSettings: Match.objectLike({ ThrottlingRateLimit: 50 }) });
    template.resourceCountIs('AWS::SecretsManager::Secret', 1);
  });

  it('schedules the daily, weekly and monthly reports and the dormant run in the report time zone, with a DLQ', () => {
    const schedules = Object.values(template.findResources('AWS::Scheduler::Schedule')).map((r) => r.Properties);
    expect(schedules.map((s) => [s.ScheduleExpression, s.ScheduleExpressionTimezone, s.Target.Input])).toEqual([
      ['cron(0 8 * * ? *)', 'Asia/Shanghai', '{"kind":"daily"}'],
      ['cron(30 8 ? * MON *)', 'Asia/Shanghai', '{"kind":"weekly"}'],
      ['cron(0 9 1 * ? *)', 'Asia/Shanghai', '{"kind":"monthly"}'],
      ['cron(0 10 2 * ? *)', 'Asia/Shanghai', '{"run":"dormant"}'],
    ]);
    for (const s of schedules) expect(s.Target.DeadLetterConfig?.Arn).toBeDefined();
  });

  it('keeps archived reports encrypted, private and for at least two years', () => {
    const buckets = Object.values(template.findResources('AWS::S3::Bucket')).map((r) => r.Properties);
    const archive = buckets.find((b) => b.LifecycleConfiguration?.Rules?.[0]?.Id === 'keep-reports')!;
    const rule = archive.LifecycleConfiguration.Rules[0];
    expect(rule.ExpirationInDays).toBeGreaterThanOrEqual(730);
    expect(rule.Transitions.map((t: { StorageClass: string }) => t.StorageClass)).toEqual(['STANDARD_IA', 'GLACIER_IR']);
    expect(archive.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault.SSEAlgorithm).toBe('AES256');
    expect(archive.PublicAccessBlockConfiguration).toMatchObject({ BlockPublicAcls: true, RestrictPublicBuckets: true });
    expect(archive.LoggingConfiguration?.DestinationBucketName).toBeDefined();
    template.hasResourceProperties('AWS::S3::BucketPolicy', { PolicyDocument: Match.objectLike({ Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) }) });
    expect(policiesOf('ReportsSend')).toContain('s3:PutObject');
    expect(policiesOf('ReportsSend')).not.toContain('dynamodb:PutItem');
  });

  it('alarms on dead letters and on failed or timed-out executions', () => {
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')).map((r) => r.Properties);
    expect(alarms.map((a) => a.MetricName).sort()).toEqual(['ApproximateNumberOfMessagesVisible', 'ExecutionsFailed', 'ExecutionsFailed', 'ExecutionsTimedOut', 'ExecutionsTimedOut']);
    for (const alarm of alarms) expect(alarm.AlarmActions).toHaveLength(1);
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
  });
});
