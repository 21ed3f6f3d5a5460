import { ConnectClient, StartTaskContactCommand } from '@aws-sdk/client-connect';
import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { requireEnv } from '../env.js';
import { sdkClientConfig } from './sdk-config.js';

/** The contact channel ports: an agent task in Amazon Connect, or an email with a survey link. */
export interface AgentTask {
  followUpId: string;
  attempt: number;
  /** Shown as the task's title in the agent's queue. */
  name: string;
  /** The call script: opening, then one question per line. */
  description: string;
  outcomeFormUrl: string;
  /** More links for the agent (a manager's task also has "acknowledge"). */
  extraReferences?: Record<string, string>;
  attributes: Record<string, string>;
}

export interface OutgoingEmail {
  to: string;
  subject: string;
  html: string;
  text: string;
}

export interface ContactChannels {
  startAgentTask(task: AgentTask): Promise<{ contactId: string }>;
  sendEmail(email: OutgoingEmail): Promise<{ messageId: string }>;
}

// Throttling from Connect (2 req/s per account) and SES (send rate) is retried by the SDK with
// jittered backoff first, then by the workflow's Retry on the Contact step.
const connect = new ConnectClient(sdkClientConfig());
const ses = new SESv2Client(sdkClientConfig());

export const awsContactChannels: ContactChannels = {
  async startAgentTask(task) {
    const response = await connect.send(
      new StartTaskContactCommand({
        InstanceId: requireEnv('CONNECT_INSTANCE_ID'),
        ContactFlowId: requireEnv('CONNECT_CONTACT_FLOW_ID'),
        // Same follow-up and attempt → same token → Connect returns the task it already made.
        ClientToken: `${task.followUpId}-${task.attempt}`,
        Name: task.name.slice(0, 512),
        Description: task.description.slice(0, 4096),
        References: {
          outcomeForm: { Type: 'URL', Value: task.outcomeFormUrl },
          ...Object.fromEntries(Object.entries(task.extraReferences ?? {}).map(([name, url]) => [name, { Type: 'URL' as const, Value: url }])),
        },
        Attributes: task.attributes,
      }),
    );
    return { contactId: response.ContactId ?? '' };
  },
  async sendEmail(email) {
    const response = await ses.send(
      new SendEmailCommand({
        FromEmailAddress: requireEnv('SENDER_EMAIL'),
        Destination: { ToAddresses: [email.to] },
        ConfigurationSetName: process.env.SES_CONFIGURATION_SET || undefined,
        Content: {
          Simple: {
            Subject: { Data: email.subject, Charset: 'UTF-8' },
            Body: { Html: { Data: email.html, Charset: 'UTF-8' }, Text: { Data: email.text, Charset: 'UTF-8' } },
          },
        },
      }),
    );
    return { messageId: response.MessageId ?? '' };
  },
};
