import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { BuildOptions } from 'esbuild';
import { acknowledge } from '../acknowledge.js';
import { LOCAL_ENTRY_METADATA } from '../local-entry-metadata.js';

export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** esbuild aliases every bundle gets, relative to the project root (see the file each names). */
export const BUNDLE_ALIASES: Record<string, string> = {
  'node:http': './functions/shared/bundling/node-http.cjs',
  '@aws-sdk/credential-provider-node': './functions/shared/bundling/lambda-credentials.ts',
};

/**
 * Left out of every bundle: Alibaba Cloud's SMS SDK and what it needs (~1 MiB minified) carry only
 * survey texts to mainland China numbers, imported at the first one, by the one function that sends
 * them (`alibabaSms`), beside whose bundle it is installed instead (NodejsFunction's `nodeModules`).
 * Bundled, every cold start of the three functions that text parsed it (start-contact 156 → 125 ms,
 * send-care-messages 140 → 106, sms-reply 128 → 96 on this machine).
 */
export const ALIBABA_SMS_SDK = ['@alicloud/dysmsapi20170525', '@alicloud/openapi-client'];

/** Template metadata naming the packages installed beside a function's bundle (none: the key is absent). */
export const INSTALLED_MODULES_METADATA = 'followup:installed-modules';

/** Some dependencies still call require(); the ESM bundle gets one. */
const REQUIRE_BANNER = "import{createRequire as __cr}from'module';const require=__cr(import.meta.url);";

/**
 * The bundling below (NodejsFunction's) as esbuild's own options, for code that builds a function as
 * CDK does without synthesizing: the bench's cold-init figures, the bundle tests. `entry` is relative
 * to the project root.
 */
export function bundleOptions(entry: string, outfile: string) {
  return {
    entryPoints: [path.join(PROJECT_ROOT, entry)],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node22',
    format: 'esm',
    minify: true,
    sourcemap: true,
    mainFields: ['module', 'main'],
    banner: { js: REQUIRE_BANNER },
    alias: Object.fromEntries(Object.entries(BUNDLE_ALIASES).map(([from, to]) => [from, path.join(PROJECT_ROOT, to)])),
    external: ALIBABA_SMS_SDK,
    logLevel: 'silent',
  } satisfies BuildOptions;
}

export interface FollowUpFunctionProps {
  /** Folder under functions/ holding handler.ts. */
  folder: string;
  description: string;
  environment?: Record<string, string>;
  timeout?: Duration;
  memorySize?: number;
  /** Set for functions invoked asynchronously (EventBridge targets): failed events land here. */
  deadLetterQueue?: sqs.IQueue;
  /** Set for the function that texts mainland China numbers through Alibaba Cloud: its SDK is installed beside the bundle. */
  alibabaSms?: boolean;
}

/**
 * A Lambda function the way every function of this system is built: Node 22 on arm64, an
 * esbuild bundle (minified ESM with the SDK inside), its own role and log group (no managed
 * policies), X-Ray tracing, and a pointer to its source for the local stack.
 */
export class FollowUpFunction extends Construct {
  readonly fn: NodejsFunction;
  readonly role: iam.Role;
  /** Its folder under functions/: how alarms and outputs name it. */
  readonly folder: string;

  constructor(scope: Construct, id: string, props: FollowUpFunctionProps) {
    super(scope, id);
    this.folder = props.folder;
    const logGroup = new logs.LogGroup(this, 'Logs', { retention: logs.RetentionDays.ONE_YEAR, removalPolicy: RemovalPolicy.DESTROY });
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Runs ${props.folder}`,
    });
    const entry = `functions/${props.folder}/handler.ts`;
    this.fn = new NodejsFunction(this, 'Function', {
      entry: path.join(PROJECT_ROOT, entry),
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: path.join(PROJECT_ROOT, 'package-lock.json'),
      handler: 'handler',
      description: props.description,
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout ?? Duration.seconds(30),
      role: this.role,
      logGroup,
      tracing: lambda.Tracing.ACTIVE,
      deadLetterQueue: props.deadLetterQueue,
      // No --enable-source-maps: Node would parse the bundle's 4-10 MiB map at every cold start (30-110 ms
      // here); the map still ships beside the bundle, to read a minified stack trace with.
      environment: {
        POWERTOOLS_SERVICE_NAME: 'customer-follow-up',
        POWERTOOLS_METRICS_NAMESPACE: 'CustomerFollowUp',
        ...props.environment,
      },
      bundling: {
        format: OutputFormat.ESM,
        target: 'node22',
        minify: true,
        sourceMap: true,
        mainFields: ['module', 'main'],
        banner: REQUIRE_BANNER,
        // Out of every bundle, installed beside the one function's that texts through Alibaba.
        externalModules: ALIBABA_SMS_SDK,
        nodeModules: props.alibabaSms ? ALIBABA_SMS_SDK : undefined,
        esbuildArgs: { '--alias': Object.entries(BUNDLE_ALIASES).map(([from, to]) => `${from}=${to}`) },
      },
    });
    const cfnFunction = this.fn.node.defaultChild as lambda.CfnFunction;
    cfnFunction.addMetadata(LOCAL_ENTRY_METADATA, entry);
    if (props.alibabaSms) cfnFunction.addMetadata(INSTALLED_MODULES_METADATA, ALIBABA_SMS_SDK);
    logGroup.grantWrite(this.role);
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'], resources: ['*'] }),
    );
    acknowledge(
      this.role,
      'AwsSolutions-IAM5[Resource::*]',
      'X-Ray PutTraceSegments/PutTelemetryRecords support no resource-level permissions.',
    );
    acknowledge(
      this.fn,
      'AwsSolutions-L1',
      'Pinned to nodejs22.x, the newest Lambda Node.js runtime this code is built (esbuild target node22) and tested on; moving to a ' +
        'newer runtime is a reviewed change with its own test run.',
    );
  }
}
