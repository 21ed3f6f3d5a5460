import '../handlers/setup-env.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ingest } from '../../functions/ingest-service-completed/ingest.js';
import { handleLink } from '../../functions/outcome-api/links.js';
import { policyConfig } from '../../functions/shared/config/policies.js';
import { signLink } from '../../functions/shared/domain/signed-link.js';
import type { ComplaintStore } from '../../functions/shared/ports/complaint-store.js';
import type { Workflow } from '../../functions/shared/ports/workflow.js';
import { recordedFinishes, roomyLimiter } from '../support/fake-channels.js';
import { MemoryFollowUpStore } from '../support/memory-store.js';

/**
 * Bad input never crashes anything and never half-processes: 10,000 malformed events and 10,000
 * malformed outcome-API requests, each answered with a rejection that names a field or a reason.
 */
const RUNS = 10_000;
const now = new Date('2026-11-20T08:00:00Z');

function recordingWorkflow() {
  const calls: string[] = [];
  const workflow: Workflow = {
    startFollowUp: async (id) => void calls.push(`start:${id}`),
    startEscalation: async (name) => void calls.push(`escalate:${name}`),
    completeTask: async (token) => void calls.push(`complete:${token}`),
  };
  return { workflow, calls };
}

const good = {
  serviceId: 'RO-1',
  serviceType: 'vehicle-repair',
  completedAt: '2026-11-20T15:00:00+08:00',
  customer: { id: 'C1', name: '张三', phone: '+8613800138000' },
};

/** A valid event with one field broken: removed, retyped, or replaced by junk. */
const brokenDetail = fc.oneof(
  fc.anything(),
  fc
    .record({
      path: fc.constantFrom(
        'serviceId',
        'serviceType',
        'completedAt',
        'customer',
        'customer.id',
        'customer.name',
        'customer.phone',
        'customer.email',
        'customer.timeZone',
        'customer.locale',
        'departmentId',
        'reworkCount',
      ),
      value: fc.oneof(fc.constant(undefined), fc.anything(), fc.string(), fc.integer(), fc.constant(''), fc.constant(null)),
    })
    .map(({ path, value }) => {
      const detail: { [field: string]: unknown; customer: Record<string, unknown> } = structuredClone(good);
      const [head, tail] = path.split('.') as [string, string | undefined];
      // Only the customer has fields of its own.
      if (tail) {
        if (value === undefined) delete detail.customer[tail];
        else detail.customer[tail] = value;
      } else if (value === undefined) delete detail[head];
      else detail[head] = value;
      return detail;
    }),
);

describe('fuzzing the edges', () => {
  it(`answers ${RUNS.toLocaleString('en')} malformed events with a rejection naming the field, and starts nothing for them`, async () => {
    const store = new MemoryFollowUpStore();
    const { workflow, calls } = recordingWorkflow();
    let rejected = 0;
    let accepted = 0;
    await fc.assert(
      fc.asyncProperty(brokenDetail, fc.oneof(fc.constant('evt'), fc.string()), async (detail, id) => {
        const event = { id: id || 'x', source: 'fuzz', 'detail-type': 'Service Completed', detail };
        const before = calls.length;
        const result = await ingest(event, { store, workflow, limiter: roomyLimiter, finished: recordedFinishes(), now });
        if (result.status === 'rejected') {
          rejected += 1;
          expect(result.field).toMatch(/^(detail(\.[\w]+)*|id)$/);
          expect(calls.length).toBe(before);
        } else {
          accepted += 1;
          expect(calls.length).toBeGreaterThanOrEqual(before);
        }
      }),
      { seed: 2026, numRuns: RUNS },
    );
    expect(rejected + accepted).toBe(RUNS);
    expect(store.rejections).toHaveLength(rejected);
    expect(rejected).toBeGreaterThan(RUNS * 0.6);
    for (const rejection of store.rejections) {
      expect(rejection.field.length).toBeGreaterThan(0);
      expect(rejection.message.length).toBeGreaterThan(3);
      expect(JSON.stringify(rejection)).not.toContain('张三');
    }
  });

  it(`answers ${RUNS.toLocaleString('en')} malformed outcome-API requests with 4xx and a reason, and resumes nothing`, async () => {
    const store = new MemoryFollowUpStore();
    const keys = { current: { id: 'k1', secret: 'fuzz-secret-key-0123456789' }, previous: [] };
    const followUpId = 'fu-0123456789abcdef0123456789abcdef';
    await store.create({
      followUpId,
      source: 'fuzz',
      serviceId: 'S',
      serviceType: 'vehicle-repair',
      round: 0,
      completedAt: now.toISOString(),
      customer: { id: 'C', name: 'n', phone: '+8613800138000' },
      status: 'scheduled',
      createdAt: now.toISOString(),
      attempts: [],
    });
    store.attempts.set(`${followUpId}#1`, { followUpId, attempt: 1, channel: 'phone', taskToken: 'token', openedAt: now.toISOString() });
    const valid = signLink({ followUpId, attempt: 1, purpose: 'agent', expiresAt: now.getTime() / 1000 + 3600 }, keys);
    const { workflow, calls } = recordingWorkflow();
    const complaints = { get: async () => undefined, useLink: async () => true } as unknown as ComplaintStore;
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.string(), fc.constant(valid), fc.constant(`${valid}x`), fc.constant(valid.replace(/.$/, 'A')), fc.base64String()),
        fc.constantFrom('GET', 'POST', 'PUT', 'DELETE'),
        fc.oneof(
          fc.constant(undefined),
          fc.dictionary(fc.string(), fc.anything()),
          fc.record(
            { result: fc.oneof(fc.string(), fc.anything()), answers: fc.anything(), callbackAt: fc.anything() },
            { requiredKeys: [] },
          ),
        ),
        async (token, method, body) => {
          const response = await handleLink(
            { method, token, body: body as Record<string, unknown> | undefined, wantsJson: true, action: '/links/x' },
            { config: policyConfig, store, limiter: { reserve: async (_c: string, at: Date) => at }, complaints, workflow, keys, now },
          );
          statuses.set(response.statusCode, (statuses.get(response.statusCode) ?? 0) + 1);
          const parsed = JSON.parse(response.body) as { code?: string; message?: string; purpose?: string };
          if (response.statusCode >= 400) expect(parsed.message?.length ?? 0).toBeGreaterThan(3);
          else expect(response.statusCode === 200 && (method === 'GET' || parsed.code === 'recorded')).toBe(true);
        },
      ),
      { seed: 2027, numRuns: RUNS },
    );
    // Only a well-formed submission on the one valid link resumed the workflow, once: the link is single-use.
    expect(calls.filter((c) => c.startsWith('complete:'))).toHaveLength(Math.min(1, calls.length));
    expect([...statuses.keys()].every((s) => [200, 400, 403, 405, 409, 410].includes(s))).toBe(true);
    expect(statuses.get(403)).toBeGreaterThan(100);
  });
});
