import { DeleteCommand, type DynamoDBDocumentClient, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { CustomerRef } from '../domain/customer-key.js';
import type { CareLedger, ThankYouList } from '../ports/care.js';
import type { DormancyEntry } from '../ports/customer-index.js';
import { isExpired, keys, partitionPages, RetainedItems, tableClient, writtenIf } from './table.js';

/**
 * Claims kept ~13 months: occasion names carry their year or date, so a claim is never asked
 * about again once its year is over; keeping it past the year end covers a late re-run.
 */
const CARE_KEEP_DAYS = 400;

export class DynamoCareLedger extends RetainedItems implements CareLedger {
  constructor(tableName: string, now: () => Date, db?: ConstructorParameters<typeof RetainedItems>[3]) {
    super(tableName, CARE_KEEP_DAYS, now, db);
  }

  claim(customer: CustomerRef, occasion: string): Promise<boolean> {
    return this.putNew({
      ...keys.careClaim(customer, occasion),
      kind: 'CareClaim',
      claimedAt: this.now().toISOString(),
      expiresAt: this.expiresAt(),
    });
  }

  /** One item per customer and year holds the year's occasions: the cap is one conditional update. */
  countAgainstCap(customer: CustomerRef, occasion: string, year: string, maxPerYear: number): Promise<boolean> {
    return writtenIf(
      this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.careYear(customer, year),
          UpdateExpression: 'ADD occasions :occasion SET kind = :kind, expiresAt = :exp',
          ConditionExpression: 'attribute_not_exists(occasions) OR size(occasions) < :max OR contains(occasions, :name)',
          ExpressionAttributeValues: {
            ':occasion': new Set([occasion]),
            ':name': occasion,
            ':max': maxPerYear,
            ':kind': 'CareCount',
            ':exp': this.expiresAt(),
          },
        }),
      ),
    );
  }

  async settle(customer: CustomerRef, occasion: string, kind: string, outcome: 'sent' | 'suppressed'): Promise<void> {
    await this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: keys.careClaim(customer, occasion),
        UpdateExpression: 'SET occasionKind = :kind, outcome = :outcome',
        ExpressionAttributeValues: { ':kind': kind, ':outcome': outcome },
      }),
    );
  }

  async release(customer: CustomerRef, occasion: string, year: string): Promise<void> {
    // Conditional so a release after a lost claim does not leave an empty counter behind.
    await writtenIf(
      this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.careYear(customer, year),
          UpdateExpression: 'DELETE occasions :occasion',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':occasion': new Set([occasion]) },
        }),
      ),
    );
    await this.db.send(new DeleteCommand({ TableName: this.tableName, Key: keys.careClaim(customer, occasion) }));
  }
}

/** A thank-you entry is needed on its day only; two days cover a late or re-run hourly send. */
const THANK_YOU_KEEP_SECONDS = 2 * 86_400;

export class DynamoThankYouList implements ThankYouList {
  constructor(
    private readonly tableName: string,
    private readonly now: () => Date,
    private readonly db: DynamoDBDocumentClient = tableClient(),
  ) {}

  async add(date: string, entry: DormancyEntry): Promise<void> {
    const ref = { source: entry.source, id: entry.customer.id };
    const expiresAt = Math.floor(Date.parse(`${date}T00:00:00Z`) / 1000) + THANK_YOU_KEEP_SECONDS;
    await this.db.send(
      new PutCommand({ TableName: this.tableName, Item: { ...keys.thankYou(date, ref), kind: 'ThankYouEntry', ...entry, expiresAt } }),
    );
  }

  async dueOn(date: string): Promise<DormancyEntry[]> {
    const out: DormancyEntry[] = [];
    for await (const items of partitionPages(this.db, this.tableName, keys.thankYouPk(date))) {
      for (const item of items) {
        if (isExpired(item, this.now())) continue;
        const { source, customer, departmentId, lastServiceAt, followUpId } = item as unknown as DormancyEntry;
        out.push({ source, customer, departmentId, lastServiceAt, ...(followUpId ? { followUpId } : {}) });
      }
    }
    return out;
  }
}
