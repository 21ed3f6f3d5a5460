import { PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Complaint, ComplaintEvent } from '../domain/complaint.js';
import type { CustomerRef } from '../domain/customer-key.js';
import type { ComplaintStore, ManagerAction, StoredComplaint } from '../ports/complaint-store.js';
import { keys, RetainedItems, withoutKeys, writtenIf } from './table.js';

export class DynamoComplaintStore extends RetainedItems implements ComplaintStore {
  async create(complaint: Complaint): Promise<{ created: true } | { created: false; existing: Complaint }> {
    if (await this.putNew({ ...keys.complaint(complaint.complaintId), kind: 'Complaint', ...complaint, expiresAt: this.expiresAt() }))
      return { created: true };
    return { created: false, existing: (await this.get(complaint.complaintId))! };
  }

  async get(complaintId: string): Promise<StoredComplaint | undefined> {
    const item = await this.getLive(keys.complaint(complaintId));
    return item ? withoutKeys<StoredComplaint>(item) : undefined;
  }

  async update(
    complaintId: string,
    fields: Partial<Complaint> & { waitingToken?: string | null },
    events: ComplaintEvent[],
    onlyIfCycle?: number,
    onceKey?: string,
  ): Promise<boolean> {
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = { ':events': events, ':exp': this.expiresAt() };
    const sets = ['history = list_append(history, :events)', 'expiresAt = :exp'];
    const removes: string[] = [];
    for (const [field, value] of Object.entries(fields)) {
      names[`#${field}`] = field;
      if (value === null) removes.push(`#${field}`);
      else {
        values[`:${field}`] = value;
        sets.push(`#${field} = :${field}`);
      }
    }
    if (onlyIfCycle !== undefined) {
      names['#cycle'] = 'cycle';
      values[':guardCycle'] = onlyIfCycle;
    }
    const conditions = [onlyIfCycle !== undefined ? 'attribute_exists(pk) AND #cycle = :guardCycle' : 'attribute_exists(pk)'];
    if (onceKey !== undefined) {
      sets.push('lastStepKey = :once');
      values[':once'] = onceKey;
      conditions.push('(attribute_not_exists(lastStepKey) OR lastStepKey <> :once)');
    }
    return writtenIf(
      this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.complaint(complaintId),
          UpdateExpression: `SET ${sets.join(', ')}${removes.length ? ` REMOVE ${removes.join(', ')}` : ''}`,
          ConditionExpression: conditions.join(' AND '),
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        }),
      ),
    );
  }

  /**
   * Written only while the complaint is in the cycle and state the manager acted on, so a write
   * that lands after Plan moved on never undoes a later step.
   */
  async recordManagerAction(complaintId: string, cycle: number, action: ManagerAction): Promise<boolean> {
    const acknowledged = action.type === 'acknowledged';
    return writtenIf(
      this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.complaint(complaintId),
          UpdateExpression: acknowledged
            ? 'SET #status = :status, acknowledgedAt = :at'
            : 'SET #status = :status, resolvedAt = :at, resolution = :resolution',
          ConditionExpression: acknowledged
            ? 'attribute_exists(pk) AND #cycle = :cycle AND #status = :open'
            : 'attribute_exists(pk) AND #cycle = :cycle AND #status IN (:open, :acknowledged)',
          ExpressionAttributeNames: { '#status': 'status', '#cycle': 'cycle' },
          ExpressionAttributeValues: {
            ':status': action.type,
            ':at': action.at,
            ':cycle': cycle,
            ':open': 'open',
            ...(acknowledged ? {} : { ':acknowledged': 'acknowledged', ':resolution': action.resolution }),
          },
        }),
      ),
    );
  }

  async useLink(linkId: string, at: string): Promise<boolean> {
    return this.putNew({ ...keys.usedLink(linkId), kind: 'UsedLink', at, expiresAt: this.expiresAt() });
  }

  async countComplaint(customer: CustomerRef, serviceType: string, complaintId: string): Promise<number> {
    const { Attributes } = await this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: keys.complaintCount(customer, serviceType),
        UpdateExpression: 'ADD complaints :id SET kind = :kind, expiresAt = :exp',
        ExpressionAttributeValues: { ':id': new Set([complaintId]), ':kind': 'ComplaintCount', ':exp': this.expiresAt() },
        ReturnValues: 'ALL_NEW',
      }),
    );
    const ids = (Attributes?.complaints as Set<string> | undefined) ?? new Set<string>();
    return [...ids].filter((id) => id !== complaintId).length;
  }

  async pauseContact(customer: CustomerRef, until: string): Promise<void> {
    await this.db.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { ...keys.contactPause(customer), kind: 'ContactPause', until, expiresAt: this.expiresAt() },
      }),
    );
  }
}
