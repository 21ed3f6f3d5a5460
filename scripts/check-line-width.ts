import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/**
 * Biome's formatter wraps code at 140 characters but leaves long strings, template literals and
 * comments as they are; this check covers them, so no source line is wider than the formatter's.
 */
const LIMIT = 140;
const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '*.ts'], { encoding: 'utf8' })
  .split('\n')
  .filter(Boolean);
const wide = files.flatMap((file) =>
  readFileSync(file, 'utf8')
    .split('\n')
    .flatMap((line, index) => ([...line].length > LIMIT ? [`${file}:${index + 1}: ${[...line].length} characters`] : [])),
);
if (wide.length > 0) {
  console.error(`Lines over ${LIMIT} characters (split the string or name a part of it):\n${wide.join('\n')}`);
  process.exit(1);
}
console.log(`${files.length} TypeScript files, no line over ${LIMIT} characters.`);
