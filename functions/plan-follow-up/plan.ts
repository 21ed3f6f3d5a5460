import * as z from 'zod';
import { type PlanningDeps, type PlanOutput, planAfterAttempt, planFirstContact } from '../shared/attempt-planning.js';
import { FollowUpNotFound } from '../shared/domain/errors.js';
import { contactResults } from '../shared/domain/follow-up.js';
import { channelSchema } from '../shared/domain/policy-schema.js';

/** The workflow state Plan receives: the start input, or the previous plan with its contact's outcome. */
export const planInputSchema = z.object({
  followUpId: z.string().min(1),
  attempt: z.number().int().min(1).optional(),
  channel: channelSchema.optional(),
  outcome: z.object({ result: z.enum(contactResults), callbackAt: z.string().optional() }).optional(),
  reservedSlot: z.string().nullish(),
  /**
   * Present when the contact step failed: States.Timeout (nobody answered in time), or an error
   * no retry fixed (PermanentContactError, a Lambda timeout, …), as the Catch hands it over.
   */
  contactError: z.object({ Error: z.string().optional(), Cause: z.string().optional() }).optional(),
});
export type PlanInput = z.infer<typeof planInputSchema>;

/** Plan may complete a task token: a shared contact it gives back releases a matter already waiting on it. */
export type PlanDeps = PlanningDeps;

/** plan: the follow-up's first contact, or after a contact's outcome the next attempt (or the end). */
export async function plan(input: PlanInput, deps: PlanDeps): Promise<PlanOutput> {
  const { store } = deps;
  const { followUp, attempt: lastRecord } =
    input.attempt === undefined
      ? { followUp: await store.get(input.followUpId), attempt: undefined }
      : await store.getWithAttempt(input.followUpId, input.attempt);
  if (!followUp) throw new FollowUpNotFound(input.followUpId);

  // Intake plans the first contact; an execution started without that plan gets it here.
  if (input.attempt === undefined || input.channel === undefined) return planFirstContact(followUp, deps);

  return planAfterAttempt({ ...input, attempt: input.attempt, channel: input.channel }, deps, { followUp, attempt: lastRecord });
}
