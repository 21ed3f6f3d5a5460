import { afterAll, describe, expect, it } from 'vitest';
import type { PolicyDocument } from '../../local/cloud/iam.js';
import { resourcesOfType, synthesizeTemplate } from '../../local/template.js';
import { at, idOf, serviceCompleted } from '../support/follow-up-fixtures.js';
import { Harness } from '../support/local-harness.js';

/**
 * What the review found, reproduced by the strict local cloud: a copy of today's template
 * without the Contact role's task-token grant, run end to end. (Its own file: handlers bind to
 * one local stack per process.)
 */
let h: Harness | undefined;
afterAll(async () => {
  await h?.stop();
});

describe('a grant removed from the template', () => {
  it("refuses Contact's answer to its own task token on the opt-out path with AccessDenied, as the deployed stack did", {
    timeout: 120_000,
  }, async () => {
    const copy = structuredClone(synthesizeTemplate());
    const [policyId, policy] = resourcesOfType(copy, 'AWS::IAM::Policy').find(([id]) => id.startsWith('FollowUpContactRole'))!;
    const statements = (policy.Properties!.PolicyDocument as PolicyDocument).Statement;
    const index = statements.findIndex((s) => JSON.stringify(s.Action).includes('states:SendTaskSuccess'));
    expect(index, policyId).toBeGreaterThanOrEqual(0);
    statements.splice(index, 1);
    h = await Harness.start(new Date('2026-11-20T08:00:00Z'), { template: copy });
    const detail = serviceCompleted(0);
    await h!.publish('Service Completed', detail);
    await h!.publish('Customer Opted Out', { customerId: detail.customer.id });
    await h!.runUntil(at(0, 4, '09:00'));
    // Contact's answer to its own token is refused as AWS refuses it, and the step fails.
    const denied = h!.cloud.iam.requestsSeen().filter((r) => !r.allowed);
    expect(denied).toEqual([
      expect.objectContaining({
        request: expect.objectContaining({
          action: 'states:SendTaskSuccess',
          resource: expect.stringMatching(/:stateMachine:\S+FollowUp$/),
        }),
      }),
    ]);
    await expect(h!.cloud.iam.authorize(denied[0]!.principal, denied[0]!.request)).rejects.toThrow(
      /^User: \S+FollowUpContact\S* is not authorized to perform: states:SendTaskSuccess on resource: /,
    );
    // The follow-up of a customer who opted out ends as a failed contact instead of "suppressed".
    expect((await h!.followUp(idOf(detail)))?.outcome).toMatchObject({
      status: 'failed',
      reason: 'contact-failed',
      error: 'AccessDeniedException',
    });
  });
});
