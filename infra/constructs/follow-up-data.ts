import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import { Construct } from 'constructs';

/**
 * The state every capability shares: one table (follow-ups, attempts, rejections, opt-outs,
 * per-customer contact counts) and the event bus upstream systems publish to.
 */
export class FollowUpData extends Construct {
  readonly table: dynamodb.Table;
  readonly bus: events.EventBus;

  constructor(scope: Construct, id: string, props: { eventBusName: string; removalPolicy?: RemovalPolicy }) {
    super(scope, id);
    this.table = new dynamodb.Table(this, 'Table', {
      partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'sk', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      // Records are kept ≥ 2 years (retentionDays in the policy file), then TTL removes them.
      timeToLiveAttribute: 'expiresAt',
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    });
    this.bus = new events.EventBus(this, 'Bus', { eventBusName: props.eventBusName });
  }
}
