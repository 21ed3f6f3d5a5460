import { Duration } from 'aws-cdk-lib';
import type * as events from 'aws-cdk-lib/aws-events';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { followUpDefinition } from '../../workflows/follow-up.js';
import { type ContactingProps, contactingFunction } from './contacting-function.js';
import { FollowUpFunction } from './follow-up-function.js';
import { grantItemReadWrite } from './table-access.js';
import { grantTaskCallbacks, stateMachineArnFor, stateMachineNameFor, workflowStateMachine } from './workflow-state-machine.js';

export interface FollowUpWorkflowProps extends ContactingProps {
  bus: events.IEventBus;
}

/** The FollowUp state machine and the three functions it runs (plan, contact, record). */
export class FollowUpWorkflow extends Construct {
  readonly stateMachine: sfn.StateMachine;
  readonly functions: FollowUpFunction[];

  constructor(scope: Construct, id: string, props: FollowUpWorkflowProps) {
    super(scope, id);
    const name = stateMachineNameFor(this, 'FollowUp');
    const tableEnv = { FOLLOW_UP_TABLE: props.table.tableName };
    const plan = new FollowUpFunction(this, 'Plan', {
      folder: 'plan-follow-up',
      description: 'Plans a follow-up: sampling, cap, opt-out, due time, retries',
      environment: tableEnv,
    });
    const contact = contactingFunction(
      this,
      'Contact',
      {
        folder: 'start-contact',
        description: 'Re-checks opt-out and cap, then creates the Connect task or sends the survey email',
        alibabaSms: true,
      },
      props,
    );
    const record = new FollowUpFunction(this, 'Record', {
      folder: 'record-outcome',
      description: 'Writes the final outcome and emits Follow-up Completed / Complaint Raised',
      environment: { ...tableEnv, EVENT_BUS_NAME: props.bus.eventBusName },
    });
    grantItemReadWrite(props.table, plan.fn);
    grantItemReadWrite(props.table, record.fn);
    props.bus.grantPutEventsTo(record.fn);
    // An opted-out, paused, capped or deferred contact answers its own task token (success); a
    // contact that cannot be made may fail it.
    grantTaskCallbacks(contact.role, stateMachineArnFor(this, name), ['states:SendTaskSuccess', 'states:SendTaskFailure']);
    // A shared contact (一事一扰) that went unanswered releases the matters it carried: their waiting workflows hear it from Plan.
    grantTaskCallbacks(plan.role, stateMachineArnFor(this, name));
    this.stateMachine = workflowStateMachine(this, {
      name,
      definition: followUpDefinition(this, { plan: plan.fn, startContact: contact.fn, recordOutcome: record.fn }),
      functions: [plan.fn, contact.fn, record.fn],
      // A follow-up with retries and fallbacks ends within weeks; 90 days bounds a stuck one.
      timeout: Duration.days(90),
      comment: 'One follow-up: plan, wait until due, contact, retry or fall back, record',
    });
    this.functions = [plan, contact, record];
  }
}
