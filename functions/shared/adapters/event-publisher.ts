import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { requireEnv } from '../env.js';
import { sdkClientConfig } from './sdk-config.js';

export const FOLLOW_UP_SOURCE = 'customer-follow-up';

export interface EventPublisher {
  publish(detailType: string, detail: Record<string, unknown>, source?: string): Promise<void>;
}

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
