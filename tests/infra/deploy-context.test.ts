import { readFileSync } from 'node:fs';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { busNameFor, REQUIRED_CONTEXT_KEYS } from '../../infra/deploy-context.js';
import { buildTestApp, TEST_CONTEXT } from './test-app.js';

const synthError = (context: Record<string, string | undefined>) => {
  try {
    buildTestApp({ context });
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('the synth did not fail');
};

describe('deployment context', () => {
  it.each(REQUIRED_CONTEXT_KEYS)('fails the synth naming %s when it is missing', (key) => {
    const message = synthError({ [key]: undefined });
    expect(message).toContain(`context key "${key}": missing`);
    for (const other of REQUIRED_CONTEXT_KEYS.filter((k) => k !== key)) expect(message).not.toContain(`"${other}"`);
  });

  it('names every missing key at once, with where to read about them', () => {
    const message = synthError({ connectInstanceId: undefined, senderEmail: undefined, alarmEmail: undefined });
    for (const key of REQUIRED_CONTEXT_KEYS) expect(message).toContain(`context key "${key}"`);
    expect(message).toContain('README.md (Deploy to AWS)');
  });

  it('refuses malformed values instead of deploying them', () => {
    expect(synthError({ connectInstanceId: 'my-instance' })).toMatch(
      /context key "connectInstanceId": "my-instance" is not an Amazon Connect instance id/,
    );
    expect(synthError({ senderEmail: 'example.com' })).toMatch(/context key "senderEmail": "example.com" is not an email address/);
    expect(synthError({ alarmEmail: 'on call' })).toMatch(/context key "alarmEmail"/);
    expect(synthError({ eventBusName: 'bus with spaces' })).toMatch(/context key "eventBusName"/);
    expect(synthError({ stackName: '1stack' })).toMatch(/context key "stackName"/);
  });

  it('keeps nothing account-specific in cdk.json: every required key comes from -c', () => {
    const cdkJson = JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')) as { context?: Record<string, unknown> };
    for (const key of [...REQUIRED_CONTEXT_KEYS, 'eventBusName', 'stackName', 'connectContactFlowId'])
      expect(cdkJson.context ?? {}).not.toHaveProperty(key);
    expect(JSON.stringify(cdkJson)).not.toMatch(/\d{12}|[\w.-]+@[\w-]+\.\w/);
  });

  it('derives the bus name from the stack name, so two stacks fit one account', () => {
    expect(busNameFor('CustomerFollowUp')).toBe('customer-follow-up');
    expect(busNameFor('CustomerFollowUp-Staging')).toBe('customer-follow-up-staging');
    const busOf = (context: Record<string, string>) => {
      const template = Template.fromStack(buildTestApp({ context }).stack);
      return Object.values(template.findResources('AWS::Events::EventBus'))[0]!.Properties.Name as string;
    };
    const production = busOf({});
    const staging = busOf({ stackName: 'CustomerFollowUp-Staging' });
    expect(production).toBe('customer-follow-up');
    expect(staging).toBe('customer-follow-up-staging');
    expect(busOf({ eventBusName: 'dealer-events' })).toBe('dealer-events');
  });

  it('uses the given Connect instance and sender, never a placeholder', () => {
    const template = Template.fromStack(buildTestApp().stack);
    const json = JSON.stringify(template.toJSON());
    expect(json).toContain(TEST_CONTEXT.connectInstanceId);
    expect(json).toContain(TEST_CONTEXT.senderEmail);
    expect(json).not.toContain('00000000-0000-0000-0000-000000000000');
    expect(json).not.toContain('follow-up@example.com');
  });
});
