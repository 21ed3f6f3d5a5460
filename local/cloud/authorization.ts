import { LOCAL_ACCOUNT, LOCAL_REGION } from '../template.js';
import type { AccessRequest } from './iam.js';
import { addressOf } from './ses-account.js';
import { LOCAL_SMS_ORIGINATION } from './sms.js';

/**
 * What each operation the local endpoint serves asks IAM for: the action and the resource ARN as
 * the service's authorization reference names them (and the resource AWS names in its
 * AccessDenied message).
 */
export interface AuthorizationFacts {
  /** The state machine that owns a task token (SendTask* are authorised on it). */
  stateMachineOfToken(token: string): string | undefined;
  /** The SES identity that sends for an address: the address if verified itself, else its domain. */
  sendingIdentity(fromAddress: string): string;
}

const arn = (service: string, resource: string) => `arn:aws:${service}:${LOCAL_REGION}:${LOCAL_ACCOUNT}:${resource}`;

function busArn(name: unknown): string {
  const value = typeof name === 'string' && name ? name : 'default';
  return value.startsWith('arn:') ? value : arn('events', `event-bus/${value}`);
}

function secretArn(id: string): string {
  return id.startsWith('arn:') ? id : arn('secretsmanager', `secret:${id}`);
}

type Body = Record<string, unknown>;

const byOperation: Record<string, (body: Body, facts: AuthorizationFacts) => AccessRequest[]> = {
  'AWSStepFunctions.StartExecution': (b) => [{ action: 'states:StartExecution', resource: String(b.stateMachineArn) }],
  'AWSStepFunctions.SendTaskSuccess': (b, f) => [
    { action: 'states:SendTaskSuccess', resource: f.stateMachineOfToken(String(b.taskToken)) ?? '*' },
  ],
  'AWSStepFunctions.SendTaskFailure': (b, f) => [
    { action: 'states:SendTaskFailure', resource: f.stateMachineOfToken(String(b.taskToken)) ?? '*' },
  ],
  'AWSStepFunctions.SendTaskHeartbeat': (b, f) => [
    { action: 'states:SendTaskHeartbeat', resource: f.stateMachineOfToken(String(b.taskToken)) ?? '*' },
  ],
  'AWSStepFunctions.DescribeExecution': (b) => [{ action: 'states:DescribeExecution', resource: String(b.executionArn) }],
  'AWSStepFunctions.StopExecution': (b) => [{ action: 'states:StopExecution', resource: String(b.executionArn) }],
  'AWSEvents.PutEvents': (b) =>
    [...new Set(((b.Entries as Body[] | undefined) ?? []).map((e) => busArn(e.EventBusName)))].map((resource) => ({
      action: 'events:PutEvents',
      resource,
    })),
  'secretsmanager.GetSecretValue': (b) => [{ action: 'secretsmanager:GetSecretValue', resource: secretArn(String(b.SecretId)) }],
  'PUT /contact/task': (b) => {
    const instance = arn('connect', `instance/${String(b.InstanceId)}`);
    const requests: AccessRequest[] = [];
    if (b.ContactFlowId)
      requests.push({ action: 'connect:StartTaskContact', resource: `${instance}/contact-flow/${String(b.ContactFlowId)}` });
    if (b.TaskTemplateId)
      requests.push({ action: 'connect:StartTaskContact', resource: `${instance}/task-template/${String(b.TaskTemplateId)}` });
    if (b.QuickConnectId)
      requests.push({ action: 'connect:StartTaskContact', resource: `${instance}/transfer-destination/${String(b.QuickConnectId)}` });
    return requests;
  },
  'POST /contact/stop': (b) => [
    { action: 'connect:StopContact', resource: arn('connect', `instance/${String(b.InstanceId)}/contact/${String(b.ContactId)}`) },
  ],
  'POST /v2/email/outbound-emails': (b, f) => {
    const requests: AccessRequest[] = [
      { action: 'ses:SendEmail', resource: arn('ses', `identity/${f.sendingIdentity(addressOf(String(b.FromEmailAddress ?? '')))}`) },
    ];
    // With a configuration set, SES authorises the send on the set as well.
    if (b.ConfigurationSetName)
      requests.push({ action: 'ses:SendEmail', resource: arn('ses', `configuration-set/${String(b.ConfigurationSetName)}`) });
    return requests;
  },
  // End User Messaging authorizes a send on its configuration set and on the origination identity it sends from.
  'PinpointSMSVoiceV2.SendTextMessage': (b) => {
    const identity = typeof b.OriginationIdentity === 'string' ? b.OriginationIdentity : LOCAL_SMS_ORIGINATION;
    const requests: AccessRequest[] = [
      { action: 'sms-voice:SendTextMessage', resource: identity.startsWith('arn:') ? identity : arn('sms-voice', identity) },
    ];
    if (b.ConfigurationSetName)
      requests.push({
        action: 'sms-voice:SendTextMessage',
        resource: arn('sms-voice', `configuration-set/${String(b.ConfigurationSetName)}`),
      });
    return requests;
  },
};

/** The IAM requests an endpoint operation makes; `undefined` for an operation this table does not know (refused by the caller). */
export function accessRequestsFor(operation: string, body: Body, facts: AuthorizationFacts): AccessRequest[] | undefined {
  return byOperation[operation]?.(body, facts);
}

export function s3PutObjectRequest(bucket: string, key: string): AccessRequest {
  return { action: 's3:PutObject', resource: `arn:aws:s3:::${bucket}/${key}` };
}
