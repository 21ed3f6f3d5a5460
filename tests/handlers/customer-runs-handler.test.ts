import './setup-env.js';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { handler } from '../../functions/find-dormant/handler.js';
import { PERIODIC_SOURCE } from '../../functions/find-dormant/periodic-follow-ups.js';
import { keys } from '../../functions/shared/adapters/table.js';
import { useClock } from '../../functions/shared/clock.js';

const db = mockClient(DynamoDBDocumentClient);
const eventBridge = mockClient(EventBridgeClient);
const context = { awsRequestId: 'r1', functionName: 'customer-runs' } as never;
useClock(() => new Date('2026-11-02T02:30:00Z'));

const due = { source: 'dealer.dms', id: 'C-9' };
beforeEach(() => {
  db.reset();
  eventBridge.reset();
  eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e1' }] });
  db.on(QueryCommand).resolves({ Items: [] });
  db.on(QueryCommand, { ExpressionAttributeValues: { ':pk': keys.periodicMonthPk('2026-11') } }).resolves({
    Items: [
      {
        ...keys.periodic('2026-11', due),
        source: due.source,
        customer: { id: due.id, name: 'n', phone: '+8613800138000', tier: 'key' },
        lastFollowUpAt: '2026-05-10T02:00:00.000Z',
      },
    ],
  });
});
afterAll(() => {
  db.restore();
  eventBridge.restore();
});

describe('the monthly customer runs handler', () => {
  it('runs the periodic follow-ups on {"run":"periodic"}: one Query of the month, the opt-out read, one PutEvents', async () => {
    expect(await handler({ run: 'periodic' }, context)).toMatchObject({ month: '2026-11', followUps: 1, byTier: { key: 1 } });
    const queried = db.commandCalls(QueryCommand).map((c) => c.args[0].input.ExpressionAttributeValues?.[':pk']);
    expect(queried).toEqual([keys.periodicMonthPk('2026-11'), keys.customerPk(due)]);
    const [entry] = eventBridge.commandCalls(PutEventsCommand)[0]!.args[0].input.Entries!;
    expect(entry).toMatchObject({ Source: PERIODIC_SOURCE, DetailType: 'Service Completed', EventBusName: 'customer-follow-up' });
    expect(JSON.parse(entry!.Detail!)).toMatchObject({ serviceType: 'periodic-key', customerSource: 'dealer.dms' });
  });

  it('still runs the dormant search on {"run":"dormant"} and refuses any other run, naming the field', async () => {
    expect(await handler({ run: 'dormant' }, context)).toMatchObject({ lastServiceMonth: '2024-11', reactivations: 0 });
    await expect(handler({ run: 'weekly' }, context)).rejects.toThrow(/invalid input: run:/);
  });
});
