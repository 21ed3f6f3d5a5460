import './setup-env.js';
import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { ExecutionAlreadyExists, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import {
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  type TransactWriteCommandInput,
  UpdateCommand,
  type UpdateCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { handler } from '../../functions/ingest-service-completed/handler.js';
import { ingest } from '../../functions/ingest-service-completed/ingest.js';
import { recordOutcome } from '../../functions/record-outcome/record-outcome.js';
import { keys } from '../../functions/shared/adapters/table.js';
import { useClock } from '../../functions/shared/clock.js';
import { type FollowUp, followUpIdFor, samplingDraw } from '../../functions/shared/domain/follow-up.js';
import type { FinalOutcome } from '../../functions/shared/ports/follow-up-store.js';
import { FakeWorkflow, recordedFinishes, roomyLimiter } from '../support/fake-channels.js';
import { storedFollowUp } from '../support/follow-up-fixtures.js';
import { MemoryFollowUpStore } from '../support/memory-store.js';

const db = mockClient(DynamoDBDocumentClient);
const sfn = mockClient(SFNClient);
const bus = mockClient(EventBridgeClient);
const context = { awsRequestId: 'r1', functionName: 'ingest' } as never;
useClock(() => new Date('2026-11-20T08:00:00Z'));

const event = (detail: Record<string, unknown>) => ({
  id: 'evt-1',
  source: 'dealer.dms',
  'detail-type': 'Service Completed',
  time: '2026-11-20T07:30:00Z',
  detail,
});
const detail = {
  serviceId: 'RO-9',
  serviceType: 'vehicle-repair',
  completedAt: '2026-11-20T15:00:00+08:00',
  customer: { id: 'C9', name: '王五', phone: '+8613800138000' },
};
const conditionFailed = () => new ConditionalCheckFailedException({ message: 'exists', $metadata: {} });

beforeEach(() => {
  db.reset();
  sfn.reset();
  bus.reset();
  sfn.on(StartExecutionCommand).resolves({ executionArn: 'arn:exec', startDate: new Date() });
  bus.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e-1' }] });
  db.on(GetCommand).resolves({});
  db.on(QueryCommand).resolves({ Items: [] });
  db.on(UpdateCommand).resolves({});
});

describe('ingest-service-completed handler', () => {
  it('creates the follow-up under a conditional write and starts a same-named execution with ids only', async () => {
    const result = await handler(event(detail), context);
    expect(result).toMatchObject({ status: 'accepted', followUpIds: [expect.stringMatching(/^fu-[0-9a-f]{32}$/)] });
    const put = db.commandCalls(PutCommand)[0]!.args[0].input;
    expect(put.ConditionExpression).toBe('attribute_not_exists(pk)');
    expect(put.Item).toMatchObject({ ...keys.followUp(result.followUpIds[0]!), status: 'scheduled', serviceType: 'vehicle-repair' });
    const start = sfn.commandCalls(StartExecutionCommand)[0]!.args[0].input;
    expect(start).toMatchObject({ stateMachineArn: process.env.FOLLOW_UP_STATE_MACHINE_ARN, name: result.followUpIds[0] });
    // The first contact's plan, planned here: ids, times and the channel, no personal data.
    expect(JSON.parse(start.input!)).toMatchObject({ followUpId: result.followUpIds[0], action: 'contact', attempt: 1, channel: 'phone' });
    expect(start.input).not.toContain('王五');
    expect(start.input).not.toContain('+86');
    expect(db.commandCalls(UpdateCommand).filter((c) => c.args[0].input.UpdateExpression === 'SET executionStarted = :t')).toHaveLength(1);
    // The dormant-customer index moves the customer to this service's month (with its pointer, in one transaction).
    const index = db
      .commandCalls(TransactWriteCommand)
      .flatMap((c) => c.args[0].input.TransactItems!.map((item) => item.Put?.Item))
      .filter((i) => i?.kind === 'DormancyEntry');
    expect(index).toEqual([
      expect.objectContaining({
        ...keys.dormancy('2026-11', { source: 'dealer.dms', id: 'C9' }),
        source: 'dealer.dms',
        expiresAt: expect.any(Number),
      }),
    ]);
  });

  it('ignores a redelivered event whose follow-up already started', async () => {
    db.on(PutCommand, { ConditionExpression: 'attribute_not_exists(pk)' }).rejects(conditionFailed());
    db.on(GetCommand).resolves({ Item: { ...keys.followUp('x'), followUpId: 'x', executionStarted: true, attempts: [] } });
    expect(await handler(event(detail), context)).toMatchObject({ status: 'duplicate' });
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
  });

  it('finishes the start of a follow-up whose first delivery died before StartExecution', async () => {
    db.on(PutCommand, { ConditionExpression: 'attribute_not_exists(pk)' }).rejects(conditionFailed());
    db.on(GetCommand).resolves({ Item: { ...keys.followUp('x'), ...storedFollowUp({ followUpId: 'x' }) } });
    sfn.on(StartExecutionCommand).rejects(new ExecutionAlreadyExists({ message: 'exists', $metadata: {} }));
    expect(await handler(event(detail), context)).toMatchObject({ status: 'accepted' });
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(1);
    expect(db.commandCalls(UpdateCommand).filter((c) => c.args[0].input.UpdateExpression === 'SET executionStarted = :t')).toHaveLength(1);
  });

  it('records a rejection naming the field and starts nothing', async () => {
    const result = await handler(event({ ...detail, customer: { id: 'C9', name: '王五' } }), context);
    expect(result).toEqual({ status: 'rejected', field: 'detail.customer.phone', followUpIds: [] });
    const put = db.commandCalls(PutCommand)[0]!.args[0].input;
    expect(put.Item).toMatchObject({
      ...keys.rejection('evt-1'),
      field: 'detail.customer.phone',
      reason: 'no-usable-channel',
      source: 'dealer.dms',
      detailType: 'Service Completed',
      kind: 'Rejection',
    });
    expect(JSON.stringify(put.Item)).not.toContain('王五');
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
  });

  it('ignores fields it does not know, at every level, instead of rejecting the event', async () => {
    const result = await handler(
      { ...event({ ...detail, vin: 'LSVAU2180N2183294', customer: { ...detail.customer, wechat: 'wx-1' } }), account: '1' },
      context,
    );
    expect(result).toMatchObject({ status: 'accepted' });
    const item = db.commandCalls(PutCommand)[0]!.args[0].input.Item!;
    expect(item).not.toHaveProperty('vin');
    expect(item.customer).toEqual(detail.customer);
  });

  it('accepts an event with an unusable email by phone only, and records a warning naming the field', async () => {
    const result = await handler(event({ ...detail, customer: { ...detail.customer, email: 'wang5@' } }), context);
    expect(result).toMatchObject({ status: 'accepted', droppedFields: ['detail.customer.email'] });
    const items = db.commandCalls(PutCommand).map((c) => c.args[0].input.Item!);
    const warning = items.find((i) => i.kind === 'EventWarning');
    expect(warning).toMatchObject({
      ...keys.eventWarning('evt-1'),
      source: 'dealer.dms',
      detailType: 'Service Completed',
      warnings: [{ field: 'detail.customer.email', reason: 'not-email' }],
      followUpIds: result.followUpIds,
    });
    expect(JSON.stringify(warning)).not.toMatch(/王五|wang5@|\+8613800138000/);
    expect(items.find((i) => i.kind === 'FollowUp')!.customer).toEqual(detail.customer);
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(1);
  });

  it('rejects an event whose phone and email are both unusable, naming the field and reason', async () => {
    const result = await handler(event({ ...detail, customer: { ...detail.customer, phone: 'none', email: 'none' } }), context);
    expect(result).toEqual({ status: 'rejected', field: 'detail.customer.phone', followUpIds: [] });
    expect(db.commandCalls(PutCommand)[0]!.args[0].input.Item).toMatchObject({
      kind: 'Rejection',
      field: 'detail.customer.phone',
      reason: 'not-phone',
    });
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
  });

  it('lets a storage failure surface so the invocation is retried and, in the end, dead-lettered', async () => {
    db.on(PutCommand).rejects(new Error('ProvisionedThroughputExceeded'));
    await expect(handler(event(detail), context)).rejects.toThrow('ProvisionedThroughputExceeded');
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
  });

  describe('a gas repair the sample leaves out (80%): recorded at intake, without an execution', () => {
    const gas = { ...detail, serviceType: 'gas-repair', serviceId: 'GR-1', departmentId: 'north' };
    const id = followUpIdFor('dealer.dms', 'gas-repair', 'GR-1', 0);
    const kept = { ...gas, serviceId: 'GR-11' };
    const updates = () => db.commandCalls(UpdateCommand).map((c) => c.args[0].input);
    const outcomeWrites = () => updates().filter((u) => u.Key?.pk === keys.followUp(id).pk);
    /** The counters an aggregate update adds, by name. */
    const countersAdded = (u: UpdateCommandInput) =>
      Object.fromEntries(
        Object.entries(u.ExpressionAttributeNames ?? {})
          .filter(([name]) => name.startsWith('#c'))
          .map(([name, counter]) => [counter, u.ExpressionAttributeValues![`:${name.slice(1)}`]]),
      );
    /** Each aggregate contribution's transaction: its marker (whose key names the contribution) and its counters' update. */
    const contributions = () =>
      db
        .commandCalls(TransactWriteCommand)
        .map((c) => c.args[0].input.TransactItems!)
        .filter(([first]) => first?.Put?.Item?.kind === 'AggregateMarker')
        .map(([marker, counters]) => ({ marker: marker!.Put!, add: counters!.Update! as UpdateCommandInput }));
    const aggregateAdds = () => contributions().map((c) => c.add);
    const announced = () =>
      bus.commandCalls(PutEventsCommand).map((c) => {
        const [entry] = c.args[0].input.Entries!;
        return { bus: entry!.EventBusName, source: entry!.Source, detailType: entry!.DetailType, detail: JSON.parse(entry!.Detail!) };
      });

    it('draws these two as the tests need them', () => {
      expect(samplingDraw(id)).toBeGreaterThanOrEqual(0.2);
      expect(samplingDraw(followUpIdFor('dealer.dms', 'gas-repair', 'GR-11', 0))).toBeLessThan(0.2);
    });

    it('stores it skipped (not sampled), adds its aggregate contribution as not due, announces it and starts nothing', async () => {
      expect(await handler(event(gas), context)).toMatchObject({ status: 'accepted', followUpIds: [id] });
      expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
      const [add] = aggregateAdds();
      expect(add!.Key).toMatchObject({ pk: 'AGG#2026-11-20', sk: expect.stringMatching(/^gas-repair#north#[0-3]$/) });
      expect(add!.ExpressionAttributeValues).toMatchObject({ ':day': '2026-11-20' });
      expect(contributions()[0]!.marker).toMatchObject({ Item: { pk: `AGGMARK#${id}` }, ConditionExpression: 'attribute_not_exists(pk)' });
      expect(countersAdded(add!)).toEqual({ total: 1, status_skipped: 1 });
      expect(announced()).toEqual([
        {
          bus: 'customer-follow-up',
          source: 'customer-follow-up',
          detailType: 'Follow-up Completed',
          detail: {
            followUpId: id,
            source: 'dealer.dms',
            serviceId: 'GR-1',
            serviceType: 'gas-repair',
            departmentId: 'north',
            status: 'skipped',
            reason: 'not-sampled',
            attempts: 0,
            complaint: false,
          },
        },
      ]);
      expect(outcomeWrites()).toHaveLength(1);
      expect(outcomeWrites()[0]!.ExpressionAttributeValues).toMatchObject({
        ':status': 'skipped',
        ':outcome': { status: 'skipped', reason: 'not-sampled', finishedAt: '2026-11-20T08:00:00.000Z' },
      });
      // No execution, so no executionStarted either: a redelivery knows it by its outcome.
      expect(updates().some((u) => u.UpdateExpression?.includes('executionStarted'))).toBe(false);
      expect(JSON.stringify(announced())).not.toMatch(/王五|\+8613800138000/);
    });

    it('records an opted-out customer suppressed, as Plan does, since the opt-out comes before the sample there', async () => {
      const optOut = { ...keys.optOut({ source: 'dealer.dms', id: 'C9' }), kind: 'OptOut', at: '2026-11-01T00:00:00Z' };
      db.on(QueryCommand).resolves({ Items: [optOut] });
      await handler(event(gas), context);
      expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
      expect(outcomeWrites()[0]!.ExpressionAttributeValues).toMatchObject({ ':outcome': { status: 'suppressed', reason: 'opted-out' } });
      expect(countersAdded(aggregateAdds()[0]!)).toEqual({ total: 1, status_suppressed: 1 });
      expect(announced()[0]!.detail).toMatchObject({ status: 'suppressed', reason: 'opted-out' });
    });

    it('starts the execution of one the sample keeps with its first plan, announcing nothing', async () => {
      await handler(event(kept), context);
      expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(1);
      expect(JSON.parse(sfn.commandCalls(StartExecutionCommand)[0]!.args[0].input.input!)).toMatchObject({ action: 'contact', attempt: 1 });
      expect(bus.commandCalls(PutEventsCommand)).toHaveLength(0);
      expect(aggregateAdds()).toHaveLength(0);
    });

    it('ignores a redelivery once the outcome is written: nothing counted or announced again', async () => {
      db.on(PutCommand, { ConditionExpression: 'attribute_not_exists(pk)' }).rejects(conditionFailed());
      const stored = { ...keys.followUp(id), followUpId: id, status: 'skipped', attempts: [], outcome: { status: 'skipped' } };
      db.on(GetCommand, { Key: keys.followUp(id) }).resolves({ Item: stored });
      expect(await handler(event(gas), context)).toMatchObject({ status: 'duplicate' });
      expect(bus.commandCalls(PutEventsCommand)).toHaveLength(0);
      expect(updates()).toEqual([]);
      expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
    });

    it('finishes the recording when the first delivery died before the outcome: counted once, on the day it was stored', async () => {
      db.on(PutCommand, { ConditionExpression: 'attribute_not_exists(pk)' }).rejects(conditionFailed());
      const createdAt = '2026-11-19T15:59:00.000Z';
      const stored = { ...keys.followUp(id), followUpId: id, serviceType: 'gas-repair', serviceId: 'GR-1', source: 'dealer.dms' };
      db.on(GetCommand, { Key: keys.followUp(id) }).resolves({
        Item: { ...stored, departmentId: 'north', customer: gas.customer, status: 'scheduled', createdAt, attempts: [] },
      });
      // The first delivery counted it: its marker is there, so the transaction is cancelled and nothing is added.
      db.on(TransactWriteCommand).callsFake(async (input: TransactWriteCommandInput) => {
        if (input.TransactItems?.[0]?.Put?.Item?.kind !== 'AggregateMarker') return {};
        throw new TransactionCanceledException({
          message: 'Transaction cancelled, please refer cancellation reasons for specific reasons [ConditionalCheckFailed, None]',
          CancellationReasons: [{ Code: 'ConditionalCheckFailed' }, { Code: 'None' }],
          $metadata: {},
        });
      });
      expect(await handler(event(gas), context)).toMatchObject({ status: 'accepted' });
      // 23:59 in Shanghai on the 19th, when the first delivery stored it, not the redelivery's 20th.
      expect(aggregateAdds().map((add) => add.Key!.pk)).toEqual(['AGG#2026-11-19']);
      expect(contributions()[0]!.marker.Item).toMatchObject({ pk: `AGGMARK#${id}` });
      expect(announced().map((e) => e.detail.status)).toEqual(['skipped']);
      expect(outcomeWrites()[0]!.ExpressionAttributeValues).toMatchObject({ ':outcome': { finishedAt: createdAt } });
      expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
    });
  });
});

describe('a follow-up the sample leaves out, recorded at intake', () => {
  /** What a recording leaves behind: the outcome written, the aggregate contributions, the events. */
  function recorder() {
    const store = new MemoryFollowUpStore();
    const written: { id: string; outcome: FinalOutcome }[] = [];
    Object.assign(store, { finish: async (id: string, outcome: FinalOutcome) => void written.push({ id, outcome }) });
    const added: unknown[][] = [];
    const published: unknown[] = [];
    const finished = {
      aggregates: { add: async (...args: unknown[]) => added.push(args) > 0 },
      events: { publish: async (detailType: string, detail: Record<string, unknown>) => void published.push({ detailType, detail }) },
    };
    return { store, finished, left: () => ({ written, added, published }) };
  }

  it('leaves the same record, aggregate contribution and event as the Record step does after Plan skipped it', async () => {
    const now = new Date('2026-11-20T16:30:00Z');
    const gas = { ...detail, serviceType: 'gas-repair', serviceId: 'GR-1', departmentId: 'north' };
    const atIntake = recorder();
    const workflow = new FakeWorkflow();
    await ingest(event(gas), { store: atIntake.store, workflow, finished: atIntake.finished, limiter: roomyLimiter, now });
    expect(workflow.started).toEqual([]);

    // Today's path: the follow-up as intake stores it, then Record with Plan's decision, at the same moment.
    const id = followUpIdFor('dealer.dms', 'gas-repair', 'GR-1', 0);
    const byRecord = recorder();
    byRecord.store.followUps.set(id, structuredClone(atIntake.store.followUps.get(id)) as FollowUp);
    const { aggregates, events } = byRecord.finished;
    await recordOutcome(
      { followUpId: id, action: 'finish', status: 'skipped', reason: 'not-sampled' },
      { ...byRecord, aggregates, events, now },
    );
    expect(atIntake.left()).toEqual(byRecord.left());
    // 00:30 in Shanghai: the report's day, not the UTC one.
    expect(atIntake.left().added).toEqual([['2026-11-21', 'gas-repair', 'north', { total: 1, status_skipped: 1 }, id]]);
  });

  it('starts the execution of a follow-up that needs a contact with its first plan, at its Wait', async () => {
    const store = new MemoryFollowUpStore();
    const workflow = new FakeWorkflow();
    const sampledIn = { ...detail, serviceType: 'vehicle-repair', serviceId: 'RO-77' };
    const finished = recordedFinishes();
    await ingest(event(sampledIn), { store, workflow, finished, limiter: roomyLimiter, now: new Date('2026-11-20T08:00:00Z') });
    const id = followUpIdFor('dealer.dms', 'vehicle-repair', 'RO-77', 0);
    expect(workflow.started).toEqual([id]);
    expect(workflow.plans.get(id)).toMatchObject({ followUpId: id, action: 'contact', attempt: 1, channel: 'phone' });
    expect(finished.added).toEqual([]);
  });
});
