import { readdirSync, readFileSync } from 'node:fs';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, TEST_CONTEXT } from './test-app.js';

/** The synthesized stack (bundling skipped for speed) checked as CloudFormation and by cdk-nag. */
let template: Template;
let stack: Stack;
beforeAll(() => {
  stack = buildTestApp().stack;
  template = Template.fromStack(stack);
});

const policiesOf = (rolePrefix: string) =>
  JSON.stringify(
    Object.entries(template.findResources('AWS::IAM::Policy'))
      .filter(([id]) => id.startsWith(rolePrefix))
      .map(([, r]) => r),
  );

interface Statement {
  Action: string | string[];
  Resource: unknown;
  Effect: string;
}
/** The statements of the policies attached to roles whose logical id starts with the prefix. */
const statementsOf = (rolePrefix: string): Statement[] =>
  Object.entries(template.findResources('AWS::IAM::Policy'))
    .filter(([id]) => id.startsWith(rolePrefix))
    .flatMap(([, r]) => r.Properties.PolicyDocument.Statement as Statement[]);
const grantsOf = (rolePrefix: string, action: string) => statementsOf(rolePrefix).filter((st) => [st.Action].flat().includes(action));
const logicalIdOf = (type: string, prefix: string) => Object.keys(template.findResources(type)).find((id) => id.startsWith(prefix))!;
/** An ARN as CloudFormation spells it: Fn::Join of the pseudo parameters and the rest. */
const arnJoin = (service: string, rest: string) => ({
  'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:${service}:`, { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, `:${rest}`]],
});

describe('infrastructure', () => {
  it('passes cdk-nag AwsSolutions with every finding either fixed or acknowledged with a reason', () => {
    const { app } = buildTestApp({ nag: true });
    expect(() => app.synth()).not.toThrow();
  });

  it('gives every acknowledged finding a reason of its own, citing nothing outside the repository', () => {
    const reasons = stack.node
      .findAll()
      .flatMap((c) => c.node.metadata.filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY))
      .flatMap((m) => Object.values(m.data as Record<string, string>));
    expect(reasons.length).toBeGreaterThan(10);
    for (const reason of reasons) {
      expect(reason.length).toBeGreaterThan(40);
      expect(reason).not.toMatch(/DESIGN\.md/);
    }
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
    expect(Object.keys(functions)).toHaveLength(13);
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
    template.hasResourceProperties('AWS::Lambda::Function', {
      Handler: 'index.handler',
      DeadLetterConfig: { TargetArn: Match.anyValue() },
    });
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

  it('grants least privilege: only intake starts executions, only the outcome API, contact and plan resume them', () => {
    expect(policiesOf('IngestServiceCompleted')).toContain('states:StartExecution');
    expect(policiesOf('OutcomeApiHandler')).toContain('states:SendTaskSuccess');
    // Plan releases the matters an unanswered shared contact carried (一事一扰): success only, nothing else of Step Functions.
    expect(policiesOf('FollowUpPlan').match(/states:\w+/g)).toEqual(['states:SendTaskSuccess']);
    expect(policiesOf('FollowUpPlan')).not.toContain('connect:');
    expect(policiesOf('FollowUpContact')).toContain('connect:StartTaskContact');
    expect(policiesOf('FollowUpContact')).toContain('ses:SendEmail');
    expect(policiesOf('FollowUpRecord')).toContain('events:PutEvents');
    // Intake records a follow-up the sample leaves out and announces it as Record would.
    expect(policiesOf('IngestServiceCompleted')).toContain('events:PutEvents');
    expect(policiesOf('IngestOptOut')).not.toContain('events:');
    expect(policiesOf('IngestOptOut')).not.toContain('states:');
    for (const role of Object.values(template.findResources('AWS::IAM::Role'))) expect(role.Properties.ManagedPolicyArns).toBeUndefined();
  });

  it('serves the signed links on an HTTP API with access logs and throttling', () => {
    // One route for every method: the function answers GET and POST, and 405 with Allow to the rest.
    template.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: 'ANY /links/{token}' });
    // Alibaba's delivery reports reach the same function on their own route, POST only.
    template.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: 'POST /sms-reports/{token}' });
    template.resourceCountIs('AWS::ApiGatewayV2::Route', 2);
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      AccessLogSettings: Match.objectLike({ DestinationArn: Match.anyValue() }),
      DefaultRouteSettings: Match.objectLike({ ThrottlingRateLimit: 50 }),
    });
    // The link key, and the Alibaba Cloud SMS key (SmsSending).
    template.resourceCountIs('AWS::SecretsManager::Secret', 2);
  });

  it('schedules the reports, the dormant run and the periodic follow-ups in the report time zone, with a DLQ', () => {
    const schedules = Object.values(template.findResources('AWS::Scheduler::Schedule')).map((r) => r.Properties);
    expect(schedules.map((s) => [s.ScheduleExpression, s.ScheduleExpressionTimezone, s.Target.Input])).toEqual([
      ['cron(0 8 * * ? *)', 'Asia/Shanghai', '{"kind":"daily"}'],
      ['cron(30 8 ? * MON *)', 'Asia/Shanghai', '{"kind":"weekly"}'],
      ['cron(0 9 1 * ? *)', 'Asia/Shanghai', '{"kind":"monthly"}'],
      ['cron(0 10 2 * ? *)', 'Asia/Shanghai', '{"run":"dormant"}'],
      ['cron(30 10 2 * ? *)', 'Asia/Shanghai', '{"run":"periodic"}'],
      ['cron(5 * * * ? *)', 'Asia/Shanghai', '{"run":"care"}'],
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
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: Match.objectLike({
        Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]),
      }),
    });
    expect(policiesOf('ReportsSend')).toContain('s3:PutObject');
    expect(policiesOf('ReportsSend')).not.toContain('dynamodb:PutItem');
    // Report emails reserve per-second send slots (a counter update) like survey emails.
    expect(grantsOf('ReportsSendRole', 'dynamodb:UpdateItem').map((st) => st.Action)).toEqual(['dynamodb:UpdateItem']);
  });

  it('names the state machines after the stack and lets Contact answer its own task token without a dependency cycle', () => {
    const machines = Object.values(template.findResources('AWS::StepFunctions::StateMachine')).map((r) => r.Properties.StateMachineName);
    expect(machines.sort()).toEqual(['CustomerFollowUp-Escalation', 'CustomerFollowUp-FollowUp']);
    // Built from the name, not a Ref to the machine (which references the Contact function).
    expect(grantsOf('FollowUpContactRole', 'states:SendTaskSuccess')).toEqual([
      {
        Effect: 'Allow',
        Action: ['states:SendTaskSuccess', 'states:SendTaskFailure'],
        Resource: arnJoin('states', 'stateMachine:CustomerFollowUp-FollowUp'),
      },
    ]);
    const escalation = logicalIdOf('AWS::StepFunctions::StateMachine', 'EscalationStateMachine');
    const followUp = logicalIdOf('AWS::StepFunctions::StateMachine', 'FollowUpStateMachine');
    // The outcome API and an upstream "Complaint Resolved" only ever complete tokens.
    expect(grantsOf('EscalationIntakeRole', 'states:SendTaskSuccess')).toEqual([
      { Effect: 'Allow', Action: 'states:SendTaskSuccess', Resource: { Ref: escalation } },
    ]);
    expect(grantsOf('OutcomeApiHandlerRole', 'states:SendTaskSuccess')).toEqual([
      { Effect: 'Allow', Action: 'states:SendTaskSuccess', Resource: { Ref: followUp } },
      { Effect: 'Allow', Action: 'states:SendTaskSuccess', Resource: { Ref: escalation } },
    ]);
    // Nobody calls SendTaskHeartbeat; Notify does not complete tokens (the state machine's timeout does).
    expect(JSON.stringify(template.findResources('AWS::IAM::Policy'))).not.toContain('states:SendTaskHeartbeat');
    expect(policiesOf('EscalationNotifyRole')).not.toContain('states:');
  });

  it('lets Contact and Notify stop the tasks they created, on this instance only', () => {
    const contacts = arnJoin('connect', `instance/${TEST_CONTEXT.connectInstanceId}/contact/*`);
    for (const role of ['FollowUpContactRole', 'EscalationNotifyRole']) {
      expect(grantsOf(role, 'connect:StopContact')).toEqual([{ Effect: 'Allow', Action: 'connect:StopContact', Resource: contacts }]);
    }
    for (const role of ['FollowUpPlanRole', 'FollowUpRecordRole', 'EscalationStepRole', 'OutcomeApiHandlerRole'])
      expect(policiesOf(role)).not.toContain('connect:');
  });

  it('sends every email through a configuration set that suppresses bounces and complaints and publishes sending events', () => {
    template.hasResourceProperties('AWS::SES::ConfigurationSet', {
      Name: 'CustomerFollowUp-email',
      SuppressionOptions: { SuppressedReasons: ['BOUNCE', 'COMPLAINT'] },
      ReputationOptions: { ReputationMetricsEnabled: true },
    });
    const [destination] = Object.values(template.findResources('AWS::SES::ConfigurationSetEventDestination')).map(
      (r) => r.Properties.EventDestination,
    );
    expect(destination.Enabled).toBe(true);
    expect([...destination.MatchingEventTypes].sort()).toEqual(['bounce', 'complaint', 'delivery', 'reject', 'send']);
    expect(destination.EventBridgeDestination.EventBusArn).toEqual(arnJoin('events', 'event-bus/default'));

    const configurationSet = logicalIdOf('AWS::SES::ConfigurationSet', 'EmailConfigurationSet');
    const senders = Object.entries(template.findResources('AWS::Lambda::Function')).filter(
      ([, r]) => r.Properties.Environment?.Variables?.SENDER_EMAIL,
    );
    expect(senders.map(([id]) => id.replace(/Function[0-9A-F]{8}$/, '')).sort()).toEqual([
      'CareSend',
      'EscalationNotify',
      'FollowUpContact',
      'ReportsSend',
    ]);
    for (const [id, fn] of senders) {
      expect(fn.Properties.Environment.Variables).toMatchObject({
        SENDER_EMAIL: TEST_CONTEXT.senderEmail,
        SES_CONFIGURATION_SET: { Ref: configurationSet },
      });
      // SES authorizes SendEmail on the identity and on the configuration set.
      const [grant] = grantsOf(id.replace(/Function[0-9A-F]{8}$/, 'Role'), 'ses:SendEmail');
      expect(grant!.Resource).toEqual([
        arnJoin('ses', `identity/${TEST_CONTEXT.senderEmail}`),
        arnJoin('ses', `identity/${TEST_CONTEXT.senderEmail.split('@')[1]}`),
        {
          'Fn::Join': [
            '',
            [
              'arn:',
              { Ref: 'AWS::Partition' },
              ':ses:',
              { Ref: 'AWS::Region' },
              ':',
              { Ref: 'AWS::AccountId' },
              ':configuration-set/',
              { Ref: configurationSet },
            ],
          ],
        },
      ]);
    }
  });

  it('encrypts the alarm topic with a rotated customer-managed key that CloudWatch may use, and emails the on-call address', () => {
    const key = logicalIdOf('AWS::KMS::Key', 'AlarmsTopicKey');
    const topic = logicalIdOf('AWS::SNS::Topic', 'AlarmsTopic');
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: { 'Fn::GetAtt': [key, 'Arn'] } });
    expect(JSON.stringify(template.toJSON())).not.toContain('alias/aws/sns');
    template.hasResourceProperties('AWS::KMS::Key', {
      EnableKeyRotation: true,
      KeyPolicy: Match.objectLike({
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Allow',
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
            Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
          }),
        ]),
      }),
    });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      Topics: [{ Ref: topic }],
      PolicyDocument: Match.objectLike({
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          Match.objectLike({
            Effect: 'Allow',
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: 'sns:Publish',
            Resource: { Ref: topic },
            Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
          }),
        ]),
      }),
    });
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: TEST_CONTEXT.alarmEmail,
      TopicArn: { Ref: topic },
    });
  });

  it('alarms on dead letters, executions, function errors and throttles, failed follow-ups and notices, API 5xx, SES reputation', () => {
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')).map((r) => r.Properties);
    const topic = logicalIdOf('AWS::SNS::Topic', 'AlarmsTopic');
    for (const alarm of alarms) expect(alarm.AlarmActions).toEqual([{ Ref: topic }]);
    const byMetric = (name: string) => alarms.filter((a) => a.MetricName === name);

    const functions = Object.keys(template.findResources('AWS::Lambda::Function'));
    for (const metric of ['Errors', 'Throttles']) {
      const watched = byMetric(metric).map((a) => a.Dimensions[0].Value.Ref);
      expect(watched.sort()).toEqual([...functions].sort());
    }
    expect(byMetric('Errors')[0]).toMatchObject({
      Namespace: 'AWS/Lambda',
      Statistic: 'Sum',
      Period: 300,
      Threshold: 3,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
    expect(byMetric('Throttles')[0]).toMatchObject({ Threshold: 0, ComparisonOperator: 'GreaterThanThreshold' });

    const api = logicalIdOf('AWS::ApiGatewayV2::Api', 'OutcomeApi');
    expect(byMetric('5xx')).toEqual([
      expect.objectContaining({
        Namespace: 'AWS/ApiGateway',
        Dimensions: [{ Name: 'ApiId', Value: { Ref: api } }],
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
      }),
    ]);

    expect(byMetric('Reputation.BounceRate')).toEqual([
      expect.objectContaining({ Namespace: 'AWS/SES', Threshold: 0.05, ComparisonOperator: 'GreaterThanOrEqualToThreshold' }),
    ]);
    expect(byMetric('Reputation.ComplaintRate')).toEqual([
      expect.objectContaining({ Namespace: 'AWS/SES', Threshold: 0.001, ComparisonOperator: 'GreaterThanOrEqualToThreshold' }),
    ]);

    expect(byMetric('ExecutionsFailed')).toHaveLength(2);
    expect(byMetric('ExecutionsTimedOut')).toHaveLength(2);
    // One alarm per dead-letter queue: every queue of the stack is one.
    const queues = Object.keys(template.findResources('AWS::SQS::Queue'));
    const dlqAlarms = byMetric('ApproximateNumberOfMessagesVisible');
    expect(dlqAlarms.map((a) => a.Dimensions[0].Value['Fn::GetAtt'][0]).sort()).toEqual([...queues].sort());
    for (const alarm of dlqAlarms)
      expect(alarm).toMatchObject({ Threshold: 0, ComparisonOperator: 'GreaterThanThreshold', Statistic: 'Maximum' });
    // Follow-ups and notifications that failed for good, as the functions count them.
    for (const [metric, fn] of [
      ['FollowUpFailed', 'record-outcome'],
      ['NotificationFailed', 'notify-manager'],
    ] as const) {
      expect(byMetric(metric)).toEqual([
        expect.objectContaining({
          Namespace: 'CustomerFollowUp',
          Dimensions: [{ Name: 'service', Value: 'customer-follow-up' }],
          Statistic: 'Sum',
          Threshold: 0,
          ComparisonOperator: 'GreaterThanThreshold',
        }),
      ]);
      const folder = new URL(`../../functions/${fn}/`, import.meta.url);
      const sources = readdirSync(folder).map((file) => readFileSync(new URL(file, folder), 'utf8'));
      expect(sources.join('\n')).toContain(`'${metric}'`);
    }
    expect(readFileSync(new URL('../../functions/shared/powertools.ts', import.meta.url), 'utf8')).toContain(
      "namespace: 'CustomerFollowUp', serviceName: 'customer-follow-up'",
    );
    expect(alarms).toHaveLength(2 * functions.length + 1 + 2 + 4 + queues.length + 2);
  });

  it('gives the report, dormant and care schedules a dead-letter queue of their own, behind the schedule and the function', () => {
    const scheduleQueue = logicalIdOf('AWS::SQS::Queue', 'ReportsScheduleDeadLetters');
    for (const schedule of Object.values(template.findResources('AWS::Scheduler::Schedule'))) {
      expect(schedule.Properties.Target.DeadLetterConfig).toEqual({ Arn: { 'Fn::GetAtt': [scheduleQueue, 'Arn'] } });
    }
    // The schedules' role may deliver there.
    const sends = grantsOf('SchedulerRoleForTarget', 'sqs:SendMessage');
    expect(sends).toHaveLength(3);
    for (const send of sends) expect(send.Resource).toEqual({ 'Fn::GetAtt': [scheduleQueue, 'Arn'] });
    // The Scheduler invokes asynchronously: a run failing all of Lambda's retries lands here too.
    for (const prefix of ['ReportsSendFunction', 'ReportsDormantFunction', 'CareSendFunction']) {
      expect(
        template.findResources('AWS::Lambda::Function')[logicalIdOf('AWS::Lambda::Function', prefix)]!.Properties.DeadLetterConfig,
      ).toEqual({ TargetArn: { 'Fn::GetAtt': [scheduleQueue, 'Arn'] } });
    }
  });

  it('outputs what an operator and upstream systems need', () => {
    const outputs = template.toJSON().Outputs as Record<string, { Value: unknown }>;
    expect(Object.keys(outputs).sort()).toEqual([
      'AlarmTopicArn',
      'ConfigurationSetName',
      'ConnectFollowUpQueueArn',
      'ConnectTaskFlowId',
      'EscalationStateMachineArn',
      'EventBusArn',
      'EventBusName',
      'FollowUpStateMachineArn',
      'OutcomeApiUrl',
      'SmsReplyTopicArn',
      'SmsReportUrlBase',
    ]);
    const bus = logicalIdOf('AWS::Events::EventBus', 'DataBus');
    expect(outputs.EventBusName!.Value).toEqual({ Ref: bus });
    expect(outputs.EventBusArn!.Value).toEqual({ 'Fn::GetAtt': [bus, 'Arn'] });
    expect(outputs.AlarmTopicArn!.Value).toEqual({ Ref: logicalIdOf('AWS::SNS::Topic', 'AlarmsTopic') });
    expect(outputs.FollowUpStateMachineArn!.Value).toEqual({
      Ref: logicalIdOf('AWS::StepFunctions::StateMachine', 'FollowUpStateMachine'),
    });
    expect(outputs.EscalationStateMachineArn!.Value).toEqual({
      Ref: logicalIdOf('AWS::StepFunctions::StateMachine', 'EscalationStateMachine'),
    });
    expect(JSON.stringify(outputs.OutcomeApiUrl!.Value)).toContain(logicalIdOf('AWS::ApiGatewayV2::Api', 'OutcomeApi'));
  });
});
