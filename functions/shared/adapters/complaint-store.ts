import { GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Complaint, ComplaintEvent } from '../domain/complaint.js';
import { customerPk, type CustomerRef } from '../domain/customer-key.js';
import { documentClient, expiryFor, isConditionFailure, isExpired, writtenIf } from './dynamo-follow-up-store.js';

const key = (complaintId: string) => ({ pk: `COMPLAINT#${complaintId}`, sk: 'META' });

/** Complaints, their history, the links managers used and the per-customer contact pause. */
export class ComplaintStore {
  constructor(
    private readonly tableName: string,
    private readonly retentionDays: number,
    private readonly now: () => Date,
    private readonly db: DynamoDBDocumentClient = documentClient,
  ) {}

  private expiresAt(): number {
    return expiryFor(this.now(), this.retentionDays);
  }

  async create(complaint: Complaint): Promise<{ created: true } | { created: false; existing: Complaint }> {
    try {
      await this.db.send(new PutCommand({ TableName: this.tableName, Item: { ...key(complaint.complaintId), kind: 'Complaint', ...complaint, expiresAt: this.expiresAt() }, ConditionExpression: 'attribute_not_exists(pk)' }));
      return { created: true };
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      return { created: false, existing: (await this.get(complaint.complaintId))! };
    }
  }

  async get(complaintId: string): Promise<(Complaint & { waitingToken?: string }) | undefined> {
    const { Item } = await this.db.send(new GetCommand({ TableName: this.tableName, Key: key(complaintId), ConsistentRead: true }));
    if (!Item || isExpired(Item, this.now())) return undefined;
    const { pk: _pk, sk: _sk, kind: _kind, expiresAt: _e, ...complaint } = Item;
    return complaint as Complaint & { waitingToken?: string };
  }

  /**
   * Sets fields and appends history in one write; `onlyIfCycle` guards against a stale cycle, and
   * `onceKey` makes the write happen once per key (a retried step finds its own write and skips).
   */
  async update(complaintId: string, fields: Partial<Complaint> & { waitingToken?: string | null }, events: ComplaintEvent[], onlyIfCycle?: number, onceKey?: string): Promise<boolean> {
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
    return writtenIf(this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: key(complaintId),
        UpdateExpression: `SET ${sets.join(', ')}${removes.length ? ` REMOVE ${removes.join(', ')}` : ''}`,
        ConditionExpression: conditions.join(' AND '),
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      }),
    ));
  }

  /**
   * A manager's acknowledgement or resolution, readable at once: the escalation's Plan step
   * records the same (with the history and counts) a moment later, when the workflow runs it.
   * Written only while the complaint is in the cycle and state the manager acted on, so a write
   * that lands after Plan moved on never undoes a later step. False when it changed nothing.
   */
  async recordManagerAction(complaintId: string, cycle: number, action: { type: 'acknowledged'; at: string } | { type: 'resolved'; at: string; resolution: string }): Promise<boolean> {
    const acknowledged = action.type === 'acknowledged';
    return writtenIf(this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: key(complaintId),
        UpdateExpression: acknowledged ? 'SET #status = :status, acknowledgedAt = :at' : 'SET #status = :status, resolvedAt = :at, resolution = :resolution',
        ConditionExpression: acknowledged ? 'attribute_exists(pk) AND #cycle = :cycle AND #status = :open' : 'attribute_exists(pk) AND #cycle = :cycle AND #status IN (:open, :acknowledged)',
        ExpressionAttributeNames: { '#status': 'status', '#cycle': 'cycle' },
        ExpressionAttributeValues: {
          ':status': action.type,
          ':at': action.at,
          ':cycle': cycle,
          ':open': 'open',
          ...(acknowledged ? {} : { ':acknowledged': 'acknowledged', ':resolution': action.resolution }),
        },
      }),
    ));
  }

  /** Marks a manager's link used; false when it was used before (single use). */
  async useLink(linkId: string, at: string): Promise<boolean> {
    return writtenIf(this.db.send(new PutCommand({ TableName: this.tableName, Item: { pk: `LINK#${linkId}`, sk: 'USED', kind: 'UsedLink', at, expiresAt: this.expiresAt() }, ConditionExpression: 'attribute_not_exists(pk)' })));
  }

  /** Counts a complaint about this kind of service for the customer; returns the earlier count. */
  async countComplaint(customer: CustomerRef, serviceType: string, complaintId: string): Promise<number> {
    const { Attributes } = await this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { pk: customerPk(customer), sk: `COMPLAINTS#${serviceType}` },
        UpdateExpression: 'ADD complaints :id SET kind = :kind, expiresAt = :exp',
        ExpressionAttributeValues: { ':id': new Set([complaintId]), ':kind': 'ComplaintCount', ':exp': this.expiresAt() },
        ReturnValues: 'ALL_NEW',
      }),
    );
    const ids = (Attributes?.complaints as Set<string> | undefined) ?? new Set<string>();
    return [...ids].filter((id) => id !== complaintId).length;
  }

  async pauseContact(customer: CustomerRef, until: string): Promise<void> {
    await this.db.send(new PutCommand({ TableName: this.tableName, Item: { pk: customerPk(customer), sk: 'PAUSE', kind: 'ContactPause', until, expiresAt: this.expiresAt() } }));
  }
}
