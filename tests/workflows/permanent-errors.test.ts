import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { keys } from '../../functions/shared/adapters/table.js';
import { complaintIdFor } from '../../functions/shared/domain/complaint.js';
import { AwsError } from '../../local/cloud/index.js';
import { InjectedLambdaTimeout } from '../../local/cloud/lambda-limits.js';
import { at, fullAnswers, idOf, serviceCompleted } from '../support/follow-up-fixtures.js';
import { Harness, linkIn } from '../support/local-harness.js';

/**
 * Errors no retry can fix, injected into the local cloud's AWS calls as the services return them.
 * Every follow-up and escalation still ends with a recorded outcome — completed through the
 * fallback channel, or `failed` with the reason — and no execution is left running.
 */
let h: Harness;
/** Injected errors by "Service.Operation", each a predicate on the request key. */
let faults: { operation: string; when: (key: string) => boolean; error: () => Error }[] = [];
beforeAll(async () => {
  h = await Harness.start(new Date('2026-11-20T08:00:00Z'));
  h.cloud.faults = {
    before(service, operation, key) {
      const fault = faults.find((f) => f.operation === `${service}.${operation}` && f.when(key));
      if (fault) throw fault.error();
    },
  };
});
beforeEach(() => {
  faults = [];
});
afterAll(async () => {
  await h?.stop();
});

const connectFails = (followUpId: string, code: string, status: number) =>
  faults.push({
    operation: 'Connect.StartTaskContact',
    when: (token) => token.startsWith(followUpId),
    error: () => new AwsError(code, 'The specified resource was not found.', status),
  });
const sesRejects = (address: string) =>
  faults.push({
    operation: 'SES.SendEmail',
    when: (key) => key.startsWith(address),
    error: () =>
      new AwsError(
        'MessageRejected',
        `Email address is not verified. The following identities failed the check in region US-EAST-1: ${address}`,
        400,
      ),
  });
/** The function a logical id prefix names (the FollowUp workflow's "Contact", "Plan", …). */
const logicalIdOf = (prefix: string) => [...h.cloud.functions.values()].find((f) => f.logicalId.startsWith(prefix))!.logicalId;
/** Every invocation of the function times out (the request key is "<logicalId>:<payload hash>"). */
const lambdaTimesOut = (prefix: string) => {
  const logicalId = logicalIdOf(prefix);
  faults.push({ operation: 'Lambda.Invoke', when: (key) => key.startsWith(`${logicalId}:`), error: () => new InjectedLambdaTimeout() });
};

const db = () =>
  DynamoDBDocumentClient.from(
    new DynamoDBClient({
      endpoint: h.stack.dynamoUrl,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    }),
  );

async function dueMonday(week: number, customer: Record<string, unknown> = {}) {
  const detail = serviceCompleted(week, {}, customer);
  await h.runUntil(at(week, 0, '16:00'));
  await h.publish('Service Completed', detail);
  return { detail, id: idOf(detail) };
}

function expectEnded(id: string) {
  const execution = h.executionOf(id)!;
  expect(execution.status).toBe('SUCCEEDED');
  return execution;
}

describe('FollowUp workflow: permanent errors', () => {
  it.each([
    ['ResourceNotFoundException', 404],
    ['InvalidParameterException', 400],
  ] as const)('falls back to email at once when Connect answers %s, and completes there', async (code, status) => {
    const week = { ResourceNotFoundException: 0, InvalidParameterException: 1 }[code];
    const { detail, id } = await dueMonday(week);
    connectFails(id, code, status);
    await h.runUntil(at(week, 3, '09:00'));
    expect(h.tasksFor(id)).toHaveLength(0);
    const [email] = h.emailsTo(detail.customer.email!);
    expect(email!.sentAt).toBe(at(week, 3, '09:00'));
    await h.submit(linkIn(email!), { answers: fullAnswers });
    const stored = await h.followUp(id);
    expect(stored!.outcome).toMatchObject({ status: 'completed', channel: 'email' });
    expect(stored!.attempts.map((a) => `${a.channel}:${a.result}`)).toEqual(['phone:failed', 'email:reached']);
    expect(stored!.attempts[0]).toMatchObject({ error: `phone:${code}` });
    expect(expectEnded(id).states.filter((s) => s === 'Contact customer')).toHaveLength(2);
  });

  it("waits for agents to free capacity when Connect's active tasks are at their quota, and calls then", async () => {
    const { id } = await dueMonday(2);
    let refusals = 2;
    faults.push({
      operation: 'Connect.StartTaskContact',
      when: (token) => token.startsWith(id) && refusals-- > 0,
      error: () => new AwsError('ServiceQuotaExceededException', 'The service quota has been exceeded.', 402),
    });
    await h.runUntil(at(2, 3, '10:00'));
    const [task] = h.tasksFor(id);
    expect(task!.createdAt).toBe(at(2, 3, '09:30'));
    await h.submit(task!.outcomeFormUrl, { result: 'reached', answers: fullAnswers });
    const stored = await h.followUp(id);
    expect(stored!.attempts.map((a) => `${a.channel}:${a.result}`)).toEqual(['phone:at_capacity', 'phone:at_capacity', 'phone:reached']);
    expect(stored!.outcome).toMatchObject({ status: 'completed', channel: 'phone' });
  });

  it('records failed with the reason when SES rejects the only channel, and counts it', async () => {
    const { detail, id } = await dueMonday(3, { phone: undefined });
    sesRejects(detail.customer.email!);
    await h.runUntil(at(3, 3, '09:00'));
    expect(h.emailsTo(detail.customer.email!)).toHaveLength(0);
    const stored = await h.followUp(id);
    expect(stored).toMatchObject({
      status: 'failed',
      outcome: { status: 'failed', reason: 'contact-failed', error: 'email:MessageRejected' },
    });
    expect(JSON.stringify(stored!.outcome)).not.toContain(detail.customer.email!);
    const completed = h.cloud.publishedEvents.find(
      (e) => e.event['detail-type'] === 'Follow-up Completed' && (e.event.detail as { followUpId: string }).followUpId === id,
    );
    expect(completed?.event.detail).toMatchObject({ status: 'failed', reason: 'contact-failed' });
    const aggregates = await h.items('Aggregate');
    expect(aggregates.some((a) => Number(a.status_failed ?? 0) >= 1)).toBe(true);
    // One Contact attempt: a permanent error is not retried.
    expect(expectEnded(id).states).toEqual(['Wait until due', 'Contact customer', 'Plan', 'Contact needed?', 'Record outcome']);
  });

  it('records failed when the phone fails for good and the email fallback is rejected too', async () => {
    const { detail, id } = await dueMonday(4);
    connectFails(id, 'ResourceNotFoundException', 404);
    sesRejects(detail.customer.email!);
    await h.runUntil(at(4, 3, '09:00'));
    const stored = await h.followUp(id);
    expect(stored!.outcome).toMatchObject({ status: 'failed', reason: 'contact-failed', error: 'email:MessageRejected' });
    expect(stored!.attempts.map((a) => `${a.channel}:${a.result}:${a.error}`)).toEqual([
      'phone:failed:phone:ResourceNotFoundException',
      'email:failed:email:MessageRejected',
    ]);
    expectEnded(id);
  });

  it('falls back after the Contact function keeps timing out, and records failed when every channel does', async () => {
    const { id } = await dueMonday(5);
    lambdaTimesOut('FollowUpContact');
    await h.runUntil(at(5, 3, '09:00'));
    faults = [];
    const stored = await h.followUp(id);
    expect(stored!.outcome).toMatchObject({ status: 'failed', reason: 'contact-failed', error: 'Sandbox.Timedout' });
    expect(stored!.attempts.map((a) => `${a.channel}:${a.result}`)).toEqual(['phone:failed', 'email:failed']);
    expectEnded(id);
  });

  it('records failed (step-failed) when the Plan function keeps timing out', async () => {
    // Plan runs after a contact nobody answered in time (8 hours): here it keeps timing out.
    const { id } = await dueMonday(6);
    await h.runUntil(at(6, 3, '09:00'));
    lambdaTimesOut('FollowUpPlan');
    await h.runUntil(at(6, 3, '17:30'));
    faults = [];
    expect((await h.followUp(id))!.outcome).toMatchObject({ status: 'failed', reason: 'step-failed', error: 'Sandbox.Timedout' });
    expect(expectEnded(id).states).toEqual(['Wait until due', 'Contact customer', 'Stop unanswered task', 'Plan', 'Record outcome']);
  });

  it('stops the Connect task nobody completed in time, so the desk no longer offers it', async () => {
    const { id } = await dueMonday(7);
    await h.runUntil(at(7, 3, '09:00'));
    const [first] = h.tasksFor(id);
    expect(first!.closedAt).toBeUndefined();
    // The outcome form shows whom to call.
    const page = await (await fetch(first!.outcomeFormUrl)).text();
    expect(page).toContain('张三');
    expect(page).toContain('+8613800138000');
    const stops = h.cloud.apiCalls['Connect.StopContact'] ?? 0;
    // 8 h task timeout: 17:00, then the retry after 3 h falls in the next calling window.
    await h.runUntil(at(7, 3, '17:01'));
    expect(first!.closedAt).toBe(at(7, 3, '17:00'));
    expect(h.cloud.apiCalls['Connect.StopContact']).toBe(stops + 1);
    expect(h.executionOf(id)!.states).toContain('Stop unanswered task');
  });

  it('ends the execution (and alarms) when the follow-up record itself is gone', async () => {
    const { id } = await dueMonday(8);
    faults = [];
    await h.runUntil(at(8, 1, '09:00'));
    await db().send(new DeleteCommand({ TableName: h.stack.tableName, Key: keys.followUp(id) }));
    await h.runUntil(at(8, 3, '09:01'));
    const execution = h.executionOf(id)!;
    expect(execution.status).toBe('FAILED');
    expect(execution.error).toContain('the follow-up record does not exist');
    expect(h.tasksFor(id)).toHaveLength(0);
  });
});

describe('Escalation workflow: notifications that cannot be sent', () => {
  const unhappy = { result: 'reached', answers: { overall: 1, explained: 'no', wantsComplaint: 'yes' } };
  async function complaintIn(week: number) {
    const detail = serviceCompleted(week, { departmentId: 'after-sales' });
    await h.runUntil(at(week, 0, '16:00'));
    await h.publish('Service Completed', detail);
    await h.runUntil(at(week, 3, '09:00'));
    await h.submit(h.tasksFor(idOf(detail))[0]!.outcomeFormUrl, unhappy);
    return complaintIdFor(idOf(detail));
  }

  it('records a rejected manager email in the history and still puts the task on the queue', async () => {
    sesRejects('after-sales-manager@example.com');
    const complaintId = await complaintIn(9);
    expect(h.managerTasks(complaintId)).toHaveLength(1);
    const complaint = await h.complaint(complaintId);
    expect(complaint!.history.filter((e) => e.type === 'notification-failed')).toEqual([
      expect.objectContaining({ level: 1, note: 'email:MessageRejected' }),
    ]);
  });

  it('moves on at the usual pace when neither channel takes the notice, and the complaint stays escalated', async () => {
    faults.push({
      operation: 'Connect.StartTaskContact',
      when: (token) => token.startsWith('cp-'),
      error: () => new AwsError('ResourceNotFoundException', 'The specified resource was not found.', 404),
    });
    sesRejects('after-sales-manager@example.com');
    sesRejects('service-director@example.com');
    const id = await complaintIn(10);
    expect(id).toBeDefined();
    await h.runUntil(at(10, 3, '17:00'));
    const complaint = (await h.complaint(id))!;
    const failed = complaint.history.filter((e) => e.type === 'notification-failed');
    // Notice 1 at 09:00 and its re-notices every 2 working hours, then level 2: each failed on both channels.
    expect(failed.length).toBeGreaterThanOrEqual(6);
    expect(complaint.history.filter((e) => e.type === 'escalated').map((e) => e.level)).toEqual([2]);
    const [execution] = [...h.cloud.executions.values()].filter((e) => e.name.startsWith(id));
    expect(execution!.status).toBe('RUNNING');
    expect(execution!.transitions).toBeLessThan(60);
  });
});

describe('FollowUp workflow: Connect at its active-task quota all along', () => {
  it("falls back to email at the deadline when Connect's active tasks stay at their quota", async () => {
    const { detail, id } = await dueMonday(11);
    connectFails(id, 'ServiceQuotaExceededException', 402);
    const deadline = (await h.followUp(id))!.deadline!;
    await h.runUntil(new Date(Date.parse(deadline) + 86_400_000).toISOString());
    expect(h.tasksFor(id)).toHaveLength(0);
    const [email] = h.emailsTo(detail.customer.email!);
    expect(Date.parse(email!.sentAt)).toBeGreaterThanOrEqual(Date.parse(deadline) - 15 * 60_000);
    await h.submit(linkIn(email!), { answers: fullAnswers });
    const stored = await h.followUp(id);
    const results = stored!.attempts.map((a) => `${a.channel}:${a.result}`);
    expect(results.filter((r) => r === 'phone:at_capacity').length).toBeGreaterThan(3);
    expect(results.slice(-2)).toEqual(['phone:failed', 'email:reached']);
    expect(stored!.attempts.at(-2)).toMatchObject({ error: 'phone:ServiceQuotaExceededException' });
    expect(stored!.outcome).toMatchObject({ status: 'completed', channel: 'email' });
  });
});
