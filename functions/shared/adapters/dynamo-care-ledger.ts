import { DeleteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { CustomerRef } from '../domain/customer-key.js';
import type { CareClaim, CareLedger } from '../ports/care.js';
import { keys, RetainedItems, writtenIf } from './table.js';

/**
 * Claims kept ~13 months: occasion names carry their year or date, so a claim is never asked
 * about again once its year is over; keeping it past the year end covers a late re-run.
 */
const CARE_KEEP_DAYS = 400;

export class DynamoCareLedger extends RetainedItems implements CareLedger {
  constructor(tableName: string, now: () => Date, db?: ConstructorParameters<typeof RetainedItems>[3]) {
    super(tableName, CARE_KEEP_DAYS, now, db);
  }

  async claim(customer: CustomerRef, occasion: string, year: string, maxPerYear: number): Promise<CareClaim> {
    const claimed = await this.putNew({
      ...keys.careClaim(customer, occasion),
      kind: 'CareClaim',
      claimedAt: this.now().toISOString(),
      expiresAt: this.expiresAt(),
    });
    if (!claimed) return 'already-claimed';
    const counted = await writtenIf(
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
    return counted ? 'claimed' : 'capped';
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
