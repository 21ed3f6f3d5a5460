import './setup-env.js';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PinpointSMSVoiceV2Client, SendTextMessageCommand, ValidationException } from '@aws-sdk/client-pinpoint-sms-voice-v2';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { awsContactChannels } from '../../functions/shared/adapters/contact-channels.js';
import { PermanentContactError } from '../../functions/shared/domain/errors.js';
import type { FollowUp } from '../../functions/shared/domain/follow-up.js';
import { verifyLink } from '../../functions/shared/domain/signed-link.js';
import type { OutgoingSms } from '../../functions/shared/ports/contact-channels.js';
import { type ContactDeps, startContact, stopUnansweredTask } from '../../functions/start-contact/start-contact.js';
import { FakeChannels, FakeWorkflow } from '../support/fake-channels.js';
import { storedFollowUp, storedFollowUpId } from '../support/follow-up-fixtures.js';
import { MemoryFollowUpStore } from '../support/memory-store.js';

const now = new Date('2026-11-23T01:00:00Z');
const id = storedFollowUpId;
const followUp: FollowUp = storedFollowUp();
const keys = { current: { id: 'k1', secret: 'a-very-secret-signing-key' }, previous: [] };
const input = { followUpId: id, attempt: 2, channel: 'sms' as const, timeoutSeconds: 86_400, taskToken: 'token-sms' };

describe('start-contact texts the survey on the sms channel', () => {
  let store: MemoryFollowUpStore;
  let channels: FakeChannels;
  let workflow: FakeWorkflow;
  let deps: ContactDeps;
  beforeEach(() => {
    store = new MemoryFollowUpStore();
    store.followUps.set(id, structuredClone(followUp));
    channels = new FakeChannels();
    workflow = new FakeWorkflow();
    const limiter = { reserve: async (_channel: string, from: Date) => from };
    deps = { store, limiter, channels, workflow, keys: async () => keys, outcomeBaseUrl: 'https://links.example.com', now };
  });

  it('sends a signed survey link and waits on the task token; the message id is the attempt’s contact id', async () => {
    expect(await startContact(input, deps)).toEqual({ started: true });
    const sms = channels.sms[0]!;
    expect(sms.to).toBe('+8613800138000');
    const link = /https:\/\/links\.example\.com\/links\/(\S+)/.exec(sms.text)![1]!;
    expect(verifyLink(link, keys, now)).toMatchObject({ ok: true, claims: { followUpId: id, attempt: 2, purpose: 'survey' } });
    expect(sms.templateParams?.link).toBe(`https://links.example.com/links/${link}`);
    expect(store.attempts.get(`${id}#2`)).toMatchObject({ channel: 'sms', contactedAt: now.toISOString(), contactId: 'sms-1' });
    expect(workflow.completed).toEqual([]);
  });

  it('remembers a two-way (AWS) text for its reply before sending it; a +86 text, one-way, is not remembered', async () => {
    const remembered: unknown[] = [];
    const smsReplies = {
      remember: async (...args: unknown[]) => {
        remembered.push(args);
      },
      find: async () => undefined,
    };
    await startContact(input, { ...deps, smsReplies });
    expect(remembered).toEqual([]);
    store.followUps.set(id, { ...structuredClone(followUp), customer: { ...followUp.customer, phone: '+14155550100' } });
    await startContact({ ...input, attempt: 3 }, { ...deps, smsReplies });
    expect(remembered).toEqual([['+14155550100', 'any', { followUpId: id, attempt: 3 }, new Date(now.getTime() + 86_400_000)]]);
  });

  it('never texts twice for one attempt, and stops no Connect task for a text', async () => {
    await startContact(input, deps);
    await startContact(input, deps);
    expect(channels.sms).toHaveLength(1);
    expect(await stopUnansweredTask({ action: 'stop-task', followUpId: id, attempt: 2 }, deps)).toEqual({ stopped: false });
    expect(channels.stopped).toEqual([]);
  });

  it('fails for good on a phone that cannot be written in E.164, so the next channel takes over', async () => {
    store.followUps.set(id, { ...structuredClone(followUp), customer: { ...followUp.customer, phone: '12' } });
    await expect(startContact(input, deps)).rejects.toMatchObject({ name: 'PermanentContactError', code: 'InvalidPhoneNumber' });
    expect(channels.sms).toEqual([]);
  });
});

describe('the SMS providers behind sendSms', () => {
  const aws = mockClient(PinpointSMSVoiceV2Client);
  const secrets = mockClient(SecretsManagerClient);
  const alibabaCalls: URLSearchParams[] = [];
  let alibabaAnswer: Record<string, string> = { Code: 'OK', BizId: 'biz-1', Message: 'OK', RequestId: 'r-1' };
  let server: Server;
  beforeAll(async () => {
    // A stand-in for dysmsapi.aliyuncs.com: the SDK posts the RPC action's parameters.
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => {
        body += chunk;
      });
      req.on('end', () => {
        const call = new URLSearchParams(`${new URL(req.url ?? '/', 'http://x').search.slice(1)}&${body}`);
        call.set('Action', String(req.headers['x-acs-action'] ?? call.get('Action')));
        call.set('Authorization', String(req.headers.authorization ?? ''));
        alibabaCalls.push(call);
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(alibabaAnswer));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    process.env.ALIBABA_SMS_ENDPOINT = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    Object.assign(process.env, {
      ALIBABA_SMS_SECRET_ARN: 'arn:aws:secretsmanager:us-east-1:111122223333:secret:alibaba-sms',
      SMS_ORIGINATION_IDENTITY: 'arn:aws:sms-voice:us-east-1:111122223333:pool/pool-1',
      SMS_CONFIGURATION_SET: 'follow-up-sms',
    });
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
  beforeEach(() => {
    aws.reset();
    secrets.reset();
    alibabaCalls.length = 0;
    alibabaAnswer = { Code: 'OK', BizId: 'biz-1', Message: 'OK', RequestId: 'r-1' };
    secrets.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify({ accessKeyId: 'ak', accessKeySecret: 'sk' }) });
  });
  const sms = (to: string): OutgoingSms => ({
    to,
    text: 'How did it go? https://links.example.com/links/abc',
    purpose: { kind: 'follow-up', followUpId: id, attempt: 2 },
    templateParams: { company: '示例', link: 'https://links.example.com/links/abc' },
  });

  it('sends non-+86 numbers through AWS End User Messaging with the configuration set, identity and ids as context', async () => {
    aws.on(SendTextMessageCommand).resolves({ MessageId: 'aws-1' });
    expect(await awsContactChannels.sendSms(sms('+14155550100'))).toEqual({ messageId: 'aws-1', provider: 'aws' });
    expect(aws.commandCalls(SendTextMessageCommand)[0]!.args[0].input).toEqual({
      DestinationPhoneNumber: '+14155550100',
      OriginationIdentity: 'arn:aws:sms-voice:us-east-1:111122223333:pool/pool-1',
      ConfigurationSetName: 'follow-up-sms',
      MessageBody: 'How did it go? https://links.example.com/links/abc',
      MessageType: 'TRANSACTIONAL',
      Context: { kind: 'follow-up', followUpId: id, attempt: '2' },
    });
    expect(alibabaCalls).toEqual([]);
  });

  it('turns an invalid destination into a permanent failure', async () => {
    aws
      .on(SendTextMessageCommand)
      .rejects(new ValidationException({ message: 'invalid', $metadata: { httpStatusCode: 400 }, Reason: 'INVALID_PARAMETER' }));
    await expect(awsContactChannels.sendSms(sms('+14155550100'))).rejects.toBeInstanceOf(PermanentContactError);
  });

  it('sends +86 numbers through Alibaba Cloud SMS: sign name, template code, the link as a parameter', async () => {
    expect(await awsContactChannels.sendSms(sms('+8613800138000'))).toEqual({ messageId: 'biz-1', provider: 'alibaba' });
    const call = alibabaCalls[0]!;
    expect(call.get('Action')).toBe('SendSms');
    expect(call.get('PhoneNumbers')).toBe('13800138000');
    expect(call.get('SignName')).toBe('客户回访');
    expect(call.get('TemplateCode')).toBe('SMS_100000001');
    expect(JSON.parse(call.get('TemplateParam')!)).toEqual({ company: '示例', link: 'https://links.example.com/links/abc' });
    expect(call.get('OutId')).toBe(`${id}#2`);
    expect(call.get('Authorization')).toContain('Credential=ak');
    expect(aws.commandCalls(SendTextMessageCommand)).toEqual([]);
  });

  it('reads Alibaba’s refusal of a number as a permanent failure, and a flow-control answer as retryable', async () => {
    alibabaAnswer = { Code: 'isv.MOBILE_NUMBER_ILLEGAL', Message: 'bad', RequestId: 'r-2' };
    await expect(awsContactChannels.sendSms(sms('+8613800138000'))).rejects.toMatchObject({
      name: 'PermanentContactError',
      code: 'isv.MOBILE_NUMBER_ILLEGAL',
    });
    alibabaAnswer = { Code: 'isv.BUSINESS_LIMIT_CONTROL', Message: 'slow down', RequestId: 'r-3' };
    await expect(awsContactChannels.sendSms(sms('+8613800138000'))).rejects.toMatchObject({ name: 'AlibabaSmsError' });
  });
});
