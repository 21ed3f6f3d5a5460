import type { Survey } from './policy-schema.js';

/**
 * What a customer's reply to a survey text says. Replies are short and typed on a phone: full-width
 * digits and letters (Chinese keyboards) are folded to ASCII, case and surrounding punctuation do not
 * matter. Opt-out keywords are the carriers' (STOP, UNSUBSCRIBE, CANCEL, END, QUIT, STOPALL) and the
 * mainland's (TD, T, 退订); HELP and 帮助 ask for the help text; a single 1–5 (optionally "分") is
 * the score. Anything else is not understood and changes nothing.
 */
export type SmsReply = { kind: 'score'; score: number } | { kind: 'opt-out' } | { kind: 'help' } | { kind: 'unknown' };

const OPT_OUT = new Set(['TD', 'T', '退订', 'STOP', 'STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT']);
const HELP = new Set(['HELP', 'INFO', '帮助']);

export function readSmsReply(body: string): SmsReply {
  const text = body
    .normalize('NFKC')
    .trim()
    .replace(/^[\s"'“”‘’]+|[\s.!?。！？"'“”‘’]+$/gu, '')
    .toUpperCase();
  if (OPT_OUT.has(text)) return { kind: 'opt-out' };
  if (HELP.has(text)) return { kind: 'help' };
  const score = /^([1-5])\s*分?$/u.exec(text);
  return score ? { kind: 'score', score: Number(score[1]) } : { kind: 'unknown' };
}

/** A score reply as the survey's answers: the first score question gets it (the one a text asks). */
export function answersFromScore(survey: Survey, score: number): Record<string, number> | undefined {
  const question = survey.questions.find((q) => q.kind === 'score');
  return question ? { [question.id]: score } : undefined;
}

/**
 * End User Messaging's final event types for a text that never reached the handset: the attempt
 * failed and the follow-up moves to its next channel at once instead of waiting for the response
 * timeout. TEXT_DELIVERED, TEXT_SUCCESSFUL and the pending types change nothing.
 */
export const UNDELIVERED_TEXT_EVENTS = [
  'TEXT_BLOCKED',
  'TEXT_CARRIER_BLOCKED',
  'TEXT_CARRIER_UNREACHABLE',
  'TEXT_INVALID',
  'TEXT_INVALID_MESSAGE',
  'TEXT_PROTECT_BLOCKED',
  'TEXT_SPAM',
  'TEXT_TTL_EXPIRED',
  'TEXT_UNREACHABLE',
  'TEXT_UNKNOWN',
] as const;
