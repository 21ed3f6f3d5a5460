import type { CustomerRef } from './domain/customer-key.js';
import { joinedToId } from './domain/merge.js';
import type { Channel } from './domain/policy-schema.js';
import type { FollowUpStore } from './ports/follow-up-store.js';
import { completeIfWaiting, type Workflow } from './ports/workflow.js';
import { logger } from './powertools.js';

export interface ReleaseDeps {
  store: Pick<FollowUpStore, 'releaseLead' | 'unjoin' | 'getWithAttempt' | 'settleJoined'>;
  workflow: Pick<Workflow, 'completeTask'>;
  now: Date;
}

/**
 * A shared contact (一事一扰) that was not made, went unanswered or failed gives back the matters it
 * carried: each waits for a contact again, its own at its due time or another that carries it. A
 * matter whose workflow already waits on the shared contact is released to contact at once
 * (`released`, the same attempt budget). Marking the lead released first stops late joiners.
 */
export async function releaseSharedContact(
  lead: { followUpId: string; attempt: number; channel: Channel },
  customer: CustomerRef,
  deps: ReleaseDeps,
): Promise<void> {
  const joined = await deps.store.releaseLead(lead.followUpId, lead.attempt);
  const joinedTo = joinedToId(lead.followUpId, lead.attempt);
  for (const matter of joined) {
    await deps.store.unjoin(customer, matter.followUpId, joinedTo);
    const { attempt } = await deps.store.getWithAttempt(matter.followUpId, matter.attempt);
    if (!attempt?.taskToken || attempt.usedAt) continue;
    const { settled, taskToken } = await deps.store.settleJoined(matter.followUpId, matter.attempt, {
      channel: lead.channel,
      result: 'released',
      usedAt: deps.now.toISOString(),
      joinedTo,
    });
    if (settled && taskToken) await completeIfWaiting(deps.workflow, taskToken, { result: 'released' });
  }
  if (joined.length > 0) logger.info('shared contact gave its matters back', { followUpId: lead.followUpId, matters: joined.length });
}
