import { DeleteCommand, GetCommand, PutCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Customer } from '../domain/service-event.js';
import { documentClient } from './dynamo-follow-up-store.js';

/**
 * Customers by the month of their last service, kept as services complete: the monthly dormant
 * run reads one month's bucket ("no service since 2024-11") instead of scanning every customer.
 */
export class CustomerIndex {
  constructor(
    private readonly tableName: string,
    private readonly db: DynamoDBDocumentClient = documentClient,
  ) {}

  /** Moves the customer to the bucket of this service's month, if it is their latest service. */
  async touch(customer: Customer, departmentId: string | undefined, completedAt: string): Promise<void> {
    const key = { pk: `CUSTOMER#${customer.id}`, sk: 'LASTSERVICE' };
    const { Item } = await this.db.send(new GetCommand({ TableName: this.tableName, Key: key }));
    const previous = Item?.completedAt as string | undefined;
    if (previous && previous >= completedAt) return;
    const month = completedAt.slice(0, 7);
    await this.db.send(new PutCommand({ TableName: this.tableName, Item: { ...key, kind: 'LastService', completedAt, month } }));
    await this.db.send(new PutCommand({ TableName: this.tableName, Item: { pk: `DORMANCY#${month}`, sk: customer.id, kind: 'DormancyEntry', customer, departmentId, lastServiceAt: completedAt } }));
    if (previous && previous.slice(0, 7) !== month) {
      await this.db.send(new DeleteCommand({ TableName: this.tableName, Key: { pk: `DORMANCY#${previous.slice(0, 7)}`, sk: customer.id } }));
    }
  }

  /** Customers whose last service was in this month ("2024-11"). */
  async lastServedIn(month: string): Promise<{ customer: Customer; departmentId?: string; lastServiceAt: string }[]> {
    const out: { customer: Customer; departmentId?: string; lastServiceAt: string }[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.db.send(new QueryCommand({ TableName: this.tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': `DORMANCY#${month}` }, ExclusiveStartKey: start }));
      for (const item of page.Items ?? []) out.push({ customer: item.customer as Customer, departmentId: item.departmentId as string | undefined, lastServiceAt: item.lastServiceAt as string });
      start = page.LastEvaluatedKey;
    } while (start);
    return out;
  }
}
