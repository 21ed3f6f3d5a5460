import { type DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { DateTime } from 'luxon';
import type { CustomerRef } from '../domain/customer-key.js';
import type { Customer } from '../domain/service-event.js';
import type { BirthdayIndex } from '../ports/care.js';
import type { CustomerIndex, DormancyEntry, PeriodicEntry } from '../ports/customer-index.js';
import { isExpired, keys, partitionPages, type TableKey, type TransactItems, tableClient, writtenTogether } from './table.js';

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
  return Math.floor(
    DateTime.fromISO(lastServiceAt)
      .plus({ months: rules.afterMonths + KEEP_MONTHS_AFTER_DORMANCY })
      .toSeconds(),
  );
}

/** The month bucket ("2026-11") a service falls in, in the report time zone. */
export function dormancyMonth(at: string, timeZone: string): string {
  return DateTime.fromISO(at, { zone: timeZone }).toFormat('yyyy-MM');
}

/**
 * A periodic bucket entry is kept past its due month for a late or re-run monthly run; after
 * that the customer's contact details have no purpose there (a later follow-up writes them anew).
 */
const KEEP_MONTHS_AFTER_DUE = 2;

/** When a periodic bucket entry (and the customer's pointer to it) expires: the end of the due month plus the margin. */
export function periodicExpiry(dueMonth: string, timeZone: string): number {
  return Math.floor(
    DateTime.fromFormat(dueMonth, 'yyyy-MM', { zone: timeZone })
      .plus({ months: 1 + KEEP_MONTHS_AFTER_DUE })
      .toSeconds(),
  );
}

/** Reads before giving up when other writers keep moving a customer's pointer between our read and write. */
const MAX_ROUNDS = 5;

/** Each item expires with its own horizon (lastServiceExpiry), not the retention period. */
export class DynamoCustomerIndex implements CustomerIndex, BirthdayIndex {
  constructor(
    private readonly tableName: string,
    private readonly rules: DormancyRules,
    private readonly now: () => Date,
    private readonly db: DynamoDBDocumentClient = tableClient(),
  ) {}

  /**
   * The last-service pointer, its month's dormancy entry and the birthday entry move together, the
   * old entries removed in the same transaction; the later service wins.
   */
  async touch(
    source: string,
    customer: Customer,
    departmentId: string | undefined,
    completedAt: string,
    followUpId?: string,
  ): Promise<void> {
    const ref = { source, id: customer.id };
    const month = dormancyMonth(completedAt, this.rules.timeZone);
    const expiresAt = lastServiceExpiry(completedAt, this.rules);
    const entry = { source, customer, departmentId, lastServiceAt: completedAt, followUpId, expiresAt };
    const TableName = this.tableName;
    await this.movePointer(keys.lastService(ref), 'completedAt', (previous) => {
      const previousAt = previous?.completedAt as string | undefined;
      if (previousAt && previousAt >= completedAt) return undefined;
      const previousMonth = previousAt ? dormancyMonth(previousAt, this.rules.timeZone) : undefined;
      const previousBirthday = previous?.birthday as string | undefined;
      return {
        pointer: { kind: 'LastService', completedAt, month, birthday: customer.birthday, expiresAt },
        entries: [
          { Put: { TableName, Item: { ...keys.dormancy(month, ref), kind: 'DormancyEntry', ...entry } } },
          ...(previousMonth && previousMonth !== month ? [{ Delete: { TableName, Key: keys.dormancy(previousMonth, ref) } }] : []),
          ...(customer.birthday
            ? [{ Put: { TableName, Item: { ...keys.birthday(customer.birthday, ref), kind: 'BirthdayEntry', ...entry } } }]
            : []),
          ...(previousBirthday && previousBirthday !== customer.birthday
            ? [{ Delete: { TableName, Key: keys.birthday(previousBirthday, ref) } }]
            : []),
        ],
      };
    });
  }

  /**
   * A customer's pointer item and the bucket entries it points to, moved in one transaction on the
   * condition that the pointer is still the one read: a concurrent move makes this one read again.
   * `plan` sees the live pointer (an expired one counts as none) and says what to write, or nothing.
   */
  private async movePointer(
    key: TableKey,
    version: string,
    plan: (previous: Record<string, unknown> | undefined) => { pointer: Record<string, unknown>; entries: TransactItems } | undefined,
  ): Promise<void> {
    for (let round = 0; round < MAX_ROUNDS; round += 1) {
      const { Item } = await this.db.send(new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: true }));
      const move = plan(Item && !isExpired(Item, this.now()) ? Item : undefined);
      if (!move) return;
      const condition = Item
        ? {
            ConditionExpression: '#v = :read',
            ExpressionAttributeNames: { '#v': version },
            ExpressionAttributeValues: { ':read': Item[version] },
          }
        : { ConditionExpression: 'attribute_not_exists(pk)' };
      const pointer = { Put: { TableName: this.tableName, Item: { ...key, ...move.pointer }, ...condition } };
      if (await writtenTogether(this.db, [pointer, ...move.entries])) return;
    }
    throw new Error(`a customer's ${key.sk} kept changing for ${MAX_ROUNDS} rounds`);
  }

  async bornOn(monthDay: string): Promise<DormancyEntry[]> {
    return this.entriesOf(keys.birthdayPk(monthDay));
  }

  /** A bucket's live entries (the dormant month's, a birthday's): the customer as of their last service. */
  private async entriesOf(pk: string): Promise<DormancyEntry[]> {
    return this.liveBucket(pk, (item) => ({
      ...customerOfEntry(item),
      lastServiceAt: item.lastServiceAt as string,
      ...(typeof item.followUpId === 'string' ? { followUpId: item.followUpId } : {}),
    }));
  }

  /** Every live item of a bucket partition, as the caller reads it. */
  private async liveBucket<T>(pk: string, read: (item: Record<string, unknown>) => T): Promise<T[]> {
    const out: T[] = [];
    const now = this.now();
    for await (const items of partitionPages(this.db, this.tableName, pk)) {
      for (const item of items) if (!isExpired(item, now)) out.push(read(item));
    }
    return out;
  }

  async knows(customer: CustomerRef): Promise<boolean> {
    const { Item } = await this.db.send(new GetCommand({ TableName: this.tableName, Key: keys.lastService(customer) }));
    return !!Item && !isExpired(Item, this.now());
  }

  async lastServedIn(month: string): Promise<DormancyEntry[]> {
    return this.entriesOf(keys.dormancyMonthPk(month));
  }

  /** The periodic pointer and its due month's entry move together, as touch's do. */
  async followedUp(entry: PeriodicEntry, dueMonth: string): Promise<void> {
    const ref = { source: entry.source, id: entry.customer.id };
    const expiresAt = periodicExpiry(dueMonth, this.rules.timeZone);
    const { source, customer, departmentId, lastFollowUpAt } = entry;
    const TableName = this.tableName;
    await this.movePointer(keys.periodicDue(ref), 'lastFollowUpAt', (previous) => {
      if (previous && (previous.lastFollowUpAt as string) > lastFollowUpAt) return undefined;
      const previousMonth = previous?.dueMonth as string | undefined;
      const item = { ...keys.periodic(dueMonth, ref), kind: 'PeriodicEntry', source, customer, departmentId, lastFollowUpAt, expiresAt };
      return {
        pointer: { kind: 'PeriodicDue', dueMonth, lastFollowUpAt, expiresAt },
        entries: [
          { Put: { TableName, Item: item } },
          ...(previousMonth && previousMonth !== dueMonth ? [{ Delete: { TableName, Key: keys.periodic(previousMonth, ref) } }] : []),
        ],
      };
    });
  }

  async periodicDueIn(month: string): Promise<PeriodicEntry[]> {
    return this.liveBucket(keys.periodicMonthPk(month), (item) => ({
      ...customerOfEntry(item),
      lastFollowUpAt: item.lastFollowUpAt as string,
    }));
  }
}

/** The customer part every bucket entry carries. */
function customerOfEntry(item: Record<string, unknown>) {
  return { source: item.source as string, customer: item.customer as Customer, departmentId: item.departmentId as string | undefined };
}
