import './setup-env.js';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { ExecutionAlreadyExists, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { handler } from '../../functions/ingest-service-completed/handler.js';
import { keys } from '../../functions/shared/adapters/table.js';
import { useClock } from '../../functions/shared/clock.js';

const db = mockClient(DynamoDBDocumentClient);
const sfn = mockClient(SFNClient);
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
  sfn.on(StartExecutionCommand).resolves({ executionArn: 'arn:exec', startDate: new Date() });
  db.on(GetCommand).resolves({});
});

describe('ingest-service-completed handler', () => {
  it('creates the follow-up under a conditional write and starts a same-named execution with ids only', async () => {
    const result = await handler(event(detail), context);
    expect(result).toMatchObject({ status: 'accepted', followUpIds: [expect.stringMatching(/^fu-[0-9a-f]{32}$/)] });
    const put = db.commandCalls(PutCommand)[0]!.args[0].input;
    expect(put.ConditionExpression).toBe('attribute_not_exists(pk)');
    expect(put.Item).toMatchObject({ ...keys.followUp(result.followUpIds[0]!), status: 'scheduled', serviceType: 'vehicle-repair' });
    const start = sfn.commandCalls(StartExecutionCommand)[0]!.args[0].input;
    expect(start).toEqual({
      stateMachineArn: process.env.FOLLOW_UP_STATE_MACHINE_ARN,
      name: result.followUpIds[0],
      input: JSON.stringify({ followUpId: result.followUpIds[0] }),
    });
    expect(db.commandCalls(UpdateCommand)).toHaveLength(1);
    // The dormant-customer index moves the customer to this service's month.
    const index = db
      .commandCalls(PutCommand)
      .map((c) => c.args[0].input.Item!)
      .filter((i) => i.kind === 'DormancyEntry');
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
    db.on(GetCommand).resolves({ Item: { ...keys.followUp('x'), followUpId: 'x', attempts: [] } });
    sfn.on(StartExecutionCommand).rejects(new ExecutionAlreadyExists({ message: 'exists', $metadata: {} }));
    expect(await handler(event(detail), context)).toMatchObject({ status: 'accepted' });
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(1);
    expect(db.commandCalls(UpdateCommand)).toHaveLength(1);
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
});
