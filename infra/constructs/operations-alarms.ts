import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import type { FollowUpFunction } from './follow-up-function.js';

/** SES reviews an account at a 5% bounce rate and 0.1% complaint rate (SES reputation guidance). */
export const SES_BOUNCE_RATE_ALARM = 0.05;
export const SES_COMPLAINT_RATE_ALARM = 0.001;
/**
 * A step that fails is retried by its state machine (30 s, 90 s, 270 s, …): one transient error
 * heals itself, a step failing its retries errs three times within five minutes.
 */
export const LAMBDA_ERRORS_ALARM = 3;

/**
 * Business failures the functions count (Powertools metrics, namespace and service as set in
 * functions/shared/powertools.ts): a follow-up that ended `failed` (no channel could reach the
 * customer), a manager notification that could not be sent.
 */
export const FAILURE_METRICS = {
  FollowUpFailed: "A follow-up ended failed: no channel could reach the customer (see the outcome's reason)",
  NotificationFailed: 'A complaint notification to a manager could not be sent',
};
const APPLICATION_METRICS = { namespace: 'CustomerFollowUp', dimensionsMap: { service: 'customer-follow-up' } };

export interface OperationsAlarmsProps {
  /** The on-call address subscribed to the topic (it must confirm the subscription). */
  alarmEmail: string;
  deadLetters: Record<string, sqs.IQueue>;
  stateMachines: Record<string, sfn.IStateMachine>;
  functions: FollowUpFunction[];
  api: apigw.HttpApi;
}

/**
 * Nothing is dropped silently: dead letters, failed or timed-out executions, failing or throttled
 * functions, follow-ups and notifications that failed for good, server errors on the outcome links
 * and SES reputation trouble raise an alarm on the operations topic, which emails the on-call address.
 */
export class OperationsAlarms extends Construct {
  readonly topic: sns.Topic;
  readonly key: kms.Key;

  constructor(scope: Construct, id: string, props: OperationsAlarmsProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const fromThisAccount = { StringEquals: { 'aws:SourceAccount': stack.account } };
    // The AWS managed key (alias/aws/sns) cannot be used: its policy cannot admit CloudWatch,
    // so alarms could never publish. A key of our own whose policy does.
    this.key = new kms.Key(this, 'TopicKey', {
      description: 'Encrypts the customer follow-up operations alarm topic',
      enableKeyRotation: true,
      // It protects notifications in flight only; nothing stored needs it after the stack is gone.
      removalPolicy: RemovalPolicy.DESTROY,
      pendingWindow: Duration.days(7),
    });
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudWatchAlarmsPublishToTheEncryptedTopic',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: fromThisAccount,
      }),
    );
    this.topic = new sns.Topic(this, 'Topic', { displayName: 'Customer follow-up operations', enforceSSL: true, masterKey: this.key });
    this.topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudWatchAlarmsPublish',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: fromThisAccount,
      }),
    );
    this.topic.addSubscription(new subscriptions.EmailSubscription(props.alarmEmail));

    const action = new actions.SnsAction(this.topic);
    const alarm = (
      alarmId: string,
      description: string,
      metric: cloudwatch.IMetric,
      threshold: number,
      comparisonOperator: cloudwatch.ComparisonOperator,
    ) =>
      new cloudwatch.Alarm(this, alarmId, {
        alarmDescription: description,
        metric,
        threshold,
        comparisonOperator,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }).addAlarmAction(action);
    const above = cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD;
    const atLeast = cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD;
    const fiveMinutes = Duration.minutes(5);

    for (const [name, queue] of Object.entries(props.deadLetters)) {
      alarm(
        `${name}DeadLetters`,
        `${name}: an event, schedule run or invocation could not be processed and waits in the dead-letter queue`,
        queue.metricApproximateNumberOfMessagesVisible({ period: fiveMinutes, statistic: 'Maximum' }),
        0,
        above,
      );
    }
    for (const [name, machine] of Object.entries(props.stateMachines)) {
      alarm(
        `${name}Failed`,
        `A ${name} execution failed: a customer may not be followed up`,
        machine.metricFailed({ period: fiveMinutes }),
        0,
        above,
      );
      alarm(
        `${name}TimedOut`,
        `A ${name} execution timed out: a customer may not be followed up`,
        machine.metricTimedOut({ period: fiveMinutes }),
        0,
        above,
      );
    }
    for (const fn of props.functions) {
      alarm(
        `Errors-${fn.folder}`,
        `${fn.folder} failed ${LAMBDA_ERRORS_ALARM}+ times in 5 minutes: more than a transient error`,
        fn.fn.metricErrors({ period: fiveMinutes, statistic: 'Sum' }),
        LAMBDA_ERRORS_ALARM,
        atLeast,
      );
      alarm(
        `Throttles-${fn.folder}`,
        `${fn.folder} was throttled: the account's Lambda concurrency is exhausted`,
        fn.fn.metricThrottles({ period: fiveMinutes, statistic: 'Sum' }),
        0,
        above,
      );
    }
    for (const [metricName, description] of Object.entries(FAILURE_METRICS)) {
      alarm(
        `Counted-${metricName}`,
        description,
        new cloudwatch.Metric({ ...APPLICATION_METRICS, metricName, statistic: 'Sum', period: fiveMinutes }),
        0,
        above,
      );
    }
    alarm(
      'OutcomeApi5xx',
      'The outcome API answered with a server error: an agent or customer could not record an outcome',
      props.api.metricServerError({ period: fiveMinutes, statistic: 'Sum' }),
      0,
      above,
    );

    // Account-level reputation figures SES publishes on its own (AWS/SES, no dimensions).
    const sesReputation = (metricName: string) =>
      new cloudwatch.Metric({ namespace: 'AWS/SES', metricName, statistic: 'Maximum', period: Duration.hours(1) });
    alarm(
      'SesBounceRate',
      `SES bounce rate at ${SES_BOUNCE_RATE_ALARM * 100}% or more: SES puts the account under review at 5% and may pause sending`,
      sesReputation('Reputation.BounceRate'),
      SES_BOUNCE_RATE_ALARM,
      atLeast,
    );
    alarm(
      'SesComplaintRate',
      `SES complaint rate at ${SES_COMPLAINT_RATE_ALARM * 100}% or more: SES puts the account under review above 0.1%`,
      sesReputation('Reputation.ComplaintRate'),
      SES_COMPLAINT_RATE_ALARM,
      atLeast,
    );
  }
}
