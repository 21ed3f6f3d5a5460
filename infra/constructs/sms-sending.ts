import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as smsvoice from 'aws-cdk-lib/aws-smsvoice';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { UNDELIVERED_TEXT_EVENTS } from '../../functions/shared/domain/sms-reply.js';
import { acknowledge } from '../acknowledge.js';
import { FollowUpFunction } from './follow-up-function.js';
import { grantItemReadWrite } from './table-access.js';
import { grantTaskCallbacks } from './workflow-state-machine.js';

/** An End User Messaging origination identity the account already owns: a phone number, a pool or a sender id. */
const ORIGINATION_IDENTITY = /^arn:aws[a-z-]*:sms-voice:[a-z0-9-]+:\d{12}:(phone-number|pool|sender-id)\/\S+$/;

/**
 * Text messages for surveys: an End User Messaging SMS configuration set that every text goes
 * through (AWS authorizes SendTextMessage on it and on the origination identity), and the secret
 * that holds the Alibaba Cloud AccessKey pair for mainland China numbers. The origination identity
 * (deploy context `smsOriginationIdentity`, the ARN of a phone number or pool) is bought and
 * registered outside the stack: numbers need country registration that a deploy cannot do.
 */
export class SmsSending extends Construct {
  readonly configurationSet: smsvoice.CfnConfigurationSet;
  readonly alibabaSecret: secretsmanager.Secret;
  readonly originationIdentity: string | undefined;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    const stack = Stack.of(this);
    const identity: unknown = this.node.tryGetContext('smsOriginationIdentity');
    if (identity !== undefined && (typeof identity !== 'string' || !ORIGINATION_IDENTITY.test(identity)))
      throw new Error('context key "smsOriginationIdentity": expected the ARN of an End User Messaging phone number, pool or sender id');
    this.originationIdentity = identity;
    this.configurationSet = new smsvoice.CfnConfigurationSet(this, 'ConfigurationSet', {
      configurationSetName: `${stack.stackName}-sms`,
    });
    this.alibabaSecret = new secretsmanager.Secret(this, 'AlibabaSmsKey', {
      description: 'Alibaba Cloud SMS AccessKey of a RAM user allowed dysms:SendSms only: {accessKeyId, accessKeySecret}',
      secretObjectValue: {},
      removalPolicy: RemovalPolicy.DESTROY,
    });
    acknowledge(
      this.alibabaSecret,
      'AwsSolutions-SMG4',
      'An Alibaba Cloud AccessKey is rotated in the Alibaba Cloud console, then stored here; Secrets Manager cannot create one.',
    );
  }

  /** The sending function's environment and its grants: texts through End User Messaging (grantSendText), the Alibaba secret. */
  grantSend(sender: FollowUpFunction): void {
    this.grantSendText(sender);
    sender.fn.addEnvironment('ALIBABA_SMS_SECRET_ARN', this.alibabaSecret.secretArn);
    this.alibabaSecret.grantRead(sender.fn);
  }

  /**
   * AWS End User Messaging only: SendTextMessage through this configuration set and origination
   * identity, and their environment, without the Alibaba key, for a function that never texts a
   * mainland number through Alibaba (the care greetings, the SmsReply function's HELP answers).
   */
  grantSendText(sender: FollowUpFunction): void {
    const stack = Stack.of(this);
    // The name as written (Ref returns the same once created): the function must not run before the set exists.
    const name = this.configurationSet.configurationSetName!;
    sender.fn.node.addDependency(this.configurationSet);
    sender.fn.addEnvironment('SMS_CONFIGURATION_SET', name);
    if (this.originationIdentity) sender.fn.addEnvironment('SMS_ORIGINATION_IDENTITY', this.originationIdentity);
    const arn = (resource: string) => stack.formatArn({ service: 'sms-voice', resource });
    // Without an identity, End User Messaging picks one of the account's own: any of them may be asked for.
    const identities = this.originationIdentity ? [this.originationIdentity] : [arn('phone-number/*'), arn('pool/*'), arn('sender-id/*')];
    sender.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['sms-voice:SendTextMessage'],
        resources: [arn(`configuration-set/${name}`), ...identities],
      }),
    );
    if (!this.originationIdentity) {
      for (const kind of ['phone-number', 'pool', 'sender-id']) {
        acknowledge(
          sender.role,
          `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:sms-voice:<AWS::Region>:<AWS::AccountId>:${kind}/*]`,
          'Without smsOriginationIdentity End User Messaging chooses the origination identity among the account’s own in this ' +
            'Region; every send still goes through this stack’s configuration set only.',
        );
      }
    }
  }

  /**
   * Two-way SMS: End User Messaging publishes each reply to the two-way number to this topic
   * (encrypted: replies carry a phone number and the customer's words), and the SmsReply function
   * matches it to the attempt, records a score or an opt-out and resumes the follow-up. The
   * number's two-way channel is set to this topic outside the stack, like the number itself
   * (README: output SmsReplyTopicArn).
   */
  receiveReplies(props: { table: dynamodb.ITable; stateMachineArn: string; deadLetters: sqs.IQueue }): {
    topic: sns.Topic;
    fn: FollowUpFunction;
  } {
    const stack = Stack.of(this);
    const fromThisAccount = { StringEquals: { 'aws:SourceAccount': stack.account } };
    const smsVoice = new iam.ServicePrincipal('sms-voice.amazonaws.com');
    const key = new kms.Key(this, 'ReplyTopicKey', {
      description: 'Encrypts the SMS replies topic',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.DESTROY,
      pendingWindow: Duration.days(7),
    });
    key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'EndUserMessagingPublishesToTheEncryptedTopic',
        principals: [smsVoice],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: fromThisAccount,
      }),
    );
    const topic = new sns.Topic(this, 'ReplyTopic', { displayName: 'Customer follow-up SMS replies', enforceSSL: true, masterKey: key });
    topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'EndUserMessagingPublishesReplies',
        principals: [smsVoice],
        actions: ['sns:Publish'],
        resources: [topic.topicArn],
        conditions: fromThisAccount,
      }),
    );
    const fn = new FollowUpFunction(this, 'Reply', {
      folder: 'sms-reply',
      description: 'Matches an SMS reply to its attempt: a score, an opt-out keyword or HELP',
      environment: { FOLLOW_UP_TABLE: props.table.tableName },
      deadLetterQueue: props.deadLetters,
    });
    topic.addSubscription(new subscriptions.LambdaSubscription(fn.fn));
    // Delivery receipts of the texts that never arrived go to the same topic and function: the
    // attempt fails and the follow-up moves to its next channel without waiting for the timeout.
    this.configurationSet.eventDestinations = [
      {
        eventDestinationName: 'undelivered-texts',
        enabled: true,
        matchingEventTypes: [...UNDELIVERED_TEXT_EVENTS],
        snsDestination: { topicArn: topic.topicArn },
      },
    ];
    grantItemReadWrite(props.table, fn.fn);
    grantTaskCallbacks(fn.role, props.stateMachineArn);
    // HELP is answered by a text from the same configuration set and number (replies come from AWS numbers only).
    this.grantSendText(fn);
    return { topic, fn };
  }
}
