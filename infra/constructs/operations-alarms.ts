import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

/**
 * Nothing is dropped silently: a message in a dead-letter queue, or a failed or timed-out
 * execution, raises an alarm on the operations topic (subscribe the on-call address to it).
 */
export class OperationsAlarms extends Construct {
  readonly topic: sns.Topic;

  constructor(scope: Construct, id: string, props: { deadLetters: sqs.IQueue[]; stateMachines: Record<string, sfn.IStateMachine> }) {
    super(scope, id);
    this.topic = new sns.Topic(this, 'Topic', { displayName: 'Customer follow-up operations', enforceSSL: true, masterKey: kms.Alias.fromAliasName(this, 'SnsKey', 'alias/aws/sns') });
    const action = new actions.SnsAction(this.topic);
    props.deadLetters.forEach((queue, i) => {
      new cloudwatch.Alarm(this, `DeadLetters${i}`, {
        alarmDescription: 'An event or invocation could not be processed and is waiting in the dead-letter queue',
        metric: queue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: 'Maximum' }),
        threshold: 0,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }).addAlarmAction(action);
    });
    for (const [name, machine] of Object.entries(props.stateMachines)) {
      for (const [kind, metric] of [['Failed', machine.metricFailed({ period: Duration.minutes(5) })], ['TimedOut', machine.metricTimedOut({ period: Duration.minutes(5) })]] as const) {
        new cloudwatch.Alarm(this, `${name}${kind}`, {
          alarmDescription: `A ${name} execution ${kind === 'Failed' ? 'failed' : 'timed out'}: a customer may not be followed up`,
          metric,
          threshold: 0,
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
          evaluationPeriods: 1,
          treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        }).addAlarmAction(action);
      }
    }
  }
}
