import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { policyConfig } from '../../functions/shared/config/policies.js';
import { acceptServiceCompleted } from '../../functions/ingest-service-completed/intake.js';

const now = new Date('2026-11-20T08:00:00Z');
const event = (detail: unknown) => ({ id: 'e1', source: 'dms', 'detail-type': 'Service Completed', detail });
const good = { serviceId: 'RO-1', serviceType: 'urgent-repair', completedAt: '2026-11-20T15:00:00+08:00', customer: { id: 'C1', name: 'Ann', phone: '+8613800138000' } };

describe('acceptServiceCompleted', () => {
  it('turns one urgent repair into two follow-ups, one per round, with stable ids', () => {
    const intake = acceptServiceCompleted(event(good), policyConfig, now);
    expect(intake.ok).toBe(true);
    if (!intake.ok) return;
    expect(intake.followUps.map((f) => f.round)).toEqual([0, 1]);
    expect(acceptServiceCompleted(event(good), policyConfig, now)).toMatchObject({ followUps: intake.followUps });
  });
  it('tolerates 5 minutes of clock skew but not a completion in the future', () => {
    expect(acceptServiceCompleted(event({ ...good, completedAt: '2026-11-20T16:04:00+08:00' }), policyConfig, now).ok).toBe(true);
    expect(acceptServiceCompleted(event({ ...good, completedAt: '2026-11-20T16:06:00+08:00' }), policyConfig, now)).toMatchObject({ ok: false, rejection: { field: 'detail.completedAt' } });
  });
  it('rejects a bad envelope naming the field', () => {
    expect(acceptServiceCompleted({ source: 'x', 'detail-type': 'Service Completed', detail: good }, policyConfig, now)).toMatchObject({ ok: false, rejection: { field: 'id' } });
  });
  it('never throws and always names a field, whatever arrives', () => {
    fc.assert(
      fc.property(fc.anything(), (detail) => {
        const intake = acceptServiceCompleted(event(detail), policyConfig, now);
        return intake.ok || intake.rejection.field.startsWith('detail');
      }),
      { seed: 3, numRuns: 1000 },
    );
  });
});
