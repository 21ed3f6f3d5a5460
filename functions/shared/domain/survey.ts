import * as z from 'zod';
import type { Locale, Survey } from './policy-schema.js';

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
          ? z.coerce
              .number({ message: 'expected a score from 1 to 5' })
              .int('expected a whole score')
              .min(1, 'expected a score from 1 to 5')
              .max(5, 'expected a score from 1 to 5')
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

/** What is wrong with one question's answer, for a message that names the question by its text. */
export interface AnswerProblem {
  questionId: string;
  problem: 'missing' | 'invalid' | 'tooLong' | 'unknown';
}

/**
 * The first answer the schema refused, read against what was submitted: a required question
 * left blank is "missing", a value the question cannot take "invalid", a field the survey does
 * not ask "unknown".
 */
export function answerProblem(survey: Survey, issue: z.core.$ZodIssue, submitted: Record<string, unknown>): AnswerProblem {
  if (issue.code === 'unrecognized_keys') return { questionId: issue.keys[0] ?? '', problem: 'unknown' };
  const questionId = String(issue.path[0] ?? '');
  const question = survey.questions.find((q) => q.id === questionId);
  const value = submitted[questionId];
  if (!question) return { questionId, problem: 'unknown' };
  if (value === undefined || value === null || value === '') return { questionId, problem: 'missing' };
  if (question.kind === 'text' && issue.code === 'too_big') return { questionId, problem: 'tooLong' };
  return { questionId, problem: 'invalid' };
}

/** One answer as a reader sees it: the question's text and the answer in words. */
export interface ReadableAnswer {
  questionId: string;
  question: string;
  answer: string;
}

/**
 * Answers in the survey's order, each with its question's text; yes/no through `yesNo` (the
 * reader's words for them). An answer to a question the survey no longer asks is left out.
 */
export function readableAnswers(
  survey: Survey | undefined,
  answers: Record<string, unknown> | undefined,
  locale: Locale,
  yesNo: (value: 'yes' | 'no') => string,
): ReadableAnswer[] {
  if (!survey || !answers) return [];
  return survey.questions.flatMap((q) => {
    const value = answers[q.id];
    if (value === undefined || value === null || value === '') return [];
    const answer =
      q.kind === 'yesNo' && (value === 'yes' || value === 'no') ? yesNo(value) : q.kind === 'score' ? `${String(value)}/5` : String(value);
    return [{ questionId: q.id, question: q.text[locale], answer }];
  });
}
