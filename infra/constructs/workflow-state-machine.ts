import { ArnFormat, type CfnElement, type Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import { acknowledge } from '../acknowledge.js';

export interface WorkflowStateMachineProps {
  /** The state machine's name (see stateMachineNameFor): known before the machine exists. */
  name: string;
  definition: sfn.IChainable;
  /** The functions the definition invokes (their grants get the cdk-nag acknowledgement). */
  functions: lambda.IFunction[];
  timeout: Duration;
  comment: string;
}

/** "<stack name>-<workflow>": unique per account and Region, so two stacks fit one account. */
export function stateMachineNameFor(scope: Construct, workflow: string): string {
  return `${Stack.of(scope).stackName}-${workflow}`;
}

/**
 * The ARN of a state machine from its name alone. A function the machine itself invokes can be
 * granted callbacks on it this way: referencing the machine's own ARN would make the template
 * cyclic (machine → function → role policy → machine).
 */
export function stateMachineArnFor(scope: Construct, name: string): string {
  return Stack.of(scope).formatArn({
    service: 'states',
    resource: 'stateMachine',
    resourceName: name,
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });
}

/**
 * A Standard state machine the way every workflow here runs: traced, logged without execution
 * data (ids only travel through executions, and no more reaches the logs), a year's log retention.
 */
export function workflowStateMachine(scope: Construct, props: WorkflowStateMachineProps): sfn.StateMachine {
  const logGroup = new logs.LogGroup(scope, 'ExecutionLogs', {
    retention: logs.RetentionDays.ONE_YEAR,
    removalPolicy: RemovalPolicy.DESTROY,
  });
  const stateMachine = new sfn.StateMachine(scope, 'StateMachine', {
    stateMachineName: props.name,
    stateMachineType: sfn.StateMachineType.STANDARD,
    definitionBody: sfn.DefinitionBody.fromChainable(props.definition),
    tracingEnabled: true,
    timeout: props.timeout,
    logs: { destination: logGroup, level: sfn.LogLevel.ALL, includeExecutionData: false },
    comment: props.comment,
  });
  const stack = Stack.of(scope);
  for (const fn of props.functions) {
    acknowledge(
      stateMachine,
      `AwsSolutions-IAM5[Resource::<${stack.getLogicalId(fn.node.defaultChild as CfnElement)}.Arn>:*]`,
      'CDK grants Step Functions lambda:InvokeFunction on the function and its versions/aliases (ARN:*); it is scoped to this one ' +
        'workflow function.',
    );
  }
  acknowledge(
    stateMachine,
    'AwsSolutions-IAM5[Resource::*]',
    'CloudWatch Logs delivery and X-Ray APIs used by Step Functions logging and tracing support no resource-level permissions.',
  );
  return stateMachine;
}

type TaskCallback = 'states:SendTaskSuccess' | 'states:SendTaskFailure';

/**
 * Lets a function answer the task tokens of a state machine's executions: exactly the callbacks
 * it makes (CDK's grantTaskResponse would add SendTaskFailure and SendTaskHeartbeat regardless).
 */
export function grantTaskCallbacks(role: iam.IRole, stateMachineArn: string, actions: TaskCallback[] = ['states:SendTaskSuccess']): void {
  role.addToPrincipalPolicy(new iam.PolicyStatement({ actions, resources: [stateMachineArn] }));
}
