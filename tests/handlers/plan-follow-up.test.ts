import './setup-env.js';
import { describe, expect, it } from 'vitest';
import { plan } from '../../functions/plan-follow-up/plan.js';
import type { AttemptSummary, FollowUp } from '../../functions/shared/domain/follow-up.js';
import type { PlanDecision } from '../../functions/shared/domain/plan.js';
import { FakeWorkflow } from '../support/fake-channels.js';
import { storedFollowUp, storedFollowUpId } from '../support/follow-up-fixtures.js';
import { MemoryFollowUpStore } from '../support/memory-store.js';

/** Monday 2026-11-23 09:00 in Shanghai. */
const now = new Date('2026-11-23T01:00:00.400Z');
const id = storedFollowUpId;
const followUp: FollowUp = storedFollowUp({
  dueAt: '2026-11-23T01:00:00.000Z',
  deadline: '2026-11-24T10:00:00.000Z',
});

function setup() {
  const store = new MemoryFollowUpStore();
  store.followUps.set(id, structuredClone(followUp));
  const saved: { last?: AttemptSummary; decision: PlanDecision }[] = [];
  Object.assign(store, {
    savePlan: async (_id: string, last: AttemptSummary | undefined, decision: PlanDecision) => void saved.push({ last, decision }),
  });
  const reservations: string[] = [];
  const limiter = {
    reserve: async (channel: string, from: Date) => {
      reservations.push(`${channel}@${from.toISOString()}`);
      return new Date(Math.floor(from.getTime() / 1000) * 1000);
    },
  };
  return { store, saved, reservations, limiter };
}

describe('plan-follow-up handler', () => {
  it('keeps the slot a deferred contact was given instead of reserving a second one', async () => {
    const { store, reservations, limiter } = setup();
    const decision = await plan(
      { followUpId: id, attempt: 1, channel: 'phone', outcome: { result: 'deferred', callbackAt: '2026-11-23T01:00:03.000Z' } },
      { store, now, limiter, workflow: new FakeWorkflow() },
    );
    expect(decision).toMatchObject({
      action: 'contact',
      attempt: 2,
      channel: 'phone',
      dueAt: '2026-11-23T01:00:03.000Z',
      reservedSlot: '2026-11-23T01:00:03.000Z',
    });
    expect(reservations).toEqual([]);
  });

  it('falls back to email at once when the phone failed for good, recording why', async () => {
    const { store, saved, limiter } = setup();
    const contactError = {
      Error: 'PermanentContactError',
      Cause: JSON.stringify({ errorType: 'PermanentContactError', errorMessage: 'phone ResourceNotFoundException' }),
    };
    const decision = await plan(
      { followUpId: id, attempt: 1, channel: 'phone', contactError },
      { store, now, limiter, workflow: new FakeWorkflow() },
    );
    expect(decision).toMatchObject({ action: 'contact', attempt: 2, channel: 'email', dueAt: '2026-11-23T01:00:00.000Z' });
    expect(saved[0]!.last).toMatchObject({ attempt: 1, channel: 'phone', result: 'failed', error: 'phone:ResourceNotFoundException' });
  });

  it('finishes as failed when the last channel failed for good', async () => {
    const { store, limiter } = setup();
    const decision = await plan(
      { followUpId: id, attempt: 2, channel: 'email', contactError: { Error: 'PermanentContactError', Cause: 'email MessageRejected' } },
      { store, now, limiter, workflow: new FakeWorkflow() },
    );
    expect(decision).toEqual({
      followUpId: id,
      action: 'finish',
      status: 'failed',
      reason: 'contact-failed',
      error: 'email:MessageRejected',
    });
  });

  it('treats a timed-out contact as no answer, not as a failure', async () => {
    const { store, saved, limiter } = setup();
    await plan(
      {
        followUpId: id,
        attempt: 1,
        channel: 'phone',
        contactError: { Error: 'States.Timeout', Cause: 'no answer within the task timeout' },
      },
      { store, now, limiter, workflow: new FakeWorkflow() },
    );
    expect(saved[0]!.last).toMatchObject({ result: 'timeout' });
    expect(saved[0]!.last).not.toHaveProperty('error');
  });

  it('fails with FollowUpNotFound when the record is gone', async () => {
    const { limiter } = setup();
    await expect(
      plan({ followUpId: id }, { store: new MemoryFollowUpStore(), now, limiter, workflow: new FakeWorkflow() }),
    ).rejects.toMatchObject({
      name: 'FollowUpNotFound',
    });
  });
});
