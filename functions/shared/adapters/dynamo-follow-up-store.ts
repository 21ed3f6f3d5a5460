import { DeleteCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { CustomerRef } from '../domain/customer-key.js';
import type { FollowUp } from '../domain/follow-up.js';
import type { JoinedMatter, PendingContact } from '../domain/merge.js';
import type {
  AttemptRecord,
  CustomerContactState,
  EventWarningRecord,
  FinalOutcome,
  FollowUpStore,
  JoinedSettlement,
  RejectionRecord,
} from '../ports/follow-up-store.js';
import { keys, RetainedItems, responseIf, sortKeyPrefix, withoutKeys, writtenIf } from './table.js';

/** A matter that added itself and was then pulled in by the lead is listed twice: once is what it is. */
function distinctMatters(joined: unknown): JoinedMatter[] {
  const byId = new Map((Array.isArray(joined) ? (joined as JoinedMatter[]) : []).map((m) => [m.followUpId, m]));
  return [...byId.values()];
}

/** An attempt as the port gives it: each joined matter once, however the list was written. */
function attemptOf(item: Record<string, unknown>): AttemptRecord {
  const attempt = withoutKeys<AttemptRecord>(item);
  return attempt.joined ? { ...attempt, joined: distinctMatters(attempt.joined) } : attempt;
}

export class DynamoFollowUpStore extends RetainedItems implements FollowUpStore {
  async create(followUp: FollowUp) {
    if (await this.putNew({ ...keys.followUp(followUp.followUpId), kind: 'FollowUp', ...followUp, expiresAt: this.expiresAt() }))
      return { created: true as const };
    const existing = await this.get(followUp.followUpId);
    if (!existing) throw new Error(`follow-up ${followUp.followUpId} exists but is expired`);
    return { created: false as const, existing };
  }

  async get(followUpId: string) {
    const item = await this.getLive(keys.followUp(followUpId));
    return item ? withoutKeys<FollowUp & { executionStarted?: boolean }>(item) : undefined;
  }

  async markStarted(followUpId: string) {
    await this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: keys.followUp(followUpId),
        UpdateExpression: 'SET executionStarted = :t',
        ExpressionAttributeValues: { ':t': true },
      }),
    );
  }

  async recordRejection(rejection: RejectionRecord) {
    await this.db.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { ...keys.rejection(rejection.eventId), kind: 'Rejection', ...rejection, expiresAt: this.expiresAt() },
      }),
    );
  }

  async recordEventWarnings(record: EventWarningRecord) {
    await this.db.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { ...keys.eventWarning(record.eventId), kind: 'EventWarning', ...record, expiresAt: this.expiresAt() },
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
        Item: { ...keys.optOut(customer), kind: 'OptOut', source: customer.source, customerId: customer.id, at, until, expiresAt },
      }),
    );
  }

  async customerState(customer: CustomerRef, at: Date) {
    const state: CustomerContactState = { optedOut: false, contactsByQuarter: {}, pending: [] };
    for (const item of await this.livePartition(keys.customerPk(customer))) {
      const sk = String(item.sk);
      if (sk === keys.optOut(customer).sk) state.optedOut ||= typeof item.until !== 'string' || new Date(item.until) > at;
      if (sk === keys.contactPause(customer).sk && typeof item.until === 'string' && new Date(item.until) > at)
        state.pausedUntil = item.until;
      const contacts = sortKeyPrefix.quarterContacts;
      if (sk.startsWith(contacts))
        state.contactsByQuarter[sk.slice(contacts.length)] = [...((item.followUps as Set<string> | undefined) ?? [])];
      if (sk.startsWith(sortKeyPrefix.pendingContact)) state.pending.push(withoutKeys<PendingContact>(item));
    }
    return state;
  }

  async reserveContact(customer: CustomerRef, quarter: string, followUpId: string, maxPerQuarter: number) {
    return writtenIf(
      this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.quarterContacts(customer, quarter),
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
      ),
    );
  }

  async savePlan(followUpId: string, last: Parameters<FollowUpStore['savePlan']>[1], decision: Parameters<FollowUpStore['savePlan']>[2]) {
    const values: Record<string, unknown> = {};
    const sets: string[] = [];
    if (decision.action === 'contact') {
      sets.push('dueAt = :due', 'deadline = if_not_exists(deadline, :deadline)', 'nextAttempt = :attempt', 'nextChannel = :channel');
      Object.assign(values, {
        ':due': decision.dueAt,
        ':deadline': decision.deadline,
        ':attempt': decision.attempt,
        ':channel': decision.channel,
      });
    }
    if (sets.length === 0 && !last) return;
    // A retried Plan step finds its attempt already appended: the earlier call did the work.
    await this.setAppendingAttempt(followUpId, sets, values, last);
  }

  async openAttempt(attempt: AttemptRecord) {
    const { Attributes } = await this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: keys.attempt(attempt.followUpId, attempt.attempt),
        // A retried contact step re-opens with its new token only while nobody has answered.
        UpdateExpression: [
          'SET kind = :kind, followUpId = :f, attempt = :a, channel = :c, taskToken = :t',
          'openedAt = if_not_exists(openedAt, :o), expiresAt = :exp',
        ].join(', '),
        ConditionExpression: 'attribute_not_exists(usedAt)',
        ExpressionAttributeValues: {
          ':kind': 'Attempt',
          ':f': attempt.followUpId,
          ':a': attempt.attempt,
          ':c': attempt.channel,
          ':t': attempt.taskToken,
          ':o': attempt.openedAt,
          ':exp': this.expiresAt(),
        },
        ReturnValues: 'ALL_OLD',
      }),
    );
    return Attributes ? attemptOf(Attributes) : undefined;
  }

  async claimContact(followUpId: string, attempt: number, at: string) {
    const response = await responseIf(
      this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.attempt(followUpId, attempt),
          UpdateExpression: 'SET sendingAt = :at',
          ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(sendingAt) AND attribute_not_exists(contactedAt)',
          ExpressionAttributeValues: { ':at': at },
          ReturnValues: 'ALL_NEW',
        }),
      ),
    );
    return response && distinctMatters(response.Attributes?.joined);
  }

  async releaseContact(followUpId: string, attempt: number, at: string) {
    // Not written when another try claimed since, or the contact was made: its claim stays.
    await writtenIf(
      this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.attempt(followUpId, attempt),
          UpdateExpression: 'REMOVE sendingAt',
          ConditionExpression: 'sendingAt = :at AND attribute_not_exists(contactedAt)',
          ExpressionAttributeValues: { ':at': at },
        }),
      ),
    );
  }

  async markContacted(followUpId: string, attempt: number, at: string, contactId?: string) {
    await this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: keys.attempt(followUpId, attempt),
        UpdateExpression: contactId ? 'SET contactedAt = :at, contactId = :contact' : 'SET contactedAt = :at',
        ExpressionAttributeValues: { ':at': at, ...(contactId ? { ':contact': contactId } : {}) },
      }),
    );
  }

  async getWithAttempt(followUpId: string, attempt: number) {
    const live = await this.livePartition(keys.followUpPk(followUpId));
    const meta = live.find((i) => i.sk === keys.followUp(followUpId).sk);
    const found = live.find((i) => i.sk === keys.attempt(followUpId, attempt).sk);
    return { followUp: meta ? withoutKeys<FollowUp>(meta) : undefined, attempt: found ? attemptOf(found) : undefined };
  }

  async answerAttempt(followUpId: string, attempt: number, answer: Parameters<FollowUpStore['answerAttempt']>[2]) {
    return writtenIf(
      this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.attempt(followUpId, attempt),
          UpdateExpression: [
            'SET #result = :result, callbackAt = :callbackAt, answers = :answers',
            'agentMarkedComplaint = :complaint, agentSeverity = :severity, agentNote = :note, usedAt = :usedAt',
          ].join(', '),
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
      ),
    );
  }

  async reopenAttempt(followUpId: string, attempt: number) {
    await this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: keys.attempt(followUpId, attempt),
        UpdateExpression: 'REMOVE usedAt, #result, callbackAt, answers, agentMarkedComplaint, agentSeverity, agentNote',
        ExpressionAttributeNames: { '#result': 'result' },
      }),
    );
  }

  async finish(followUpId: string, outcome: FinalOutcome, last: Parameters<FollowUpStore['finish']>[2]) {
    const values: Record<string, unknown> = { ':outcome': outcome, ':status': outcome.status, ':exp': this.expiresAt() };
    const sets = ['#status = :status', 'outcome = :outcome', 'expiresAt = :exp'];
    const written = await this.setAppendingAttempt(followUpId, sets, values, last, { '#status': 'status' });
    if (!written) {
      // Replayed Record step: the attempt is already in the list; write the outcome alone.
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.followUp(followUpId),
          UpdateExpression: `SET ${sets.join(', ')}`,
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: values,
        }),
      );
    }
  }

  async notePending(customer: CustomerRef, pending: PendingContact) {
    // A new plan replaces the last one whole: a join or an own contact of an earlier attempt no longer holds.
    await this.db.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { ...keys.pendingContact(customer, pending.followUpId), kind: 'PendingContact', ...pending, expiresAt: this.expiresAt() },
      }),
    );
  }

  async forgetPending(customer: CustomerRef, followUpId: string) {
    await this.db.send(new DeleteCommand({ TableName: this.tableName, Key: keys.pendingContact(customer, followUpId) }));
  }

  async claimOwnContact(customer: CustomerRef, followUpId: string) {
    return writtenIf(
      this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.pendingContact(customer, followUpId),
          UpdateExpression: 'SET contactingAt = if_not_exists(contactingAt, :at)',
          ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(joinedTo)',
          ExpressionAttributeValues: { ':at': this.now().toISOString() },
        }),
      ),
    );
  }

  async joinContact(customer: CustomerRef, followUpId: string, lead: string, dueAt: string) {
    return writtenIf(
      this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.pendingContact(customer, followUpId),
          UpdateExpression: 'SET joinedTo = :lead',
          // A repeated lead step finds its own join; a re-planned matter (another dueAt) is not taken on an old plan.
          ConditionExpression: [
            'attribute_exists(pk) AND dueAt = :due',
            '((attribute_not_exists(joinedTo) AND attribute_not_exists(contactingAt)) OR joinedTo = :lead)',
          ].join(' AND '),
          ExpressionAttributeValues: { ':lead': lead, ':due': dueAt },
        }),
      ),
    );
  }

  async unjoin(customer: CustomerRef, followUpId: string, lead: string) {
    await writtenIf(
      this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.pendingContact(customer, followUpId),
          UpdateExpression: 'REMOVE joinedTo',
          ConditionExpression: 'joinedTo = :lead',
          ExpressionAttributeValues: { ':lead': lead },
        }),
      ),
    );
  }

  async addJoined(followUpId: string, attempt: number, matters: JoinedMatter[], beforeSend?: { maxJoined: number }) {
    const response = await responseIf(
      this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.attempt(followUpId, attempt),
          // A matter may add itself before the lead's step opened the attempt: the item is made here then.
          UpdateExpression: beforeSend
            ? 'SET joined = list_append(if_not_exists(joined, :none), :new), kind = :kind, followUpId = :f, attempt = :a, expiresAt = :exp'
            : 'SET joined = list_append(if_not_exists(joined, :none), :new)',
          ConditionExpression: beforeSend
            ? [
                'attribute_not_exists(sendingAt) AND attribute_not_exists(contactedAt)',
                'attribute_not_exists(usedAt) AND attribute_not_exists(releasedAt)',
                '(attribute_not_exists(joined) OR size(joined) < :max)',
              ].join(' AND ')
            : 'attribute_exists(pk)',
          ExpressionAttributeValues: {
            ':none': [],
            ':new': matters,
            ...(beforeSend
              ? { ':kind': 'Attempt', ':f': followUpId, ':a': attempt, ':exp': this.expiresAt(), ':max': beforeSend.maxJoined }
              : {}),
          },
          ReturnValues: 'ALL_NEW',
        }),
      ),
    );
    return response && distinctMatters(response.Attributes?.joined);
  }

  async releaseLead(followUpId: string, attempt: number) {
    const response = await responseIf(
      this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.attempt(followUpId, attempt),
          UpdateExpression: 'SET releasedAt = if_not_exists(releasedAt, :at)',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':at': this.now().toISOString() },
          ReturnValues: 'ALL_NEW',
        }),
      ),
    );
    return distinctMatters(response?.Attributes?.joined);
  }

  async settleJoined(followUpId: string, attempt: number, settlement: JoinedSettlement) {
    const response = await responseIf(
      this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.attempt(followUpId, attempt),
          UpdateExpression: [
            'SET kind = :kind, followUpId = :f, attempt = :a, channel = if_not_exists(channel, :c), joinedTo = :joinedTo',
            '#result = :result, callbackAt = :callbackAt, answers = :answers, agentMarkedComplaint = :complaint',
            'agentSeverity = :severity, agentNote = :note, usedAt = :usedAt, expiresAt = :exp',
          ].join(', '),
          ConditionExpression: 'attribute_not_exists(usedAt)',
          ExpressionAttributeNames: { '#result': 'result' },
          ExpressionAttributeValues: {
            ':kind': 'Attempt',
            ':f': followUpId,
            ':a': attempt,
            ':c': settlement.channel,
            ':joinedTo': settlement.joinedTo,
            ':result': settlement.result,
            ':callbackAt': settlement.callbackAt ?? null,
            ':answers': settlement.answers ?? {},
            ':complaint': settlement.agentMarkedComplaint ?? false,
            ':severity': settlement.agentSeverity ?? null,
            ':note': settlement.agentNote ?? null,
            ':usedAt': settlement.usedAt,
            ':exp': this.expiresAt(),
          },
          ReturnValues: 'ALL_NEW',
        }),
      ),
    );
    if (!response) return { settled: false };
    const token = response.Attributes?.taskToken;
    return { settled: true, ...(typeof token === 'string' ? { taskToken: token } : {}) };
  }

  /**
   * Sets `sets` on a follow-up and appends `last` to its attempts, on the condition that the list
   * holds exactly the attempts before it: false when it did not (a replayed step appended it
   * already), and then nothing is written.
   */
  private setAppendingAttempt(
    followUpId: string,
    sets: string[],
    values: Record<string, unknown>,
    last: Parameters<FollowUpStore['finish']>[2],
    names?: Record<string, string>,
  ): Promise<boolean> {
    return writtenIf(
      this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.followUp(followUpId),
          UpdateExpression: `SET ${(last ? [...sets, 'attempts = list_append(attempts, :last)'] : sets).join(', ')}`,
          ConditionExpression: last ? 'size(attempts) = :before' : undefined,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: last ? { ...values, ':last': [last], ':before': last.attempt - 1 } : values,
        }),
      ),
    );
  }
}
