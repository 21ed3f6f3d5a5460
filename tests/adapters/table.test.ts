import { describe, expect, it } from 'vitest';
import { expiryFor, isExpired, keys } from '../../functions/shared/adapters/table.js';

/** The table's keys are stored data: a change of spelling would orphan every item already written. */
describe('table keys', () => {
  it('spells the keys items are stored under', () => {
    expect(keys.followUp('fu-1')).toEqual({ pk: 'FU#fu-1', sk: 'META' });
    expect(keys.attempt('fu-1', 2)).toEqual({ pk: 'FU#fu-1', sk: 'ATTEMPT#002' });
    expect(keys.quarterContacts({ source: 'dealer.dms', id: 'C-1' }, '2026-Q4')).toEqual({
      pk: 'CUST#dealer.dms#C-1',
      sk: 'CONTACTS#2026-Q4',
    });
    expect(keys.rateSlot('phone', Date.parse('2026-11-23T01:00:00Z'))).toEqual({ pk: 'RATE#phone', sk: '2026-11-23T01:00:00.000Z' });
    expect(keys.notice('cmp-1', 2, 'email')).toEqual({ pk: 'COMPLAINT#cmp-1', sk: 'NOTICE#2#email' });
    expect(keys.reportDelivery('monthly/2026-10', 'a1b2')).toEqual({ pk: 'REPORTSENT#monthly/2026-10', sk: 'a1b2' });
    expect(keys.aggregateMarker('c-1', keys.aggregate('2026-11-03', 'vehicle-repair', '-', 0))).toEqual({
      pk: 'AGGMARK#c-1',
      sk: 'AGG#2026-11-03#vehicle-repair#-#0',
    });
  });

  it('sorts attempts in order as text', () => {
    const sortKeys = [10, 9, 100, 1].map((n) => keys.attempt('fu-1', n).sk);
    expect([...sortKeys].sort()).toEqual([1, 9, 10, 100].map((n) => keys.attempt('fu-1', n).sk));
  });

  it('cannot make two (source, id) pairs spell the same customer key', () => {
    expect(keys.customerPk({ source: 'a#b', id: 'c' })).not.toBe(keys.customerPk({ source: 'a', id: 'b#c' }));
  });

  it('expires an item after the retention period, and reads treat it as gone from then on', () => {
    const now = new Date('2026-11-25T00:00:00Z');
    const expiresAt = expiryFor(now, 760);
    expect(expiresAt).toBe(Date.parse('2028-12-24T00:00:00Z') / 1000);
    expect(isExpired({ expiresAt }, new Date(expiresAt * 1000 - 1))).toBe(false);
    expect(isExpired({ expiresAt }, new Date(expiresAt * 1000))).toBe(true);
    expect(isExpired({}, now)).toBe(false);
  });
});
