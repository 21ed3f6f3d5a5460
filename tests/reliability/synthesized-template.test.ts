import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { App } from 'aws-cdk-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../infra/app.js';
import { LOCAL_CONTEXT, loadTemplate, type Template } from '../../local/template.js';
import { at, fullAnswers, idOf, serviceCompleted } from '../support/follow-up-fixtures.js';
import { Harness, linkIn } from '../support/local-harness.js';

/**
 * Run what you deploy: the local stack starts from a template file written by a CDK synth (as
 * `npx cdk synth` writes cdk.out/<stack>.template.json), here for a second stage with its own
 * stack name, bus and sender, and follow-ups run through it by phone and by email.
 */
const dir = mkdtempSync(path.join(tmpdir(), 'cdk-out-'));
const context: Record<string, unknown> = {
  ...LOCAL_CONTEXT,
  stackName: 'CustomerFollowUpStaging',
  senderEmail: 'follow-up@staging.example.com',
  'aws:cdk:bundling-stacks': [],
};
// The bus name comes from the stack name when not given, so two stages fit one account.
delete context.eventBusName;

let file: string;
let h: Harness;
beforeAll(async () => {
  const app = new App({ outdir: dir, context });
  const { stack } = buildApp({ app, nag: false });
  app.synth();
  file = path.join(dir, `${stack.stackName}.template.json`);
  h = await Harness.start(new Date('2026-11-20T08:00:00Z'), { template: file });
}, 120_000);
afterAll(async () => {
  await h?.stop();
});

describe('a synthesized template file', () => {
  it("carries each function's handler entry and its timeout and memory, and runs as the stack", async () => {
    const template = JSON.parse(readFileSync(file, 'utf8')) as Template;
    const functions = Object.values(template.Resources).filter((r) => r.Type === 'AWS::Lambda::Function' && r.Metadata?.['followup:entry']);
    expect(functions.length).toBeGreaterThanOrEqual(10);
    for (const fn of functions) expect(fn.Properties).toMatchObject({ Timeout: expect.any(Number), MemorySize: expect.any(Number) });
    // The file's own names are what runs: its bus, its sender.
    expect(h.stack.busName).toBe('customer-follow-up-staging');
    expect(process.env.SENDER_EMAIL).toBe('follow-up@staging.example.com');
    expect(h.cloud.ses.describe()).toContain('follow-up@staging.example.com');
  });

  it('follows a customer up by phone and another by email', async () => {
    const byPhone = serviceCompleted(0);
    const byEmail = serviceCompleted(0, {}, { phone: undefined });
    await h.runUntil(at(0, 0, '16:00'));
    await h.publish('Service Completed', byPhone);
    await h.publish('Service Completed', byEmail);
    await h.runUntil(at(0, 3, '09:01'));

    const [task] = h.tasksFor(idOf(byPhone));
    expect((await h.submit(task!.outcomeFormUrl, { result: 'reached', answers: fullAnswers })).status).toBe(200);
    const [email] = h.emailsTo(byEmail.customer.email!);
    expect(email!.from).toBe('follow-up@staging.example.com');
    expect((await h.submit(linkIn(email!), { answers: fullAnswers })).status).toBe(200);

    for (const detail of [byPhone, byEmail]) {
      expect((await h.followUp(idOf(detail)))?.outcome).toMatchObject({ status: 'completed' });
      expect(h.executionOf(idOf(detail))?.transitions).toBe(4);
    }
  });

  it('refuses a file that is not a template, or a template from elsewhere, naming the file', () => {
    const notTemplate = path.join(dir, 'manifest.json');
    expect(() => loadTemplate(notTemplate)).toThrow(`template ${notTemplate}: not a CloudFormation template (no Resources object)`);
    const foreign = path.join(dir, 'foreign.template.json');
    writeFileSync(
      foreign,
      JSON.stringify({ Resources: { Fn: { Type: 'AWS::Lambda::Function', Properties: { Handler: 'index.handler' } } } }),
    );
    expect(() => loadTemplate(foreign)).toThrow(`template ${foreign}: no AWS::Lambda::Function carries "followup:entry" metadata`);
    expect(() => loadTemplate(path.join(dir, 'missing.json'))).toThrow(/missing\.json: ENOENT/);
  });
});
