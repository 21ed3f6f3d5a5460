import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { useRequestHandler } from '../functions/shared/adapters/sdk-config.js';
import { useClock } from '../functions/shared/clock.js';
import { startAwsEndpoint } from './aws-endpoint.js';
import { LocalCloud } from './cloud/index.js';
import { SesAccount, type SesAccountOptions } from './cloud/ses-account.js';
import { startDynamo } from './dynamo.js';
import { InProcessHttpHandler } from './in-process-transport.js';
import { LOCAL_API_ID, LOCAL_REGION, loadTemplate, nameOf, resourcesOfType, synthesizeTemplate, type Template } from './template.js';
import { VirtualClock } from './virtual-clock.js';
import { startWebServer } from './web.js';

export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export interface LocalStackOptions {
  /** follow: wall-clock time (npm start); manual: the simulator moves time. */
  clock: 'follow' | 'manual';
  start?: Date;
  /** Keep DynamoDB data here (npm start); in memory when absent. */
  dataDir?: string;
  webPort?: number;
  awsPort?: number;
  logLevel?: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' | 'SILENT';
  /** Run the template's schedules (reports, dormant customers); default true. */
  schedules?: boolean;
  /** Keep running executions, tasks and mail here, and resume them at the next start. */
  stateFile?: string;
  dynamoPort?: number;
  /**
   * The template to run: a synthesized file (`cdk.out/<stack>.template.json`, what you deploy) or
   * one already loaded. Synthesized in-process from infra/ when absent.
   */
  template?: string | Template;
  /**
   * The SES account: in the sandbox unless `production`. The template's sender (SENDER_EMAIL) is
   * verified, as deploying requires; `verified` adds addresses and domains.
   */
  ses?: SesAccountOptions;
  /**
   * Links in messages keep the template's API address instead of this web server's: a simulation
   * (nobody clicks them after the run, and a replay writes the same bytes, whatever port the server
   * got). `fetch` answers that address in-process.
   */
  apiLinks?: boolean;
}

export interface LocalStack {
  cloud: LocalCloud;
  clock: VirtualClock;
  webUrl: string;
  awsUrl: string;
  dynamoUrl: string;
  tableName: string;
  /** The template's event bus: where upstream systems put their events. */
  busName: string;
  resumedExecutions: number;
  /** `fetch`, with the web server's own URLs answered in-process (the simulator's customers, agents and managers). */
  fetch: typeof fetch;
  stop(): Promise<void>;
}

/**
 * Boots the whole system locally from the synthesized template: DynamoDB, the AWS endpoint
 * (Step Functions, EventBridge, Connect, SES, Secrets Manager), the functions in-process and
 * the web page. One per process: handlers read the endpoints when first imported.
 */
export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  const template = typeof options.template === 'string' ? loadTemplate(options.template) : (options.template ?? synthesizeTemplate());
  // A resumed stack goes on from where its clock stood (the "skip ahead" jumps included).
  const saved = options.stateFile ? LocalCloud.savedClock(options.stateFile) : undefined;
  const start = saved !== undefined && saved > (options.start ?? new Date()).getTime() ? new Date(saved) : options.start;
  const clock = new VirtualClock(options.clock, start);
  useClock(clock.now, (until) => clock.sleepUntil(until));
  const dynamo = await startDynamo(template, options.dataDir, options.dynamoPort);
  const cloud = new LocalCloud(template, clock, PROJECT_ROOT);
  // Refuses, as AWS would, a template whose state machines cannot log or trace.
  await cloud.ready();
  dynamo.authorizeWith(async (caller, requests) => {
    for (const request of requests) await cloud.iam.authorize({ kind: 'role', ...caller }, request);
  });
  const aws = await startAwsEndpoint(cloud, options.awsPort ?? 0);
  const environment = cloud.mergedEnvironment();
  cloud.ses = sesAccount(options.ses, environment);
  const apiOrigin = new RegExp(`^https://${LOCAL_API_ID}\\.execute-api\\.[^/]+`);
  const web = await startWebServer(cloud, options.webPort ?? 0, {
    dynamoUrl: dynamo.url,
    tableName: environment.FOLLOW_UP_TABLE!,
    aliases: options.apiLinks ? [apiOrigin.exec(environment.OUTCOME_BASE_URL ?? '')?.[0]].filter((o) => o !== undefined) : [],
  });

  for (const [key, value] of Object.entries(environment)) {
    process.env[key] = key === 'OUTCOME_BASE_URL' && !options.apiLinks ? value.replace(apiOrigin, web.url) : value;
  }
  Object.assign(process.env, {
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_ENDPOINT_URL: aws.url,
    // The Alibaba Cloud SMS stand-in answers on the local AWS endpoint.
    ALIBABA_SMS_ENDPOINT: aws.url,
    AWS_ENDPOINT_URL_DYNAMODB: dynamo.url,
    POWERTOOLS_METRICS_DISABLED: 'true',
    S3_FORCE_PATH_STYLE: 'true',
    AWS_REQUEST_CHECKSUM_CALCULATION: 'WHEN_REQUIRED',
    POWERTOOLS_LOG_LEVEL: options.logLevel ?? 'WARN',
    AWS_LAMBDA_FUNCTION_NAME: 'local',
  });
  // The handlers' SDK clients hand their signed, serialised requests to the local services in-process.
  useRequestHandler(new InProcessHttpHandler());
  await cloud.loadHandlers();
  const resumed = options.stateFile ? cloud.resumeFrom(options.stateFile) : { executions: 0 };
  if (options.stateFile) cloud.persistTo(options.stateFile);
  if (options.schedules !== false) cloud.startSchedules();
  // The handlers' DynamoDB client is this same module instance: count its calls like the others.
  const { tableClient } = await import('../functions/shared/adapters/table.js');
  const documentClient = tableClient();
  documentClient.middlewareStack.remove('localApiCallCount');
  documentClient.middlewareStack.add(
    (next, context) => async (args) => {
      cloud.countDynamoCall(String(context.commandName ?? 'Unknown').replace(/Command$/, ''));
      return next(args);
    },
    { step: 'initialize', name: 'localApiCallCount' },
  );
  return {
    cloud,
    clock,
    webUrl: web.url,
    awsUrl: aws.url,
    dynamoUrl: dynamo.url,
    tableName: environment.FOLLOW_UP_TABLE!,
    busName: eventBusName(template),
    resumedExecutions: resumed.executions,
    fetch: web.fetch,
    async stop() {
      cloud.persistNow();
      clock.stop();
      await web.close();
      await aws.close();
      await dynamo.close();
    },
  };
}

function sesAccount(options: SesAccountOptions = {}, environment: Record<string, string>): SesAccount {
  const sender = environment.SENDER_EMAIL;
  return new SesAccount({ ...options, verified: [...(sender ? [sender] : []), ...(options.verified ?? [])] }, LOCAL_REGION);
}

function eventBusName(template: Template): string {
  const buses = resourcesOfType(template, 'AWS::Events::EventBus');
  if (buses.length !== 1) throw new Error(`the template should have one event bus, it has ${buses.length}`);
  return nameOf(template, buses[0]![0]);
}
