import type { AddressInfo } from 'node:net';
import {
  CreateTableCommand,
  type CreateTableCommandInput,
  DescribeTableCommand,
  DynamoDBClient,
  ResourceInUseException,
} from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { type DynamoAuthorizer, guardDynamo } from './cloud/dynamo-authorization.js';
import { InProcessHttpHandler, serveInProcess } from './in-process-transport.js';
import { resolve, resourcesOfType, type Template } from './template.js';

/**
 * DynamoDB on dynalite: in memory for tests, or kept on disk under .local/ so a restart of the
 * local stack loses nothing. Tables are created from the template's definitions.
 */
export async function startDynamo(
  template: Template,
  dataDir?: string,
  port = 0,
): Promise<{ url: string; close: () => Promise<void>; authorizeWith: (authorizer: DynamoAuthorizer) => void }> {
  const server = dynalite({ path: dataDir, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  let authorizer: DynamoAuthorizer | undefined;
  const service = guardDynamo(server, () => authorizer);
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', () => resolve()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // This process's SDK clients reach it without a socket; others (the AWS CLI) over HTTP.
  const unserve = serveInProcess(url, service);
  const client = new DynamoDBClient({
    endpoint: url,
    requestHandler: new InProcessHttpHandler(),
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  for (const [logicalId, resource] of resourcesOfType(template, 'AWS::DynamoDB::Table')) {
    const props = resolve(template, resource.Properties) as Record<string, unknown>;
    const input: CreateTableCommandInput = {
      TableName: (props.TableName as string) ?? logicalId,
      KeySchema: props.KeySchema as never,
      AttributeDefinitions: props.AttributeDefinitions as never,
      BillingMode: 'PAY_PER_REQUEST',
      GlobalSecondaryIndexes: (props.GlobalSecondaryIndexes as never[] | undefined)?.map((gsi: Record<string, unknown>) => ({
        IndexName: gsi.IndexName,
        KeySchema: gsi.KeySchema,
        Projection: gsi.Projection,
      })) as never,
    };
    try {
      await client.send(new CreateTableCommand(input));
    } catch (error) {
      if (!(error instanceof ResourceInUseException)) throw error;
    }
    // dynalite makes a table ACTIVE a tick after creating it; until then every item call is refused.
    let tries = 0;
    while ((await client.send(new DescribeTableCommand({ TableName: input.TableName }))).Table?.TableStatus !== 'ACTIVE') {
      tries += 1;
      if (tries > 200) throw new Error(`local DynamoDB table ${input.TableName} did not become ACTIVE`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }
  client.destroy();
  return {
    url,
    authorizeWith: (next) => {
      authorizer = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        unserve();
        // SDK clients keep connections alive; close them or the server never finishes closing.
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}

/**
 * One in-memory table with the project's key shape (pk, sk strings), for code that exercises a
 * single store against real DynamoDB semantics without the whole stack (adapter tests, the bench).
 */
export async function startSingleTable(tableName: string): Promise<{ client: DynamoDBClient; close: () => Promise<void> }> {
  const server = dynalite({ createTableMs: 0 });
  // Unguarded (no IAM here), but with the transactions dynalite lacks.
  guardDynamo(server, () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const client = new DynamoDBClient({
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  await client.send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'S' },
      ],
    }),
  );
  return {
    client,
    close: async () => {
      client.destroy();
      server.closeAllConnections?.();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
