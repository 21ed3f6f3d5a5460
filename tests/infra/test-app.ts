import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { buildApp } from '../../infra/app.js';
import type { FollowUpStack } from '../../infra/follow-up-stack.js';

/** The deployment settings the infra tests synthesize with (what `cdk deploy -c` would pass). */
export const TEST_CONTEXT = {
  connectInstanceId: '9f2c3b1a-4d5e-4f60-8a7b-0c1d2e3f4a5b',
  senderEmail: 'follow-up@dealer.example',
  alarmEmail: 'on-call@dealer.example',
} as const;

/** Builds the app without bundling the functions (fast); `context` overrides or removes keys. */
export function buildTestApp({ context = {}, nag = false }: { context?: Record<string, string | undefined>; nag?: boolean } = {}): {
  app: App;
  stack: FollowUpStack;
} {
  const merged: Record<string, unknown> = { 'aws:cdk:bundling-stacks': [], ...TEST_CONTEXT, ...context };
  for (const [key, value] of Object.entries(merged)) if (value === undefined) delete merged[key];
  return buildApp({ app: new App({ context: merged }), nag });
}

export function synthesizeTestTemplate(context: Record<string, string | undefined> = {}): Template {
  return Template.fromStack(buildTestApp({ context }).stack);
}
