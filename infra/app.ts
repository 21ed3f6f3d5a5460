import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { DeployContextError, readDeployContext } from './deploy-context.js';
import { FollowUpStack } from './follow-up-stack.js';

/**
 * The CDK app. Deploy-time settings come from CDK context (`-c key=value`): the Amazon Connect
 * instance that receives agent tasks, the SES identity that sends email, the address that gets
 * the alarms. Nothing has a fallback: a missing key fails the synth naming it (README.md (Deploy to AWS)).
 */
export function buildApp({ app = new App(), nag = true }: { app?: App; nag?: boolean } = {}): { app: App; stack: FollowUpStack } {
  const context = readDeployContext((key) => app.node.tryGetContext(key));
  const stack = new FollowUpStack(app, context.stackName, {
    description: 'Customer follow-up: Service Completed events → scheduled, recorded follow-ups',
    eventBusName: context.eventBusName,
    alarmEmail: context.alarmEmail,
    contact: { connectInstanceId: context.connectInstanceId, senderEmail: context.senderEmail },
  });
  if (nag) Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
  return { app, stack };
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop()!)) {
  let app: App;
  try {
    app = buildApp().app;
  } catch (error) {
    // A deployment-settings mistake is the operator's to fix: the message, not a stack trace.
    if (!(error instanceof DeployContextError)) throw error;
    console.error(error.message);
    process.exit(1);
  }
  app.synth();
}
