import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  type TransactWriteCommandInput,
} from '@aws-sdk/lib-dynamodb';
import type { CustomerRef } from '../domain/customer-key.js';
import { sdkClientConfig } from './sdk-config.js';

/**
 * The follow-up table as every DynamoDB adapter uses it: one document client per container, the
 * item keys, the items' expiry and the conditional writes. One table holds every kind of item;
 * the keys below are the only place its `pk`/`sk` spellings live.
 */

let client: DynamoDBDocumentClient | undefined;

/** Created once per container, on first use: importing this module creates no SDK client. */
export function tableClient(): DynamoDBDocumentClient {
  client ??= DynamoDBDocumentClient.from(new DynamoDBClient(sdkClientConfig()), {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: true },
  });
  return client;
}

export type TableKey = { pk: string; sk: string };

const META = 'META';

/**
 * The partition key of a customer's items. The source is URI-encoded so a "#" inside it cannot
 * make two (source, id) pairs spell the same key.
 */
const customerPk = (customer: CustomerRef) => `CUST#${encodeURIComponent(customer.source)}#${customer.id}`;
const followUpPk = (followUpId: string) => `FU#${followUpId}`;
const complaintPk = (complaintId: string) => `COMPLAINT#${complaintId}`;

/** Sort-key prefixes of the items read as a group (a follow-up's attempts, a customer's quarters). */
export const sortKeyPrefix = { attempt: 'ATTEMPT#', quarterContacts: 'CONTACTS#', pendingContact: 'PENDING#' } as const;

export const keys = {
  followUpPk,
  followUp: (followUpId: string): TableKey => ({ pk: followUpPk(followUpId), sk: META }),
  attempt: (followUpId: string, attempt: number): TableKey => ({
    pk: followUpPk(followUpId),
    sk: `${sortKeyPrefix.attempt}${String(attempt).padStart(3, '0')}`,
  }),
  rejection: (eventId: string): TableKey => ({ pk: `REJECTED#${eventId}`, sk: META }),
  eventWarning: (eventId: string): TableKey => ({ pk: `EVENTWARNING#${eventId}`, sk: META }),

  customerPk,
  optOut: (customer: CustomerRef): TableKey => ({ pk: customerPk(customer), sk: 'OPTOUT' }),
  contactPause: (customer: CustomerRef): TableKey => ({ pk: customerPk(customer), sk: 'PAUSE' }),
  quarterContacts: (customer: CustomerRef, quarter: string): TableKey => ({
    pk: customerPk(customer),
    sk: `${sortKeyPrefix.quarterContacts}${quarter}`,
  }),
  /** A follow-up's planned contact under its customer, so another contact with the customer can carry it (一事一扰). */
  pendingContact: (customer: CustomerRef, followUpId: string): TableKey => ({
    pk: customerPk(customer),
    sk: `${sortKeyPrefix.pendingContact}${followUpId}`,
  }),
  complaintCount: (customer: CustomerRef, serviceType: string): TableKey => ({ pk: customerPk(customer), sk: `COMPLAINTS#${serviceType}` }),
  lastService: (customer: CustomerRef): TableKey => ({ pk: customerPk(customer), sk: 'LASTSERVICE' }),
  dormancyMonthPk: (month: string) => `DORMANCY#${month}`,
  /** Within a month's bucket the sort key is the customer's partition key: unique across sources. */
  dormancy: (month: string, customer: CustomerRef): TableKey => ({ pk: `DORMANCY#${month}`, sk: customerPk(customer) }),
  birthdayPk: (monthDay: string) => `BIRTHDAY#${monthDay}`,
  /** Customers by birthday ("03-15"): the daily care run reads the day's bucket, never the table. */
  birthday: (monthDay: string, customer: CustomerRef): TableKey => ({ pk: `BIRTHDAY#${monthDay}`, sk: customerPk(customer) }),
  thankYouPk: (date: string) => `THANKYOU#${date}`,
  /** Customers to thank on a local date ("2026-11-20"): one entry per customer and day. */
  thankYou: (date: string, customer: CustomerRef): TableKey => ({ pk: `THANKYOU#${date}`, sk: customerPk(customer) }),
  /** One care message per customer and occasion ("birthday-2027", "holiday-2026-09-30"). */
  careClaim: (customer: CustomerRef, occasion: string): TableKey => ({ pk: customerPk(customer), sk: `CARE#${occasion}` }),
  /** The care messages a customer had in a calendar year, for the care cap. */
  careYear: (customer: CustomerRef, year: string): TableKey => ({ pk: customerPk(customer), sk: `CAREYEAR#${year}` }),
  /** The month a customer is next due for a periodic follow-up, kept to move them out of that bucket. */
  periodicDue: (customer: CustomerRef): TableKey => ({ pk: customerPk(customer), sk: 'PERIODICDUE' }),
  periodicMonthPk: (month: string) => `PERIODIC#${month}`,
  periodic: (month: string, customer: CustomerRef): TableKey => ({ pk: `PERIODIC#${month}`, sk: customerPk(customer) }),

  complaint: (complaintId: string): TableKey => ({ pk: complaintPk(complaintId), sk: META }),
  notice: (complaintId: string, sequence: number, channel: string): TableKey => ({
    pk: complaintPk(complaintId),
    sk: `NOTICE#${sequence}#${channel}`,
  }),
  usedLink: (linkId: string): TableKey => ({ pk: `LINK#${linkId}`, sk: 'USED' }),

  rateChannelPk: (channel: string) => `RATE#${channel}`,
  /** One item per channel and second: `second` in epoch milliseconds. */
  rateSlot: (channel: string, second: number): TableKey => ({ pk: `RATE#${channel}`, sk: new Date(second).toISOString() }),
  aggregateDayPk: (day: string) => `AGG#${day}`,
  aggregate: (day: string, subject: string, departmentId: string, shard: number): TableKey => ({
    pk: `AGG#${day}`,
    sk: `${subject}#${departmentId}#${shard}`,
  }),
  /** A contribution's marker for one aggregate item. */
  aggregateMarker: (contributionId: string, aggregate: TableKey): TableKey => ({
    pk: `AGGMARK#${contributionId}`,
    sk: `${aggregate.pk}#${aggregate.sk}`,
  }),
  /**
   * The open survey text to a customer's number from one of our numbers, so a reply finds its
   * attempt: `customerNumber` is a hash of the number (no phone number in a key).
   */
  smsReply: (customerNumber: string, originationNumber: string): TableKey => ({ pk: `SMSREPLY#${customerNumber}`, sk: originationNumber }),
  /** `recipient` is a hash of the address: no address in a key. */
  reportDelivery: (report: string, recipient: string): TableKey => ({ pk: `REPORTSENT#${report}`, sk: recipient }),
};

/** The TTL attribute of an item written now: kept `retentionDays`, then DynamoDB deletes it. */
export const expiryFor = (now: Date, retentionDays: number) => Math.floor(now.getTime() / 1000) + retentionDays * 86_400;

/** TTL deletes lazily (up to ~2 days late), so a read treats an expired item as gone. */
export const isExpired = (item: Record<string, unknown>, now: Date) =>
  typeof item.expiresAt === 'number' && item.expiresAt * 1000 <= now.getTime();

/** Strips the table's own attributes so callers see domain objects only. */
export function withoutKeys<T>(item: Record<string, unknown>): T {
  const { pk: _pk, sk: _sk, kind: _kind, expiresAt: _exp, ...rest } = item;
  return rest as T;
}

const isConditionFailure = (error: unknown) =>
  error instanceof ConditionalCheckFailedException || (error as { name?: string })?.name === 'ConditionalCheckFailedException';

/** A conditional write's response (its ReturnValues), or undefined when its condition did not hold. */
export async function responseIf<T>(write: Promise<T>): Promise<T | undefined> {
  try {
    return await write;
  } catch (error) {
    if (isConditionFailure(error)) return undefined;
    throw error;
  }
}

/** A conditional write: true when it was made, false when its condition did not hold. */
export async function writtenIf(write: Promise<unknown>): Promise<boolean> {
  try {
    await write;
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}

export type TransactItems = NonNullable<TransactWriteCommandInput['TransactItems']>;

/**
 * Items written together, all or none (TransactWriteItems): true when written, false when a
 * condition did not hold (nothing was written). Another transaction on one of the items at the same
 * moment cancels this one (TransactionConflict): it is tried again, up to `tries` times.
 */
export async function writtenTogether(db: DynamoDBDocumentClient, items: TransactItems, tries = 5): Promise<boolean> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      await db.send(new TransactWriteCommand({ TransactItems: items }));
      return true;
    } catch (error) {
      const { name, CancellationReasons: reasons } = error as { name?: string; CancellationReasons?: { Code?: string }[] };
      if (name !== 'TransactionCanceledException') throw error;
      if (reasons?.some((reason) => reason.Code === 'ConditionalCheckFailed')) return false;
      if (attempt >= tries || !reasons?.some((reason) => reason.Code === 'TransactionConflict')) throw error;
    }
  }
}

/**
 * The items of one partition, a page (up to 1 MB) at a time: a Query on `pk`, followed through
 * LastEvaluatedKey until the partition is read.
 */
export async function* partitionPages(
  db: DynamoDBDocumentClient,
  tableName: string,
  pk: string,
  { consistent }: { consistent?: boolean } = {},
): AsyncGenerator<Record<string, unknown>[]> {
  let start: Record<string, unknown> | undefined;
  do {
    const page = await db.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': pk },
        ConsistentRead: consistent,
        ExclusiveStartKey: start,
      }),
    );
    yield page.Items ?? [];
    start = page.LastEvaluatedKey;
  } while (start);
}

/**
 * What the DynamoDB adapters that keep items for the retention period share: the table, the
 * clock their expiry and reads go by, and the client (a test passes its own).
 */
export abstract class RetainedItems {
  constructor(
    protected readonly tableName: string,
    protected readonly retentionDays: number,
    protected readonly now: () => Date,
    protected readonly db: DynamoDBDocumentClient = tableClient(),
  ) {}

  protected expiresAt(): number {
    return expiryFor(this.now(), this.retentionDays);
  }

  protected live(item: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
    return item && !isExpired(item, this.now()) ? item : undefined;
  }

  /** A partition's items that have not expired, read consistently. */
  protected async livePartition(pk: string): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    for await (const page of partitionPages(this.db, this.tableName, pk, { consistent: true }))
      items.push(...page.filter((item) => !isExpired(item, this.now())));
    return items;
  }

  /** The item unless it is missing or expired. */
  protected async getLive(key: TableKey, consistent = true): Promise<Record<string, unknown> | undefined> {
    const { Item } = await this.db.send(new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: consistent }));
    return this.live(Item);
  }

  /**
   * Puts an item only where none is: false when one was there. A caller that needs the existing
   * item reads it again: ReturnValuesOnConditionCheckFailure would return it with the failure,
   * but the local cloud's DynamoDB (dynalite) ignores that parameter.
   */
  protected putNew(item: TableKey & Record<string, unknown>): Promise<boolean> {
    return writtenIf(
      this.db.send(new PutCommand({ TableName: this.tableName, Item: item, ConditionExpression: 'attribute_not_exists(pk)' })),
    );
  }
}
