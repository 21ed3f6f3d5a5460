import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { sendEventHelp } from './send-event-help.js';
import { PROJECT_ROOT, startLocalStack } from './stack.js';

/**
 * `npm start`: the whole follow-up system on this machine, no AWS account and no network.
 * Data is kept under .local/ so a restart loses nothing that was stored.
 *
 *   npm start -- --template cdk.out/CustomerFollowUp.template.json   run a synthesized template
 *   npm start -- --verified a@example.org,example.com                 SES identities verified (sandbox)
 *   npm start -- --ses-production                                     SES out of the sandbox
 */
const { values: args } = parseArgs({
  options: {
    template: { type: 'string', short: 't' },
    'ses-production': { type: 'boolean', default: false },
    verified: { type: 'string', multiple: true, default: [] },
  },
});
const dataDir = path.join(PROJECT_ROOT, '.local', 'dynamodb');
mkdirSync(dataDir, { recursive: true });
const webPort = Number(process.env.PORT ?? 3000);
const awsPort = Number(process.env.AWS_PORT ?? 4010);

const stack = await startLocalStack({
  clock: 'follow',
  dataDir,
  webPort,
  awsPort,
  // Fixed so that handlers and links keep working across restarts.
  dynamoPort: Number(process.env.DYNAMODB_PORT ?? 4011),
  stateFile: path.join(PROJECT_ROOT, '.local', 'state.json'),
  logLevel: (process.env.LOG_LEVEL as 'INFO') ?? 'WARN',
  template: args.template,
  ses: {
    production: args['ses-production'],
    verified: args.verified
      .flatMap((list) => list.split(','))
      .map((identity) => identity.trim())
      .filter(Boolean),
  },
});
if (stack.resumedExecutions > 0)
  console.log(`Resumed ${stack.resumedExecutions} running follow-ups and escalations from .local/state.json.`);

// The S3 archive of reports, kept as files so a manager can open them.
const archiveDir = path.join(PROJECT_ROOT, '.local', 'archive');
stack.cloud.onObject((bucket, key, body) => {
  const file = path.join(archiveDir, bucket, key);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, body);
});

const webUrl = stack.webUrl.replace('127.0.0.1', 'localhost');
const anHourAgo = new Date(stack.clock.now().getTime() - 3_600_000).toISOString();
console.log(`
Customer follow-up is running locally.

  Web page (agent desk, mail, follow-ups):  ${webUrl}
  AWS endpoint (EventBridge PutEvents, Step Functions, Connect, SES):  ${stack.awsUrl}
  DynamoDB (dynalite):  ${stack.dynamoUrl}, data in ${path.relative(process.cwd(), dataDir) || dataDir}
  Template:  ${args.template ?? 'synthesized from infra/ (--template FILE runs a cdk.out template)'}
  SES:  ${stack.cloud.ses.describe()}
        (--verified ADDRESS|DOMAIN,… to verify more, --ses-production to leave the sandbox)
  Scheduled reports (daily 08:00, weekly Mon 08:30, monthly 1st 09:00, Asia/Shanghai): emails on the
  page's Sent mail tab, archive in ${path.relative(process.cwd(), archiveDir)}/

${sendEventHelp({ awsUrl: stack.awsUrl, webUrl, busName: stack.busName, completedAt: anHourAgo, serial: String(Date.now()) })}

Press Ctrl-C to stop.
`);

const shutdown = once(async () => {
  console.log('\nStopping the local stack…');
  await stack.stop();
  console.log('Stopped. Data is kept in .local/.');
  process.exit(0);
});
process.on('SIGINT', () => void shutdown());
process.on('SIGTERM', () => void shutdown());

/** Ctrl-C twice, or SIGINT then SIGTERM, stops the stack once. */
function once(stop: () => Promise<void>): () => Promise<void> {
  let stopping: Promise<void> | undefined;
  return () => (stopping ??= stop());
}
