import type { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { escalationConfig } from '../../functions/shared/config/escalation.js';
import { policyConfig } from '../../functions/shared/config/policies.js';
import { complaintQueueNames } from '../../infra/constructs/contact-center.js';
import { type Flow, TASK_QUEUE_ATTRIBUTE, taskRoutingFlow } from '../../infra/constructs/task-routing-flow.js';
import { synthesizeTestTemplate, TEST_CONTEXT } from './test-app.js';

/** The Amazon Connect side is provisioned on the given instance, and the functions find it. */
let template: Template;
beforeAll(() => {
  template = synthesizeTestTemplate();
});

const instanceArn = {
  'Fn::Join': [
    '',
    [
      'arn:',
      { Ref: 'AWS::Partition' },
      ':connect:',
      { Ref: 'AWS::Region' },
      ':',
      { Ref: 'AWS::AccountId' },
      `:instance/${TEST_CONTEXT.connectInstanceId}`,
    ],
  ],
};
const resources = (type: string) => Object.entries(template.findResources(type));
const queueLogicalId = (name: string) =>
  resources('AWS::Connect::Queue').find(([, r]) => r.Properties.Name === `CustomerFollowUp-${name}`)![0];
const queueArn = (name: string) => ({ 'Fn::GetAtt': [queueLogicalId(name), 'QueueArn'] });
const functionNamed = (prefix: string) => resources('AWS::Lambda::Function').find(([id]) => id.startsWith(prefix))![1];

/** Every way a flow can go from its start: each path must end in DisconnectParticipant, without loops. */
function pathsOf(flow: Flow): string[][] {
  const byId = new Map(flow.Actions.map((a) => [a.Identifier, a]));
  const walk = (id: string, seen: string[]): string[][] => {
    expect(seen, `loop through ${id}`).not.toContain(id);
    const action = byId.get(id);
    expect(action, `unknown action ${id}`).toBeDefined();
    const next = [action!.Transitions.NextAction, ...(action!.Transitions.Errors ?? []).map((e) => e.NextAction)].filter((n): n is string =>
      Boolean(n),
    );
    if (next.length === 0) return [[...seen, id]];
    return [...new Set(next)].flatMap((n) => walk(n, [...seen, id]));
  };
  return walk(flow.StartAction, []);
}

describe('Amazon Connect, provisioned', () => {
  it("opens the queues during the policy's calling hours, in its time zone, every day of the week", () => {
    const [[, hours]] = resources('AWS::Connect::HoursOfOperation') as [[string, { Properties: Record<string, unknown> }]];
    expect(hours.Properties).toMatchObject({
      InstanceArn: instanceArn,
      Name: 'CustomerFollowUp-calling-hours',
      TimeZone: policyConfig.defaults.timeZone,
    });
    const config = hours.Properties.Config as {
      Day: string;
      StartTime: { Hours: number; Minutes: number };
      EndTime: { Hours: number; Minutes: number };
    }[];
    const hhmm = (t: { Hours: number; Minutes: number }) => `${String(t.Hours).padStart(2, '0')}:${String(t.Minutes).padStart(2, '0')}`;
    for (const day of ['MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY', 'SATURDAY', 'SUNDAY']) {
      expect(config.filter((c) => c.Day === day).map((c) => ({ start: hhmm(c.StartTime), end: hhmm(c.EndTime) }))).toEqual(
        policyConfig.defaults.callingHours,
      );
    }
    expect(config).toHaveLength(7 * policyConfig.defaults.callingHours.length);
  });

  it('provisions the follow-up queue and one queue per complaint queue the escalation ladder names', () => {
    expect(complaintQueueNames(escalationConfig)).toEqual(['after-sales', 'complaints-l1', 'complaints-l2', 'complaints-l3']);
    const hours = resources('AWS::Connect::HoursOfOperation')[0]![0];
    const queues = resources('AWS::Connect::Queue').map(([, r]) => r.Properties);
    expect(queues.map((q) => q.Name).sort()).toEqual([
      'CustomerFollowUp-after-sales',
      'CustomerFollowUp-complaints-l1',
      'CustomerFollowUp-complaints-l2',
      'CustomerFollowUp-complaints-l3',
      'CustomerFollowUp-follow-up',
    ]);
    for (const queue of queues)
      expect(queue).toMatchObject({ InstanceArn: instanceArn, HoursOfOperationArn: { 'Fn::GetAtt': [hours, 'HoursOfOperationArn'] } });
  });

  it('routes a task to the queue ARN in its attribute, else to the follow-up queue, else ends it', () => {
    const [[, flowResource]] = resources('AWS::Connect::ContactFlow') as [[string, { Properties: Record<string, unknown> }]];
    expect(flowResource.Properties).toMatchObject({
      InstanceArn: instanceArn,
      Name: 'CustomerFollowUp-task-routing',
      Type: 'CONTACT_FLOW',
      State: 'ACTIVE',
    });
    // The content is JSON with the default queue's ARN spliced in by CloudFormation.
    const [separator, parts] = (flowResource.Properties.Content as { 'Fn::Join': [string, unknown[]] })['Fn::Join'];
    const content = parts
      .map((p) =>
        typeof p === 'string' ? p : JSON.stringify(p) === JSON.stringify(queueArn('follow-up')) ? 'DEFAULT-QUEUE-ARN' : 'UNEXPECTED',
      )
      .join(separator);
    const flow = JSON.parse(content) as Flow;
    expect(flow).toEqual(taskRoutingFlow({ defaultQueueArn: 'DEFAULT-QUEUE-ARN' }));

    expect(flow.Version).toBe('2019-10-30');
    for (const action of flow.Actions) {
      expect(action.Identifier.length).toBeLessThanOrEqual(50);
      expect(action.Identifier).not.toMatch(/[%:()\\/=$,;[\]{}]/);
    }
    expect(new Set(flow.Actions.map((a) => a.Identifier)).size).toBe(flow.Actions.length);
    const [start] = flow.Actions.filter((a) => a.Identifier === flow.StartAction);
    expect(start).toMatchObject({ Type: 'UpdateContactTargetQueue', Parameters: { QueueId: `$.Attributes.${TASK_QUEUE_ATTRIBUTE}` } });

    const paths = pathsOf(flow).map((path) => path.map((id) => flow.Actions.find((a) => a.Identifier === id)!));
    for (const path of paths) expect(path.at(-1)!.Type).toBe('DisconnectParticipant');
    const routeOf = (path: (typeof paths)[number]) =>
      path.map((a) => (a.Type === 'UpdateContactTargetQueue' ? `set ${a.Parameters.QueueId}` : a.Type)).join(' → ');
    const routes = paths.map(routeOf);
    expect(routes).toContain('set $.Attributes.queue → TransferContactToQueue → DisconnectParticipant');
    // No usable attribute, or that queue full: the default queue, then the end.
    expect(routes).toContain('set $.Attributes.queue → set DEFAULT-QUEUE-ARN → TransferContactToQueue → DisconnectParticipant');
    expect(routes).toContain(
      'set $.Attributes.queue → TransferContactToQueue → set DEFAULT-QUEUE-ARN → TransferContactToQueue → DisconnectParticipant',
    );
    expect(routes).toContain('set $.Attributes.queue → set DEFAULT-QUEUE-ARN → DisconnectParticipant');
    const transfers = flow.Actions.filter((a) => a.Type === 'TransferContactToQueue');
    for (const transfer of transfers)
      expect(transfer.Transitions.Errors!.map((e) => e.ErrorType).sort()).toEqual(['NoMatchingError', 'QueueAtCapacity']);
  });

  it('hands the functions that create tasks the provisioned flow id and queue ARNs', () => {
    const flow = resources('AWS::Connect::ContactFlow')[0]![0];
    const complaintQueues = Object.fromEntries(complaintQueueNames(escalationConfig).map((name) => [name, queueArn(name)]));
    for (const prefix of ['FollowUpContactFunction', 'EscalationNotifyFunction']) {
      const variables = functionNamed(prefix).Properties.Environment.Variables;
      expect(variables).toMatchObject({
        CONNECT_INSTANCE_ID: TEST_CONTEXT.connectInstanceId,
        // arn:…:instance/<instance id>/contact-flow/<flow id> → <flow id>
        CONNECT_CONTACT_FLOW_ID: { 'Fn::Select': [3, { 'Fn::Split': ['/', { 'Fn::GetAtt': [flow, 'ContactFlowArn'] }] }] },
        FOLLOW_UP_QUEUE_ARN: queueArn('follow-up'),
      });
      // JSON objects of queue ARNs (placeholders here for the GetAtts CloudFormation splices in).
      const placeholders = new Map(Object.entries(complaintQueues).map(([name, arn]) => [JSON.stringify(arn), `ARN-OF-${name}`]));
      const jsonOf = (value: { 'Fn::Join': [string, unknown[]] }) => {
        const [separator, parts] = value['Fn::Join'];
        return JSON.parse(parts.map((p) => (typeof p === 'string' ? p : placeholders.get(JSON.stringify(p)))).join(separator));
      };
      // Level → the default department's queue of that level.
      expect(jsonOf(variables.COMPLAINT_QUEUE_ARNS)).toEqual({
        '1': 'ARN-OF-complaints-l1',
        '2': 'ARN-OF-complaints-l2',
        '3': 'ARN-OF-complaints-l3',
      });
      // The ladder's queue name → that queue, department queues included.
      expect(jsonOf(variables.COMPLAINT_QUEUE_ARNS_BY_NAME)).toEqual(
        Object.fromEntries(complaintQueueNames(escalationConfig).map((name) => [name, `ARN-OF-${name}`])),
      );
    }
    expect(JSON.stringify(template.toJSON())).not.toContain('connectContactFlowId');
  });

  it('lets Contact and Notify start tasks through the provisioned flow only', () => {
    const flow = resources('AWS::Connect::ContactFlow')[0]![0];
    for (const role of ['FollowUpContactRole', 'EscalationNotifyRole']) {
      const statements = resources('AWS::IAM::Policy')
        .filter(([id]) => id.startsWith(role))
        .flatMap(([, r]) => r.Properties.PolicyDocument.Statement as { Action: string; Resource: unknown[] }[])
        .filter((s) => s.Action === 'connect:StartTaskContact');
      expect(statements).toHaveLength(1);
      expect(statements[0]!.Resource[0]).toEqual({ 'Fn::GetAtt': [flow, 'ContactFlowArn'] });
    }
  });
});
