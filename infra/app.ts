import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { FollowUpStack } from './follow-up-stack.js';

/**
 * Deploy-time settings come from CDK context (cdk.json or -c): the Amazon Connect instance and
 * contact flow that receive agent tasks, and the SES identity that sends survey emails.
 */
export function buildApp({ app = new App(), nag = true }: { app?: App; nag?: boolean } = {}): { app: App; stack: FollowUpStack } {
  const context = (key: string, fallback: string) => String(app.node.tryGetContext(key) ?? fallback);
  const stack = new FollowUpStack(app, context('stackName', 'CustomerFollowUp'), {
    description: 'Customer follow-up: Service Completed events → scheduled, recorded follow-ups',
    contact: {
      connectInstanceId: context('connectInstanceId', '00000000-0000-0000-0000-000000000000'),
      connectContactFlowId: context('connectContactFlowId', '00000000-0000-0000-0000-000000000000'),
      senderEmail: context('senderEmail', 'follow-up@example.com'),
    },
  });
  if (nag) Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
  return { app, stack };
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop()!)) {
  buildApp().app.synth();
}
