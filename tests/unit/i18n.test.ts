import { describe, expect, it } from 'vitest';
import { catalogues, codeLabel, formatDateTime, missingKeys, translator } from '../../functions/shared/i18n/index.js';

function keysOf(value: unknown, prefix = ''): string[] {
  if (typeof value !== 'object' || value === null) return [prefix];
  return Object.entries(value).flatMap(([key, inner]) => keysOf(inner, prefix ? `${prefix}.${key}` : key));
}

describe('message catalogues', () => {
  it('hold the same keys in every locale, none of them empty', () => {
    const zh = keysOf(catalogues['zh-CN']).sort();
    const en = keysOf(catalogues.en).sort();
    expect(
      zh.filter((k) => !en.includes(k)),
      'in zh-CN.json only',
    ).toEqual([]);
    expect(
      en.filter((k) => !zh.includes(k)),
      'in en.json only',
    ).toEqual([]);
    for (const locale of ['zh-CN', 'en'] as const) {
      const t = translator(locale);
      for (const key of en) expect(t(key as never), `${locale}: ${key}`).not.toBe('');
    }
  });

  it('interpolates without escaping (pages escape, plain text must not)', () => {
    expect(translator('en')('web.sent')).toBe('Event sent');
    expect(codeLabel('zh-CN', 'result', 'no_answer')).toBe('无人接听');
  });

  it('records a code no catalogue knows instead of failing the page', () => {
    expect(codeLabel('en', 'result', 'teleported')).toBe('teleported');
    expect(missingKeys()).toContain('codes.result.teleported');
  });

  it('formats a moment in the reader zone and language', () => {
    expect(formatDateTime('2026-11-26T01:30:00Z', 'zh-CN', 'Asia/Shanghai')).toBe('2026年11月26日 09:30');
    expect(formatDateTime('2026-11-26T01:30:00Z', 'en', 'Asia/Shanghai')).toBe('26 Nov 2026, 09:30');
  });
});
