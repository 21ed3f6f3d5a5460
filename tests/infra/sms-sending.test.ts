import { Match, type Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { buildTestApp, synthesizeTestTemplate } from './test-app.js';

/** SMS in the stack: one configuration set, the Alibaba key secret, SendTextMessage for the Contact, SmsReply and care functions only. */
type Statement = { Action: string | string[]; Resource: unknown };

function smsStatements(template: Template): { role: string; resources: string }[] {
  return Object.entries(template.findResources('AWS::IAM::Policy')).flatMap(([, policy]) =>
    (policy.Properties.PolicyDocument.Statement as Statement[])
      .filter((s) => [s.Action].flat().some((a) => a.startsWith('sms-voice:')))
      .map((s) => ({ role: JSON.stringify(policy.Properties.Roles), resources: JSON.stringify(s.Resource) })),
  );
}

describe('SMS sending', () => {
  it('grants SendTextMessage to the Contact, SmsReply and care functions alone, on the stack’s set and the given identity', () => {
    const identity = 'arn:aws:sms-voice:us-east-1:111122223333:pool/pool-0123456789abcdef';
    const template = synthesizeTestTemplate({ smsOriginationIdentity: identity });
    template.hasResourceProperties('AWS::SMSVOICE::ConfigurationSet', { ConfigurationSetName: 'CustomerFollowUp-sms' });
    const statements = smsStatements(template);
    // The Contact function texts surveys; the SmsReply function answers HELP; the care function texts greetings.
    expect(statements.map((s) => s.role.match(/FollowUpContactRole|SmsReplyRole|CareSendRole/)?.[0]).sort()).toEqual([
      'CareSendRole',
      'FollowUpContactRole',
      'SmsReplyRole',
    ]);
    for (const statement of statements) {
      expect(statement.resources).toContain('configuration-set/CustomerFollowUp-sms');
      expect(statement.resources).toContain(identity);
      expect(statement.resources).not.toContain('*');
    }
    const contact = Object.values(template.findResources('AWS::Lambda::Function')).find(
      (fn) => fn.Properties.Environment?.Variables?.SMS_ORIGINATION_IDENTITY === identity,
    );
    expect(contact?.Properties.Environment.Variables).toMatchObject({ SMS_CONFIGURATION_SET: 'CustomerFollowUp-sms' });
    expect(contact?.Properties.Environment.Variables.ALIBABA_SMS_SECRET_ARN).toBeDefined();
  });

  it('gives the care function the configuration set and identity but not the Alibaba key it never uses', () => {
    const identity = 'arn:aws:sms-voice:us-east-1:111122223333:phone-number/phone-0123456789abcdef';
    const template = synthesizeTestTemplate({ smsOriginationIdentity: identity });
    const care = Object.entries(template.findResources('AWS::Lambda::Function')).find(([logicalId]) =>
      logicalId.startsWith('CareSend'),
    )![1];
    expect(care.Properties.Environment.Variables).toMatchObject({
      SMS_CONFIGURATION_SET: 'CustomerFollowUp-sms',
      SMS_ORIGINATION_IDENTITY: identity,
    });
    expect(care.Properties.Environment.Variables.ALIBABA_SMS_SECRET_ARN).toBeUndefined();
    // The care function reads the link key (its emails' unsubscribe links), never the Alibaba AccessKey.
    const readsAlibabaKey = (s: Statement) =>
      [s.Action].flat().includes('secretsmanager:GetSecretValue') && JSON.stringify(s.Resource).includes('Alibaba');
    const secretReaders = Object.values(template.findResources('AWS::IAM::Policy')).filter((policy) =>
      (policy.Properties.PolicyDocument.Statement as Statement[]).some(readsAlibabaKey),
    );
    const readers = secretReaders.map((policy) => JSON.stringify(policy.Properties.Roles));
    expect(readers).toContainEqual(expect.stringContaining('FollowUpContactRole'));
    expect(readers).not.toContainEqual(expect.stringContaining('CareSend'));
  });

  it('without an origination identity, allows only the account’s own numbers, pools and sender ids', () => {
    const [statement] = smsStatements(synthesizeTestTemplate());
    expect(statement!.resources).toMatch(/phone-number\/\*.*pool\/\*.*sender-id\/\*/);
  });

  it('refuses an origination identity that is not an End User Messaging ARN, naming the context key', () => {
    expect(() => buildTestApp({ context: { smsOriginationIdentity: '+14155550100' } })).toThrow(/smsOriginationIdentity/);
  });

  it('receives replies on an encrypted topic End User Messaging of this account may publish to, for the SmsReply function', () => {
    const template = synthesizeTestTemplate();
    template.hasResourceProperties('AWS::SNS::Topic', { DisplayName: 'Customer follow-up SMS replies', KmsMasterKeyId: Match.anyValue() });
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'lambda' });
    // The receipts of texts that never arrived go to the same topic.
    template.hasResourceProperties('AWS::SMSVOICE::ConfigurationSet', {
      EventDestinations: [
        Match.objectLike({ MatchingEventTypes: Match.arrayWith(['TEXT_UNREACHABLE']), SnsDestination: Match.anyValue() }),
      ],
    });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: Match.objectLike({
        Statement: Match.arrayWith([
          Match.objectLike({
            Sid: 'EndUserMessagingPublishesReplies',
            Principal: { Service: 'sms-voice.amazonaws.com' },
            Condition: { StringEquals: { 'aws:SourceAccount': Match.anyValue() } },
          }),
        ]),
      }),
    });
    const reply = Object.values(template.findResources('AWS::Lambda::Function')).find((fn) =>
      JSON.stringify(fn.Properties.Description ?? '').includes('SMS reply'),
    );
    expect(reply?.Properties.Environment.Variables.ALIBABA_SMS_SECRET_ARN).toBeUndefined();
    expect(reply?.Properties.DeadLetterConfig).toBeDefined();
  });
});
