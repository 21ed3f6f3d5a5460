/**
 * Generates local/cloud/aws-constraints.json from AWS's published Smithy models
 * (github.com/aws/api-models-aws): for exactly the operations this project calls, the input
 * shapes' constraints (required members, @length, @pattern, @range, enums, nested shapes),
 * the HTTP binding of REST operations and the error the service answers for bad input.
 *
 *   npx tsx scripts/generate-aws-constraints.ts --models <checkout-or-git-dir> [--out <file>]
 *
 * The local cloud (local/cloud/contracts.ts) enforces the file, so a handler that would be
 * refused by AWS is refused locally too. Regenerate when the SDK clients are upgraded.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { Constraints, ConstraintsFile, MemberConstraints, ServiceConstraints, ShapeConstraints } from '../local/cloud/contracts.js';

/** The calls the handlers and the local stack make (grep `Command(` in functions/ and local/). */
const OPERATIONS: Record<string, { model: string; operations: string[] }> = {
  sfn: {
    model: 'sfn/service/2016-11-23/sfn-2016-11-23.json',
    operations: ['StartExecution', 'SendTaskSuccess', 'SendTaskFailure', 'DescribeExecution', 'StopExecution'],
  },
  eventbridge: { model: 'eventbridge/service/2015-10-07/eventbridge-2015-10-07.json', operations: ['PutEvents'] },
  'secrets-manager': { model: 'secrets-manager/service/2017-10-17/secrets-manager-2017-10-17.json', operations: ['GetSecretValue'] },
  connect: { model: 'connect/service/2017-08-08/connect-2017-08-08.json', operations: ['StartTaskContact', 'StopContact'] },
  sesv2: { model: 'sesv2/service/2019-09-27/sesv2-2019-09-27.json', operations: ['SendEmail'] },
  s3: { model: 's3/service/2006-03-01/s3-2006-03-01.json', operations: ['PutObject'] },
  'pinpoint-sms-voice-v2': {
    model: 'pinpoint-sms-voice-v2/service/2022-03-31/pinpoint-sms-voice-v2-2022-03-31.json',
    operations: ['SendTextMessage'],
  },
};

/**
 * Which declared error a service answers for input that breaks the model. Services name it
 * differently; the first one the operation declares wins. An operation that declares none gets
 * its protocol's framework error: awsJson services answer `ValidationException` even where the
 * model does not list it (EventBridge PutEvents, Step Functions SendTaskSuccess), S3 `InvalidArgument`.
 */
const VALIDATION_ERRORS = ['ValidationException', 'InvalidParameterException', 'BadRequestException', 'InvalidRequestException'];
const FRAMEWORK_ERROR: Record<string, string> = {
  awsJson1_0: 'ValidationException',
  awsJson1_1: 'ValidationException',
  restJson1: 'ValidationException',
  restXml: 'InvalidArgument',
};

interface SmithyShape {
  type: string;
  members?: Record<string, { target: string; traits?: Record<string, unknown> }>;
  member?: { target: string; traits?: Record<string, unknown> };
  key?: { target: string; traits?: Record<string, unknown> };
  value?: { target: string; traits?: Record<string, unknown> };
  input?: { target: string };
  errors?: { target: string }[];
  traits?: Record<string, unknown>;
  version?: string;
  operations?: { target: string }[];
}

const PRELUDE: Record<string, string> = {
  String: 'string',
  Blob: 'blob',
  Boolean: 'boolean',
  PrimitiveBoolean: 'boolean',
  Byte: 'byte',
  Short: 'short',
  Integer: 'integer',
  PrimitiveInteger: 'integer',
  Long: 'long',
  PrimitiveLong: 'long',
  Float: 'float',
  Double: 'double',
  BigInteger: 'bigInteger',
  BigDecimal: 'bigDecimal',
  Timestamp: 'timestamp',
  Document: 'document',
  Unit: 'structure',
};

function readModelFile(models: string, file: string): { text: string; commit: string; committedAt: string } {
  const isGitDir = existsSync(path.join(models, 'HEAD')) && existsSync(path.join(models, 'objects'));
  const git = (...args: string[]) =>
    execFileSync('git', isGitDir ? ['--git-dir', models, ...args] : ['-C', models, ...args], {
      encoding: 'utf8',
      maxBuffer: 256 * 1024 * 1024,
    }).trim();
  const text = isGitDir ? git('show', `HEAD:${file}`) : readFileSync(path.join(models, file), 'utf8');
  let commit = 'unknown';
  let committedAt = 'unknown';
  try {
    commit = git('rev-parse', 'HEAD');
    committedAt = git('log', '-1', '--format=%cI', 'HEAD');
  } catch {
    // A plain copy of the models without git history: the file still records where it came from.
  }
  return { text, commit, committedAt };
}

function localName(id: string): string {
  return id.startsWith('smithy.api#') ? id : id.slice(id.indexOf('#') + 1);
}

/** The constraint traits of a shape or member, in the compact form the validator reads. */
function constraintsOf(traits: Record<string, unknown> | undefined): Constraints {
  const out: Constraints = {};
  if (!traits) return out;
  const length = traits['smithy.api#length'] as { min?: number; max?: number } | undefined;
  if (length)
    out.length = { ...(length.min !== undefined ? { min: length.min } : {}), ...(length.max !== undefined ? { max: length.max } : {}) };
  const range = traits['smithy.api#range'] as { min?: number; max?: number } | undefined;
  if (range)
    out.range = {
      ...(range.min !== undefined ? { min: Number(range.min) } : {}),
      ...(range.max !== undefined ? { max: Number(range.max) } : {}),
    };
  const pattern = traits['smithy.api#pattern'] as string | undefined;
  if (pattern !== undefined) {
    out.pattern = pattern;
    const reason = uncompilable(pattern);
    if (reason) out.patternSkipped = reason;
  }
  // Smithy 1.0 string enums (newer models use enum shapes, handled by the caller).
  const legacyEnum = traits['smithy.api#enum'] as { value: string }[] | undefined;
  if (legacyEnum) out.enum = legacyEnum.map((e) => e.value);
  if (traits['smithy.api#sensitive']) out.sensitive = true;
  return out;
}

/** Smithy patterns are ECMA-262 regular expressions in principle; the few that are not are recorded, not enforced. */
function uncompilable(pattern: string): string | undefined {
  try {
    new RegExp(pattern, 'u');
    return undefined;
  } catch (unicodeError) {
    try {
      new RegExp(pattern);
      return undefined;
    } catch {
      return `not an ECMAScript regular expression: ${(unicodeError as Error).message}`;
    }
  }
}

function memberOf(ref: { target: string; traits?: Record<string, unknown> }): MemberConstraints {
  const traits = ref.traits ?? {};
  const member: MemberConstraints = { target: localName(ref.target), ...constraintsOf(traits) };
  // A required member with a default is always serialized by the SDK: AWS never sees it missing.
  if (traits['smithy.api#required'] && !('smithy.api#default' in traits)) member.required = true;
  const location = (
    [
      ['smithy.api#httpLabel', 'label'],
      ['smithy.api#httpQuery', 'query'],
      ['smithy.api#httpHeader', 'header'],
      ['smithy.api#httpPrefixHeaders', 'prefixHeaders'],
      ['smithy.api#httpPayload', 'payload'],
    ] as const
  ).find(([trait]) => trait in traits);
  if (location) {
    member.location = location[1];
    const name = traits[location[0]];
    if (typeof name === 'string') member.locationName = name;
  }
  const jsonName = traits['smithy.api#jsonName'];
  if (typeof jsonName === 'string') member.locationName = jsonName;
  return member;
}

function collectShapes(shapes: Record<string, SmithyShape>, root: string, into: Record<string, ShapeConstraints>): void {
  const pending = [root];
  while (pending.length) {
    const id = pending.pop()!;
    const name = localName(id);
    if (into[name]) continue;
    if (id.startsWith('smithy.api#')) {
      into[name] = { type: PRELUDE[id.slice('smithy.api#'.length)] ?? 'document' };
      continue;
    }
    const shape = shapes[id];
    if (!shape) throw new Error(`shape ${id} is referenced but not defined in the model`);
    const compact: ShapeConstraints = { type: shape.type, ...constraintsOf(shape.traits) };
    if (shape.type === 'enum' || shape.type === 'intEnum') {
      compact.type = shape.type === 'enum' ? 'string' : 'integer';
      compact.enum = Object.entries(shape.members ?? {}).map(
        ([memberName, m]) => (m.traits?.['smithy.api#enumValue'] as string | number | undefined) ?? memberName,
      );
    } else if (shape.members) {
      compact.members = {};
      for (const [memberName, ref] of Object.entries(shape.members)) {
        compact.members[memberName] = memberOf(ref);
        pending.push(ref.target);
      }
    }
    for (const part of ['member', 'key', 'value'] as const) {
      const ref = shape[part];
      if (!ref) continue;
      compact[part] = memberOf(ref);
      pending.push(ref.target);
    }
    into[name] = compact;
  }
}

function serviceConstraints(modelPath: string, text: string, operationNames: string[]): ServiceConstraints {
  const shapes = (JSON.parse(text) as { shapes: Record<string, SmithyShape> }).shapes;
  const [serviceId, service] = Object.entries(shapes).find(([, s]) => s.type === 'service')!;
  const namespace = serviceId.slice(0, serviceId.indexOf('#'));
  const protocol =
    Object.keys(service.traits ?? {})
      .find((t) => t.startsWith('aws.protocols#'))
      ?.slice('aws.protocols#'.length) ?? 'unknown';
  const result: ServiceConstraints = {
    model: modelPath,
    version: service.version ?? 'unknown',
    protocol,
    ...(protocol.startsWith('awsJson') ? { targetPrefix: localName(serviceId) } : {}),
    operations: {},
    shapes: {},
  };
  for (const name of operationNames) {
    const operation = shapes[`${namespace}#${name}`];
    if (operation?.type !== 'operation' || !operation.input) throw new Error(`${modelPath} has no operation ${name} with an input`);
    const errors: Record<string, number> = {};
    for (const { target } of operation.errors ?? []) {
      const traits = shapes[target]?.traits ?? {};
      errors[localName(target)] = Number(traits['smithy.api#httpError'] ?? (traits['smithy.api#error'] === 'server' ? 500 : 400));
    }
    const declared = VALIDATION_ERRORS.find((code) => code in errors);
    const code = declared ?? FRAMEWORK_ERROR[protocol] ?? 'ValidationException';
    const http = operation.traits?.['smithy.api#http'] as { method: string; uri: string } | undefined;
    result.operations[name] = {
      input: localName(operation.input.target),
      ...(http && !protocol.startsWith('awsJson') ? { http: { method: http.method, uri: http.uri } } : {}),
      validationError: { code, status: errors[code] ?? 400 },
      errors,
    };
    collectShapes(shapes, operation.input.target, result.shapes);
  }
  result.shapes = Object.fromEntries(Object.entries(result.shapes).sort(([a], [b]) => a.localeCompare(b)));
  return result;
}

export function generateConstraints(models: string): ConstraintsFile {
  const file: ConstraintsFile = {
    source: {
      repository: 'https://github.com/aws/api-models-aws',
      commit: 'unknown',
      committedAt: 'unknown',
      generator: 'scripts/generate-aws-constraints.ts',
    },
    services: {},
  };
  for (const [service, { model, operations }] of Object.entries(OPERATIONS)) {
    const { text, commit, committedAt } = readModelFile(models, model);
    file.source.commit = commit;
    file.source.committedAt = committedAt;
    file.services[service] = serviceConstraints(model, text, operations);
  }
  return file;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { models: { type: 'string' }, out: { type: 'string' } } });
  if (!values.models) {
    console.error('usage: npx tsx scripts/generate-aws-constraints.ts --models <api-models-aws checkout or git dir> [--out <file>]');
    process.exit(2);
  }
  const out = values.out ?? path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'local', 'cloud', 'aws-constraints.json');
  const generated = generateConstraints(values.models);
  writeFileSync(out, `${JSON.stringify(generated, null, 1)}\n`);
  const summary = Object.entries(generated.services).map(
    ([s, c]) => `${s}: ${Object.keys(c.operations).join(', ')} (${Object.keys(c.shapes).length} shapes)`,
  );
  console.log(
    `wrote ${path.relative(process.cwd(), out)} from aws/api-models-aws@${generated.source.commit.slice(0, 12)}\n  ${summary.join('\n  ')}`,
  );
}
