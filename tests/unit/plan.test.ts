import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { policyConfig } from '../../functions/shared/config/policies.js';
import { type FollowUp, followUpIdFor, samplingDraw } from '../../functions/shared/domain/follow-up.js';
import { type AttemptOutcome, nextAttempt, planFollowUp } from '../../functions/shared/domain/plan.js';

function followUp(overrides: Partial<FollowUp> = {}): FollowUp {
  return {
    followUpId: followUpIdFor('dms', 'vehicle-repair', 'RO-1', 0),
    source: 'dms',
    serviceId: 'RO-1',
    serviceType: 'vehicle-repair',
    round: 0,
    completedAt: '2026-11-20T07:00:00.000Z', // Friday 15:00 Shanghai
    customer: { id: 'C1', name: 'Ann', phone: '+8613800138000', email: 'ann@example.com' },
    status: 'scheduled',
    createdAt: '2026-11-20T07:00:00.000Z',
    attempts: [],
    ...overrides,
  };
}
const now = new Date('2026-11-20T08:00:00Z');
const facts = { now, optedOut: false, contactsThisQuarter: 0 };

describe('planFollowUp', () => {
  it('plans a repair for Monday 09:00 by phone, on time within 3 working days (Wednesday 20:00)', () => {
    expect(planFollowUp(followUp(), policyConfig, facts)).toEqual({
      action: 'contact',
      attempt: 1,
      channel: 'phone',
      dueAt: '2026-11-23T01:00:00.000Z',
      deadline: '2026-11-25T12:00:00.000Z',
      timeoutSeconds: 8 * 3600,
    });
  });
  it('suppresses an opted-out customer before anything else', () => {
    expect(planFollowUp(followUp(), policyConfig, { ...facts, optedOut: true })).toMatchObject({
      action: 'finish',
      status: 'suppressed',
      reason: 'opted-out',
    });
  });
  it('skips a routine follow-up at the quarterly cap but not an exempt complaint follow-up', () => {
    expect(planFollowUp(followUp(), policyConfig, { ...facts, contactsThisQuarter: 2 })).toMatchObject({
      status: 'skipped',
      reason: 'frequency-cap',
    });
    expect(
      planFollowUp(followUp({ serviceType: 'complaint-resolved-major' }), policyConfig, { ...facts, contactsThisQuarter: 5 }),
    ).toMatchObject({ action: 'contact' });
  });
  it('starts with email when the customer has no phone', () => {
    expect(planFollowUp(followUp({ customer: { id: 'C1', name: 'Ann', email: 'a@example.com' } }), policyConfig, facts)).toMatchObject({
      channel: 'email',
    });
  });
  it('uses the customer time zone for calling hours', () => {
    const decision = planFollowUp(
      followUp({ customer: { id: 'C1', name: 'Ann', phone: '+441234567890', timeZone: 'Europe/London' } }),
      policyConfig,
      facts,
    );
    expect(decision).toMatchObject({ dueAt: '2026-11-23T09:00:00.000Z' });
  });
  it('samples gas repairs by a stable draw: about 20% over many services', () => {
    const sampled = Array.from({ length: 2000 }, (_, i) =>
      followUp({ followUpId: followUpIdFor('gas', 'gas-repair', `J${i}`, 0), serviceType: 'gas-repair' }),
    ).filter((f) => planFollowUp(f, policyConfig, facts).action === 'contact').length;
    expect(sampled / 2000).toBeGreaterThan(0.17);
    expect(sampled / 2000).toBeLessThan(0.23);
  });
  it('never samples out a 100% policy, whatever the draw', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 20 }), (serviceId) => {
        const id = followUpIdFor('h', 'hospital-discharge', serviceId, 0);
        return (
          samplingDraw(id) < 1 &&
          planFollowUp(followUp({ followUpId: id, serviceType: 'hospital-discharge' }), policyConfig, facts).action === 'contact'
        );
      }),
      { seed: 7, numRuns: 200 },
    );
  });
});

describe('nextAttempt', () => {
  const planned = followUp({ deadline: '2026-11-23T07:00:00.000Z' });
  const at = new Date('2026-11-23T01:10:00Z'); // Monday 09:10 Shanghai
  const outcome = (attempt: number, channel: 'phone' | 'email', result: AttemptOutcome['result'], callbackAt?: string): AttemptOutcome => ({
    attempt,
    channel,
    result,
    callbackAt,
  });

  it('retries the same channel after the policy pause, inside calling hours', () => {
    const last = outcome(1, 'phone', 'busy');
    expect(nextAttempt(planned, policyConfig, [last], last, at)).toMatchObject({
      action: 'contact',
      attempt: 2,
      channel: 'phone',
      dueAt: '2026-11-23T06:00:00.000Z',
    });
  });
  it('falls back to email after the last phone attempt, and gives up after email', () => {
    const history = [outcome(1, 'phone', 'no_answer'), outcome(2, 'phone', 'timeout'), outcome(3, 'phone', 'busy')];
    expect(nextAttempt(planned, policyConfig, history, history[2]!, at)).toMatchObject({
      channel: 'email',
      attempt: 4,
      dueAt: at.toISOString(),
    });
    const after = [...history, outcome(4, 'email', 'timeout')];
    expect(nextAttempt(planned, policyConfig, after, after[3]!, at)).toEqual({
      action: 'finish',
      status: 'unreachable',
      reason: 'attempts-exhausted',
    });
  });
  it('falls back at once on a wrong number', () => {
    const last = outcome(1, 'phone', 'wrong_number');
    expect(nextAttempt(planned, policyConfig, [last], last, at)).toMatchObject({ channel: 'email' });
  });
  it('calls back at the agreed time without using up the unanswered-call budget', () => {
    const history = [
      outcome(1, 'phone', 'no_answer'),
      outcome(2, 'phone', 'no_answer'),
      outcome(3, 'phone', 'call_back', '2026-11-23T11:00:00Z'),
    ];
    expect(nextAttempt(planned, policyConfig, history, history[2]!, at)).toMatchObject({
      channel: 'phone',
      attempt: 4,
      dueAt: '2026-11-23T11:00:00.000Z',
    });
  });
  it('stops honouring call-back requests after maxCallbacks', () => {
    const history = [1, 2, 3].map((n) => outcome(n, 'phone', 'call_back', '2026-11-23T11:00:00Z'));
    // Treated as unanswered instead: 09:10 + 3 h falls in the lunch break, so 14:00.
    expect(nextAttempt(planned, policyConfig, history, history[2]!, at)).toMatchObject({
      channel: 'phone',
      attempt: 4,
      dueAt: '2026-11-23T06:00:00.000Z',
    });
  });
});
