import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { acknowledge } from '../acknowledge.js';

/** Sending email from the configured SES identity (the address and its domain), nothing else. */
export function grantSendEmail(role: iam.Role, senderEmail: string): void {
  const stack = Stack.of(role);
  const senderDomain = senderEmail.split('@')[1] ?? senderEmail;
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      actions: ['ses:SendEmail'],
      resources: [stack.formatArn({ service: 'ses', resource: 'identity', resourceName: senderEmail }), stack.formatArn({ service: 'ses', resource: 'identity', resourceName: senderDomain })],
    }),
  );
}

/** Creating Connect tasks through the configured contact flow of the configured instance. */
export function grantStartTask(role: iam.Role, instanceId: string, contactFlowId: string): void {
  const instance = Stack.of(role).formatArn({ service: 'connect', resource: 'instance', resourceName: instanceId });
  role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['connect:StartTaskContact'], resources: [`${instance}/contact-flow/${contactFlowId}`, `${instance}/contact/*`] }));
  acknowledge(role, `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:connect:<AWS::Region>:<AWS::AccountId>:instance/${instanceId}/contact/*]`, 'StartTaskContact creates a new contact whose id is unknown in advance; the grant is limited to this Connect instance.');
}
