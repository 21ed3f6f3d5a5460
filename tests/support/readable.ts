import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import { policyConfig } from '../../functions/shared/config/policies.js';
import type { Locale } from '../../functions/shared/domain/policy-schema.js';
import { catalogues, missingKeys } from '../../functions/shared/i18n/index.js';

/** Where browser tests leave a screenshot of every page they check, for a reviewer to look at. */
export const SCREENSHOT_DIR = path.join('test-output', 'screenshots');

/** Codes the system stores: none of them may reach a reader as they are. */
function storedCodes(): string[] {
  const codes = Object.values(catalogues.en.codes).flatMap((group) => Object.keys(group));
  const questionIds = Object.values(policyConfig.surveys).flatMap((survey) => survey.questions.map((q) => q.id));
  const responseCodes = [
    'link-used',
    'link-expired',
    'link-tampered',
    'link-malformed',
    'link-unknown',
    'invalid-field',
    'follow-up-closed',
    'try-again',
    'method-not-allowed',
    'complaint-resolved',
    'complaint-acknowledged',
    'recorded',
    'unsubscribed',
    'avg',
  ];
  return [...new Set([...codes, ...questionIds, ...responseCodes, ...Object.keys(policyConfig.policies)])];
}

/**
 * The raw codes a text shows a reader. On a Chinese page any stored code in Latin letters is one;
 * on an English page only those no English sentence contains (snake_case, kebab-case, camelCase),
 * since "open" or "resolved" are also plain words. Links, addresses and ids are not words to read.
 */
export function rawCodesIn(text: string, locale: Locale): string[] {
  const readable = text.replace(/https?:\/\/\S+/g, ' ').replace(/[\w.+-]+@[\w-]+(\.[\w-]+)+/g, ' ');
  const found = new Set<string>();
  for (const code of storedCodes()) {
    const distinctive = /[_-]|[a-z][A-Z]/.test(code);
    if (locale === 'en' && !distinctive) continue;
    const escaped = code.replace(/[-]/g, '\\-');
    if (new RegExp(`(?<![\\w-])${escaped}(?![\\w-])`).test(readable)) found.add(code);
  }
  if (/\d{4}-\d\d-\d\dT\d\d:\d\d/.test(readable)) found.add('ISO timestamp');
  if (/[{[]\s*"\w+"\s*:/.test(readable)) found.add('JSON');
  return [...found];
}

/**
 * Checks that what the page shows is words of the reader's language (no raw code, no missing
 * catalogue key) and saves a full-page screenshot as test-output/screenshots/<name>-<locale>.png.
 */
export async function expectReadable(page: Page, locale: Locale, name: string): Promise<void> {
  // biome-ignore lint/performance/useDomNodeTextContent: Playwright's innerText() is the rendered text; textContent() adds hidden text
  const text = await page.locator('body').innerText();
  expect(rawCodesIn(text, locale), `${name} (${locale}) shows raw codes`).toEqual([]);
  expect(missingKeys(), 'catalogue keys asked for but missing').toEqual([]);
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, `${name}-${locale}.png`), fullPage: true });
}
