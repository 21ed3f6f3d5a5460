import * as iam from 'aws-cdk-lib/aws-iam';
import { acknowledge } from '../acknowledge.js';
import type { ContactCenter } from './contact-center.js';

/**
 * Agent tasks on the provisioned Connect instance: creating them through the provisioned task
 * flow, and stopping them (a task left open after its follow-up timed out is stopped).
 */
export function grantAgentTasks(role: iam.Role, center: ContactCenter): void {
  const contacts = `${center.instanceArn}/contact/*`;
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({ actions: ['connect:StartTaskContact'], resources: [center.taskFlow.attrContactFlowArn, contacts] }),
  );
  role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['connect:StopContact'], resources: [contacts] }));
  acknowledge(
    role,
    `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:connect:<AWS::Region>:<AWS::AccountId>:instance/${center.instanceId}/contact/*]`,
    'StartTaskContact creates a contact whose id is unknown in advance, and StopContact ends one of those tasks; both are limited to ' +
      'the contacts of this one Connect instance.',
  );
}
