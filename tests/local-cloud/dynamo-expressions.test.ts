import { PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it, vi } from 'vitest';
import { keepingParses } from '../../local/cloud/dynamo-expressions.js';
import { refusal, singleTableForTests } from '../support/single-table.js';

/**
 * The local DynamoDB keeps dynalite's expression parses (local/cloud/dynamo-expressions.ts): a kept
 * parse must behave as a fresh one, with each request's own values, and refuse what it refuses.
 * Every case sends the same expression again, so the second request is answered from what was kept.
 */
const TableName = 'expressions';
const { db, get } = await singleTableForTests(TableName);

/** An update and its condition with their own values (the same expressions every call). */
const claim = (pk: string, at: string, owner: string) =>
  db.send(
    new UpdateCommand({
      TableName,
      Key: { pk, sk: 'A' },
      UpdateExpression: 'SET #at = :at, owners = list_append(if_not_exists(owners, :none), :owner) ADD claims :one',
      ConditionExpression: 'attribute_not_exists(#at) OR #at < :at',
      ExpressionAttributeNames: { '#at': 'claimedAt' },
      ExpressionAttributeValues: { ':at': at, ':none': [], ':owner': [owner], ':one': 1 },
      ReturnValues: 'ALL_NEW',
    }),
  );

describe('kept expression parses on the local DynamoDB', () => {
  it('applies each request its own values, in the update and in the condition', async () => {
    expect((await claim('a', '2026-11-01T09:00:00Z', 'first')).Attributes).toMatchObject({
      claimedAt: '2026-11-01T09:00:00Z',
      owners: ['first'],
      claims: 1,
    });
    expect((await claim('a', '2026-11-02T09:00:00Z', 'second')).Attributes).toMatchObject({
      claimedAt: '2026-11-02T09:00:00Z',
      owners: ['first', 'second'],
      claims: 2,
    });
    // The same condition with an earlier value fails, as a fresh parse of it would.
    expect((await refusal(claim('a', '2026-11-01T12:00:00Z', 'late'))).name).toBe('ConditionalCheckFailedException');
    expect(await get('a')).toMatchObject({ owners: ['first', 'second'], claims: 2 });
  });

  it('still refuses a value left unused, and a value of a type the expression cannot take', async () => {
    const add = (values: Record<string, unknown>) =>
      db.send(new UpdateCommand({ TableName, Key: { pk: 'b', sk: 'A' }, UpdateExpression: 'ADD n :n', ExpressionAttributeValues: values }));
    await add({ ':n': 1 });
    await add({ ':n': 2 });
    expect(await get('b')).toMatchObject({ n: 3 });
    expect((await refusal(add({ ':n': 1, ':spare': 2 }))).message).toBe(
      'Value provided in ExpressionAttributeValues unused in expressions: keys: {:spare}',
    );
    expect((await refusal(add({ ':n': 'one' }))).message).toMatch(
      /^Invalid UpdateExpression: Incorrect operand type for operator or function/,
    );
    expect(await get('b')).toMatchObject({ n: 3 });
  });

  it('checks the bounds of every BETWEEN afresh', async () => {
    await db.send(new PutCommand({ TableName, Item: { pk: 'c', sk: 'B' } }));
    const between = (low: string, high: string) =>
      db.send(
        new QueryCommand({
          TableName,
          KeyConditionExpression: 'pk = :pk AND sk BETWEEN :low AND :high',
          ExpressionAttributeValues: { ':pk': 'c', ':low': low, ':high': high },
        }),
      );
    expect((await between('A', 'C')).Count).toBe(1);
    expect((await refusal(between('C', 'A'))).message).toMatch(
      /^Invalid KeyConditionExpression: The BETWEEN operator requires upper bound/,
    );
  });

  it('filters and projects with each request its own values', async () => {
    for (const [sk, score] of [
      ['1', 3],
      ['2', 5],
    ] as const)
      await db.send(new PutCommand({ TableName, Item: { pk: 'd', sk, score, note: `n${sk}` } }));
    const atLeast = async (score: number) =>
      (
        await db.send(
          new QueryCommand({
            TableName,
            KeyConditionExpression: 'pk = :pk',
            FilterExpression: 'score >= :min',
            ProjectionExpression: 'sk, note',
            ExpressionAttributeValues: { ':pk': 'd', ':min': score },
          }),
        )
      ).Items;
    expect(await atLeast(4)).toEqual([{ sk: '2', note: 'n2' }]);
    expect(await atLeast(1)).toEqual([
      { sk: '1', note: 'n1' },
      { sk: '2', note: 'n2' },
    ]);
  });
});

describe('which parses are kept', () => {
  type Values = Record<string, Record<string, unknown>>;
  const request = (values: Values) => ({
    context: {
      attrVals: values,
      unusedAttrNames: {},
      unusedAttrVals: Object.fromEntries(Object.keys(values).map((name) => [name, true])),
    },
  });
  /** A parser as dynalite's: the tree holds the value objects, and marks them used. */
  const referencing = vi.fn((_input: string, { context }: { context: { attrVals?: Values; unusedAttrVals?: object } }) => {
    delete (context.unusedAttrVals as Record<string, unknown>)[':v'];
    return { type: 'set', path: ['a'], val: context.attrVals?.[':v'] };
  });

  it('keeps a tree that holds the values, and fills it with each request its own, marking them used', () => {
    const parse = keepingParses(referencing);
    expect(parse('SET a = :v', request({ ':v': { S: 'one' } }))).toEqual({ type: 'set', path: ['a'], val: { S: 'one' } });
    const second = request({ ':v': { S: 'two' } });
    expect(parse('SET a = :v', second)).toEqual({ type: 'set', path: ['a'], val: { S: 'two' } });
    expect(second.context.unusedAttrVals).toEqual({});
    // Parsed for the first request, then once more with probe values to check the tree; not for the second.
    expect(referencing).toHaveBeenCalledTimes(2);
    // Another type is another parse.
    expect(parse('SET a = :v', request({ ':v': { N: '2' } }))).toEqual({ type: 'set', path: ['a'], val: { N: '2' } });
    expect(referencing).toHaveBeenCalledTimes(4);
  });

  it('parses afresh every time where the tree copies or reads what a value holds, and every refusal', () => {
    const copying = vi.fn((_input: string, { context }: { context: { attrVals?: Values } }) => ({ val: { ...context.attrVals?.[':v'] } }));
    const reading = vi.fn((_input: string, { context }: { context: { attrVals?: Values } }) => ({
      big: Number(context.attrVals?.[':n']?.N) > 5,
    }));
    const refusing = vi.fn(() => 'Syntax error; token: "x"');
    const [copy, read, refuse] = [keepingParses(copying), keepingParses(reading), keepingParses(refusing)];
    for (const value of ['one', 'two', 'three']) expect(copy('x = :v', request({ ':v': { S: value } }))).toEqual({ val: { S: value } });
    for (const n of ['3', '9', '4']) expect(read('x > :n', request({ ':n': { N: n } }))).toEqual({ big: Number(n) > 5 });
    for (let i = 0; i < 3; i += 1) expect(refuse('x', request({}))).toBe('Syntax error; token: "x"');
    expect(refusing).toHaveBeenCalledTimes(3);
    // Each checked with its probe, then known as not to be kept: one parse a request from then on.
    expect(copying).toHaveBeenCalledTimes(4);
    expect(reading).toHaveBeenCalledTimes(4);
  });
});
