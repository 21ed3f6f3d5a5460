import type { ContactChannels } from '../ports/contact-channels.js';
import { connectAgentTasks } from './agent-task-channel.js';
import { sesEmailChannel } from './email-channel.js';
import { smsChannel } from './sms-channel.js';

/**
 * Every channel, for the functions that choose among them (the contact step, manager notices).
 * A function that uses fewer imports only those modules: each one it leaves out is an SDK its
 * bundle does not parse at a cold start (send-report sends email and nothing else).
 */
export const awsContactChannels: ContactChannels = { ...connectAgentTasks, ...sesEmailChannel, ...smsChannel };
