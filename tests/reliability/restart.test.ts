import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { keys } from '../../functions/shared/adapters/table.js';
import { complaintIdFor } from '../../functions/shared/domain/complaint.js';
import { FollowUpQueries } from '../../local/follow-up-queries.js';
import { type LocalStack, startLocalStack } from '../../local/stack.js';
import { at, idOf, serviceCompleted } from '../support/follow-up-fixtures.js';
import { TEST_SES } from '../support/local-harness.js';

/**
 * Stopping the local stack mid-month loses nothing: DynamoDB is on disk, and the running
 * executions, the agent desk and the outbox are resumed from .local/state.json. A task opened
 * before the restart is completed after it, and the customer is not contacted a second time.
 */
const freePort = () =>
  new Promise<number>((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

let stack: LocalStack | undefined;
// One set of ports for the file: the handlers' AWS clients keep the endpoints they were first given.
let ports: { webPort: number; awsPort: number; dynamoPort: number };
beforeAll(async () => {
  ports = { webPort: await freePort(), awsPort: await freePort(), dynamoPort: await freePort() };
});
afterEach(async () => {
  await stack?.stop();
  stack = undefined;
});

function stackOptions(start: string) {
  const dir = mkdtempSync(path.join(tmpdir(), 'restart-'));
  return {
    clock: 'manual' as const,
    start: new Date(start),
    dataDir: path.join(dir, 'dynamodb'),
    stateFile: path.join(dir, 'state.json'),
    schedules: false,
    logLevel: 'SILENT' as const,
    ses: TEST_SES,
    ...ports,
  };
}

const post = (url: string, body: unknown) =>
  stack!.clock.track(() =>
    fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json' }, body: JSON.stringify(body) }),
  );

/** A stack whose Friday repair's call on Monday 09:00 raised an urgent complaint: the first manager notice is out. */
async function complaintRaisedMonday(
  options: ReturnType<typeof stackOptions>,
  repair: ReturnType<typeof serviceCompleted>,
): Promise<LocalStack> {
  stack = await startLocalStack(options);
  await stack.clock.runUntil(Date.parse(at(0, 0, '16:00')));
  const entry = { EventBusName: stack.busName, Source: 'dealer.dms', DetailType: 'Service Completed', Detail: JSON.stringify(repair) };
  await stack.clock.track(async () => stack!.cloud.putEvents([entry]));
  await stack.clock.runUntil(Date.parse(at(0, 3, '09:00')));
  const task = stack.cloud.agentTasks.find((t) => t.attributes.followUpId === idOf(repair))!;
  const answers = { overall: 2, explained: 'no', wantsComplaint: 'yes' };
  const raised = await post(task.outcomeFormUrl, { result: 'reached', complaint: true, severity: 'urgent', answers });
  expect(raised.status).toBe(200);
  await stack.clock.settle();
  return stack;
}

describe('restart', () => {
  it('resumes waiting and contacting follow-ups after a restart, contacting nobody twice', async () => {
    const options = stackOptions('2026-11-20T08:00:00Z');
    const repair = serviceCompleted(0);
    const urgent = serviceCompleted(0, { serviceType: 'urgent-repair', completedAt: at(0, 0, '14:00').replace('Z', '+00:00') });

    stack = await startLocalStack(options);
    await stack.clock.runUntil(Date.parse(at(0, 0, '16:00')));
    for (const detail of [repair, urgent]) {
      await stack.clock.track(async () =>
        stack!.cloud.putEvents([
          { EventBusName: 'customer-follow-up', Source: 'dealer.dms', DetailType: 'Service Completed', Detail: JSON.stringify(detail) },
        ]),
      );
    }
    await stack.clock.runUntil(Date.parse(at(0, 3, '09:00')));
    const task = stack.cloud.agentTasks.find((t) => t.attributes.followUpId === idOf(repair))!;
    expect(task).toBeDefined();
    const runningBefore = [...stack.cloud.executions.values()].filter((e) => e.status === 'RUNNING').length;
    await stack.stop();

    stack = await startLocalStack(options);
    expect(stack.resumedExecutions).toBe(runningBefore);
    expect(stack.clock.now().toISOString()).toBe(at(0, 3, '09:00'));
    await stack.clock.settle();
    // The same task is on the desk, and answering its link finishes the follow-up.
    expect(stack.cloud.agentTasks.filter((t) => t.attributes.followUpId === idOf(repair))).toHaveLength(1);
    const answer = await post(task.outcomeFormUrl, { result: 'reached', answers: { overall: 5, explained: 'yes', wantsComplaint: 'no' } });
    expect(answer.status).toBe(200);
    // The urgent repair's second round (called every day of the week): Sunday's call went
    // unanswered, Monday's retry was opened as the stack stopped and is not opened again.
    await stack.clock.runUntil(Date.parse(at(0, 3, '14:00')));
    const queries = new FollowUpQueries(stack.dynamoUrl, stack.tableName);
    const followUps = await queries.followUps();
    queries.close();
    expect(followUps.find((f) => f.followUpId === idOf(repair))!.outcome).toMatchObject({ status: 'completed' });
    expect(stack.cloud.agentTasks.filter((t) => t.attributes.followUpId === idOf(urgent, 1)).map((t) => t.attributes.attempt)).toEqual([
      '1',
      '2',
    ]);
    expect(stack.cloud.agentTasks.filter((t) => t.attributes.followUpId === idOf(repair))).toHaveLength(1);
  });

  it('emails and tasks each manager notice once, whenever the stack is stopped and started again', async () => {
    const options = stackOptions('2026-11-20T08:00:00Z');
    const repair = serviceCompleted(0);
    const complaintId = complaintIdFor(idOf(repair));
    stack = await complaintRaisedMonday(options, repair);
    const manager = 'duty-manager@example.com';
    /** Each notice's number, read from the signed link it carries (payload.signature, base64url JSON). */
    const noticeOf = (text: string) =>
      (JSON.parse(Buffer.from(/\/links\/([\w-]+)\./.exec(text)![1]!, 'base64url').toString()) as { a: number }).a;
    const notices = () => stack!.cloud.outbox.filter((m) => m.to.includes(manager)).map((m) => noticeOf(m.text));
    const tasks = () => stack!.cloud.agentTasks.filter((t) => t.attributes.complaintId === complaintId).map((t) => t.clientToken);
    expect(notices()).toEqual([11001]);

    // The worst moment to stop: SES took the email, the stack died before marking the notice sent.
    const db = DynamoDBDocumentClient.from(
      new DynamoDBClient({
        endpoint: stack.dynamoUrl,
        region: 'us-east-1',
        credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      }),
    );
    await db.send(
      new UpdateCommand({
        TableName: stack.tableName,
        Key: keys.notice(complaintId, 11001, 'email'),
        UpdateExpression: 'REMOVE sentAt',
        ConditionExpression: 'attribute_exists(sentAt)',
      }),
    );
    db.destroy();
    await stack.stop();
    stack = await startLocalStack(options);
    expect(stack.resumedExecutions).toBe(1);
    await stack.clock.settle();
    expect(notices()).toEqual([11001]);
    expect(tasks()).toHaveLength(1);

    // Nobody acted: the second notice comes two working hours later, once, across another restart.
    await stack.clock.runUntil(Date.parse(at(0, 3, '11:00')));
    expect(notices()).toEqual([11001, 11002]);
    await stack.stop();
    stack = await startLocalStack(options);
    await stack.clock.runUntil(Date.parse(at(0, 3, '11:30')));
    expect(notices()).toEqual([11001, 11002]);
    expect(new Set(tasks()).size).toBe(2);
    expect(tasks()).toHaveLength(2);
  });

  it('reminds a manager at the same time whether or not the stack was restarted while the notice waited', async () => {
    const repair = serviceCompleted(0);
    const manager = 'duty-manager@example.com';
    /** The manager notices emailed by 16:00, stopping and starting the stack at 10:00 when `restart`. */
    const noticesSent = async (restart: boolean) => {
      const options = stackOptions('2026-11-20T08:00:00Z');
      stack = await complaintRaisedMonday(options, repair);
      if (restart) {
        await stack.clock.runUntil(Date.parse(at(0, 3, '10:00')));
        await stack.stop();
        stack = await startLocalStack(options);
      }
      await stack.clock.runUntil(Date.parse(at(0, 3, '16:00')));
      const sent = stack.cloud.outbox.filter((m) => m.to.includes(manager)).map((m) => m.sentAt);
      await stack.stop();
      stack = undefined;
      return sent;
    };
    const uninterrupted = await noticesSent(false);
    // The acknowledgement's timeout runs from when the notice went out, as Step Functions' TimeoutSeconds does.
    expect(uninterrupted.slice(0, 2)).toEqual([at(0, 3, '09:00'), at(0, 3, '11:00')]);
    expect(await noticesSent(true)).toEqual(uninterrupted);
  });
});
