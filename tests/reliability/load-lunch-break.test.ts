import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countBy } from '../../functions/shared/domain/count-by.js';
import { at, idOf, serviceCompleted } from '../support/follow-up-fixtures.js';
import { Harness } from '../support/local-harness.js';

/**
 * Contacts that do not fit before the calling window closes roll to the next window. A file of its
 * own, so its stack is not also busy with load.test.ts's burst retrying through the same day.
 */
let h: Harness;
beforeAll(async () => {
  h = await Harness.start(new Date('2026-11-20T08:00:00Z'));
});
afterAll(async () => {
  await h?.stop();
});

const minuteOf = (iso: string) => iso.slice(0, 16);

describe('load at the lunch break', () => {
  it('rolls what does not fit before the lunch break to the afternoon window', async () => {
    const details = Array.from({ length: 130 }, (_, i) =>
      serviceCompleted(
        1,
        { serviceType: 'urgent-repair', completedAt: at(1, 3, '09:59').replace('Z', '+00:00') },
        { id: `LUNCH-${i}`, email: undefined },
      ),
    );
    await h.runUntil(at(1, 3, '09:59'));
    for (const detail of details) await h.publish('Service Completed', detail);
    await h.runUntil(at(1, 3, '14:05'));
    const ids = new Set(details.map((d) => idOf(d)));
    const tasks = h.cloud.agentTasks.filter((t) => ids.has(t.attributes.followUpId ?? ''));
    expect(tasks).toHaveLength(130);
    // 11:59:00–11:59:59 holds 120 contacts at 2 a second; the other 10 wait for the 14:00 window.
    const counts = countBy(tasks, (t) => minuteOf(t.createdAt));
    expect(counts).toEqual({ [minuteOf(at(1, 3, '11:59'))]: 120, [minuteOf(at(1, 3, '14:00'))]: 10 });
  });
});
