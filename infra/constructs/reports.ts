import { type CfnElement, Duration, RemovalPolicy, Stack, TimeZone } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as schedulerTargets from 'aws-cdk-lib/aws-scheduler-targets';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { periodicConfig } from '../../functions/shared/config/periodic.js';
import type { PeriodicConfig } from '../../functions/shared/domain/periodic.js';
import type { ReportConfig } from '../../functions/shared/domain/report-schema.js';
import { acknowledge } from '../acknowledge.js';
import type { EmailSending } from './email-sending.js';
import { FollowUpFunction } from './follow-up-function.js';
import { grantItemReads } from './table-access.js';

export interface ReportsProps {
  table: dynamodb.ITable;
  bus: events.IEventBus;
  email: EmailSending;
  config: ReportConfig;
  /** The periodic follow-ups' schedule (periodic.json unless given). */
  periodic?: PeriodicConfig;
}

/**
 * Scheduled KPI reports (daily, weekly, monthly) emailed to managers and archived to S3 for at
 * least two years, and the monthly runs over the customer index (dormant customers, periodic
 * follow-ups of key and ordinary customers), one function with a schedule each. A run that cannot be delivered, or whose
 * function keeps failing, lands in the schedules' own dead-letter queue (which raises an alarm).
 */
export class Reports extends Construct {
  readonly archive: s3.Bucket;
  /** Schedule deliveries the Scheduler gave up on, and report/dormant invocations that failed every retry. */
  readonly deadLetters: sqs.Queue;
  readonly functions: FollowUpFunction[];

  constructor(scope: Construct, id: string, props: ReportsProps) {
    super(scope, id);
    const accessLogs = new s3.Bucket(this, 'ArchiveAccessLogs', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      lifecycleRules: [{ expiration: Duration.days(365) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    acknowledge(
      accessLogs,
      'AwsSolutions-S1',
      "This bucket receives the archive bucket's server access logs; logging it into itself would loop.",
    );
    const archive = props.config.archive;
    this.archive = new s3.Bucket(this, 'Archive', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      versioned: true,
      serverAccessLogsBucket: accessLogs,
      serverAccessLogsPrefix: 'archive/',
      // Reports are kept at least two years (DOMAIN: monthly statistics backed up ≥ 2 years).
      lifecycleRules: [
        {
          id: 'keep-reports',
          transitions: [
            { storageClass: s3.StorageClass.INFREQUENT_ACCESS, transitionAfter: Duration.days(archive.infrequentAccessAfterDays) },
            { storageClass: s3.StorageClass.GLACIER_INSTANT_RETRIEVAL, transitionAfter: Duration.days(archive.glacierAfterDays) },
          ],
          expiration: Duration.days(archive.keepDays),
          noncurrentVersionExpiration: Duration.days(archive.keepDays),
        },
      ],
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.deadLetters = new sqs.Queue(this, 'ScheduleDeadLetters', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });

    const tableEnv = { FOLLOW_UP_TABLE: props.table.tableName };
    const report = new FollowUpFunction(this, 'Send', {
      folder: 'send-report',
      description: 'Builds a KPI report from the daily aggregates, emails it and archives it',
      timeout: Duration.minutes(2),
      environment: { ...tableEnv, REPORT_BUCKET: this.archive.bucketName, ...props.email.environment() },
      // The Scheduler invokes asynchronously: a run failing all Lambda retries is kept here, not dropped.
      deadLetterQueue: this.deadLetters,
    });
    grantItemReads(props.table, report.fn);
    // The report's emails take per-second send slots (an atomic counter update) shared with survey emails.
    props.table.grant(report.fn, 'dynamodb:UpdateItem');
    report.role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['s3:PutObject'], resources: [this.archive.arnForObjects('reports/*')] }),
    );
    props.email.grantSend(report.role);
    const stack = Stack.of(this);
    acknowledge(
      report.role,
      `AwsSolutions-IAM5[Resource::<${stack.getLogicalId(this.archive.node.defaultChild as s3.CfnBucket)}.Arn>/reports/*]`,
      'Report objects are written under keys that name their period (reports/<kind>/<period>/…); the grant is PutObject under that ' +
        'prefix of this one bucket.',
    );

    const dormant = new FollowUpFunction(this, 'Dormant', {
      folder: 'find-dormant',
      description: 'Monthly: reactivation follow-ups for dormant customers, periodic ones for key and ordinary customers',
      timeout: Duration.minutes(5),
      environment: { ...tableEnv, EVENT_BUS_NAME: props.bus.eventBusName },
      deadLetterQueue: this.deadLetters,
    });
    grantItemReads(props.table, dormant.fn);
    props.bus.grantPutEventsTo(dormant.fn);

    const timeZone = TimeZone.of(props.config.timeZone);
    const s = props.config.schedules;
    const p = (props.periodic ?? periodicConfig).schedule;
    const target = (fn: FollowUpFunction, input: Record<string, unknown>) =>
      new schedulerTargets.LambdaInvoke(fn.fn, {
        input: scheduler.ScheduleTargetInput.fromObject(input),
        deadLetterQueue: this.deadLetters,
        retryAttempts: 5,
        maxEventAge: Duration.hours(6),
      });
    const schedules: [string, scheduler.ScheduleExpression, scheduler.IScheduleTarget][] = [
      [
        'DailyReport',
        scheduler.ScheduleExpression.cron({ minute: String(s.daily.minute), hour: String(s.daily.hour), timeZone }),
        target(report, { kind: 'daily' }),
      ],
      [
        'WeeklyReport',
        scheduler.ScheduleExpression.cron({
          minute: String(s.weekly.minute),
          hour: String(s.weekly.hour),
          weekDay: s.weekly.weekday,
          timeZone,
        }),
        target(report, { kind: 'weekly' }),
      ],
      [
        'MonthlyReport',
        scheduler.ScheduleExpression.cron({
          minute: String(s.monthly.minute),
          hour: String(s.monthly.hour),
          day: String(s.monthly.day),
          timeZone,
        }),
        target(report, { kind: 'monthly' }),
      ],
      [
        'DormantCustomers',
        scheduler.ScheduleExpression.cron({
          minute: String(s.dormant.minute),
          hour: String(s.dormant.hour),
          day: String(s.dormant.day),
          timeZone,
        }),
        target(dormant, { run: 'dormant' }),
      ],
      [
        'PeriodicFollowUps',
        scheduler.ScheduleExpression.cron({
          minute: String(p.minute),
          hour: String(p.hour),
          day: String(p.day),
          timeZone,
        }),
        target(dormant, { run: 'periodic' }),
      ],
    ];
    for (const [name, schedule, scheduleTarget] of schedules) {
      new scheduler.Schedule(this, name, { schedule, target: scheduleTarget, description: `${name} (${props.config.timeZone})` });
    }
    // The Scheduler target roles are created by CDK at stack level, one per target function.
    for (const fn of [report.fn, dormant.fn]) {
      acknowledge(
        stack,
        `AwsSolutions-IAM5[Resource::<${stack.getLogicalId(fn.node.defaultChild as CfnElement)}.Arn>:*]`,
        'EventBridge Scheduler may invoke the report/dormant function and its versions (ARN:*); the grant is lambda:InvokeFunction on ' +
          'that one function.',
      );
    }
    this.functions = [report, dormant];
  }
}
