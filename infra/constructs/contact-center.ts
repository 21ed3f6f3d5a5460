import { Fn, Stack } from 'aws-cdk-lib';
import * as connect from 'aws-cdk-lib/aws-connect';
import { Construct } from 'constructs';
import type { EscalationConfig } from '../../functions/shared/domain/escalation-schema.js';
import type { CallingWindow } from '../../functions/shared/domain/policy-schema.js';
import { taskRoutingFlow } from './task-routing-flow.js';

export interface ContactCenterProps {
  /** The existing Amazon Connect instance (its id, the last part of the instance ARN). */
  instanceId: string;
  /** The policy's default calling hours and zone: when the follow-up queue is open. */
  callingHours: CallingWindow[];
  timeZone: string;
  /** The escalation ladder: every Connect queue its managers are named with gets provisioned. */
  escalation: EscalationConfig;
}

const WEEK = ['MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY', 'SATURDAY', 'SUNDAY'] as const;

const timeSlice = (hhmm: string) => {
  const [hours, minutes] = hhmm.split(':').map(Number);
  return { hours: hours ?? 0, minutes: minutes ?? 0 };
};

/** Every queue name the escalation ladder gives a manager (a department's own, or the default ones). */
export function complaintQueueNames(escalation: EscalationConfig): string[] {
  const names = Object.values(escalation.contacts).flatMap((byLevel) => Object.values(byLevel).map((manager) => manager.connectQueue));
  return [...new Set(names.filter((name): name is string => Boolean(name)))].sort();
}

/**
 * The Amazon Connect side, provisioned on the given instance rather than assumed: the calling
 * hours, the follow-up queue, one queue per complaint queue the escalation ladder names, and the
 * task flow that routes each task to the queue ARN in its `queue` attribute.
 * Names carry the stack name: Connect names are unique per instance, and two stacks may share one.
 */
export class ContactCenter extends Construct {
  readonly instanceId: string;
  readonly instanceArn: string;
  readonly followUpQueue: connect.CfnQueue;
  /** Queue ARN by the queue name the escalation ladder uses (`contacts.<department>.<level>.connectQueue`). */
  readonly complaintQueueArns: Record<string, string> = {};
  /** Queue ARN by escalation level: the default department's queue of that level. */
  readonly complaintQueueArnsByLevel: Record<string, string> = {};
  readonly taskFlow: connect.CfnContactFlow;
  /** The flow's id (the last segment of its ARN), what StartTaskContact takes as ContactFlowId. */
  readonly taskFlowId: string;

  constructor(scope: Construct, id: string, props: ContactCenterProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const prefix = stack.stackName;
    this.instanceId = props.instanceId;
    this.instanceArn = stack.formatArn({ service: 'connect', resource: 'instance', resourceName: props.instanceId });

    // Every day of the week: which days are working days (weekends, holidays, make-up days, the
    // hospital's seven-day calendar) is the application's calendar, which Connect's weekly
    // hours cannot express; the app only creates tasks inside the calling windows anyway.
    const hours = new connect.CfnHoursOfOperation(this, 'CallingHours', {
      instanceArn: this.instanceArn,
      name: `${prefix}-calling-hours`,
      description: `Follow-up calling hours (${props.callingHours.map((w) => `${w.start}-${w.end}`).join(', ')}, ${props.timeZone})`,
      timeZone: props.timeZone,
      config: WEEK.flatMap((day) =>
        props.callingHours.map((window) => ({ day, startTime: timeSlice(window.start), endTime: timeSlice(window.end) })),
      ),
    });

    const queue = (logicalId: string, name: string, description: string) =>
      new connect.CfnQueue(this, logicalId, {
        instanceArn: this.instanceArn,
        hoursOfOperationArn: hours.attrHoursOfOperationArn,
        name: `${prefix}-${name}`,
        description,
      });

    this.followUpQueue = queue(
      'FollowUpQueue',
      'follow-up',
      'Follow-up calls to customers (one task per attempt); also where unroutable tasks land',
    );
    for (const name of complaintQueueNames(props.escalation)) {
      const logicalId = `ComplaintQueue${name.replace(/[^A-Za-z0-9]/g, '')}`;
      this.complaintQueueArns[name] = queue(
        logicalId,
        name,
        `Complaint notifications for the managers the escalation ladder assigns to "${name}"`,
      ).attrQueueArn;
    }
    for (const { level } of props.escalation.levels) {
      const name = props.escalation.contacts.default?.[String(level)]?.connectQueue;
      if (name) this.complaintQueueArnsByLevel[String(level)] = this.complaintQueueArns[name]!;
    }

    this.taskFlow = new connect.CfnContactFlow(this, 'TaskFlow', {
      instanceArn: this.instanceArn,
      name: `${prefix}-task-routing`,
      description: 'Routes a follow-up or complaint task to the queue ARN in its "queue" attribute; otherwise to the follow-up queue',
      type: 'CONTACT_FLOW',
      state: 'ACTIVE',
      content: stack.toJsonString(taskRoutingFlow({ defaultQueueArn: this.followUpQueue.attrQueueArn })),
    });
    // arn:…:instance/<instance id>/contact-flow/<flow id>
    this.taskFlowId = Fn.select(3, Fn.split('/', this.taskFlow.attrContactFlowArn));
  }

  /**
   * The environment a function that creates tasks reads: the instance and flow for
   * StartTaskContact, and the queue ARN to put in a task's `queue` attribute. COMPLAINT_QUEUE_ARNS
   * maps a level ("1") to the default department's queue of that level; COMPLAINT_QUEUE_ARNS_BY_NAME
   * maps every `connectQueue` of the ladder ("after-sales") to its queue, for departments with
   * queues of their own. Both JSON objects.
   */
  taskEnvironment(): Record<string, string> {
    const stack = Stack.of(this);
    return {
      CONNECT_INSTANCE_ID: this.instanceId,
      CONNECT_CONTACT_FLOW_ID: this.taskFlowId,
      FOLLOW_UP_QUEUE_ARN: this.followUpQueue.attrQueueArn,
      COMPLAINT_QUEUE_ARNS: stack.toJsonString(this.complaintQueueArnsByLevel),
      COMPLAINT_QUEUE_ARNS_BY_NAME: stack.toJsonString(this.complaintQueueArns),
    };
  }
}
