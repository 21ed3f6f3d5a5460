import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { LOCAL_ENTRY_METADATA } from '../infra/local-entry-metadata.js';

/**
 * The local stack runs what `cdk synth` produces, not a hand-written copy: this synthesizes the
 * stack in-process (without bundling) and resolves the template's intrinsic functions to local
 * names and ARNs.
 */
export type Template = { Resources: Record<string, Resource> };
export interface Resource {
  Type: string;
  Properties?: Record<string, unknown>;
  Metadata?: Record<string, unknown>;
}

export const LOCAL_REGION = 'us-east-1';
export const LOCAL_ACCOUNT = '000000000000';
/** Stands in for the HTTP API's id; the local stack swaps the URL around it for its own. */
export const LOCAL_API_ID = 'localapi';

/**
 * The deployment settings of the local stack (CDK context, as `-c` gives them to `cdk synth`):
 * a stand-in Connect instance, the sender the local outbox shows, and the bus tests publish to.
 */
export const LOCAL_CONTEXT = {
  stackName: 'CustomerFollowUp',
  connectInstanceId: '11111111-2222-4333-8444-555555555555',
  senderEmail: 'follow-up@example.com',
  alarmEmail: 'on-call@example.com',
  eventBusName: 'customer-follow-up',
};

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** Everything synthesis reads: the CDK app, the workflows, the functions' configuration and code, the locked dependencies. */
const SYNTH_INPUTS = [
  'infra',
  'workflows',
  'functions',
  'package-lock.json',
  'cdk.json',
  'local/template.ts',
  'local/synthesize-template.ts',
];

function filesUnder(entry: string): string[] {
  const full = path.join(ROOT, entry);
  if (!existsSync(full)) return [];
  if (!statSync(full).isDirectory()) return [entry];
  return readdirSync(full, { withFileTypes: true })
    .flatMap((e) => filesUnder(path.join(entry, e.name)))
    .sort();
}

/**
 * The synthesized template, kept under out/.cache by a hash of every input synthesis reads: the
 * same inputs give the same template, so a second run (a simulation, a test file) skips the
 * seconds CDK takes. Any change to those inputs synthesizes afresh.
 */
export function synthesizeTemplate(): Template {
  const hash = createHash('sha256');
  for (const file of SYNTH_INPUTS.flatMap(filesUnder))
    hash
      .update(`${file}\0`)
      .update(readFileSync(path.join(ROOT, file)))
      .update('\0');
  const cached = path.join(ROOT, 'out', '.cache', `template-${hash.digest('hex').slice(0, 32)}.json`);
  if (existsSync(cached)) return JSON.parse(readFileSync(cached, 'utf8')) as Template;
  mkdirSync(path.dirname(cached), { recursive: true });
  // Written aside, then renamed: test files synthesizing at once never read half a template.
  const partial = `${cached}.${process.pid}`;
  synthesizeTo(partial);
  renameSync(partial, cached);
  return JSON.parse(readFileSync(cached, 'utf8')) as Template;
}

/**
 * Writes the stack's template to `file`. CDK synthesizes in a process of its own: loading aws-cdk-lib
 * and the app costs a second or two, which every test file and simulation that only reads the
 * cached template would pay too.
 */
export function synthesizeTo(file: string): void {
  try {
    execFileSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'local', 'synthesize-template.ts'), file], {
      cwd: ROOT,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
  } catch (error) {
    const stderr = String((error as { stderr?: Buffer }).stderr ?? '').trim();
    throw new Error(`could not synthesize the template: ${stderr || (error as Error).message}`);
  }
}

/**
 * Runs what you deploy: a template synthesized earlier (`npx cdk synth` writes
 * cdk.out/<stack>.template.json). Its functions' code is a bundled asset; locally each runs from
 * source, found through the `followup:entry` metadata the template carries.
 */
export function loadTemplate(file: string): Template {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(`template ${file}: ${(error as Error).message}`);
  }
  const resources = (parsed as Partial<Template> | null)?.Resources;
  if (!resources || typeof resources !== 'object' || Array.isArray(resources))
    throw new Error(`template ${file}: not a CloudFormation template (no Resources object)`);
  const template = parsed as Template;
  // Functions CDK adds on its own (custom resource providers) have no entry and are not run locally.
  if (!resourcesOfType(template, 'AWS::Lambda::Function').some(([, r]) => typeof r.Metadata?.[LOCAL_ENTRY_METADATA] === 'string')) {
    throw new Error(
      `template ${file}: no AWS::Lambda::Function carries "${LOCAL_ENTRY_METADATA}" metadata; ` +
        'synthesize it from this project (npx cdk synth)',
    );
  }
  return template;
}

/** The types whose ARN is `arn:aws:<service>:<region>:<account>:<kind><sep><name>` (IAM's without a Region). */
const serviceOf: Readonly<Record<string, readonly [service: string, kind: string, sep: string]>> = {
  'AWS::Lambda::Function': ['lambda', 'function', ':'],
  'AWS::StepFunctions::StateMachine': ['states', 'stateMachine', ':'],
  'AWS::DynamoDB::Table': ['dynamodb', 'table', '/'],
  'AWS::Events::EventBus': ['events', 'event-bus', '/'],
  'AWS::SecretsManager::Secret': ['secretsmanager', 'secret', ':'],
  'AWS::IAM::Role': ['iam', 'role', '/'],
  'AWS::KMS::Key': ['kms', 'key', '/'],
};

export function arnOf(template: Template, logicalId: string): string {
  const resource = template.Resources[logicalId];
  if (!resource) throw new Error(`template has no resource ${logicalId}`);
  const regional = `${LOCAL_REGION}:${LOCAL_ACCOUNT}`;
  switch (resource.Type) {
    case 'AWS::SQS::Queue':
      return `arn:aws:sqs:${regional}:${nameOf(template, logicalId)}`;
    case 'AWS::SNS::Topic':
      return `arn:aws:sns:${regional}:${nameOf(template, logicalId)}`;
    // S3 bucket names are global: their ARNs carry no Region and no account.
    case 'AWS::S3::Bucket':
      return `arn:aws:s3:::${nameOf(template, logicalId)}`;
    // CloudFormation's Arn of a log group ends in ":*" (every stream in it).
    case 'AWS::Logs::LogGroup':
      return `arn:aws:logs:${regional}:log-group:${nameOf(template, logicalId)}:*`;
    case 'AWS::Events::Rule': {
      // A rule on a custom bus is named under its bus: rule/<bus>/<rule>.
      const bus = resource.Properties?.EventBusName;
      const busName = bus === undefined ? undefined : String(resolve(template, bus)).split('/').pop();
      const busPrefix = busName && busName !== 'default' ? `${busName}/` : '';
      return `arn:aws:events:${regional}:rule/${busPrefix}${nameOf(template, logicalId)}`;
    }
  }
  // Connect resources live under their instance, named by a generated id: the logical id here.
  const connectKind = connectKindOf[resource.Type];
  if (connectKind) return `${String(resolve(template, resource.Properties?.InstanceArn))}/${connectKind}/${logicalId}`;
  const [service, kind, sep] = serviceOf[resource.Type] ?? ['local', resource.Type.split('::').pop()!.toLowerCase(), '/'];
  // IAM is global: its ARNs carry no Region.
  const where = service === 'iam' ? `:${LOCAL_ACCOUNT}` : regional;
  return `arn:aws:${service}:${where}:${kind}${sep}${nameOf(template, logicalId)}`;
}

export function nameOf(template: Template, logicalId: string): string {
  const resource = template.Resources[logicalId]!;
  const props = resource.Properties ?? {};
  // An explicit physical name wins, as in AWS; otherwise the logical id stands in for the generated one.
  const explicit = props[physicalNameProperty[resource.Type] ?? ''];
  if (explicit !== undefined) return String(resolve(template, explicit));
  return logicalId;
}

const connectKindOf: Readonly<Record<string, string>> = {
  'AWS::Connect::Queue': 'queue',
  'AWS::Connect::ContactFlow': 'contact-flow',
  'AWS::Connect::HoursOfOperation': 'operating-hours',
};

const physicalNameProperty: Readonly<Record<string, string>> = {
  'AWS::SES::ConfigurationSet': 'Name',
  'AWS::Events::EventBus': 'Name',
  'AWS::Events::Rule': 'Name',
  'AWS::StepFunctions::StateMachine': 'StateMachineName',
  'AWS::Lambda::Function': 'FunctionName',
  'AWS::DynamoDB::Table': 'TableName',
  'AWS::SQS::Queue': 'QueueName',
  'AWS::SNS::Topic': 'TopicName',
  'AWS::S3::Bucket': 'BucketName',
  'AWS::IAM::Role': 'RoleName',
  'AWS::Scheduler::Schedule': 'Name',
  'AWS::SecretsManager::Secret': 'Name',
  'AWS::Logs::LogGroup': 'LogGroupName',
};

function refOf(template: Template, logicalId: string): string {
  const pseudo: Record<string, string> = {
    'AWS::Region': LOCAL_REGION,
    'AWS::AccountId': LOCAL_ACCOUNT,
    'AWS::Partition': 'aws',
    'AWS::URLSuffix': 'amazonaws.com',
    'AWS::StackName': 'CustomerFollowUp',
    'AWS::NoValue': '',
  };
  if (logicalId in pseudo) return pseudo[logicalId]!;
  const resource = template.Resources[logicalId];
  if (!resource) throw new Error(`Ref to unknown resource ${logicalId}`);
  switch (resource.Type) {
    case 'AWS::StepFunctions::StateMachine':
    case 'AWS::SecretsManager::Secret':
    case 'AWS::SNS::Topic':
    case 'AWS::Connect::Queue':
    case 'AWS::Connect::ContactFlow':
    case 'AWS::Connect::HoursOfOperation':
      return arnOf(template, logicalId);
    case 'AWS::ApiGatewayV2::Api':
      return LOCAL_API_ID;
    case 'AWS::SQS::Queue':
      return `http://localhost/queue/${logicalId}`;
    default:
      return nameOf(template, logicalId);
  }
}

function getAtt(template: Template, logicalId: string, attribute: string): string {
  if (attribute === 'Arn' || attribute === 'QueueArn' || attribute === 'ContactFlowArn' || attribute === 'HoursOfOperationArn')
    return arnOf(template, logicalId);
  if (attribute === 'Name' || attribute === 'QueueName') return nameOf(template, logicalId);
  if (attribute === 'ApiEndpoint') return `https://${LOCAL_API_ID}.execute-api.${LOCAL_REGION}.amazonaws.com`;
  return `${logicalId}.${attribute}`;
}

/** Resolves Ref, Fn::GetAtt, Fn::Join, Fn::Sub, Fn::Select and Fn::Split to plain values. */
export function resolve(template: Template, value: unknown): unknown {
  if (Array.isArray(value)) return value.map((v) => resolve(template, v));
  if (!value || typeof value !== 'object') return value;
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 1) {
    const [fn, arg] = entries[0]!;
    if (fn === 'Ref') return refOf(template, arg as string);
    if (fn === 'Fn::GetAtt') {
      const [id, attr] = Array.isArray(arg) ? (arg as string[]) : String(arg).split('.');
      return getAtt(template, id!, attr!);
    }
    if (fn === 'Fn::Join') {
      const [sep, parts] = arg as [string, unknown[]];
      return (resolve(template, parts) as unknown[]).join(sep);
    }
    if (fn === 'Fn::Select') {
      const [index, list] = arg as [number, unknown];
      return (resolve(template, list) as unknown[])[Number(index)];
    }
    if (fn === 'Fn::Split') {
      const [sep, source] = arg as [string, unknown];
      return String(resolve(template, source)).split(sep);
    }
    if (fn === 'Fn::Sub') {
      const [text, vars] = Array.isArray(arg) ? (arg as [string, Record<string, unknown>]) : [arg as string, {}];
      return text.replace(/\$\{([^}]+)\}/g, (_, name: string) => {
        if (name in vars) return String(resolve(template, vars[name]));
        const [id, attr] = name.split('.');
        return attr ? getAtt(template, id!, attr) : refOf(template, id!);
      });
    }
  }
  return Object.fromEntries(entries.map(([k, v]) => [k, resolve(template, v)]));
}

export function resourcesOfType(template: Template, type: string): [string, Resource][] {
  return Object.entries(template.Resources).filter(([, r]) => r.Type === type);
}
