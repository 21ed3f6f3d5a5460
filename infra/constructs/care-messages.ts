import { type CfnElement, Duration, Stack, TimeZone } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as schedulerTargets from 'aws-cdk-lib/aws-scheduler-targets';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { acknowledge } from '../acknowledge.js';
import type { EmailSending } from './email-sending.js';
import { FollowUpFunction } from './follow-up-function.js';
import type { SmsSending } from './sms-sending.js';
import { grantItemReadWrite } from './table-access.js';

export interface CareMessagesProps {
  table: dynamodb.ITable;
  email: EmailSending;
  /** Greetings are texted first where End User Messaging carries the number (+86 goes by Alibaba's survey template only). */
  sms: SmsSending;
  /** The schedules' dead-letter queue (the report schedules'): a run the Scheduler could not deliver lands there. */
  deadLetters: sqs.IQueue;
  /** The zone the hourly schedule counts in; each customer's own zone decides when they are greeted. */
  timeZone: string;
  /** A greeting by email carries the survey emails' signed unsubscribe link: the outcome API's address and key. */
  signingSecret: secretsmanager.ISecret;
  outcomeBaseUrl: string;
}

/**
 * Care messages (thank-yous, birthday and holiday greetings): one function run every hour of the
 * day, so each customer is greeted inside their own calling hours; it reads the table's buckets and
 * claims, writes claims, counts and send slots, and texts (End User Messaging, no Alibaba key) or emails
 * (with the signed unsubscribe link, so it reads the link key). Its run stops sending after ten
 * minutes and leaves the rest to the next hour: the timeout leaves room.
 */
export class CareMessages extends Construct {
  readonly sender: FollowUpFunction;

  constructor(scope: Construct, id: string, props: CareMessagesProps) {
    super(scope, id);
    this.sender = new FollowUpFunction(this, 'Send', {
      folder: 'send-care-messages',
      description: 'Hourly: thank-you, birthday and holiday greetings due today, inside each customer calling hours',
      timeout: Duration.minutes(12),
      environment: {
        FOLLOW_UP_TABLE: props.table.tableName,
        OUTCOME_BASE_URL: props.outcomeBaseUrl,
        SIGNING_SECRET_ARN: props.signingSecret.secretArn,
        ...props.email.environment(),
      },
      // The Scheduler invokes asynchronously: a run failing all of Lambda's retries lands there too.
      deadLetterQueue: props.deadLetters,
    });
    grantItemReadWrite(props.table, this.sender.fn);
    props.signingSecret.grantRead(this.sender.fn);
    props.email.grantSend(this.sender.role);
    props.sms.grantSendText(this.sender);

    new scheduler.Schedule(this, 'Hourly', {
      schedule: scheduler.ScheduleExpression.cron({ minute: '5', timeZone: TimeZone.of(props.timeZone) }),
      target: new schedulerTargets.LambdaInvoke(this.sender.fn, {
        input: scheduler.ScheduleTargetInput.fromObject({ run: 'care' }),
        deadLetterQueue: props.deadLetters,
        retryAttempts: 2,
        // A run an hour late is the next run's work: the claims make a late duplicate harmless.
        maxEventAge: Duration.hours(1),
      }),
      description: `Care messages, hourly (${props.timeZone})`,
    });
    const stack = Stack.of(this);
    acknowledge(
      stack,
      `AwsSolutions-IAM5[Resource::<${stack.getLogicalId(this.sender.fn.node.defaultChild as CfnElement)}.Arn>:*]`,
      'EventBridge Scheduler may invoke the care function and its versions (ARN:*); the grant is lambda:InvokeFunction on that one ' +
        'function.',
    );
  }
}
