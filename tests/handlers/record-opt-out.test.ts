import './setup-env.js';
import { describe, expect, it } from 'vitest';
import { recordOptOut } from '../../functions/record-opt-out/record-opt-out.js';
import { MemoryFollowUpStore } from '../support/memory-store.js';

const now = new Date('2026-11-20T08:00:00Z');
const event = (detail: unknown) => ({ id: 'evt-9', source: 'crm.app', 'detail-type': 'Customer Opted Out', detail });
const storeWithOptOuts = () => {
  const store = new MemoryFollowUpStore();
  const optOuts: unknown[][] = [];
  store.optOut = async (...args: unknown[]) => void optOuts.push(args);
  return { store, optOuts };
};

describe('record-opt-out handler', () => {
  it('records the opt-out of an event carrying fields it does not know', async () => {
    const { store, optOuts } = storeWithOptOuts();
    expect(await recordOptOut(event({ customerId: 'C-7', channel: 'sms', reason: 'moved away' }), { store, now })).toEqual({
      status: 'recorded',
    });
    expect(optOuts).toEqual([[{ source: 'crm.app', id: 'C-7' }, now.toISOString(), undefined]]);
    expect(store.rejections).toEqual([]);
  });

  it('rejects an opt-out without its customer id, recording the field and the reason', async () => {
    const { store, optOuts } = storeWithOptOuts();
    expect(await recordOptOut(event({ customer: 'C-7' }), { store, now })).toEqual({ status: 'rejected', field: 'detail.customerId' });
    expect(optOuts).toEqual([]);
    expect(store.rejections).toEqual([
      expect.objectContaining({
        eventId: 'evt-9',
        source: 'crm.app',
        detailType: 'Customer Opted Out',
        field: 'detail.customerId',
        reason: 'field-required',
        receivedAt: now.toISOString(),
      }),
    ]);
  });

  it('rejects an opt-out whose until is no time, naming it', async () => {
    const { store } = storeWithOptOuts();
    expect(await recordOptOut(event({ customerId: 'C-7', until: 'next spring' }), { store, now })).toEqual({
      status: 'rejected',
      field: 'detail.until',
    });
    expect(store.rejections[0]).toMatchObject({ reason: 'not-iso-time' });
  });
});
