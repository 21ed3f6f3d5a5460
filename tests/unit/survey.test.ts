import { describe, expect, it } from 'vitest';
import { policyConfig } from '../../functions/shared/config/policies.js';
import { answersSchema, assessAnswers } from '../../functions/shared/domain/survey.js';

const utility = policyConfig.surveys.utility!;
const vehicle = policyConfig.surveys.vehicle!;

describe('survey answers', () => {
  it("feeds the gas utility's four indicators", () => {
    expect(assessAnswers(utility, { conduct: 5, attitude: 4, guidance: 3, speed: 2, fixed: 'yes' })).toEqual({
      scores: { conduct: 5, attitude: 4, guidance: 3, speed: 2 },
      complaint: false,
      complaintQuestions: [],
    });
  });
  it('marks a complaint from a low score or a complaint answer', () => {
    expect(assessAnswers(vehicle, { overall: 2, explained: 'yes', wantsComplaint: 'no' })).toMatchObject({
      complaint: true,
      complaintQuestions: ['overall'],
    });
    expect(assessAnswers(utility, { conduct: 5, attitude: 5, guidance: 5, speed: 5, fixed: 'no' })).toMatchObject({
      complaint: true,
      complaintQuestions: ['fixed'],
    });
  });
  it('validates a submission and names the question', () => {
    const schema = answersSchema(vehicle, { requireAll: true });
    expect(schema.safeParse({ overall: '4', explained: 'yes', wantsComplaint: 'no' }).data).toMatchObject({ overall: 4 });
    const missing = schema.safeParse({ overall: 4, wantsComplaint: 'no' });
    expect(missing.error?.issues[0]?.path).toEqual(['explained']);
    expect(schema.safeParse({ overall: 9, explained: 'yes', wantsComplaint: 'no' }).error?.issues[0]?.message).toContain('1 to 5');
    expect(schema.safeParse({ overall: 4, explained: 'yes', wantsComplaint: 'no', extra: 1 }).success).toBe(false);
  });
});
