import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { policyConfig } from '../../functions/shared/config/policies.js';
import { answersFromScore, readSmsReply } from '../../functions/shared/domain/sms-reply.js';

describe('reading a reply to a survey text', () => {
  it('reads a score 1–5, with full-width digits, "分" and punctuation', () => {
    expect(readSmsReply('5')).toEqual({ kind: 'score', score: 5 });
    expect(readSmsReply(' ４ ')).toEqual({ kind: 'score', score: 4 });
    expect(readSmsReply('3分。')).toEqual({ kind: 'score', score: 3 });
    expect(readSmsReply('1!')).toEqual({ kind: 'score', score: 1 });
  });

  it('reads the opt-out keywords of carriers and of the mainland, in any case', () => {
    for (const word of ['TD', 'td', 'Ｔｄ', 'T', '退订', 'STOP', 'stop.', 'Unsubscribe', 'QUIT']) {
      expect(readSmsReply(word)).toEqual({ kind: 'opt-out' });
    }
  });

  it('reads HELP and 帮助 as a request for help', () => {
    expect(readSmsReply('help')).toEqual({ kind: 'help' });
    expect(readSmsReply('帮助')).toEqual({ kind: 'help' });
  });

  it('does not understand anything else: 0, 6, 10, sentences', () => {
    for (const text of ['0', '6', '10', '55', '', 'thanks', '很好', 'stop calling me'])
      expect(readSmsReply(text)).toEqual({ kind: 'unknown' });
  });

  it('gives a score only for a lone digit 1–5', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 8 }), (text) => {
        const reply = readSmsReply(text);
        if (reply.kind === 'score') expect(reply.score).toBe(Number(text.normalize('NFKC').match(/[1-5]/)![0]));
      }),
    );
  });

  it('records a score as the survey’s score question', () => {
    const survey = policyConfig.surveys[policyConfig.policies['vehicle-repair']!.survey]!;
    expect(answersFromScore(survey, 4)).toEqual({ overall: 4 });
  });
});
