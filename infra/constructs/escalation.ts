import { Duration } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import {
  COMPLAINT_FOLLOW_UP_SOURCE,
  COMPLAINT_RAISED,
  COMPLAINT_RESOLVED,
  FOLLOW_UP_COMPLETED,
  FOLLOW_UP_SOURCE,
} from '../../functions/shared/domain/event-names.js';
import { escalationDefinition } from '../../workflows/escalation.js';
import { type ContactingProps, contactingFunction } from './contacting-function.js';
import { FollowUpFunction } from './follow-up-function.js';
import { grantItemReadWrite } from './table-access.js';
import { grantTaskCallbacks, stateMachineNameFor, workflowStateMachine } from './workflow-state-machine.js';

export interface EscalationProps extends ContactingProps {
  bus: events.IEventBus;
  deadLetters: sqs.IQueue;
}

/**
 * Complaint escalation: "Complaint Raised" starts the Escalation state machine, which notifies
 * managers level by level until one resolves it; the post-resolution follow-up closes or reopens it.
 */
export class Escalation extends Construct {
  readonly stateMachine: sfn.StateMachine;
  readonly functions: FollowUpFunction[];

  constructor(scope: Construct, id: string, props: EscalationProps) {
    super(scope, id);
    const tableEnv = { FOLLOW_UP_TABLE: props.table.tableName };
    const step = new FollowUpFunction(this, 'Step', {
      folder: 'escalation-step',
      description: 'Records manager actions and plans the next escalation step',
      environment: { ...tableEnv, EVENT_BUS_NAME: props.bus.eventBusName },
    });
    const notify = contactingFunction(
      this,
      'Notify',
      { folder: 'notify-manager', description: 'Notifies the manager of the current level by email and Connect task' },
      props,
    );
    grantItemReadWrite(props.table, step.fn);
    props.bus.grantPutEventsTo(step.fn);
    this.stateMachine = workflowStateMachine(this, {
      name: stateMachineNameFor(this, 'Escalation'),
      definition: escalationDefinition(this, { step: step.fn, notifyManager: notify.fn }),
      functions: [step.fn, notify.fn],
      timeout: Duration.days(365),
      comment: 'One escalation cycle of a complaint: notify, wait, re-notify, move up, until resolved',
    });

    const intake = new FollowUpFunction(this, 'Intake', {
      folder: 'complaint-intake',
      description: 'Starts, reopens, closes and resolves complaint escalations from events',
      environment: { ...tableEnv, ESCALATION_STATE_MACHINE_ARN: this.stateMachine.stateMachineArn },
      deadLetterQueue: props.deadLetters,
    });
    grantItemReadWrite(props.table, intake.fn);
    this.stateMachine.grantStartExecution(intake.fn);
    // An upstream "Complaint Resolved" resumes the waiting escalation like a resolve link.
    grantTaskCallbacks(intake.role, this.stateMachine.stateMachineArn);
    this.functions = [step, notify, intake];

    const targetOptions = { deadLetterQueue: props.deadLetters, retryAttempts: 185, maxEventAge: Duration.hours(24) };
    new events.Rule(this, 'ComplaintRaisedRule', {
      eventBus: props.bus,
      description: 'Complaint Raised → complaint intake (new complaint, or a reopened one)',
      eventPattern: { source: [FOLLOW_UP_SOURCE], detailType: [COMPLAINT_RAISED] },
      targets: [new targets.LambdaFunction(intake.fn, targetOptions)],
    });
    new events.Rule(this, 'ResolutionFollowUpRule', {
      eventBus: props.bus,
      description: 'A post-resolution follow-up finished → close the complaint, or leave it unconfirmed',
      eventPattern: { source: [FOLLOW_UP_SOURCE], detailType: [FOLLOW_UP_COMPLETED], detail: { source: [COMPLAINT_FOLLOW_UP_SOURCE] } },
      targets: [new targets.LambdaFunction(intake.fn, targetOptions)],
    });
    new events.Rule(this, 'ComplaintResolvedRule', {
      eventBus: props.bus,
      description: 'Complaint Resolved from an upstream system → resumes the escalation',
      eventPattern: { detailType: [COMPLAINT_RESOLVED] },
      targets: [new targets.LambdaFunction(intake.fn, targetOptions)],
    });
  }
}
