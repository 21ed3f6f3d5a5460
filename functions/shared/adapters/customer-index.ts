import { DeleteCommand, GetCommand, PutCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DateTime } from 'luxon';
import type { Customer } from '../domain/service-event.js';
import { customerPk, type CustomerRef } from '../domain/customer-key.js';
import { documentClient, isExpired } from './dynamo-follow-up-store.js';

export interface DormancyEntry {
  /** The upstream source that owns `customer.id`. */
  source: string;
  customer: Customer;
  departmentId?: string;
  lastServiceAt: string;
}

export interface DormancyRules {
  /** Months without a service after which a customer is dormant (reports.json `dormant.afterMonths`). */
  afterMonths: number;
  /** Months are bucketed in the report time zone, the zone the monthly dormant run counts in. */
  timeZone: string;
}

/**
 * Kept one month past the dormancy horizon: the monthly run reads the bucket of "24 months ago"
 * early in the month (day 2), and the margin covers a late or re-run search. After that the
 * customer's name, phone and email have no purpose here and DynamoDB deletes them.
 */
const KEEP_MONTHS_AFTER_DORMANCY = 1;

/** When a customer's last-service items expire: the dormancy horizon plus the margin, after the service. */
export function lastServiceExpiry(lastServiceAt: string, rules: DormancyRules): number {
  return Math.floor(DateTime.fromISO(lastServiceAt).plus({ months: rules.afterMonths + KEEP_MONTHS_AFTER_DORMANCY }).toSeconds());
}

/** The month bucket ("2026-11") a service falls in, in the report time zone. */
export function dormancyMonth(at: string, timeZone: string): string {
  return DateTime.fromISO(at, { zone: timeZone }).toFormat('yyyy-MM');
}

const lastServiceKey = (customer: CustomerRef) => ({ pk: customerPk(customer), sk: 'LASTSERVICE' });
/** Within a month's bucket the sort key is the customer's partition key: unique across sources. */
const dormancyKey = (month: string, customer: CustomerRef) => ({ pk: `DORMANCY#${month}`, sk: customerPk(customer) });

/**
 * Customers by the month of their last service, kept as services complete: the monthly dormant
 * run reads one month's bucket ("no service since 2024-11") instead of scanning every customer.
 */
export class CustomerIndex {
  constructor(
    private readonly tableName: string,
    private readonly rules: DormancyRules,
    private readonly now: () => Date,
    private readonly db: DynamoDBDocumentClient = documentClient,
  ) {}

  /** Moves the customer to the bucket of this service's month, if it is their latest service. */
  async touch(source: string, customer: Customer, departmentId: string | undefined, completedAt: string): Promise<void> {
    const ref = { source, id: customer.id };
    const { Item } = await this.db.send(new GetCommand({ TableName: this.tableName, Key: lastServiceKey(ref), ConsistentRead: true }));
    const previous = Item && !isExpired(Item, this.now()) ? (Item.completedAt as string) : undefined;
    if (previous && previous >= completedAt) return;
    const month = dormancyMonth(completedAt, this.rules.timeZone);
    const expiresAt = lastServiceExpiry(completedAt, this.rules);
    await this.db.send(new PutCommand({ TableName: this.tableName, Item: { ...lastServiceKey(ref), kind: 'LastService', completedAt, month, expiresAt } }));
    await this.db.send(
      new PutCommand({ TableName: this.tableName, Item: { ...dormancyKey(month, ref), kind: 'DormancyEntry', source, customer, departmentId, lastServiceAt: completedAt, expiresAt } }),
    );
    const previousMonth = previous ? dormancyMonth(previous, this.rules.timeZone) : undefined;
    if (previousMonth && previousMonth !== month) {
      await this.db.send(new DeleteCommand({ TableName: this.tableName, Key: dormancyKey(previousMonth, ref) }));
    }
  }

  /** Whether this source ever reported a service for the customer (within the kept horizon). */
  async knows(customer: CustomerRef): Promise<boolean> {
    const { Item } = await this.db.send(new GetCommand({ TableName: this.tableName, Key: lastServiceKey(customer) }));
    return !!Item && !isExpired(Item, this.now());
  }

  /** Customers whose last service was in this month ("2024-11"), expired entries left out. */
  async lastServedIn(month: string): Promise<DormancyEntry[]> {
    const out: DormancyEntry[] = [];
    const now = this.now();
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.db.send(new QueryCommand({ TableName: this.tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': `DORMANCY#${month}` }, ExclusiveStartKey: start }));
      for (const item of page.Items ?? []) {
        if (isExpired(item, now)) continue;
        out.push({ source: item.source as string, customer: item.customer as Customer, departmentId: item.departmentId as string | undefined, lastServiceAt: item.lastServiceAt as string });
      }
      start = page.LastEvaluatedKey;
    } while (start);
    return out;
  }
}
