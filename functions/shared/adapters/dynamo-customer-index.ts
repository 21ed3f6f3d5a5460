import { DeleteCommand, type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { DateTime } from 'luxon';
import type { CustomerRef } from '../domain/customer-key.js';
import type { Customer } from '../domain/service-event.js';
import type { BirthdayIndex } from '../ports/care.js';
import type { CustomerIndex, DormancyEntry, PeriodicEntry } from '../ports/customer-index.js';
import { isExpired, keys, partitionPages, tableClient } from './table.js';

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

/** Each item expires with its own horizon (lastServiceExpiry), not the retention period. */
export class DynamoCustomerIndex implements CustomerIndex, BirthdayIndex {
  constructor(
    private readonly tableName: string,
    private readonly rules: DormancyRules,
    private readonly now: () => Date,
    private readonly db: DynamoDBDocumentClient = tableClient(),
  ) {}

  async touch(
    source: string,
    customer: Customer,
    departmentId: string | undefined,
    completedAt: string,
    followUpId?: string,
  ): Promise<void> {
    const ref = { source, id: customer.id };
    const { Item } = await this.db.send(new GetCommand({ TableName: this.tableName, Key: keys.lastService(ref), ConsistentRead: true }));
    const previous = Item && !isExpired(Item, this.now()) ? (Item.completedAt as string) : undefined;
    if (previous && previous >= completedAt) return;
    const month = dormancyMonth(completedAt, this.rules.timeZone);
    const expiresAt = lastServiceExpiry(completedAt, this.rules);
    // The birthday bucket before the pointer: a retry after a failure in between still finds the
    // old pointer (and its birthday), so it writes the entry again and removes the old one.
    const previousBirthday = previous ? (Item?.birthday as string | undefined) : undefined;
    if (customer.birthday) {
      const entry = { kind: 'BirthdayEntry', source, customer, departmentId, lastServiceAt: completedAt, followUpId, expiresAt };
      await this.db.send(new PutCommand({ TableName: this.tableName, Item: { ...keys.birthday(customer.birthday, ref), ...entry } }));
    }
    if (previousBirthday && previousBirthday !== customer.birthday) {
      await this.db.send(new DeleteCommand({ TableName: this.tableName, Key: keys.birthday(previousBirthday, ref) }));
    }
    await this.db.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { ...keys.lastService(ref), kind: 'LastService', completedAt, month, birthday: customer.birthday, expiresAt },
      }),
    );
    await this.db.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          ...keys.dormancy(month, ref),
          kind: 'DormancyEntry',
          source,
          customer,
          departmentId,
          lastServiceAt: completedAt,
          followUpId,
          expiresAt,
        },
      }),
    );
    const previousMonth = previous ? dormancyMonth(previous, this.rules.timeZone) : undefined;
    if (previousMonth && previousMonth !== month) {
      await this.db.send(new DeleteCommand({ TableName: this.tableName, Key: keys.dormancy(previousMonth, ref) }));
    }
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

  /**
   * The new bucket entry is written before the pointer: a retry after a failure in between still
   * finds the old pointer, so it writes the entry again and removes the old one.
   */
  async followedUp(entry: PeriodicEntry, dueMonth: string): Promise<void> {
    const ref = { source: entry.source, id: entry.customer.id };
    const { Item } = await this.db.send(new GetCommand({ TableName: this.tableName, Key: keys.periodicDue(ref), ConsistentRead: true }));
    const previous = Item && !isExpired(Item, this.now()) ? Item : undefined;
    if (previous && (previous.lastFollowUpAt as string) > entry.lastFollowUpAt) return;
    const expiresAt = periodicExpiry(dueMonth, this.rules.timeZone);
    const { source, customer, departmentId, lastFollowUpAt } = entry;
    await this.db.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { ...keys.periodic(dueMonth, ref), kind: 'PeriodicEntry', source, customer, departmentId, lastFollowUpAt, expiresAt },
      }),
    );
    const previousMonth = previous?.dueMonth as string | undefined;
    if (previousMonth && previousMonth !== dueMonth) {
      await this.db.send(new DeleteCommand({ TableName: this.tableName, Key: keys.periodic(previousMonth, ref) }));
    }
    await this.db.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { ...keys.periodicDue(ref), kind: 'PeriodicDue', dueMonth, lastFollowUpAt, expiresAt },
      }),
    );
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
