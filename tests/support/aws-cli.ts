import { parse } from 'shell-quote';
import { awsConstraints } from '../../local/cloud/contracts.js';

/**
 * What `aws events put-events …` does with a command line, without the AWS CLI: the shell's
 * word splitting and quoting (shell-quote), the CLI's own checks before it sends anything
 * (credentials, region, `file://` values, parameters validated against the service model the CLI
 * ships, here the same model the local cloud enforces), and the request it then sends (the JSON
 * protocol, X-Amz-Target AWSEvents.PutEvents). Errors are worded as the CLI words them.
 */
export interface CliRequest {
  env: Record<string, string>;
  endpoint: string;
  region: string;
  target: string;
  body: { Entries: unknown[] };
}

export class CliError extends Error {}

/** Shell words of a command as typed, line continuations included. */
export function shellWords(command: string): string[] {
  // POSIX drops a backslash-newline outside quotes; shell-quote does not know it.
  return parse(command.replace(/\\\n/g, '')).map((word) => {
    if (typeof word !== 'string') throw new CliError(`the command holds a shell operator: ${JSON.stringify(word)}`);
    return word;
  });
}

const model = awsConstraints.services.eventbridge!;
const pyType = (value: unknown) =>
  Array.isArray(value)
    ? "<class 'list'>"
    : value === null
      ? "<class 'NoneType'>"
      : typeof value === 'object'
        ? "<class 'dict'>"
        : typeof value === 'string'
          ? "<class 'str'>"
          : typeof value === 'number'
            ? Number.isInteger(value)
              ? "<class 'int'>"
              : "<class 'float'>"
            : typeof value === 'boolean'
              ? "<class 'bool'>"
              : `<class '${typeof value}'>`;

/** botocore's ParamValidator over one shape: unknown members and wrong types, as the CLI reports them before sending. */
function validate(shapeName: string, value: unknown, path: string, errors: string[]) {
  const shape = model.shapes[shapeName];
  if (!shape) throw new Error(`no shape ${shapeName}`);
  const invalidType = (valid: string) =>
    errors.push(`Invalid type for parameter ${path}, value: ${JSON.stringify(value)}, type: ${pyType(value)}, valid types: ${valid}`);
  switch (shape.type) {
    case 'structure': {
      if (!value || typeof value !== 'object' || Array.isArray(value)) return invalidType("<class 'dict'>");
      const members = shape.members ?? {};
      const where = path || 'input';
      for (const key of Object.keys(value)) {
        if (!(key in members)) errors.push(`Unknown parameter in ${where}: "${key}", must be one of: ${Object.keys(members).join(', ')}`);
      }
      for (const [name, member] of Object.entries(members)) {
        const memberValue = (value as Record<string, unknown>)[name];
        if (memberValue === undefined) {
          if (member.required) errors.push(`Missing required parameter in ${where}: "${name}"`);
        } else validate(member.target, memberValue, path ? `${path}.${name}` : name, errors);
      }
      return;
    }
    case 'list':
      if (!Array.isArray(value)) return invalidType("<class 'list'>, <class 'tuple'>");
      for (const [i, item] of value.entries()) validate(shape.member!.target, item, `${path}[${i}]`, errors);
      return;
    case 'string':
      if (typeof value !== 'string') invalidType("<class 'str'>");
      return;
    case 'timestamp':
      if (typeof value !== 'string' && typeof value !== 'number') invalidType("<class 'datetime.datetime'>, <class 'str'>");
      return;
    default:
      return;
  }
}

/**
 * The request `aws events put-events` sends for this command line, or the CliError it stops
 * with. `files` are the files `file://` names, by name; `userEnv` is the environment the command
 * runs in (a newcomer's: no AWS configuration at all).
 */
export function putEventsRequest(command: string, files: Record<string, string>, userEnv: Record<string, string> = {}): CliRequest {
  const words = shellWords(command.trim());
  const env = { ...userEnv };
  while (words[0] && /^[A-Za-z_][A-Za-z0-9_]*=/.test(words[0])) {
    const [name, ...value] = words.shift()!.split('=');
    env[name!] = value.join('=');
  }
  if (words.slice(0, 3).join(' ') !== 'aws events put-events')
    throw new CliError(`not an aws events put-events command: ${words.slice(0, 3).join(' ')}`);
  const options: Record<string, string> = {};
  const known = ['--endpoint-url', '--region', '--entries'];
  for (let i = 3; i < words.length; i += 2) {
    const option = words[i]!;
    if (!known.includes(option)) throw new CliError(`Unknown options: ${option}`);
    if (words[i + 1] === undefined) throw new CliError(`argument ${option}: expected one argument`);
    options[option] = words[i + 1]!;
  }
  const entriesText = options['--entries'];
  if (entriesText === undefined) throw new CliError('the following arguments are required: --entries');
  let text = entriesText;
  if (entriesText.startsWith('file://')) {
    const name = entriesText.slice('file://'.length);
    if (files[name] === undefined)
      throw new CliError(
        `Error parsing parameter '--entries': Unable to load paramfile ${entriesText}: [Errno 2] No such file or directory: '${name}'`,
      );
    text = files[name]!;
  }
  let entries: unknown;
  try {
    entries = JSON.parse(text);
  } catch (error) {
    throw new CliError(`Error parsing parameter '--entries': Invalid JSON: ${(error as Error).message}`);
  }
  const errors: string[] = [];
  validate(model.operations.PutEvents!.input, { Entries: entries }, '', errors);
  if (errors.length) throw new CliError(`Parameter validation failed:\n${errors.join('\n')}`);
  // botocore looks for credentials in the environment, then in ~/.aws: a newcomer has neither.
  if (!env.AWS_ACCESS_KEY_ID || !env.AWS_SECRET_ACCESS_KEY)
    throw new CliError('Unable to locate credentials. You can configure credentials by running "aws configure".');
  const region = options['--region'] ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  if (!region) throw new CliError('You must specify a region. You can also configure your region by running "aws configure".');
  const endpoint = options['--endpoint-url'] ?? `https://events.${region}.amazonaws.com`;
  return { env, endpoint, region, target: 'AWSEvents.PutEvents', body: { Entries: entries as unknown[] } };
}

/** Sends the request as the CLI does (awsJson1_1), to `endpoint` when given (the test's stack) instead of the command's. */
export async function sendCliRequest(
  request: CliRequest,
  endpoint = request.endpoint,
): Promise<{
  status: number;
  body: { FailedEntryCount?: number; Entries?: { EventId?: string; ErrorCode?: string }[]; __type?: string; message?: string };
}> {
  const response = await fetch(endpoint, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-amz-json-1.1',
      'x-amz-target': request.target,
      authorization: `AWS4-HMAC-SHA256 Credential=${request.env.AWS_ACCESS_KEY_ID}/${request.region}/events/aws4_request`,
    },
    body: JSON.stringify(request.body),
  });
  return { status: response.status, body: (await response.json()) as never };
}
