import { TransactionCanceledException, TransactWriteItemsCommand } from '@aws-sdk/client-dynamodb';
import { PutCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { refusal, singleTableForTests } from '../support/single-table.js';

/**
 * TransactWriteItems on the local DynamoDB (dynalite has none): all items or none, each validated
 * as its single-item operation is, and refused where DynamoDB refuses a transaction.
 */
const TableName = 'transactions';
const { db, client, get } = await singleTableForTests(TableName);
type TransactionError = Error & { CancellationReasons?: { Code: string; Item?: unknown }[] };

describe('TransactWriteItems on the local DynamoDB', () => {
  it('writes every item: puts, updates, deletes and a condition check', async () => {
    await db.send(new PutCommand({ TableName, Item: { pk: 'gone', sk: 'A' } }));
    await db.send(new PutCommand({ TableName, Item: { pk: 'guard', sk: 'A', isOpen: true } }));
    await db.send(
      new TransactWriteCommand({
        TransactItems: [
          { Put: { TableName, Item: { pk: 'new', sk: 'A', n: 1 }, ConditionExpression: 'attribute_not_exists(pk)' } },
          {
            Update: {
              TableName,
              Key: { pk: 'counter', sk: 'A' },
              UpdateExpression: 'ADD n :one',
              ExpressionAttributeValues: { ':one': 2 },
            },
          },
          { Delete: { TableName, Key: { pk: 'gone', sk: 'A' } } },
          {
            ConditionCheck: {
              TableName,
              Key: { pk: 'guard', sk: 'A' },
              ConditionExpression: 'isOpen = :t',
              ExpressionAttributeValues: { ':t': true },
            },
          },
        ],
      }),
    );
    expect(await get('new')).toEqual({ pk: 'new', sk: 'A', n: 1 });
    expect(await get('counter')).toEqual({ pk: 'counter', sk: 'A', n: 2 });
    expect(await get('gone')).toBeUndefined();
    expect(await get('guard')).toEqual({ pk: 'guard', sk: 'A', isOpen: true });
  });

  it('writes nothing when a condition fails, and gives a reason for every item', async () => {
    await db.send(new PutCommand({ TableName, Item: { pk: 'taken', sk: 'A', owner: 'first' } }));
    await db.send(new PutCommand({ TableName, Item: { pk: 'kept', sk: 'A', n: 5 } }));
    const error = await refusal<TransactionError>(
      db.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Update: { TableName, Key: { pk: 'kept', sk: 'A' }, UpdateExpression: 'ADD n :one', ExpressionAttributeValues: { ':one': 1 } },
            },
            { Put: { TableName, Item: { pk: 'fresh', sk: 'A' } } },
            {
              Put: {
                TableName,
                Item: { pk: 'taken', sk: 'A', owner: 'second' },
                ConditionExpression: 'attribute_not_exists(pk)',
                ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
              },
            },
            { ConditionCheck: { TableName, Key: { pk: 'absent', sk: 'A' }, ConditionExpression: 'attribute_exists(pk)' } },
          ],
        }),
      ),
    );
    expect(error).toBeInstanceOf(TransactionCanceledException);
    const codes = '[None, None, ConditionalCheckFailed, ConditionalCheckFailed]';
    expect(error.message).toBe(`Transaction cancelled, please refer cancellation reasons for specific reasons ${codes}`);
    expect(error.CancellationReasons?.map((reason) => reason.Code)).toEqual([
      'None',
      'None',
      'ConditionalCheckFailed',
      'ConditionalCheckFailed',
    ]);
    expect(error.CancellationReasons?.[2]?.Item).toEqual({ pk: { S: 'taken' }, sk: { S: 'A' }, owner: { S: 'first' } });
    // The items before the failed condition were undone.
    expect(await get('kept')).toEqual({ pk: 'kept', sk: 'A', n: 5 });
    expect(await get('fresh')).toBeUndefined();
    expect(await get('taken')).toEqual({ pk: 'taken', sk: 'A', owner: 'first' });
    expect(await get('absent')).toBeUndefined();
  });

  it('refuses what DynamoDB refuses, writing nothing', async () => {
    const twice = await refusal<TransactionError>(
      db.send(
        new TransactWriteCommand({
          TransactItems: [{ Put: { TableName, Item: { pk: 'twice', sk: 'A' } } }, { Delete: { TableName, Key: { pk: 'twice', sk: 'A' } } }],
        }),
      ),
    );
    expect(twice.name).toBe('ValidationException');
    expect(twice.message).toBe('Transaction request cannot include multiple operations on one item');

    const many = Array.from({ length: 101 }, (_, i) => ({ Put: { TableName, Item: { pk: `many-${i}`, sk: 'A' } } }));
    const tooMany = await refusal<TransactionError>(db.send(new TransactWriteCommand({ TransactItems: many })));
    expect(tooMany.name).toBe('ValidationException');
    expect(tooMany.message).toContain('Member must have length less than or equal to 100');
    expect(await get('many-0')).toBeUndefined();

    // An item dynalite refuses on its own (an unused attribute value) undoes the ones written before it.
    const invalid = await refusal<TransactionError>(
      db.send(
        new TransactWriteCommand({
          TransactItems: [
            { Put: { TableName, Item: { pk: 'before-invalid', sk: 'A' } } },
            {
              Update: {
                TableName,
                Key: { pk: 'invalid', sk: 'A' },
                UpdateExpression: 'SET a = :a',
                ExpressionAttributeValues: { ':a': 1, ':b': 2 },
              },
            },
          ],
        }),
      ),
    );
    expect(invalid.name).toBe('ValidationException');
    expect(await get('before-invalid')).toBeUndefined();
    expect(await get('invalid')).toBeUndefined();

    const empty = await refusal<TransactionError>(client.send(new TransactWriteItemsCommand({ TransactItems: [{}] })));
    expect(empty.name).toBe('ValidationException');

    const noCondition = await refusal<TransactionError>(
      db.send(
        new TransactWriteCommand({
          TransactItems: [
            { Put: { TableName, Item: { pk: 'unchecked', sk: 'A' } } },
            { ConditionCheck: { TableName, Key: { pk: 'unchecked', sk: 'B' } } as never },
          ],
        }),
      ),
    );
    expect(noCondition.name).toBe('ValidationException');
    expect(noCondition.message).toContain('conditionExpression');
    expect(await get('unchecked')).toBeUndefined();
  });

  it('answers a repeated client token as its first success, without writing again, and refuses it for other items', async () => {
    const input = {
      ClientRequestToken: 'retry-1',
      TransactItems: [
        { Update: { TableName, Key: { pk: 'once', sk: 'A' }, UpdateExpression: 'ADD n :one', ExpressionAttributeValues: { ':one': 1 } } },
      ],
    };
    await db.send(new TransactWriteCommand(input));
    await db.send(new TransactWriteCommand(input));
    expect(await get('once')).toEqual({ pk: 'once', sk: 'A', n: 1 });
    const other = await refusal<TransactionError>(
      db.send(new TransactWriteCommand({ ...input, TransactItems: [{ Put: { TableName, Item: { pk: 'other', sk: 'A' } } }] })),
    );
    expect(other.name).toBe('IdempotentParameterMismatchException');
    expect(await get('other')).toBeUndefined();
  });

  it('has the table to itself while it runs: an undone transaction never erases a write made meanwhile', async () => {
    await db.send(new PutCommand({ TableName, Item: { pk: 'busy', sk: 'A', n: 0 } }));
    const add = (n: number) => ({
      TableName,
      Key: { pk: 'busy', sk: 'A' },
      UpdateExpression: 'ADD n :n',
      ExpressionAttributeValues: { ':n': n },
    });
    // Each transaction adds 100, then fails its check and is undone from the image it read first.
    const cancelled = () =>
      refusal<TransactionError>(
        db.send(
          new TransactWriteCommand({
            TransactItems: [
              { Update: add(100) },
              { ConditionCheck: { TableName, Key: { pk: 'nowhere', sk: 'A' }, ConditionExpression: 'attribute_exists(pk)' } },
            ],
          }),
        ),
      );
    const plain = () => db.send(new UpdateCommand(add(1)));
    const errors = await Promise.all(Array.from({ length: 20 }, () => [cancelled(), plain()]).flat());
    expect(errors.filter((e) => e instanceof TransactionCanceledException)).toHaveLength(20);
    expect(await get('busy')).toEqual({ pk: 'busy', sk: 'A', n: 20 });
  });
});
