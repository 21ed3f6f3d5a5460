import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { FollowUp } from '../domain/follow-up.js';
import type { AttemptRecord, CustomerContactState, EventWarningRecord, FinalOutcome, FollowUpStore, RejectionRecord } from './follow-up-store.js';
import { sdkClientConfig } from './sdk-config.js';
import { customerPk, type CustomerRef } from '../domain/customer-key.js';

export const documentClient = DynamoDBDocumentClient.from(new DynamoDBClient(sdkClientConfig()), {
  marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: true },
});

const fuKey = (id: string) => ({ pk: `FU#${id}`, sk: 'META' });
const attemptKey = (id: string, attempt: number) => ({ pk: `FU#${id}`, sk: `ATTEMPT#${String(attempt).padStart(3, '0')}` });

export const isConditionFailure = (error: unknown) =>
  error instanceof ConditionalCheckFailedException || (error as { name?: string })?.name === 'ConditionalCheckFailedException';

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

/** The TTL attribute of an item written now: kept `retentionDays`, then DynamoDB deletes it. */
export const expiryFor = (now: Date, retentionDays: number) => Math.floor(now.getTime() / 1000) + retentionDays * 86_400;

/** TTL deletes lazily (up to ~2 days late), so a read treats an expired item as gone. */
export const isExpired = (item: Record<string, unknown>, now: Date) => typeof item.expiresAt === 'number' && item.expiresAt * 1000 <= now.getTime();

/** Strips the table's own attributes so callers see domain objects only. */
function stripKeys<T>(item: Record<string, unknown>): T {
  const { pk: _pk, sk: _sk, kind: _kind, expiresAt: _exp, ...rest } = item;
  return rest as T;
}

export class DynamoFollowUpStore implements FollowUpStore {
  constructor(
    private readonly tableName: string,
    private readonly retentionDays: number,
    private readonly now: () => Date,
    private readonly db: DynamoDBDocumentClient = documentClient,
  ) {}

  private expiresAt(): number {
    return expiryFor(this.now(), this.retentionDays);
  }

  private live(item: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
    return item && !isExpired(item, this.now()) ? item : undefined;
  }

  private async getItem(key: { pk: string; sk: string }, consistent = true) {
    const { Item } = await this.db.send(new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: consistent }));
    return this.live(Item);
  }

  async create(followUp: FollowUp) {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...fuKey(followUp.followUpId), kind: 'FollowUp', ...followUp, expiresAt: this.expiresAt() },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return { created: true as const };
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      const existing = await this.get(followUp.followUpId);
      if (!existing) throw new Error(`follow-up ${followUp.followUpId} exists but is expired`);
      return { created: false as const, existing };
    }
  }

  async get(followUpId: string) {
    const item = await this.getItem(fuKey(followUpId));
    return item ? stripKeys<FollowUp & { executionStarted?: boolean }>(item) : undefined;
  }

  async markStarted(followUpId: string) {
    await this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: fuKey(followUpId),
        UpdateExpression: 'SET executionStarted = :t',
        ExpressionAttributeValues: { ':t': true },
      }),
    );
  }

  async recordRejection(rejection: RejectionRecord) {
    await this.db.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { pk: `REJECTED#${rejection.eventId}`, sk: 'META', kind: 'Rejection', ...rejection, expiresAt: this.expiresAt() },
      }),
    );
  }

  async recordEventWarnings(record: EventWarningRecord) {
    await this.db.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { pk: `EVENTWARNING#${record.eventId}`, sk: 'META', kind: 'EventWarning', ...record, expiresAt: this.expiresAt() },
      }),
    );
  }

  async optOut(customer: CustomerRef, at: string, until?: string) {
    // The retention TTL would silently re-admit a customer after 760 days: a permanent opt-out
    // has no TTL, a temporary one is deleted once it has lapsed.
    const expiresAt = until === undefined ? undefined : Math.ceil(Date.parse(until) / 1000);
    await this.db.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { pk: customerPk(customer), sk: 'OPTOUT', kind: 'OptOut', source: customer.source, customerId: customer.id, at, until, expiresAt },
      }),
    );
  }

  async customerState(customer: CustomerRef, at: Date) {
    const { Items } = await this.db.send(new QueryCommand({ TableName: this.tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': customerPk(customer) }, ConsistentRead: true }));
    const state: CustomerContactState = { optedOut: false, contactsByQuarter: {} };
    for (const item of (Items ?? []).map((i) => this.live(i)).filter((i): i is Record<string, unknown> => !!i)) {
      const sk = String(item.sk);
      if (sk === 'OPTOUT') state.optedOut ||= typeof item.until !== 'string' || new Date(item.until) > at;
      if (sk === 'PAUSE' && typeof item.until === 'string' && new Date(item.until) > at) state.pausedUntil = item.until;
      if (sk.startsWith('CONTACTS#')) state.contactsByQuarter[sk.slice('CONTACTS#'.length)] = [...((item.followUps as Set<string> | undefined) ?? [])];
    }
    return state;
  }

  async reserveContact(customer: CustomerRef, quarter: string, followUpId: string, maxPerQuarter: number) {
    return writtenIf(this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { pk: customerPk(customer), sk: `CONTACTS#${quarter}` },
        UpdateExpression: 'ADD followUps :id SET kind = :kind, expiresAt = :exp',
        ConditionExpression: 'attribute_not_exists(followUps) OR size(followUps) < :max OR contains(followUps, :fid)',
        ExpressionAttributeValues: {
          ':id': new Set([followUpId]),
          ':fid': followUpId,
          ':max': maxPerQuarter,
          ':kind': 'ContactCount',
          ':exp': this.expiresAt(),
        },
      }),
    ));
  }

  async savePlan(followUpId: string, last: Parameters<FollowUpStore['savePlan']>[1], decision: Parameters<FollowUpStore['savePlan']>[2]) {
    const values: Record<string, unknown> = {};
    const sets: string[] = [];
    if (decision.action === 'contact') {
      sets.push('dueAt = :due', 'deadline = if_not_exists(deadline, :deadline)', 'nextAttempt = :attempt', 'nextChannel = :channel');
      Object.assign(values, { ':due': decision.dueAt, ':deadline': decision.deadline, ':attempt': decision.attempt, ':channel': decision.channel });
    }
    let condition: string | undefined;
    if (last) {
      sets.push('attempts = list_append(attempts, :last)');
      values[':last'] = [last];
      values[':before'] = last.attempt - 1;
      condition = 'size(attempts) = :before';
    }
    if (sets.length === 0) return;
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: fuKey(followUpId),
          UpdateExpression: `SET ${sets.join(', ')}`,
          ConditionExpression: condition,
          ExpressionAttributeValues: values,
        }),
      );
    } catch (error) {
      // A retried Plan step finds its attempt already appended: the earlier call did the work.
      if (!isConditionFailure(error)) throw error;
    }
  }

  async openAttempt(attempt: AttemptRecord) {
    const { Attributes } = await this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: attemptKey(attempt.followUpId, attempt.attempt),
        // A retried contact step re-opens with its new token only while nobody has answered.
        UpdateExpression: 'SET kind = :kind, followUpId = :f, attempt = :a, channel = :c, taskToken = :t, openedAt = if_not_exists(openedAt, :o), expiresAt = :exp',
        ConditionExpression: 'attribute_not_exists(usedAt)',
        ExpressionAttributeValues: { ':kind': 'Attempt', ':f': attempt.followUpId, ':a': attempt.attempt, ':c': attempt.channel, ':t': attempt.taskToken, ':o': attempt.openedAt, ':exp': this.expiresAt() },
        ReturnValues: 'ALL_OLD',
      }),
    );
    return Attributes ? stripKeys<AttemptRecord>(Attributes) : undefined;
  }

  async claimContact(followUpId: string, attempt: number, at: string) {
    return writtenIf(this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: attemptKey(followUpId, attempt),
        UpdateExpression: 'SET sendingAt = :at',
        ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(sendingAt) AND attribute_not_exists(contactedAt)',
        ExpressionAttributeValues: { ':at': at },
      }),
    ));
  }

  async releaseContact(followUpId: string, attempt: number, at: string) {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: attemptKey(followUpId, attempt),
          UpdateExpression: 'REMOVE sendingAt',
          ConditionExpression: 'sendingAt = :at AND attribute_not_exists(contactedAt)',
          ExpressionAttributeValues: { ':at': at },
        }),
      );
    } catch (error) {
      // Another try claimed since, or the contact was made: its claim stays.
      if (!isConditionFailure(error)) throw error;
    }
  }

  async markContacted(followUpId: string, attempt: number, at: string, contactId?: string) {
    await this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: attemptKey(followUpId, attempt),
        UpdateExpression: contactId ? 'SET contactedAt = :at, contactId = :contact' : 'SET contactedAt = :at',
        ExpressionAttributeValues: { ':at': at, ...(contactId ? { ':contact': contactId } : {}) },
      }),
    );
  }

  async getWithAttempt(followUpId: string, attempt: number) {
    const { Items } = await this.db.send(new QueryCommand({ TableName: this.tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': `FU#${followUpId}` }, ConsistentRead: true }));
    const live = (Items ?? []).map((i) => this.live(i)).filter((i): i is Record<string, unknown> => !!i);
    const meta = live.find((i) => i.sk === 'META');
    const found = live.find((i) => i.sk === attemptKey(followUpId, attempt).sk);
    return { followUp: meta ? stripKeys<FollowUp>(meta) : undefined, attempt: found ? stripKeys<AttemptRecord>(found) : undefined };
  }

  async answerAttempt(followUpId: string, attempt: number, answer: Parameters<FollowUpStore['answerAttempt']>[2]) {
    return writtenIf(this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: attemptKey(followUpId, attempt),
        UpdateExpression: 'SET #result = :result, callbackAt = :callbackAt, answers = :answers, agentMarkedComplaint = :complaint, agentSeverity = :severity, agentNote = :note, usedAt = :usedAt',
        ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(usedAt)',
        ExpressionAttributeNames: { '#result': 'result' },
        ExpressionAttributeValues: {
          ':result': answer.result,
          ':callbackAt': answer.callbackAt ?? null,
          ':answers': answer.answers ?? {},
          ':complaint': answer.agentMarkedComplaint ?? false,
          ':severity': answer.agentSeverity ?? null,
          ':note': answer.agentNote ?? null,
          ':usedAt': answer.usedAt,
        },
      }),
    ));
  }

  async reopenAttempt(followUpId: string, attempt: number) {
    await this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: attemptKey(followUpId, attempt),
        UpdateExpression: 'REMOVE usedAt, #result, callbackAt, answers, agentMarkedComplaint, agentSeverity, agentNote',
        ExpressionAttributeNames: { '#result': 'result' },
      }),
    );
  }

  async finish(followUpId: string, outcome: FinalOutcome, last: Parameters<FollowUpStore['finish']>[2]) {
    const values: Record<string, unknown> = { ':outcome': outcome, ':status': outcome.status, ':exp': this.expiresAt() };
    const sets = ['#status = :status', 'outcome = :outcome', 'expiresAt = :exp'];
    let condition: string | undefined;
    if (last) {
      sets.push('attempts = list_append(attempts, :last)');
      values[':last'] = [last];
      values[':before'] = last.attempt - 1;
      condition = 'size(attempts) = :before';
    }
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: fuKey(followUpId),
          UpdateExpression: `SET ${sets.join(', ')}`,
          ConditionExpression: condition,
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: values,
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      // Replayed Record step: the attempt is already in the list; write the outcome alone.
      delete values[':last'];
      delete values[':before'];
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: fuKey(followUpId),
          UpdateExpression: `SET ${sets.slice(0, 3).join(', ')}`,
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: values,
        }),
      );
    }
  }
}

