import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll } from 'vitest';
import { startSingleTable } from '../../local/dynamo.js';

/**
 * A local DynamoDB with one table (pk, sk) for a test file, started as the file loads and closed
 * after its tests: `db` to send with (`client` without the document layer), `get` to read an item back
 * (sort key "A", consistently).
 */
export async function singleTableForTests(TableName: string) {
  const table = await startSingleTable(TableName);
  afterAll(() => table.close());
  const db = DynamoDBDocumentClient.from(table.client);
  const get = async (pk: string) => (await db.send(new GetCommand({ TableName, Key: { pk, sk: 'A' }, ConsistentRead: true }))).Item;
  return { db, client: table.client, get };
}

/** The error a request is refused with; a request that is accepted fails the test. */
export function refusal<E extends Error = Error>(promise: Promise<unknown>): Promise<E> {
  return promise.then(
    () => {
      throw new Error('the request was accepted');
    },
    (error: unknown) => error as E,
  );
}
