import type { AccessRequest, Principal } from '../../local/cloud/iam.js';
import { arnOf, LOCAL_ACCOUNT, resolve, resourcesOfType, type Template } from '../../local/template.js';

export const cloudwatch: Principal = { kind: 'service', service: 'cloudwatch.amazonaws.com' };

/**
 * What CloudWatch asks of IAM when an alarm fires: sns:Publish on each action topic and, for an
 * encrypted topic, GenerateDataKey and Decrypt on its key (a template key or an AWS managed alias).
 */
export function alarmNotificationRequests(t: Template): { alarm: string; request: AccessRequest }[] {
  const requests: { alarm: string; request: AccessRequest }[] = [];
  for (const [alarm, resource] of resourcesOfType(t, 'AWS::CloudWatch::Alarm')) {
    const context = { 'aws:SourceArn': `arn:aws:cloudwatch:us-east-1:${LOCAL_ACCOUNT}:alarm:${alarm}` };
    for (const topicArn of resolve(t, resource.Properties!.AlarmActions ?? []) as string[]) {
      requests.push({ alarm, request: { action: 'sns:Publish', resource: topicArn, context } });
      const topic = resourcesOfType(t, 'AWS::SNS::Topic').find(([id]) => arnOf(t, id) === topicArn)?.[1];
      const key = resolve(t, topic?.Properties?.KmsMasterKeyId) as string | undefined;
      if (!key) continue;
      const keyArn = key.startsWith('arn:')
        ? key
        : arnOf(t, resourcesOfType(t, 'AWS::KMS::Key').find(([id]) => id === key || arnOf(t, id).endsWith(`/${key}`))![0]);
      for (const action of ['kms:GenerateDataKey', 'kms:Decrypt']) requests.push({ alarm, request: { action, resource: keyArn, context } });
    }
  }
  return requests;
}
