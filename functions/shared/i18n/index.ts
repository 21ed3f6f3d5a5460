import i18next, { type TFunction } from 'i18next';
import { DateTime } from 'luxon';
import type { Locale } from '../domain/policy-schema.js';
import en from './en.json' with { type: 'json' };
import zhCN from './zh-CN.json' with { type: 'json' };

/**
 * Every word a person reads — pages, emails, reports — comes from one catalogue per locale
 * (zh-CN.json, en.json). Keys are type-checked against en.json (see the declaration below), and
 * tests/unit/i18n.test.ts fails when the two catalogues do not hold the same keys.
 */
declare module 'i18next' {
  interface CustomTypeOptions {
    defaultNS: 'translation';
    resources: { translation: typeof en };
  }
}

export const catalogues = { 'zh-CN': zhCN, en } as const;

const missing = new Set<string>();

const instance = i18next.createInstance();
// Resources are bundled, so initialisation is synchronous: no t() call can run before it.
void instance.init({
  initAsync: false,
  resources: { 'zh-CN': { translation: zhCN }, en: { translation: en } },
  lng: 'zh-CN',
  fallbackLng: false,
  supportedLngs: ['zh-CN', 'en'],
  // Pages escape through hono's html template; plain-text emails must not carry HTML entities.
  interpolation: { escapeValue: false },
  returnNull: false,
  parseMissingKeyHandler: (key: string) => {
    missing.add(key);
    return key;
  },
});

export type Translate = TFunction<'translation', undefined>;

/** The translate function of one locale. */
export function translator(locale: Locale): Translate {
  return instance.getFixedT(locale);
}

/** Keys asked for that no catalogue holds (tests assert this stays empty after rendering pages). */
export function missingKeys(): string[] {
  return [...missing];
}

export type CodeGroup = keyof (typeof en)['codes'];

/**
 * A stored code (a status, a result, a severity…) as words. An unknown code is recorded as a
 * missing key and shown as it is, so a page never breaks over a value added later.
 */
export function codeLabel(locale: Locale, group: CodeGroup, code: string): string {
  const labels = catalogues[locale].codes[group] as Record<string, string>;
  const label = labels[code];
  if (label !== undefined) return label;
  missing.add(`codes.${group}.${code}`);
  return code;
}

/** A moment as the reader sees it: in their zone, in their locale's format, with the zone when it is not theirs. */
export function formatDateTime(iso: string | Date | undefined, locale: Locale, zone: string): string {
  if (!iso) return '—';
  const at = (typeof iso === 'string' ? DateTime.fromISO(iso) : DateTime.fromJSDate(iso)).setZone(zone).setLocale(locale);
  if (!at.isValid) return '—';
  return locale === 'zh-CN' ? at.toFormat('yyyy年M月d日 HH:mm') : at.toFormat('d LLL yyyy, HH:mm');
}
