import { EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { FollowUpQueries } from '../../local/follow-up-queries.js';
import { type LocalStack, startLocalStack } from '../../local/stack.js';
import { idOf, serviceCompleted } from '../support/follow-up-fixtures.js';
import { TEST_SES } from '../support/local-harness.js';

/**
 * Events as upstream systems send them, on the whole local stack: fields they add are ignored,
 * one unusable channel costs only that channel, every rejection is recorded without personal
 * data, and the log line of a rejection names the function that rejected it, even when several
 * functions run at once.
 */
let stack: LocalStack;
let events: EventBridgeClient;
let queries: FollowUpQueries;
const logLines: Record<string, unknown>[] = [];

beforeAll(async () => {
  // Log lines are what this file checks: the stack logs warnings (to stderr, as console.warn does), collected here.
  for (const stream of [process.stdout, process.stderr]) {
    const write = stream.write.bind(stream);
    vi.spyOn(stream, 'write').mockImplementation(((chunk: string | Uint8Array, ...rest: never[]) => {
      const lines = String(chunk)
        .split('\n')
        .filter((line) => line.startsWith('{"level"'));
      for (const line of lines) logLines.push(JSON.parse(line) as Record<string, unknown>);
      return lines.length ? true : write(chunk, ...rest);
    }) as typeof stream.write);
  }
  stack = await startLocalStack({
    clock: 'manual',
    start: new Date('2026-11-20T08:00:00Z'),
    logLevel: 'WARN',
    schedules: false,
    ses: TEST_SES,
  });
  events = new EventBridgeClient({
    endpoint: stack.awsUrl,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  queries = new FollowUpQueries(stack.dynamoUrl, stack.tableName);
});
afterAll(async () => {
  queries?.close();
  events?.destroy();
  await stack?.stop();
  vi.restoreAllMocks();
});

async function publish(entries: Omit<PutEventsRequestEntry, 'EventBusName'>[]): Promise<string[]> {
  const result = await stack.clock.track(() =>
    events.send(new PutEventsCommand({ Entries: entries.map((e) => ({ EventBusName: stack.busName, ...e })) })),
  );
  await stack.clock.settle();
  return result.Entries!.map((e) => e.EventId!);
}
const entry = (detailType: string, detail: unknown, source = 'dealer.dms') => ({
  Source: source,
  DetailType: detailType,
  Detail: JSON.stringify(detail),
});
const logOf = (eventId: string) => logLines.find((l) => l.eventId === eventId && l.message === 'event rejected');

describe('events from upstream systems on the local stack', () => {
  it('starts a follow-up by phone for an event with unknown fields and an unusable email, and records a warning', async () => {
    const detail = serviceCompleted(0, { vin: 'LSVAU2180N2183294', dms: { version: 7 } }, { email: 'wang.wu@', loyaltyTier: 'gold' });
    const [eventId] = await publish([entry('Service Completed', detail)]);
    const followUp = (await queries.followUps()).find((f) => f.followUpId === idOf(detail));
    expect(followUp).toMatchObject({ customer: { id: detail.customer.id, phone: detail.customer.phone } });
    expect(followUp!.customer).not.toHaveProperty('email');
    expect(followUp!.customer).not.toHaveProperty('loyaltyTier');
    expect(followUp).not.toHaveProperty('vin');
    expect(stack.cloud.executions.size).toBe(1);
    const warning = (await queries.eventWarnings()).find((w) => w.eventId === eventId);
    expect(warning).toMatchObject({
      source: 'dealer.dms',
      detailType: 'Service Completed',
      warnings: [{ field: 'detail.customer.email', reason: 'not-email' }],
      followUpIds: [idOf(detail)],
    });
    expect((await queries.rejections()).some((r) => r.eventId === eventId)).toBe(false);
  });

  it('rejects what cannot be used, records field and reason without personal data, logs each rejection under its function', async () => {
    const bothBad = serviceCompleted(0, {}, { name: '赵六', phone: 'ask the front desk', email: 'zhao6 at example' });
    const [serviceEvent, optOutEvent, resolvedEvent, goodOptOut] = await publish([
      entry('Service Completed', bothBad),
      entry('Customer Opted Out', { customer: 'C-1-1', reason: 'moved' }, 'crm.app'),
      entry('Complaint Resolved', { complaintId: `cp-${'0'.repeat(32)}`, ticket: 'T-9' }, 'ticketing'),
      entry('Customer Opted Out', { customerId: 'C-1-2', channel: 'sms' }, 'crm.app'),
    ]);
    const rejections = await queries.rejections();
    const byEvent = (id: string) => rejections.find((r) => r.eventId === id);
    expect(byEvent(serviceEvent!)).toMatchObject({
      source: 'dealer.dms',
      detailType: 'Service Completed',
      field: 'detail.customer.phone',
      reason: 'not-phone',
    });
    expect(byEvent(optOutEvent!)).toMatchObject({
      source: 'crm.app',
      detailType: 'Customer Opted Out',
      field: 'detail.customerId',
      reason: 'field-required',
    });
    expect(byEvent(resolvedEvent!)).toMatchObject({
      source: 'ticketing',
      detailType: 'Complaint Resolved',
      field: 'detail.complaintId',
      reason: 'unknown-complaint',
    });
    // An opt-out carrying fields it does not know is recorded, not rejected.
    expect(byEvent(goodOptOut!)).toBeUndefined();
    expect(stack.cloud.executions.size).toBe(1);
    expect(JSON.stringify(rejections)).not.toMatch(/赵六|ask the front desk|zhao6 at example/);

    expect(logOf(serviceEvent!)).toMatchObject({
      function_name: expect.stringMatching(/^IngestServiceCompleted/),
      field: 'detail.customer.phone',
      reason: 'not-phone',
    });
    expect(logOf(optOutEvent!)).toMatchObject({ function_name: expect.stringMatching(/^IngestOptOut/), field: 'detail.customerId' });
    expect(logOf(resolvedEvent!)).toMatchObject({ function_name: expect.stringMatching(/^EscalationIntake/), field: 'detail.complaintId' });
    expect(JSON.stringify(logLines)).not.toMatch(/赵六|ask the front desk|zhao6 at example/);
  });
});
