import { Duration } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { CUSTOMER_OPTED_OUT, SERVICE_COMPLETED } from '../../functions/shared/domain/event-names.js';
import { FollowUpFunction } from './follow-up-function.js';
import { grantItemReadWrite } from './table-access.js';

/**
 * Intake from upstream systems: "Service Completed" starts follow-ups (validated, deduplicated),
 * "Customer Opted Out" feeds the suppression list. Nothing is dropped silently: failed deliveries
 * and failed async invocations land in a dead-letter queue.
 */
export class Ingest extends Construct {
  readonly deadLetters: sqs.Queue;
  readonly functions: FollowUpFunction[];

  constructor(scope: Construct, id: string, props: { bus: events.IEventBus; table: dynamodb.ITable; stateMachine: sfn.IStateMachine }) {
    super(scope, id);
    this.deadLetters = new sqs.Queue(this, 'DeadLetters', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });

    const serviceCompleted = new FollowUpFunction(this, 'ServiceCompleted', {
      folder: 'ingest-service-completed',
      description: 'Validates Service Completed events, deduplicates them and starts follow-ups (or records the sampled-out ones)',
      environment: {
        FOLLOW_UP_TABLE: props.table.tableName,
        FOLLOW_UP_STATE_MACHINE_ARN: props.stateMachine.stateMachineArn,
        EVENT_BUS_NAME: props.bus.eventBusName,
      },
      deadLetterQueue: this.deadLetters,
    });
    // The table holds the daily aggregates too; the bus carries "Follow-up Completed" of a follow-up the sample leaves out.
    grantItemReadWrite(props.table, serviceCompleted.fn);
    props.stateMachine.grantStartExecution(serviceCompleted.fn);
    props.bus.grantPutEventsTo(serviceCompleted.fn);

    const optOut = new FollowUpFunction(this, 'OptOut', {
      folder: 'record-opt-out',
      description: 'Records Customer Opted Out events in the suppression list',
      environment: { FOLLOW_UP_TABLE: props.table.tableName },
      deadLetterQueue: this.deadLetters,
    });
    grantItemReadWrite(props.table, optOut.fn);
    this.functions = [serviceCompleted, optOut];

    const targetOptions = { deadLetterQueue: this.deadLetters, retryAttempts: 185, maxEventAge: Duration.hours(24) };
    new events.Rule(this, 'ServiceCompletedRule', {
      eventBus: props.bus,
      description: 'Service Completed → follow-up intake',
      eventPattern: { detailType: [SERVICE_COMPLETED] },
      targets: [new targets.LambdaFunction(serviceCompleted.fn, targetOptions)],
    });
    new events.Rule(this, 'CustomerOptedOutRule', {
      eventBus: props.bus,
      description: 'Customer Opted Out → suppression list',
      eventPattern: { detailType: [CUSTOMER_OPTED_OUT] },
      targets: [new targets.LambdaFunction(optOut.fn, targetOptions)],
    });
  }
}
