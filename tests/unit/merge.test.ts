import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { policyConfig } from '../../functions/shared/config/policies.js';
import { joinableMatters, type PendingContact, STAGGER_MS, staggeredDue } from '../../functions/shared/domain/merge.js';
import type { Channel } from '../../functions/shared/domain/policy-schema.js';

/** Tuesday 2026-12-01 11:00 in Shanghai: inside the repairs' calling hours. */
const now = new Date('2026-12-01T03:00:00Z');
const HOUR = 3_600_000;
const lead = { followUpId: 'fu-lead', joinedTo: 'fu-lead#1', channel: 'phone' as Channel, timeoutSeconds: 8 * 3600 };

const matter = (id: string, dueInHours: number, deadlineInHours: number, extra: Partial<PendingContact> = {}): PendingContact => ({
  followUpId: id,
  attempt: 1,
  serviceType: 'vehicle-repair',
  dueAt: new Date(now.getTime() + dueInHours * HOUR).toISOString(),
  deadline: new Date(now.getTime() + deadlineInHours * HOUR).toISOString(),
  channel: 'phone',
  ...extra,
});

describe('joinableMatters', () => {
  it('carries matters due within the window, earliest first, up to maxMatters in all', () => {
    const pending = [matter('fu-c', 30, 100), matter('fu-b', 2, 100), matter('fu-d', 40, 100), matter('fu-lead', 0, 50)];
    expect(joinableMatters(lead, pending, policyConfig, now).map((m) => m.followUpId)).toEqual(['fu-b', 'fu-c']);
  });

  it('leaves a matter due after the window, on another channel, joined elsewhere, contacting, or of an unknown type', () => {
    const pending = [
      matter('fu-late', 49, 100),
      matter('fu-email', 1, 100, { channel: 'email' }),
      matter('fu-joined', 1, 100, { joinedTo: 'fu-other#2' }),
      matter('fu-calling', 1, 100, { contactingAt: now.toISOString() }),
      matter('fu-unknown', 1, 100, { serviceType: 'no-such-type' }),
    ];
    expect(joinableMatters(lead, pending, policyConfig, now)).toEqual([]);
  });

  it('keeps a matter it joined before a repeated step', () => {
    const pending = [matter('fu-mine', 1, 100, { joinedTo: 'fu-lead#1', contactingAt: undefined })];
    expect(joinableMatters(lead, pending, policyConfig, now).map((m) => m.followUpId)).toEqual(['fu-mine']);
  });

  it('never carries a text: a text holds one survey link and one reply', () => {
    expect(joinableMatters({ ...lead, channel: 'sms' }, [matter('fu-b', 1, 100, { channel: 'sms' })], policyConfig, now)).toEqual([]);
  });

  it('never carries a matter whose deadline comes before the shared contact can have been answered', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ due: fc.integer({ min: 0, max: 72 }), deadline: fc.integer({ min: 0, max: 200 }) }), { maxLength: 8 }),
        fc.integer({ min: 60, max: 3 * 86_400 }),
        (specs, timeoutSeconds) => {
          const pending = specs.map((s, i) => matter(`fu-${i}`, s.due, s.deadline));
          const joined = joinableMatters({ ...lead, timeoutSeconds }, pending, policyConfig, now);
          expect(joined.length).toBeLessThanOrEqual(policyConfig.merging.maxMatters - 1);
          for (const m of joined) {
            expect(Date.parse(m.deadline)).toBeGreaterThan(now.getTime() + timeoutSeconds * 1000);
            expect(Date.parse(m.dueAt)).toBeLessThanOrEqual(now.getTime() + 48 * HOUR);
          }
        },
      ),
      { seed: 20261126, numRuns: 300 },
    );
  });

  it('turns merging off with maxMatters 1', () => {
    const off = { ...policyConfig, merging: { ...policyConfig.merging, maxMatters: 1 } };
    expect(joinableMatters(lead, [matter('fu-b', 1, 100)], off, now)).toEqual([]);
  });
});

describe('staggeredDue', () => {
  const always = () => true;
  const mine = { followUpId: 'fu-b', channel: 'phone' as Channel, dueAt: now.toISOString(), deadline: '2026-12-09T00:00:00.000Z' };

  it('puts a matter due at the same moment as another one minute behind it', () => {
    expect(staggeredDue(mine, [matter('fu-a', 0, 100)], always)).toBe(new Date(now.getTime() + STAGGER_MS).toISOString());
  });

  it('leaves it when nothing else is due then, the other is on another channel, or the minute would pass its deadline', () => {
    expect(staggeredDue(mine, [matter('fu-a', 2, 100)], always)).toBe(mine.dueAt);
    expect(staggeredDue(mine, [matter('fu-a', 0, 100, { channel: 'email' })], always)).toBe(mine.dueAt);
    expect(staggeredDue({ ...mine, deadline: now.toISOString() }, [matter('fu-a', 0, 100)], always)).toBe(mine.dueAt);
    expect(staggeredDue(mine, [matter('fu-a', 0, 100)], () => false)).toBe(mine.dueAt);
  });

  it('never moves a matter earlier, and never more than a minute', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -120, max: 120 }), { maxLength: 6 }), (offsets) => {
        const pending = offsets.map((s, i) => ({ ...matter(`fu-${i}`, 0, 100), dueAt: new Date(now.getTime() + s * 1000).toISOString() }));
        const due = Date.parse(staggeredDue(mine, pending, always));
        expect(due).toBeGreaterThanOrEqual(now.getTime());
        expect(due - now.getTime()).toBeLessThanOrEqual(STAGGER_MS);
      }),
      { seed: 7, numRuns: 300 },
    );
  });
});
