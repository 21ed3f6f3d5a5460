import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keys } from '../../functions/shared/adapters/table.js';
import { countersOf } from '../../functions/shared/domain/kpi.js';
import { type LocalStack, startLocalStack } from '../../local/stack.js';

/**
 * `npm run report` while `npm start` runs: the stack holds its data folder open, so the report
 * reads through the stack's DynamoDB port; pointed at a port where nothing answers, it says what
 * to do instead of crashing with a stack trace.
 */
const dataDir = mkdtempSync(path.join(tmpdir(), 'report-data-'));
let stack: LocalStack;
beforeAll(async () => {
  stack = await startLocalStack({
    clock: 'manual',
    start: new Date('2026-11-04T01:00:00Z'),
    dataDir,
    schedules: false,
    logLevel: 'SILENT',
  });
  const db = DynamoDBDocumentClient.from(
    new DynamoDBClient({ endpoint: stack.dynamoUrl, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }),
  );
  // What the record-outcome step writes for one completed follow-up on 3 November.
  const counters = countersOf({
    serviceType: 'vehicle-repair',
    status: 'completed',
    attempts: 1,
    onTime: true,
    scores: { overall: 5 },
    complaint: false,
  });
  await db.send(
    new PutCommand({
      TableName: stack.tableName,
      Item: {
        ...keys.aggregate('2026-11-03', 'vehicle-repair', 'after-sales', 0),
        kind: 'Aggregate',
        day: '2026-11-03',
        subject: 'vehicle-repair',
        departmentId: 'after-sales',
        version: 1,
        ...counters,
      },
    }),
  );
  db.destroy();
}, 60_000);
afterAll(async () => {
  await stack?.stop();
});

function report(port: string, out: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'local/report.ts', '--day', '2026-11-03', '--out', out, '--data', dataDir],
      { env: { ...process.env, DYNAMODB_PORT: port }, timeout: 120_000 },
      (error, stdout, stderr) => resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

async function closedPort(): Promise<string> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as { port: number };
  await new Promise<void>((done) => server.close(() => done()));
  return String(port);
}

describe('npm run report while the local stack runs', () => {
  it('reads the running stack through its DynamoDB port and writes the report', { timeout: 120_000 }, async () => {
    const out = mkdtempSync(path.join(tmpdir(), 'report-out-'));
    const result = await report(new URL(stack.dynamoUrl).port, out);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('daily report 2026-11-03: 1 follow-ups');
    expect(readFileSync(path.join(out, 'report.html'), 'utf8')).toContain('回访日报 2026-11-03');
    expect(readFileSync(path.join(out, 'report.txt'), 'utf8')).toContain('已结束回访: 1');
  });

  it('says what to do, without a stack trace, when the stack holds the data and its port does not answer', {
    timeout: 120_000,
  }, async () => {
    const result = await report(await closedPort(), mkdtempSync(path.join(tmpdir(), 'report-out-')));
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('Another process holds it open, most likely `npm start`');
    expect(result.stderr).toContain('DYNAMODB_PORT');
    expect(result.stderr).not.toMatch(/^\s+at /m);
  });
});
