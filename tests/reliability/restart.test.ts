import { afterAll, describe, expect, it } from 'vitest';
import { createServer } from 'node:net';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startLocalStack, type LocalStack } from '../../local/stack.js';
import { FollowUpQueries } from '../../local/follow-up-queries.js';
import { at, idOf, serviceCompleted } from '../support/follow-up-fixtures.js';

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
afterAll(async () => {
  await stack?.stop();
});

describe('restart', () => {
  it('resumes waiting and contacting follow-ups after a restart, contacting nobody twice', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'restart-'));
    const options = {
      clock: 'manual' as const,
      start: new Date('2026-11-20T08:00:00Z'),
      dataDir: path.join(dir, 'dynamodb'),
      stateFile: path.join(dir, 'state.json'),
      schedules: false,
      logLevel: 'SILENT' as const,
      webPort: await freePort(),
      awsPort: await freePort(),
      dynamoPort: await freePort(),
    };
    const repair = serviceCompleted(0);
    const urgent = serviceCompleted(0, { serviceType: 'urgent-repair', completedAt: at(0, 0, '14:00').replace('Z', '+00:00') });

    stack = await startLocalStack(options);
    await stack.clock.runUntil(Date.parse(at(0, 0, '16:00')));
    for (const detail of [repair, urgent]) {
      await stack.clock.track(async () => stack!.cloud.putEvents([{ EventBusName: 'customer-follow-up', Source: 'dealer.dms', DetailType: 'Service Completed', Detail: JSON.stringify(detail) }]));
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
    const answer = await stack.clock.track(() =>
      fetch(task.outcomeFormUrl, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json' }, body: JSON.stringify({ result: 'reached', answers: { overall: 5, explained: 'yes', wantsComplaint: 'no' } }) }),
    );
    expect(answer.status).toBe(200);
    // The urgent repair's second round, waiting since Friday, still comes due on time.
    await stack.clock.runUntil(Date.parse(at(0, 3, '14:00')));
    const queries = new FollowUpQueries(stack.dynamoUrl, stack.tableName);
    const followUps = await queries.followUps();
    queries.close();
    expect(followUps.find((f) => f.followUpId === idOf(repair))!.outcome).toMatchObject({ status: 'completed' });
    expect(stack.cloud.agentTasks.filter((t) => t.attributes.followUpId === idOf(urgent, 1))).toHaveLength(1);
    expect(stack.cloud.agentTasks.filter((t) => t.attributes.followUpId === idOf(repair))).toHaveLength(1);
  });
});
