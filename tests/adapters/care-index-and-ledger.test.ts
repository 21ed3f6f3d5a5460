import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoCareLedger, DynamoThankYouList } from '../../functions/shared/adapters/dynamo-care-ledger.js';
import { DynamoCustomerIndex } from '../../functions/shared/adapters/dynamo-customer-index.js';
import { keys } from '../../functions/shared/adapters/table.js';
import { startSingleTable } from '../../local/dynamo.js';

const TABLE = 'FollowUps';
let table: Awaited<ReturnType<typeof startSingleTable>>;
let db: DynamoDBDocumentClient;
const clock = new Date('2026-11-20T08:00:00Z');
const now = () => clock;

beforeAll(async () => {
  table = await startSingleTable(TABLE);
  db = DynamoDBDocumentClient.from(table.client, { marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: true } });
});
afterAll(async () => {
  await table?.close();
});

const index = () => new DynamoCustomerIndex(TABLE, { afterMonths: 24, timeZone: 'Asia/Shanghai' }, now, db);
const ledger = () => new DynamoCareLedger(TABLE, now, db);

describe('the birthday index', () => {
  it('keeps a customer in the bucket of their birthday and moves them when it changes', async () => {
    const ann = { id: 'C-1', name: 'Ann', email: 'ann@example.com', birthday: '03-15' };
    await index().touch('dealer.dms', ann, 'D1', '2026-11-01T08:00:00.000Z');
    expect((await index().bornOn('03-15')).map((e) => e.customer.id)).toEqual(['C-1']);
    await index().touch('dealer.dms', { ...ann, birthday: '03-16' }, 'D1', '2026-11-02T08:00:00.000Z');
    expect(await index().bornOn('03-15')).toEqual([]);
    expect(await index().bornOn('03-16')).toMatchObject([{ source: 'dealer.dms', departmentId: 'D1', customer: { birthday: '03-16' } }]);
  });
  it('leaves the bucket when a later service comes without a birthday, and ignores an older service', async () => {
    const bob = { id: 'C-2', name: 'Bob', email: 'bob@example.com', birthday: '07-01' };
    await index().touch('dealer.dms', bob, undefined, '2026-11-01T08:00:00.000Z');
    await index().touch('dealer.dms', { ...bob, birthday: '08-01' }, undefined, '2026-10-01T08:00:00.000Z');
    expect(await index().bornOn('08-01')).toEqual([]);
    await index().touch('dealer.dms', { id: 'C-2', name: 'Bob' }, undefined, '2026-11-03T08:00:00.000Z');
    expect(await index().bornOn('07-01')).toEqual([]);
  });
  it('spells its keys as stored', () => {
    expect(keys.birthday('03-15', { source: 'dealer.dms', id: 'C-1' })).toEqual({ pk: 'BIRTHDAY#03-15', sk: 'CUST#dealer.dms#C-1' });
    expect(keys.careClaim({ source: 'dealer.dms', id: 'C-1' }, 'birthday-2027')).toEqual({
      pk: 'CUST#dealer.dms#C-1',
      sk: 'CARE#birthday-2027',
    });
  });
});

describe('the care ledger', () => {
  const customer = { source: 'dealer.dms', id: 'C-9' };
  it('claims an occasion once, counts it within the yearly cap, and gives a refused send back', async () => {
    const send = async (occasion: string, year = '2026') =>
      (await ledger().claim(customer, occasion)) && (await ledger().countAgainstCap(customer, occasion, year, 2));
    expect(await send('birthday-2026')).toBe(true);
    expect(await ledger().claim(customer, 'birthday-2026')).toBe(false);
    expect(await send('holiday-2026-09-30')).toBe(true);
    expect(await send('holiday-2026-02-14')).toBe(false);
    await ledger().release(customer, 'holiday-2026-09-30', '2026');
    expect(await send('holiday-2026-09-30')).toBe(true);
    expect(await send('birthday-2027', '2027')).toBe(true);
    await ledger().settle(customer, 'birthday-2027', 'birthday', 'sent');
    const { Item } = await db.send(new GetCommand({ TableName: TABLE, Key: keys.careClaim(customer, 'birthday-2027') }));
    expect(Item).toMatchObject({ kind: 'CareClaim', occasionKind: 'birthday', outcome: 'sent' });
  });
});

describe('the thank-you list', () => {
  it('holds one entry per customer and day, until two days after it', async () => {
    const list = new DynamoThankYouList(TABLE, now, db);
    const entry = { source: 'dealer.dms', customer: { id: 'C-5', name: 'Eve' }, lastServiceAt: '2026-11-20T07:00:00.000Z' };
    await list.add('2026-11-20', entry);
    await list.add('2026-11-20', { ...entry, lastServiceAt: '2026-11-20T08:00:00.000Z' });
    expect(await list.dueOn('2026-11-20')).toEqual([{ ...entry, lastServiceAt: '2026-11-20T08:00:00.000Z', departmentId: undefined }]);
    expect(await new DynamoThankYouList(TABLE, () => new Date('2026-11-22T00:00:00Z'), db).dueOn('2026-11-20')).toEqual([]);
  });
});
