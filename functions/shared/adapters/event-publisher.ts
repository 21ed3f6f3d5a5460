import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { FOLLOW_UP_SOURCE } from '../domain/event-names.js';
import { requireEnv } from '../env.js';
import type { EventPublisher } from '../ports/event-publisher.js';
import { sdkClientConfig } from './sdk-config.js';

const events = new EventBridgeClient(sdkClientConfig());

export const awsEventPublisher: EventPublisher = {
  async publish(detailType, detail, source = FOLLOW_UP_SOURCE) {
    const response = await events.send(
      new PutEventsCommand({
        Entries: [{ EventBusName: requireEnv('EVENT_BUS_NAME'), Source: source, DetailType: detailType, Detail: JSON.stringify(detail) }],
      }),
    );
    if (response.FailedEntryCount) {
      throw new Error(`PutEvents failed: ${response.Entries?.[0]?.ErrorCode ?? 'unknown'}`);
    }
  },
};
