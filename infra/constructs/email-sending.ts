import { Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as ses from 'aws-cdk-lib/aws-ses';
import { Construct } from 'constructs';

/** The sending events the configuration set publishes. */
export const PUBLISHED_EMAIL_EVENTS = [
  ses.EmailSendingEvent.SEND,
  ses.EmailSendingEvent.DELIVERY,
  ses.EmailSendingEvent.BOUNCE,
  ses.EmailSendingEvent.COMPLAINT,
  ses.EmailSendingEvent.REJECT,
];

/**
 * Email hygiene for everything the system sends: one configuration set that adds hard-bouncing
 * and complaining addresses to the account's suppression list (SES then refuses to send to them
 * again), publishes reputation metrics for the bounce/complaint alarms, and publishes each
 * message's sending events to the account's default EventBridge bus.
 *
 * Why EventBridge: SES only delivers to the default bus, where events are kept structured,
 * can be archived and replayed, and a rule can route "Email Bounced"/"Email Complaint Received"
 * to any consumer later, with no topic or key to manage (an SNS destination would need its own
 * KMS key policy for SES, CloudWatch dimensions only give counts).
 */
export class EmailSending extends Construct {
  readonly configurationSet: ses.ConfigurationSet;

  constructor(
    scope: Construct,
    id: string,
    readonly props: { senderEmail: string },
  ) {
    super(scope, id);
    const stack = Stack.of(this);
    this.configurationSet = new ses.ConfigurationSet(this, 'ConfigurationSet', {
      configurationSetName: `${stack.stackName}-email`,
      suppressionReasons: ses.SuppressionReasons.BOUNCES_AND_COMPLAINTS,
      reputationMetrics: true,
    });
    this.configurationSet.addEventDestination('SendingEvents', {
      destination: ses.EventDestination.eventBus(events.EventBus.fromEventBusName(this, 'DefaultBus', 'default')),
      events: PUBLISHED_EMAIL_EVENTS,
    });
  }

  /** What a function that sends email reads: the From address and the configuration set. */
  environment(): Record<string, string> {
    return { SENDER_EMAIL: this.props.senderEmail, SES_CONFIGURATION_SET: this.configurationSet.configurationSetName };
  }

  /**
   * ses:SendEmail from the sender identity (the address, or its verified domain) through this
   * configuration set: SES authorizes a send against the identity AND the configuration set.
   */
  grantSend(role: iam.IRole): void {
    const stack = Stack.of(this);
    const sender = this.props.senderEmail;
    const domain = sender.split('@')[1] ?? sender;
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['ses:SendEmail'],
        resources: [
          stack.formatArn({ service: 'ses', resource: 'identity', resourceName: sender }),
          stack.formatArn({ service: 'ses', resource: 'identity', resourceName: domain }),
          stack.formatArn({ service: 'ses', resource: 'configuration-set', resourceName: this.configurationSet.configurationSetName }),
        ],
      }),
    );
  }
}
