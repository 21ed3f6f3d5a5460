import { smsConfig } from '../config/sms.js';
import type { ContactChannels } from '../ports/contact-channels.js';
import { sendSms } from './sms-providers.js';

/** Text messages through the provider sms.json routes each destination to. */
export const smsChannel: Pick<ContactChannels, 'sendSms'> = {
  sendSms(sms) {
    return sendSms(sms, smsConfig);
  },
};
