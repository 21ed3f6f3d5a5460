import { type CfnElement, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { acknowledge } from '../acknowledge.js';
import { Construct } from 'constructs';
import { followUpDefinition } from '../../workflows/follow-up.js';
import { FollowUpFunction } from './follow-up-function.js';
import { grantSendEmail, grantStartTask } from './contact-grants.js';

export interface ContactSettings {
  connectInstanceId: string;
  connectContactFlowId: string;
  senderEmail: string;
}

export interface FollowUpWorkflowProps {
  table: dynamodb.ITable;
  bus: events.IEventBus;
  signingSecret: secretsmanager.ISecret;
  outcomeBaseUrl: string;
  contact: ContactSettings;
}

/** The FollowUp state machine and the three functions it runs (plan, contact, record). */
export class FollowUpWorkflow extends Construct {
  readonly stateMachine: sfn.StateMachine;

  constructor(scope: Construct, id: string, props: FollowUpWorkflowProps) {
    super(scope, id);
    const tableEnv = { FOLLOW_UP_TABLE: props.table.tableName };
    const plan = new FollowUpFunction(this, 'Plan', { folder: 'plan-follow-up', description: 'Plans a follow-up: sampling, cap, opt-out, due time, retries', environment: tableEnv });
    const contact = new FollowUpFunction(this, 'Contact', {
      folder: 'start-contact',
      description: 'Re-checks opt-out and cap, then creates the Connect task or sends the survey email',
      environment: {
        ...tableEnv,
        OUTCOME_BASE_URL: props.outcomeBaseUrl,
        SIGNING_SECRET_ARN: props.signingSecret.secretArn,
        CONNECT_INSTANCE_ID: props.contact.connectInstanceId,
        CONNECT_CONTACT_FLOW_ID: props.contact.connectContactFlowId,
        SENDER_EMAIL: props.contact.senderEmail,
      },
    });
    const record = new FollowUpFunction(this, 'Record', {
      folder: 'record-outcome',
      description: 'Writes the final outcome and emits Follow-up Completed / Complaint Raised',
      environment: { ...tableEnv, EVENT_BUS_NAME: props.bus.eventBusName },
    });
    props.table.grantReadWriteData(plan.fn);
    props.table.grantReadWriteData(contact.fn);
    props.table.grantReadWriteData(record.fn);
    props.signingSecret.grantRead(contact.fn);
    props.bus.grantPutEventsTo(record.fn);

    grantStartTask(contact.role, props.contact.connectInstanceId, props.contact.connectContactFlowId);
    grantSendEmail(contact.role, props.contact.senderEmail);
    const stack = Stack.of(this);

    const logGroup = new logs.LogGroup(this, 'ExecutionLogs', { retention: logs.RetentionDays.ONE_YEAR, removalPolicy: RemovalPolicy.DESTROY });
    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      stateMachineType: sfn.StateMachineType.STANDARD,
      definitionBody: sfn.DefinitionBody.fromChainable(followUpDefinition(this, { plan: plan.fn, startContact: contact.fn, recordOutcome: record.fn })),
      tracingEnabled: true,
      // A follow-up with retries and fallbacks ends within weeks; a year is Standard's ceiling.
      timeout: Duration.days(90),
      logs: { destination: logGroup, level: sfn.LogLevel.ALL, includeExecutionData: false },
      comment: 'One follow-up: plan, wait until due, contact, retry or fall back, record',
    });
    (this.stateMachine.node.defaultChild as sfn.CfnStateMachine).addMetadata('followup:workflow', 'follow-up');
    for (const fn of [plan.fn, contact.fn, record.fn]) {
      const logicalId = stack.getLogicalId(fn.node.defaultChild as CfnElement);
      acknowledge(this.stateMachine, `AwsSolutions-IAM5[Resource::<${logicalId}.Arn>:*]`, 'CDK grants Step Functions lambda:InvokeFunction on the function and its versions/aliases (ARN:*); it is scoped to this one workflow function.');
    }
    acknowledge(this.stateMachine, 'AwsSolutions-IAM5[Resource::*]', 'CloudWatch Logs delivery and X-Ray APIs used by Step Functions logging and tracing support no resource-level permissions.');
  }
}
