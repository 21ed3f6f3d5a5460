import { z } from 'zod';
import type { Survey } from './policy-schema.js';

export type Answer = 'yes' | 'no' | number | string;
export type Answers = Record<string, Answer>;

export interface Assessment {
  /** Score per satisfaction indicator (e.g. attitude: 4). */
  scores: Record<string, number>;
  complaint: boolean;
  /** The questions whose answers mean a complaint. */
  complaintQuestions: string[];
}

/** A zod schema for one survey's answers; form posts arrive as strings, so scores are coerced. */
export function answersSchema(survey: Survey, { requireAll }: { requireAll: boolean }) {
  const shape: Record<string, z.ZodType> = {};
  for (const q of survey.questions) {
    let field: z.ZodType =
      q.kind === 'yesNo'
        ? z.enum(['yes', 'no'], { message: 'expected yes or no' })
        : q.kind === 'score'
          ? z.coerce.number({ message: 'expected a score from 1 to 5' }).int('expected a whole score').min(1, 'expected a score from 1 to 5').max(5, 'expected a score from 1 to 5')
          : z.string().trim().max(2000, 'at most 2000 characters');
    if (!(requireAll && q.required)) field = field.optional();
    shape[q.id] = field;
  }
  return z.strictObject(shape);
}

export function assessAnswers(survey: Survey, answers: Answers): Assessment {
  const scores: Record<string, number> = {};
  const complaintQuestions: string[] = [];
  for (const q of survey.questions) {
    const answer = answers[q.id];
    if (answer === undefined || answer === '') continue;
    if (q.kind === 'score' && typeof answer === 'number') {
      scores[q.indicator] = answer;
      if (q.complaintAtOrBelow !== undefined && answer <= q.complaintAtOrBelow) complaintQuestions.push(q.id);
    }
    if (q.kind === 'yesNo' && q.complaintWhen !== undefined && answer === q.complaintWhen) complaintQuestions.push(q.id);
  }
  return { scores, complaint: complaintQuestions.length > 0, complaintQuestions };
}
