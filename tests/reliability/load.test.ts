import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { policyConfig } from '../../functions/shared/config/policies.js';
import { countBy } from '../../functions/shared/domain/count-by.js';
import { at, idOf, serviceCompleted } from '../support/follow-up-fixtures.js';
import { Harness } from '../support/local-harness.js';

/**
 * A burst of follow-ups falling due in the same minute is spread by the per-second contact slots,
 * so Amazon Connect's StartTaskContact stays within its quota (2/s): none lost, none doubled.
 * What does not fit before the calling window closes: load-lunch-break.test.ts. (`npm run bench`
 * runs 10,000; this keeps CI quick.)
 */
// More than one minute of slots (120 at 2 a second), so the burst spills into the next minutes.
const BURST = 130;
const perSecond = policyConfig.contactRates.phone.perSecond;
let h: Harness;
beforeAll(async () => {
  h = await Harness.start(new Date('2026-11-20T08:00:00Z'));
});
afterAll(async () => {
  await h?.stop();
});

const minuteOf = (iso: string) => iso.slice(0, 16);
const secondOf = (iso: string) => iso.slice(0, 19);
const spreadsTheBurst =
  `spreads ${BURST} follow-ups due at 09:00 over the following minutes, ` + `at most ${perSecond} a second, each contacted exactly once`;

describe('load', () => {
  it(spreadsTheBurst, async () => {
    const details = Array.from({ length: BURST }, (_, i) => serviceCompleted(0, {}, { id: `LOAD-${i}`, email: undefined }));
    await h.runUntil(at(0, 0, '16:00'));
    for (const detail of details) await h.publish('Service Completed', detail);
    await h.runUntil(at(0, 3, '09:10'));

    const tasks = h.cloud.agentTasks.filter((t) => t.attributes.followUpId);
    const ids = details.map((d) => idOf(d));
    expect(new Set(tasks.map((t) => t.attributes.followUpId))).toEqual(new Set(ids)); // none lost
    expect(tasks).toHaveLength(BURST); // none doubled
    const perSecondCounts = countBy(tasks, (t) => secondOf(t.createdAt));
    expect(Math.max(...Object.values(perSecondCounts))).toBe(perSecond);
    expect(Object.keys(perSecondCounts)).toHaveLength(BURST / perSecond); // 65 seconds: 09:00:00 to 09:01:04
    expect(Object.keys(countBy(tasks, (t) => minuteOf(t.createdAt))).sort()).toEqual([at(0, 3, '09:00'), at(0, 3, '09:01')].map(minuteOf));
    expect(h.peakContactRate().perSecond).toBe(perSecond);
    // Slots are reserved when the follow-ups are planned: every one waits for its second, no retries.
    expect(tasks.every((t) => t.attributes.attempt === '1')).toBe(true);
    expect(Math.max(...ids.map((id) => h.executionOf(id)!.transitions))).toBeLessThanOrEqual(6);
  });
});
