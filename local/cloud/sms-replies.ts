import { LOCAL_ACCOUNT, resolve, resourcesOfType, type Template } from '../template.js';
import type { AsyncDelivery } from './async-delivery.js';
import type { CloudCore } from './core.js';
import type { SentSms } from './sms.js';

/**
 * Two-way SMS, locally: a reply to one of our numbers is what End User Messaging publishes to the
 * two-way topic, and SNS delivers it to the topic's Lambda subscribers. Each step is authorised
 * as in AWS: End User Messaging publishes on the topic's policy (and encrypts with the topic's key
 * on the key's policy), SNS invokes the function on its resource policy.
 */
export class LocalSmsReplies {
  constructor(
    private readonly core: CloudCore,
    private readonly template: Template,
    private readonly delivery: AsyncDelivery,
  ) {}

  /** The topics with a Lambda subscription (the two-way topic), each with its key and subscribers. */
  private replyTopics(): { topicArn: string; keyArn?: string; functions: string[] }[] {
    const t = this.template;
    const byTopic = new Map<string, string[]>();
    for (const [, sub] of resourcesOfType(t, 'AWS::SNS::Subscription')) {
      if (sub.Properties?.Protocol !== 'lambda') continue;
      const topicArn = resolve(t, sub.Properties.TopicArn) as string;
      byTopic.set(topicArn, [...(byTopic.get(topicArn) ?? []), resolve(t, sub.Properties.Endpoint) as string]);
    }
    return [...byTopic].map(([topicArn, functions]) => {
      const topic = resourcesOfType(t, 'AWS::SNS::Topic').find(([id]) => resolve(t, { Ref: id }) === topicArn)?.[1];
      const keyArn = resolve(t, topic?.Properties?.KmsMasterKeyId) as string | undefined;
      return { topicArn, functions, ...(keyArn ? { keyArn } : {}) };
    });
  }

  /** A customer (`from`) replies `body` to our number `to`. Resolves once every subscriber has had it. */
  async reply(from: string, to: string, body: string): Promise<void> {
    const inboundMessageId = this.core.nextId('inbound');
    const message = JSON.stringify({
      originationNumber: from,
      destinationNumber: to,
      messageKeyword: 'KEYWORD_LOCAL',
      messageBody: body,
      inboundMessageId,
      previousPublishedMessageId: '',
    });
    for (const topic of this.replyTopics()) await this.publish(topic, message, inboundMessageId);
  }

  /** The carrier's receipt for a text: published to the SNS destinations of its configuration set that match the event type. */
  async deliveryEvent(sent: SentSms, eventType: string): Promise<void> {
    const t = this.template;
    const set = resourcesOfType(t, 'AWS::SMSVOICE::ConfigurationSet').find(
      ([, r]) => resolve(t, r.Properties?.ConfigurationSetName) === sent.configurationSet,
    )?.[1];
    const destinations = (resolve(t, set?.Properties?.EventDestinations ?? []) as Record<string, unknown>[]).filter(
      (d) => d.Enabled !== false && (d.MatchingEventTypes as string[] | undefined)?.includes(eventType),
    );
    const message = JSON.stringify({
      eventType,
      eventVersion: '1.0',
      eventTimestamp: this.core.clock.nowMs(),
      isFinal: true,
      destinationPhoneNumber: sent.to,
      messageId: sent.messageId,
      configurationSetName: sent.configurationSet,
      context: sent.context,
    });
    const topics = this.replyTopics();
    for (const destination of destinations) {
      const topicArn = (destination.SnsDestination as { TopicArn?: string } | undefined)?.TopicArn;
      const topic = topics.find((candidate) => candidate.topicArn === topicArn);
      if (topic) await this.publish(topic, message, sent.messageId);
    }
  }

  private async publish(topic: { topicArn: string; keyArn?: string; functions: string[] }, message: string, key: string): Promise<void> {
    const { core } = this;
    const { topicArn, keyArn, functions } = topic;
    const smsVoice = { kind: 'service' as const, service: 'sms-voice.amazonaws.com' };
    const publisher = { 'aws:SourceAccount': LOCAL_ACCOUNT };
    await core.iam.authorize(smsVoice, { action: 'sns:Publish', resource: topicArn, context: publisher });
    if (keyArn) await core.iam.authorize(smsVoice, { action: 'kms:GenerateDataKey', resource: keyArn, context: publisher });
    core.count('SNS', 'Publish', key);
    const event = {
      Records: [
        {
          EventSource: 'aws:sns',
          EventVersion: '1.0',
          EventSubscriptionArn: `${topicArn}:${key}`,
          Sns: {
            Type: 'Notification',
            MessageId: core.nextId('sns'),
            TopicArn: topicArn,
            Message: message,
            Timestamp: core.nowIso(),
          },
        },
      ],
    };
    const invoker = { principal: { kind: 'service' as const, service: 'sns.amazonaws.com' }, context: { 'aws:SourceArn': topicArn } };
    await Promise.all(functions.map((arn) => this.delivery.deliver({ arn, invoker }, event)));
  }
}

/** The local account's own two-way number (End User Messaging replies arrive at it). */
export const LOCAL_TWO_WAY_NUMBER = '+12065550100';
