import { ConnectClient, StartTaskContactCommand } from '@aws-sdk/client-connect';
import { CreateTableCommand, DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import dynalite from 'dynalite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { complaintIdFor } from '../../functions/shared/domain/complaint.js';
import { startAwsEndpoint } from '../../local/aws-endpoint.js';
import { LocalCloud } from '../../local/cloud/index.js';
import {
  checkTaskOutput,
  EXECUTION_HISTORY_MAX_EVENTS,
  ExecutionHistory,
  PUT_EVENTS_MAX_BYTES,
  putEventsEntrySize,
  STATES_PAYLOAD_MAX_BYTES,
} from '../../local/cloud/limits.js';
import type { Template } from '../../local/template.js';
import { VirtualClock } from '../../local/virtual-clock.js';
import { at, idOf, serviceCompleted } from '../support/follow-up-fixtures.js';
import { Harness } from '../support/local-harness.js';

const start = new Date('2026-11-23T01:00:00Z');
const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };

/** A template with one state machine: the limits need no handlers, only the engines. */
function cloudWith(definition: Record<string, unknown> = { StartAt: 'Done', States: { Done: { Type: 'Succeed' } } }) {
  const template: Template = {
    Resources: {
      Machine: {
        Type: 'AWS::StepFunctions::StateMachine',
        Properties: {
          StateMachineName: 'Machine',
          DefinitionString: JSON.stringify(definition),
          RoleArn: 'arn:aws:iam::000000000000:role/machine',
        },
      },
    },
  } as Template;
  const clock = new VirtualClock('manual', start);
  const cloud = new LocalCloud(template, clock, process.cwd());
  return { cloud, clock, machine: cloud.stateMachineArns()[0]! };
}

const entry = (detail: string) => ({
  EventBusName: 'customer-follow-up',
  Source: 'dealer.dms',
  DetailType: 'Service Completed',
  Detail: detail,
});
/** A JSON detail of exactly `bytes` UTF-8 bytes. */
const detailOf = (bytes: number) => JSON.stringify({ x: 'a'.repeat(bytes - 8) });

describe('EventBridge PutEvents: at most 10 entries and 256 KB per request', () => {
  it('measures an entry as AWS documents: Time 14 bytes, then the UTF-8 bytes of Source, DetailType, Detail and Resources', () => {
    expect(putEventsEntrySize({ Source: 'ab', DetailType: '类型', Detail: '{}', Resources: ['r1', 'r2'] })).toBe(2 + 6 + 2 + 4);
    expect(putEventsEntrySize({ Time: new Date(), Source: 'a', DetailType: 'b' })).toBe(14 + 2);
  });

  it('refuses the whole request over 256 KB and puts none of it; exactly 256 KB is accepted', () => {
    const { cloud } = cloudWith();
    const overhead = putEventsEntrySize(entry(''));
    const exact = [entry(detailOf(PUT_EVENTS_MAX_BYTES / 2 - overhead)), entry(detailOf(PUT_EVENTS_MAX_BYTES / 2 - overhead))];
    expect(exact.reduce((sum, e) => sum + putEventsEntrySize(e), 0)).toBe(PUT_EVENTS_MAX_BYTES);
    expect(cloud.putEvents(exact).FailedEntryCount).toBe(0);
    const over = [...exact.slice(0, 1), entry(detailOf(PUT_EVENTS_MAX_BYTES / 2 - overhead + 1))];
    expect(() => cloud.putEvents(over)).toThrow(
      expect.objectContaining({
        code: 'ValidationException',
        message: expect.stringContaining('Total size of the entries in the request is over the limit'),
      }),
    );
    expect(cloud.publishedEvents).toHaveLength(2);
  });

  it('refuses 11 entries even when they reach the cloud without the endpoint (the web form, the simulator)', () => {
    const { cloud } = cloudWith();
    expect(() => cloud.putEvents(Array.from({ length: 11 }, () => entry('{}')))).toThrow(
      expect.objectContaining({ code: 'ValidationException' }),
    );
    expect(cloud.publishedEvents).toHaveLength(0);
  });

  it('answers the SDK with ValidationException through the endpoint', async () => {
    const { cloud } = cloudWith();
    const endpoint = await startAwsEndpoint(cloud);
    try {
      const events = new EventBridgeClient({ endpoint: endpoint.url, region: 'us-east-1', credentials, maxAttempts: 1 });
      await expect(events.send(new PutEventsCommand({ Entries: Array.from({ length: 11 }, () => entry('{}')) }))).rejects.toMatchObject({
        name: 'ValidationException',
        $metadata: { httpStatusCode: 400 },
      });
      await expect(events.send(new PutEventsCommand({ Entries: [entry(detailOf(PUT_EVENTS_MAX_BYTES))] }))).rejects.toMatchObject({
        name: 'ValidationException',
      });
      expect(cloud.publishedEvents).toHaveLength(0);
    } finally {
      await endpoint.close();
    }
  });
});

describe('Step Functions payloads: 256 KiB of UTF-8', () => {
  // 100,000 Chinese characters: within the model's 262,144 characters, but 300,000 bytes.
  const wide = JSON.stringify({ note: '回'.repeat(100_000) });

  it('refuses a StartExecution input over 256 KiB with InvalidExecutionInput, counting bytes, not characters', () => {
    const { cloud, machine } = cloudWith();
    expect(wide.length).toBeLessThan(STATES_PAYLOAD_MAX_BYTES);
    expect(() => cloud.startExecution(machine, 'too-big', wide)).toThrow(expect.objectContaining({ code: 'InvalidExecutionInput' }));
    expect(cloud.executions.size).toBe(0);
  });

  const failsPastTheDataLimit =
    'fails the execution with States.DataLimitExceeded when a state output grows past the limit; ' +
    'no later task runs, and no catcher applies';
  it(failsPastTheDataLimit, async () => {
    const { cloud, clock, machine } = cloudWith({
      StartAt: 'Double',
      States: {
        Double: { Type: 'Pass', Parameters: { 'a.$': '$.half', 'b.$': '$.half' }, Next: 'Work' },
        Work: {
          Type: 'Task',
          Resource: 'arn:aws:states:::lambda:invoke',
          Parameters: { FunctionName: 'arn:aws:lambda:us-east-1:000000000000:function:nowhere', 'Payload.$': '$' },
          Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Caught' }],
          End: true,
        },
        Caught: { Type: 'Succeed' },
      },
    });
    const record = cloud.startExecution(machine, 'doubling', JSON.stringify({ half: 'x'.repeat(140_000) }));
    await clock.settle();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(record.status).toBe('FAILED');
    expect(record.error).toContain('States.DataLimitExceeded');
    expect(record.states).not.toContain('Caught');
    expect(cloud.apiCalls['Lambda.Invoke']).toBeUndefined();
  });

  it('passes a state output just under the limit', async () => {
    const { cloud, clock, machine } = cloudWith({
      StartAt: 'Double',
      States: { Double: { Type: 'Pass', Parameters: { 'a.$': '$.half', 'b.$': '$.half' }, End: true } },
    });
    const record = cloud.startExecution(machine, 'fits', JSON.stringify({ half: 'x'.repeat(130_000) }));
    await clock.settle();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(record.status).toBe('SUCCEEDED');
  });

  it('refuses SendTaskSuccess output over 256 KiB of UTF-8 with InvalidOutput, once the token is known', () => {
    expect(checkTaskOutput(wide)).toMatchObject({ code: 'InvalidOutput', status: 400 });
    expect(checkTaskOutput(JSON.stringify({ result: 'reached', note: '回'.repeat(80_000) }))).toBeUndefined();
    const { cloud } = cloudWith();
    expect(() => cloud.sendTaskSuccess('no-such-token', wide)).toThrow(expect.objectContaining({ code: 'TaskDoesNotExist' }));
  });
});

describe('Step Functions history: 25,000 events', () => {
  it('counts about 5 events per Lambda task state and 2 per other state, plus retries', () => {
    const history = new ExecutionHistory();
    history.add({ type: 'StateEntered', state: { type: 'Task' } });
    history.add({ type: 'StateExited', state: { type: 'Task' } });
    history.add({ type: 'StateEntered', state: { type: 'Choice' } });
    history.add({ type: 'StateExited', state: { type: 'Choice' } });
    history.add({ type: 'StateRetried', state: { type: 'Task' } });
    expect(history.count).toBe(1 + 5 + 2 + 3);
  });

  it('fails an execution that loops past the quota', async () => {
    const { cloud, clock, machine } = cloudWith({
      StartAt: 'Count',
      States: {
        Count: { Type: 'Pass', Next: 'Again' },
        Again: { Type: 'Choice', Choices: [{ Variable: '$.stop', BooleanEquals: true, Next: 'Done' }], Default: 'Count' },
        Done: { Type: 'Succeed' },
      },
    });
    const record = cloud.startExecution(machine, 'forever', JSON.stringify({ stop: false }));
    await clock.settle();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(record.status).toBe('FAILED');
    expect(record.error).toContain('maximum number of history events');
    // Two events per Pass or Choice state: the quota is reached after about 12,500 states. The
    // engine's event log runs behind a loop with no task in it, so the abort lands some states later.
    expect(record.transitions).toBeGreaterThan(EXECUTION_HISTORY_MAX_EVENTS / 2 - 10);
  });
});

describe('Amazon Connect StartTaskContact', () => {
  const task = (n: number, extra: Record<string, unknown> = {}) => ({
    ClientToken: `fu-${n}-1`,
    Name: `task ${n}`,
    References: { outcomeForm: { Type: 'URL', Value: `http://127.0.0.1:3000/links/t${n}` } },
    Attributes: { followUpId: `fu-${n}` },
    ...extra,
  });

  it('takes a ScheduledTime up to 6 days ahead, and refuses one further out or in the past', () => {
    const { cloud } = cloudWith();
    const seconds = (ms: number) => (start.getTime() + ms) / 1000;
    expect(() => cloud.startTaskContact(task(1, { ScheduledTime: seconds(6 * 86_400_000) }))).not.toThrow();
    expect(() => cloud.startTaskContact(task(2, { ScheduledTime: seconds(6 * 86_400_000 + 1000) }))).toThrow(
      expect.objectContaining({ code: 'InvalidParameterException', message: 'ScheduledTime must be within 6 days in the future.' }),
    );
    expect(() => cloud.startTaskContact(task(3, { ScheduledTime: seconds(-1000) }))).toThrow(
      expect.objectContaining({ code: 'InvalidParameterException', message: 'ScheduledTime cannot be in the past.' }),
    );
  });

  it('refuses references over 4,096 UTF-8 bytes in total and attribute keys Connect does not allow', () => {
    const { cloud } = cloudWith();
    const url = (n: number) => `https://x/${'a'.repeat(n)}`;
    expect(() =>
      cloud.startTaskContact(
        task(1, { References: { outcomeForm: { Type: 'URL', Value: url(2000) }, acknowledge: { Type: 'URL', Value: url(2100) } } }),
      ),
    ).toThrow(expect.objectContaining({ code: 'InvalidParameterException' }));
    expect(() => cloud.startTaskContact(task(2, { Attributes: { 'customer name': 'x' } }))).toThrow(
      expect.objectContaining({ code: 'InvalidParameterException' }),
    );
    expect(() => cloud.startTaskContact(task(3, { Attributes: { a: '电'.repeat(11_000) } }))).toThrow(
      expect.objectContaining({ code: 'InvalidParameterException', message: expect.stringContaining('32768') }),
    );
  });

  const countsActiveTasks =
    'counts active tasks against the quota: ' +
    'a task stops counting once its link is answered, it is stopped, or it expires after 7 days';
  it(countsActiveTasks, async () => {
    const { cloud, clock } = cloudWith();
    cloud.connectTasks.quota = 3;
    const ids = [1, 2, 3].map((n) => cloud.startTaskContact(task(n)).ContactId);
    expect(() => cloud.startTaskContact(task(4))).toThrow(expect.objectContaining({ code: 'ServiceQuotaExceededException', status: 402 }));
    // A retried request with a known ClientToken returns its task even at the quota.
    expect(cloud.startTaskContact(task(2)).ContactId).toBe(ids[1]);

    cloud.linkAnswered('/links/t1');
    expect(cloud.agentTasks[0]!.closedAt).toBe(start.toISOString());
    expect(() => cloud.startTaskContact(task(4))).not.toThrow();
    expect(() => cloud.startTaskContact(task(5))).toThrow(expect.objectContaining({ code: 'ServiceQuotaExceededException' }));

    cloud.stopContact(ids[1]!);
    expect(() => cloud.startTaskContact(task(5))).not.toThrow();
    expect(() => cloud.stopContact('no-such-contact')).toThrow(expect.objectContaining({ code: 'ResourceNotFoundException' }));

    clock.advanceTo(start.getTime() + 7 * 86_400_000);
    expect(cloud.connectTasks.active(clock.nowMs())).toBe(0);
    expect(() => cloud.startTaskContact(task(6))).not.toThrow();
  });

  it('answers the SDK with ServiceQuotaExceededException and HTTP 402, as the model declares', async () => {
    const { cloud } = cloudWith();
    cloud.connectTasks.quota = 1;
    const endpoint = await startAwsEndpoint(cloud);
    try {
      const connect = new ConnectClient({ endpoint: endpoint.url, region: 'us-east-1', credentials, maxAttempts: 1 });
      const request = (n: number) =>
        new StartTaskContactCommand({
          InstanceId: 'instance-1',
          ContactFlowId: 'flow-1',
          ...task(n),
          References: { outcomeForm: { Type: 'URL', Value: `http://x/links/t${n}` } },
        });
      await connect.send(request(1));
      await expect(connect.send(request(2))).rejects.toMatchObject({
        name: 'ServiceQuotaExceededException',
        $metadata: { httpStatusCode: 402 },
      });
    } finally {
      await endpoint.close();
    }
  });
});

describe('DynamoDB: items up to 400 KB', () => {
  let server: ReturnType<typeof dynalite>;
  let db: DynamoDBClient;
  beforeAll(async () => {
    server = dynalite({ createTableMs: 0 });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    const { port } = server.address() as { port: number };
    db = new DynamoDBClient({ endpoint: `http://127.0.0.1:${port}`, region: 'us-east-1', credentials });
    await db.send(
      new CreateTableCommand({
        TableName: 'items',
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  it('dynalite already refuses an item over 400 KB as DynamoDB does, and takes one just under', async () => {
    const item = (bytes: number) => ({ pk: { S: 'k' }, data: { S: 'x'.repeat(bytes) } });
    await expect(db.send(new PutItemCommand({ TableName: 'items', Item: item(400 * 1024 - 100) }))).resolves.toBeDefined();
    await expect(db.send(new PutItemCommand({ TableName: 'items', Item: item(400 * 1024) }))).rejects.toMatchObject({
      name: 'ValidationException',
      message: 'Item size has exceeded the maximum allowed size',
    });
  });
});

describe('Step Functions execution names', () => {
  it('refuses the characters AWS documents as invalid with InvalidName, and takes the names the handlers use', () => {
    const { cloud, machine } = cloudWith();
    for (const bad of ['with space', 'a/b', 'a:b', 'tab\there', 'star*'])
      expect(() => cloud.startExecution(machine, bad, '{}'), bad).toThrow(expect.objectContaining({ code: 'InvalidName' }));
    expect(() => cloud.startExecution(machine, 'fu-0123456789abcdef0123456789abcdef', '{}')).not.toThrow();
    expect(() => cloud.startExecution(machine, 'cp-0123456789abcdef-c2', '{}')).not.toThrow();
  });
});

// Its own stack in this file's process: handlers bind their SDK clients to the endpoint when first imported.
describe('a normal run on the local stack', () => {
  let h: Harness | undefined;
  afterAll(async () => {
    await h?.stop();
  });

  it('sends no request the contracts refuse: a call with a complaint (manager task and email) and an emailed survey', async () => {
    h = await Harness.start(new Date('2026-11-20T08:00:00Z'));
    const phone = serviceCompleted(0, { departmentId: 'after-sales' });
    const email = serviceCompleted(0, {}, { phone: undefined });
    await h.runUntil(at(0, 0, '16:00'));
    await h.publish('Service Completed', phone);
    await h.publish('Service Completed', email);
    await h.runUntil(at(0, 3, '09:00'));
    const [task] = h.tasksFor(idOf(phone));
    expect(
      (
        await h.submit(task!.outcomeFormUrl, {
          result: 'reached',
          answers: { overall: 1, explained: 'no', wantsComplaint: 'yes', suggestions: '太差了' },
        })
      ).status,
    ).toBe(200);
    await h.runUntil(at(0, 3, '10:00'));
    expect(h.managerTasks(complaintIdFor(idOf(phone)))).toHaveLength(1);
    expect(h.emailsTo(email.customer.email!)).toHaveLength(1);
    expect(h.cloud.refusedRequests).toEqual([]);
    // The answered task no longer counts against Connect's active-task quota; the manager's still does.
    expect(h.cloud.agentTasks.find((t) => t.contactId === task!.contactId)!.closedAt).toBeDefined();
    expect(h.cloud.connectTasks.active(h.now().getTime())).toBe(1);
  });
});
