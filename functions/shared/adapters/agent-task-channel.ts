import type { ConnectClient } from '@aws-sdk/client-connect';
import { requireEnv } from '../env.js';
import type { ContactChannels } from '../ports/contact-channels.js';
import { asContactError } from './contact-errors.js';
import { sdkClientConfig } from './sdk-config.js';

const isAlreadyEnded = (error: unknown) =>
  ['ContactNotFoundException', 'ResourceNotFoundException'].includes((error as { name?: string } | undefined)?.name ?? '');

// Throttling from Connect (2 req/s per account) is retried by the SDK with jittered backoff first,
// then by the workflow's Retry on the Contact step.
/**
 * The Connect client is loaded on the first agent task, not at init: the contact step's email and
 * text attempts never call Connect.
 */
let connectSdk: Promise<{ client: ConnectClient; sdk: typeof import('./connect-sdk.js') }> | undefined;
function connect() {
  connectSdk ??= import('./connect-sdk.js').then((sdk) => ({ sdk, client: new sdk.ConnectClient(sdkClientConfig()) }));
  return connectSdk;
}

/** Agent tasks in Amazon Connect: a call for an agent to make, and its end when nobody took it in time. */
export const connectAgentTasks: Pick<ContactChannels, 'startAgentTask' | 'stopAgentTask'> = {
  async startAgentTask(task) {
    const { client, sdk } = await connect();
    const response = await client
      .send(
        new sdk.StartTaskContactCommand({
          InstanceId: requireEnv('CONNECT_INSTANCE_ID'),
          ContactFlowId: requireEnv('CONNECT_CONTACT_FLOW_ID'),
          // Same follow-up and attempt → same token → Connect returns the task it already made.
          ClientToken: `${task.followUpId}-${task.attempt}`,
          Name: task.name.slice(0, 512),
          Description: task.description.slice(0, 4096),
          References: {
            outcomeForm: { Type: 'URL', Value: task.outcomeFormUrl },
            ...Object.fromEntries(
              Object.entries(task.extraReferences ?? {}).map(([name, url]) => [name, { Type: 'URL' as const, Value: url }]),
            ),
            ...Object.fromEntries(
              Object.entries(task.textReferences ?? {}).map(([name, text]) => [name, { Type: 'STRING' as const, Value: text }]),
            ),
          },
          Attributes: task.attributes,
        }),
      )
      .catch((error: unknown) => {
        throw asContactError('phone', error);
      });
    return { contactId: response.ContactId ?? '' };
  },
  async stopAgentTask(contactId) {
    try {
      const { client, sdk } = await connect();
      await client.send(new sdk.StopContactCommand({ InstanceId: requireEnv('CONNECT_INSTANCE_ID'), ContactId: contactId }));
    } catch (error) {
      if (!isAlreadyEnded(error)) throw error;
    }
  },
};
