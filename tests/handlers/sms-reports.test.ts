import './setup-env.js';
import { beforeEach, describe, expect, it } from 'vitest';
import { handleSmsReports, type SmsReportDeps, smsReportRequestSchema } from '../../functions/outcome-api/sms-reports.js';
import type { SigningKeys } from '../../functions/shared/domain/signed-link.js';
import { readSmsReports, smsReportPath, smsReportToken, verifySmsReportToken } from '../../functions/shared/domain/sms-report.js';
import { logger } from '../../functions/shared/powertools.js';
import { FakeWorkflow } from '../support/fake-channels.js';
import { storedFollowUp, storedFollowUpId } from '../support/follow-up-fixtures.js';
import { MemoryFollowUpStore } from '../support/memory-store.js';

const id = storedFollowUpId;
const phone = '13800138000';
const keys: SigningKeys = {
  current: { id: 'k2', secret: 'current-secret-0123456789' },
  previous: [{ id: 'k1', secret: 'old-secret-0123456789' }],
};
const token = smsReportToken(keys.current);

/** A report as Alibaba pushes it (https://help.aliyun.com/document_detail/101867.html). */
const report = (success: boolean, outId: string, errCode = success ? 'DELIVERED' : 'MN:0001') => ({
  phone_number: phone,
  send_time: '2026-11-23 10:00:00',
  report_time: '2026-11-23 10:00:05',
  success,
  err_code: errCode,
  err_msg: success ? '用户接收成功' : '空号',
  sms_size: '1',
  biz_id: '123456^0',
  out_id: outId,
});

const request = (body: unknown, withToken = token) =>
  smsReportRequestSchema.parse({
    routeKey: 'POST /sms-reports/{token}',
    rawPath: `/sms-reports/${withToken}`,
    pathParameters: { token: withToken },
    requestContext: { http: { method: 'POST' } },
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
    isBase64Encoded: false,
  });

describe('sms reports: Alibaba delivery reports fail undelivered texts', () => {
  let store: MemoryFollowUpStore;
  let workflow: FakeWorkflow;
  let deps: SmsReportDeps;
  let logged: string[];
  beforeEach(() => {
    store = new MemoryFollowUpStore();
    store.followUps.set(id, storedFollowUp({ customer: { id: 'C1', name: 'Li Lei', phone: `+86${phone}`, locale: 'zh-CN' } }));
    store.attempts.set(`${id}#2`, { followUpId: id, attempt: 2, channel: 'sms', taskToken: 'token-2' });
    workflow = new FakeWorkflow();
    deps = { store, limiter: { reserve: async (_c, at) => at }, workflow, keys, now: new Date('2026-11-23T02:00:00Z') };
    logged = [];
    for (const level of ['info', 'warn', 'error'] as const) {
      const original = logger[level].bind(logger);
      logger[level] = ((...args: unknown[]) => {
        logged.push(JSON.stringify(args));
        return (original as (...a: unknown[]) => void)(...args);
      }) as never;
    }
  });

  it('fails the attempt of an undelivered text and hands it to the workflow, once; answers as Alibaba expects', async () => {
    const response = await handleSmsReports(request([report(false, `${id}#2`), report(false, `${id}#2`)]), deps);
    expect(response.statusCode).toBe(200);
    expect(JSON.parse(response.body!)).toEqual({ code: 0, msg: '接收成功' });
    expect(store.attempts.get(`${id}#2`)).toMatchObject({ result: 'failed', usedAt: '2026-11-23T02:00:00.000Z' });
    expect(workflow.completed).toMatchObject([{ taskToken: 'token-2', output: { outcome: { result: 'failed' } } }]);
    expect(logged.join('\n')).not.toContain(phone);
  });

  it('only notes a delivered text, and leaves unknown out_ids alone', async () => {
    const body = [report(true, `${id}#2`), report(false, 'birthday'), report(false, `${id}#9`)];
    expect((await handleSmsReports(request(body), deps)).statusCode).toBe(200);
    expect(store.attempts.get(`${id}#2`)!.usedAt).toBeUndefined();
    expect(workflow.completed).toEqual([]);
  });

  it('refuses a wrong or missing token with 403 and changes nothing', async () => {
    const other = smsReportToken({ id: 'k2', secret: 'someone-elses-secret-0123' });
    for (const wrong of [other, '', `${token}x`, token.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A'))]) {
      expect((await handleSmsReports(request([report(false, `${id}#2`)], wrong), deps)).statusCode).toBe(403);
    }
    expect(workflow.completed).toEqual([]);
  });

  it("accepts a token of any key in a rotation, and the path carries the current key's", () => {
    expect(verifySmsReportToken(smsReportToken(keys.previous[0]!), keys)).toBe(true);
    expect(smsReportPath(keys)).toBe(`/sms-reports/${token}`);
    expect(token.startsWith('k2.')).toBe(true);
  });

  it('skips malformed entries, naming the field, without failing the batch or logging the number', async () => {
    const { phone_number: _p, ...noSuccess } = report(false, `${id}#2`);
    const body = [null, 'x', { ...noSuccess, success: 'no' }, report(false, `${id}#2`)];
    const response = await handleSmsReports(request(body), deps);
    expect(response.statusCode).toBe(200);
    expect(workflow.completed).toHaveLength(1);
    expect(readSmsReports(body).skipped).toEqual([
      { index: 0, field: '(entry)' },
      { index: 1, field: '(entry)' },
      { index: 2, field: 'success' },
    ]);
    expect((await handleSmsReports(request('not json'), deps)).statusCode).toBe(200);
    expect(logged.join('\n')).not.toContain(phone);
  });

  it('answers 503 when the workflow could not be told, so Alibaba pushes again, and reopens the attempt', async () => {
    workflow.completeTask = async () => {
      throw Object.assign(new Error('throttled'), { name: 'ThrottlingException' });
    };
    const reopened: unknown[] = [];
    store.reopenAttempt = async (...args: unknown[]) => {
      reopened.push(args);
    };
    const response = await handleSmsReports(request([report(false, `${id}#2`)]), deps);
    expect(response.statusCode).toBe(503);
    expect(reopened).toEqual([[id, 2]]);
  });
});
