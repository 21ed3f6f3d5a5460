import type { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { buildTestApp, synthesizeTestTemplate } from './test-app.js';

/** SMS in the stack: one configuration set, the Alibaba key secret, and SendTextMessage for the Contact function only. */
type Statement = { Action: string | string[]; Resource: unknown };

function smsStatements(template: Template): { role: string; resources: string }[] {
  return Object.entries(template.findResources('AWS::IAM::Policy')).flatMap(([, policy]) =>
    (policy.Properties.PolicyDocument.Statement as Statement[])
      .filter((s) => [s.Action].flat().some((a) => a.startsWith('sms-voice:')))
      .map((s) => ({ role: JSON.stringify(policy.Properties.Roles), resources: JSON.stringify(s.Resource) })),
  );
}

describe('SMS sending', () => {
  it('grants SendTextMessage to the Contact function alone, on the stack’s configuration set and the given identity', () => {
    const identity = 'arn:aws:sms-voice:us-east-1:111122223333:pool/pool-0123456789abcdef';
    const template = synthesizeTestTemplate({ smsOriginationIdentity: identity });
    template.hasResourceProperties('AWS::SMSVOICE::ConfigurationSet', { ConfigurationSetName: 'CustomerFollowUp-sms' });
    const statements = smsStatements(template);
    expect(statements).toHaveLength(1);
    expect(statements[0]!.role).toMatch(/FollowUpContactRole/);
    expect(statements[0]!.resources).toContain('configuration-set/CustomerFollowUp-sms');
    expect(statements[0]!.resources).toContain(identity);
    expect(statements[0]!.resources).not.toContain('*');
    const contact = Object.values(template.findResources('AWS::Lambda::Function')).find(
      (fn) => fn.Properties.Environment?.Variables?.SMS_ORIGINATION_IDENTITY === identity,
    );
    expect(contact?.Properties.Environment.Variables).toMatchObject({ SMS_CONFIGURATION_SET: 'CustomerFollowUp-sms' });
    expect(contact?.Properties.Environment.Variables.ALIBABA_SMS_SECRET_ARN).toBeDefined();
  });

  it('without an origination identity, allows only the account’s own numbers, pools and sender ids', () => {
    const [statement] = smsStatements(synthesizeTestTemplate());
    expect(statement!.resources).toMatch(/phone-number\/\*.*pool\/\*.*sender-id\/\*/);
  });

  it('refuses an origination identity that is not an End User Messaging ARN, naming the context key', () => {
    expect(() => buildTestApp({ context: { smsOriginationIdentity: '+14155550100' } })).toThrow(/smsOriginationIdentity/);
  });
});
