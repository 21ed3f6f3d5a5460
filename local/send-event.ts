import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import * as z from 'zod';

/**
 * `npm run send-event -- FILE`: publishes the entries in FILE to the running local stack, as an
 * upstream system would, without the AWS CLI. FILE is exactly what
 * `aws events put-events --entries file://FILE` takes — a list of entries whose `Detail` is a
 * string of JSON — so one file works both ways; a file the CLI would refuse is refused here too,
 * naming the entry and the field.
 *
 *   npm run send-event -- event.json                       to http://localhost:$AWS_PORT (4010)
 *   npm run send-event -- event.json --endpoint-url URL    to another endpoint
 */

/** The members of PutEventsRequestEntry; the CLI refuses any other ("Unknown parameter in Entries[0]"). */
const entrySchema = z.strictObject({
  Source: z.string(),
  DetailType: z.string(),
  Detail: z.string({ error: 'must be a string of JSON, as --entries file:// takes it: "Detail": "{\\"serviceId\\": …}"' }),
  EventBusName: z.string().optional(),
  Resources: z.array(z.string()).optional(),
  // The CLI takes an ISO 8601 time or epoch seconds.
  Time: z
    .union([z.string(), z.number()])
    .transform((time) => new Date(typeof time === 'number' ? time * 1000 : time))
    .refine((time) => !Number.isNaN(time.getTime()), 'must be an ISO 8601 time or epoch seconds')
    .optional(),
  TraceHeader: z.string().optional(),
});
const entriesSchema = z
  .array(entrySchema, { error: 'must be a list of entries: [{"Source": …, "DetailType": …, "Detail": "…", "EventBusName": …}]' })
  .min(1);

function fail(message: string): never {
  console.error(message);
  process.exit(1);
}

/** The file's JSON, or the reason it has none (`name` as the user typed it). */
function readJson(filePath: string, name: string): unknown {
  let text: string;
  try {
    text = readFileSync(filePath, 'utf8');
  } catch {
    fail(`Cannot read ${filePath}.`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    fail(`${name} is not JSON: ${(error as Error).message}`);
  }
}

const { values, positionals } = parseArgs({ allowPositionals: true, options: { 'endpoint-url': { type: 'string' } } });
const file =
  positionals[0] ?? fail('Usage: npm run send-event -- FILE [--endpoint-url URL]   (FILE: a list of PutEvents entries, see the README)');
// npm runs scripts from the project root; the file is named from where the command was typed.
const filePath = path.resolve(process.env.INIT_CWD ?? process.cwd(), file.replace(/^file:\/\//, ''));
const parsed = entriesSchema.safeParse(readJson(filePath, file));
if (!parsed.success) {
  const issue = parsed.error.issues[0]!;
  const [index, ...field] = issue.path;
  const where = index === undefined ? 'The file' : `Entries[${String(index)}]${field.length ? `.${field.map(String).join('.')}` : ''}`;
  const problem = issue.code === 'unrecognized_keys' ? `has a field PutEvents does not take (${issue.keys.join(', ')})` : issue.message;
  fail(`${file}: ${where} ${problem}`);
}

const endpoint =
  values['endpoint-url'] ??
  process.env.AWS_ENDPOINT_URL_EVENTBRIDGE ??
  process.env.AWS_ENDPOINT_URL ??
  `http://localhost:${process.env.AWS_PORT ?? 4010}`;
// The local endpoint takes any credentials; the SDK insists on having some.
const client = new EventBridgeClient({
  endpoint,
  region: process.env.AWS_REGION ?? 'us-east-1',
  credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
});
try {
  const result = await client.send(new PutEventsCommand({ Entries: parsed.data }));
  for (const [i, entry] of (result.Entries ?? []).entries()) {
    console.log(
      entry.EventId ? `Entries[${i}]: sent, EventId ${entry.EventId}` : `Entries[${i}]: refused, ${entry.ErrorCode}: ${entry.ErrorMessage}`,
    );
  }
  const rejections = `http://localhost:${process.env.PORT ?? 3000}/rejections`;
  console.log(`An event the follow-up system cannot use is listed with its field and reason at ${rejections}`);
  process.exitCode = result.FailedEntryCount ? 1 : 0;
} catch (error) {
  const code = (error as { code?: string; cause?: { code?: string } }).code ?? (error as { cause?: { code?: string } }).cause?.code;
  if (code === 'ECONNREFUSED') fail(`Nothing answers at ${endpoint}: start the local stack with \`npm start\` first.`);
  fail(`PutEvents failed: ${(error as Error).name}: ${(error as Error).message}`);
} finally {
  client.destroy();
}
