import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { acceptServiceCompleted } from '../../functions/ingest-service-completed/intake.js';
import { policyConfig } from '../../functions/shared/config/policies.js';

const now = new Date('2026-11-20T08:00:00Z');
const event = (detail: unknown) => ({ id: 'e1', source: 'dms', 'detail-type': 'Service Completed', detail });
const good = {
  serviceId: 'RO-1',
  serviceType: 'urgent-repair',
  completedAt: '2026-11-20T15:00:00+08:00',
  customer: { id: 'C1', name: 'Ann', phone: '+8613800138000' },
};

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
    expect(acceptServiceCompleted(event({ ...good, completedAt: '2026-11-20T16:06:00+08:00' }), policyConfig, now)).toMatchObject({
      ok: false,
      rejection: { field: 'detail.completedAt' },
    });
  });
  it('rejects a bad envelope naming the field', () => {
    expect(acceptServiceCompleted({ source: 'x', 'detail-type': 'Service Completed', detail: good }, policyConfig, now)).toMatchObject({
      ok: false,
      rejection: { field: 'id' },
    });
  });
  it('names a missing required field as required', () => {
    const { serviceId: _, ...withoutId } = good;
    expect(acceptServiceCompleted(event(withoutId), policyConfig, now)).toMatchObject({
      ok: false,
      rejection: { field: 'detail.serviceId', reason: 'field-required' },
    });
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

const repair = {
  serviceId: 'RO-2',
  serviceType: 'vehicle-repair',
  completedAt: '2026-11-20T15:00:00+08:00',
  customer: { id: 'C2', name: 'Ann', phone: '+8613800138000', email: 'ann@example.com' },
};

describe('fields upstream systems add', () => {
  it('ignores an unknown field at the top of the detail', () => {
    const intake = acceptServiceCompleted(event({ ...repair, vin: 'LSVAU2180N2183294' }), policyConfig, now);
    expect(intake).toMatchObject({ ok: true, warnings: [] });
    if (intake.ok) expect(intake.detail).not.toHaveProperty('vin');
  });
  it('ignores an unknown field inside the customer, and does not store it on the follow-up', () => {
    const intake = acceptServiceCompleted(
      event({ ...repair, customer: { ...repair.customer, loyaltyTier: 'gold', address: { city: '上海' } } }),
      policyConfig,
      now,
    );
    expect(intake.ok).toBe(true);
    if (!intake.ok) return;
    expect(intake.followUps[0]!.customer).toEqual(repair.customer);
  });
  it('ignores unknown fields of the envelope', () => {
    expect(acceptServiceCompleted({ ...event(repair), account: '1', region: 'cn-north-1', 'replay-name': 'x' }, policyConfig, now).ok).toBe(
      true,
    );
  });
  it('still rejects a known field with a wrong value, naming it', () => {
    expect(acceptServiceCompleted(event({ ...repair, reworkCount: 'twice', vin: 'x' }), policyConfig, now)).toMatchObject({
      ok: false,
      rejection: { field: 'detail.reworkCount', reason: 'wrong-type' },
    });
  });
});

describe('contact fields that cannot be used', () => {
  it('drops an unusable email when the phone is good: accepted, phone only, with a warning naming the field', () => {
    const intake = acceptServiceCompleted(
      event({ ...repair, customer: { ...repair.customer, email: 'ann at example' } }),
      policyConfig,
      now,
    );
    expect(intake).toMatchObject({ ok: true, warnings: [{ field: 'detail.customer.email', reason: 'not-email' }] });
    if (!intake.ok) return;
    expect(intake.followUps[0]!.customer).toEqual({ id: 'C2', name: 'Ann', phone: '+8613800138000' });
  });
  it('drops an unusable phone when the email is good: accepted, email only, with a warning', () => {
    const intake = acceptServiceCompleted(event({ ...repair, customer: { ...repair.customer, phone: '12' } }), policyConfig, now);
    expect(intake).toMatchObject({ ok: true, warnings: [{ field: 'detail.customer.phone', reason: 'not-phone' }] });
    if (!intake.ok) return;
    expect(intake.followUps[0]!.customer).toEqual({ id: 'C2', name: 'Ann', email: 'ann@example.com' });
  });
  it("rejects the event when both are unusable, naming the policy's first channel and why", () => {
    const intake = acceptServiceCompleted(
      event({ ...repair, customer: { ...repair.customer, phone: 'call me', email: 42 } }),
      policyConfig,
      now,
    );
    expect(intake).toMatchObject({ ok: false, rejection: { field: 'detail.customer.phone', reason: 'not-phone' } });
  });
  it('rejects a phone-only policy whose phone is unusable even when the email is good', () => {
    const intake = acceptServiceCompleted(
      event({ ...good, customer: { id: 'C1', name: 'Ann', phone: 'n/a', email: 'ann@example.com' } }),
      policyConfig,
      now,
    );
    expect(intake).toMatchObject({ ok: false, rejection: { field: 'detail.customer.phone', reason: 'not-phone' } });
  });
  it('keeps the meaning of no usable channel when neither is given: rejected, naming the channels the policy uses', () => {
    const intake = acceptServiceCompleted(
      event({ ...repair, customer: { id: 'C2', name: 'Ann', email: '', phone: null } }),
      policyConfig,
      now,
    );
    expect(intake).toMatchObject({
      ok: false,
      rejection: { field: 'detail.customer.phone', reason: 'no-usable-channel', params: { channels: 'phone,email' } },
    });
  });
  it('warns about an unusable email on a phone-only policy and goes on by phone', () => {
    const intake = acceptServiceCompleted(event({ ...good, customer: { ...good.customer, email: 'nope' } }), policyConfig, now);
    expect(intake).toMatchObject({ ok: true, warnings: [{ field: 'detail.customer.email', reason: 'not-email' }] });
  });
  it('keeps no personal data in a rejection or a warning', () => {
    const personal = { id: 'C3', name: '李雷', phone: '138-bad', email: 'lilei@@example.com' };
    const rejected = acceptServiceCompleted(event({ ...repair, customer: personal }), policyConfig, now);
    const warned = acceptServiceCompleted(event({ ...repair, customer: { ...personal, phone: '+8613912345678' } }), policyConfig, now);
    const kept = JSON.stringify([rejected.ok ? undefined : rejected.rejection, warned.ok ? warned.warnings : undefined]);
    expect(kept).toContain('detail.customer');
    for (const value of ['李雷', '138-bad', 'lilei@@example.com', '+8613912345678']) expect(kept).not.toContain(value);
  });
});
