import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendEventHelp } from '../../local/send-event-help.js';
import { PROJECT_ROOT } from '../../local/stack.js';
import { CliError, putEventsRequest, sendCliRequest, shellWords } from '../support/aws-cli.js';
import { idOf } from '../support/follow-up-fixtures.js';
import { Harness } from '../support/local-harness.js';

/**
 * "Send an event" works the documented ways, as printed: the README's event.json and commands
 * (read from the README itself, so it cannot drift from what is tested) and the command
 * `npm start` prints. The AWS CLI is not installed here: its command is turned into the request
 * the CLI sends (tests/support/aws-cli.ts); the npm script runs for real.
 */
const readme = readFileSync(path.join(PROJECT_ROOT, 'README.md'), 'utf8');

/** The fenced block right after the README comment that starts with `marker`. */
function blockAfter(marker: string): string {
  const at = readme.indexOf(`<!-- ${marker}`);
  if (at === -1) throw new Error(`README has no "<!-- ${marker}" block`);
  const match = /```\w*\n([\s\S]*?)```/.exec(readme.slice(at));
  if (!match) throw new Error(`no code block after "<!-- ${marker}"`);
  return match[1]!;
}
const eventJson = blockAfter('event.json');
const commands = blockAfter('send-event commands')
  .split('\n')
  .filter((line) => line.trim() && !line.startsWith('#'));
const cliCommand = commands.find((line) => shellWords(line).includes('aws'))!;
const npmCommand = commands.find((line) => line.startsWith('npm run send-event'))!;
const readmeDetail = JSON.parse((JSON.parse(eventJson) as { Detail: string }[])[0]!.Detail) as { serviceId: string; serviceType: string };

let h: Harness;
beforeAll(async () => {
  h = await Harness.start(new Date('2026-11-20T08:00:00Z'), { schedules: false });
});
afterAll(async () => {
  await h?.stop();
});

async function rejectionOf(eventId: string) {
  return (await h.items('Rejection')).find((r) => r.eventId === eventId);
}

describe('sending an event the documented ways', () => {
  it('the README shows both ways, the CLI one with credentials and a region', () => {
    expect(cliCommand).toMatch(/^AWS_ACCESS_KEY_ID=\S+ AWS_SECRET_ACCESS_KEY=\S+ aws events put-events /);
    expect(cliCommand).toContain('--entries file://event.json');
    expect(npmCommand).toBe('npm run send-event -- event.json');
  });

  it("the README's aws CLI command sends its event.json as the CLI would, and the event becomes a follow-up", async () => {
    // A newcomer's shell: no AWS configuration at all.
    const request = putEventsRequest(cliCommand, { 'event.json': eventJson }, {});
    expect(request.endpoint).toBe('http://localhost:4010');
    const response = await h.stack.clock.track(() => sendCliRequest(request, h.stack.awsUrl));
    await h.stack.clock.settle();
    expect(response).toMatchObject({ status: 200, body: { FailedEntryCount: 0, Entries: [{ EventId: expect.any(String) }] } });
    expect(await rejectionOf(response.body.Entries![0]!.EventId!)).toBeUndefined();
    expect(await h.followUp(idOf(readmeDetail))).toMatchObject({ status: 'scheduled', serviceId: readmeDetail.serviceId });
  });

  it('what the issue found is refused as the CLI refuses it: no credentials, an object instead of a list, Detail as an object', () => {
    const bare = cliCommand.replace(/^(\w+=\S+ )+/, '');
    expect(() => putEventsRequest(bare, { 'event.json': eventJson })).toThrow(
      new CliError('Unable to locate credentials. You can configure credentials by running "aws configure".'),
    );
    const entry = JSON.parse(eventJson)[0] as Record<string, unknown>;
    const objectDetail = { ...entry, Detail: JSON.parse(entry.Detail as string) };
    expect(() => putEventsRequest(cliCommand, { 'event.json': JSON.stringify(objectDetail) })).toThrow(
      /Invalid type for parameter Entries, value: .*valid types: <class 'list'>/,
    );
    expect(() => putEventsRequest(cliCommand, { 'event.json': JSON.stringify([objectDetail]) })).toThrow(
      /Invalid type for parameter Entries\[0\]\.Detail, value: .*type: <class 'dict'>, valid types: <class 'str'>/,
    );
  });

  it('the command npm start prints works as printed', async () => {
    const help = sendEventHelp({
      awsUrl: h.stack.awsUrl,
      webUrl: h.stack.webUrl,
      busName: h.stack.busName,
      completedAt: new Date(h.now().getTime() - 3_600_000).toISOString(),
      serial: '42',
    });
    const lines = help.split('\n');
    const first = lines.findIndex((line) => line.includes('aws events put-events'));
    // The command runs on while a line ends with a backslash.
    let last = first;
    while (lines[last]!.endsWith('\\')) last += 1;
    const printed = lines.slice(first, last + 1).join('\n');
    const request = putEventsRequest(printed, {}, {});
    expect(request.endpoint).toBe(h.stack.awsUrl);
    const response = await h.stack.clock.track(() => sendCliRequest(request));
    await h.stack.clock.settle();
    expect(response).toMatchObject({ status: 200, body: { FailedEntryCount: 0 } });
    expect(await rejectionOf(response.body.Entries![0]!.EventId!)).toBeUndefined();
    expect(await h.followUp(idOf({ serviceId: 'RO-42', serviceType: 'vehicle-repair' }))).toMatchObject({ status: 'scheduled' });
    expect(help).toContain('npm run send-event -- event.json');
    expect(help).toContain(`${h.stack.webUrl}/rejections`);
  });

  it("the README's send-event command, run as written beside event.json, sends it; a non-string Detail is refused by name", async () => {
    const dir = path.join(PROJECT_ROOT, 'test-output', 'send-event');
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'event.json'), eventJson);
    const env = { ...process.env, AWS_ENDPOINT_URL: h.stack.awsUrl };
    const sent = await h.stack.clock.track(() => promisify(execFile)('bash', ['-c', npmCommand], { cwd: dir, env }));
    await h.stack.clock.settle();
    const eventId = /EventId (\S+)/.exec(sent.stdout)?.[1];
    expect(eventId, sent.stdout).toBeDefined();
    await h.cloud.delivered(eventId!);
    expect(h.cloud.publishedEvents.find((p) => p.event.id === eventId)?.event).toMatchObject({
      source: 'dealer.dms',
      'detail-type': 'Service Completed',
      detail: readmeDetail,
    });
    expect(await rejectionOf(eventId!)).toBeUndefined();

    const entry = JSON.parse(eventJson)[0] as Record<string, unknown>;
    writeFileSync(path.join(dir, 'object-detail.json'), JSON.stringify([{ ...entry, Detail: JSON.parse(entry.Detail as string) }]));
    const refused = await promisify(execFile)('bash', ['-c', 'npm run send-event -- object-detail.json'], { cwd: dir, env }).then(
      () => undefined,
      (error: { code: number; stderr: string }) => error,
    );
    expect(refused?.code).toBe(1);
    expect(refused?.stderr).toContain('Entries[0].Detail must be a string of JSON');
  });
});
