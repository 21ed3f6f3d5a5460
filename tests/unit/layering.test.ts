import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The layering: infra → workflows → functions, with local/ and bench/ above them; inside
 * functions/shared the domain and the ports know nothing of the adapters. An import against
 * these arrows fails here, naming the file and the import.
 */
const ROOT = path.resolve(import.meta.dirname, '../..');

interface Import {
  specifier: string;
  typeOnly: boolean;
  /** import(): evaluated when the code runs, not when the module loads. */
  dynamic?: boolean;
}

/** Static imports and re-exports, side-effect imports and dynamic import() of a module's source. */
function importsOf(source: string): Import[] {
  const found: Import[] = [];
  for (const match of source.matchAll(/^\s*(?:import|export)\s+(type\s+)?[^'";]*?\bfrom\s+['"]([^'"]+)['"]/gm)) {
    found.push({ specifier: match[2]!, typeOnly: !!match[1] });
  }
  for (const match of source.matchAll(/^\s*import\s+['"]([^'"]+)['"]/gm)) found.push({ specifier: match[1]!, typeOnly: false });
  for (const match of source.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g))
    found.push({ specifier: match[1]!, typeOnly: false, dynamic: true });
  return found;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(path.join(ROOT, dir)).flatMap((name) => {
    const relative = path.join(dir, name);
    if (statSync(path.join(ROOT, relative)).isDirectory()) return sourceFiles(relative);
    return relative.endsWith('.ts') && !relative.endsWith('.d.ts') ? [relative] : [];
  });
}

/** The repository-relative file a relative specifier names, or undefined for a package. */
function resolveImport(from: string, specifier: string): string | undefined {
  if (!specifier.startsWith('.')) return undefined;
  const target = path.join(path.dirname(from), specifier);
  return target.endsWith('.js') ? target.replace(/\.js$/, '.ts') : target;
}

const layerOf = (file: string) => file.split(path.sep)[0]!;

function violations(files: string[], forbidden: (target: string) => boolean): string[] {
  return files.flatMap((file) =>
    importsOf(readFileSync(path.join(ROOT, file), 'utf8'))
      .map(({ specifier }) => ({ specifier, target: resolveImport(file, specifier) }))
      .filter(({ target }) => target !== undefined && forbidden(target))
      .map(({ specifier }) => `${file} imports ${specifier}`),
  );
}

/**
 * Every module the entries reach through relative value imports (type-only imports vanish at runtime);
 * with `loading`, only those loaded with them (no import()).
 */
function reachableFrom(entries: string[], { loading = false } = {}): Set<string> {
  const seen = new Set<string>();
  const pending = [...entries];
  while (pending.length > 0) {
    const file = pending.pop()!;
    if (seen.has(file) || !file.endsWith('.ts') || !existsSync(path.join(ROOT, file))) continue;
    seen.add(file);
    for (const { specifier, typeOnly, dynamic } of importsOf(readFileSync(path.join(ROOT, file), 'utf8'))) {
      const target = typeOnly || (loading && dynamic) ? undefined : resolveImport(file, specifier);
      if (target) pending.push(target);
    }
  }
  return seen;
}

const SDK_CLIENT_PACKAGE = /^@aws-sdk\/(client-|lib-dynamodb)/;
/** A module-level `const x = new SomeClient(...)`: the client exists as soon as the module is loaded. */
const CLIENT_AT_LOAD = /^(?:export\s+)?(?:const|let|var)\s[^\n]*\bnew\s+\w+Client\(/m;

describe('layering', () => {
  it('reads the imports a module can have', () => {
    const source = [
      "import type { A } from '../adapters/a.js';",
      'import {',
      '  b,',
      "} from './b.js';",
      "export { c } from './c.js';",
      "import './d.js';",
      "const e = await import('./e.js');",
    ].join('\n');
    expect(importsOf(source)).toEqual([
      { specifier: '../adapters/a.js', typeOnly: true },
      { specifier: './b.js', typeOnly: false },
      { specifier: './c.js', typeOnly: false },
      { specifier: './d.js', typeOnly: false },
      { specifier: './e.js', typeOnly: false, dynamic: true },
    ]);
  });

  it('keeps the domain and the ports free of adapters: they import only the domain, the ports and plain modules', () => {
    const inner = [...sourceFiles('functions/shared/domain'), ...sourceFiles('functions/shared/ports')];
    const adapters = path.join('functions', 'shared', 'adapters') + path.sep;
    const wiring = ['runtime.ts', 'powertools.ts', 'lambda-handler.ts'].map((name) => path.join('functions', 'shared', name));
    expect(violations(inner, (target) => target.startsWith(adapters) || wiring.includes(target))).toEqual([]);
  });

  it('has no upward imports: functions import neither workflows, infra, local nor bench; workflows neither infra, local nor bench', () => {
    expect(violations(sourceFiles('functions'), (target) => ['workflows', 'infra', 'local', 'bench'].includes(layerOf(target)))).toEqual(
      [],
    );
    expect(violations(sourceFiles('workflows'), (target) => ['infra', 'local', 'bench'].includes(layerOf(target)))).toEqual([]);
    expect(violations(sourceFiles('infra'), (target) => ['local', 'bench'].includes(layerOf(target)))).toEqual([]);
  });

  it('lets infra import no module that loads an AWS SDK client (synth must not create one)', () => {
    const reached = [...reachableFrom(sourceFiles('infra'))].sort();
    expect(reached).toContain(path.join('functions', 'shared', 'domain', 'event-names.ts'));
    const loadingClients = reached.flatMap((file) =>
      importsOf(readFileSync(path.join(ROOT, file), 'utf8'))
        .filter(({ specifier, typeOnly }) => !typeOnly && SDK_CLIENT_PACKAGE.test(specifier))
        .map(({ specifier }) => `${file} imports ${specifier}`),
    );
    expect(loadingClients).toEqual([]);
  });

  it('lets local/ load no function module that creates an AWS SDK client before the stack gives the clients its transport', () => {
    // Such a client would be built before useRequestHandler and SDK_RETRY_BASE_DELAY_MS: it would call over HTTP and wait real time.
    const reached = [...reachableFrom(sourceFiles('local'), { loading: true })].filter((file) => layerOf(file) === 'functions').sort();
    expect(reached).toContain(path.join('functions', 'shared', 'adapters', 'sdk-config.ts'));
    const creatingClients = reached.filter((file) => CLIENT_AT_LOAD.test(readFileSync(path.join(ROOT, file), 'utf8')));
    expect(creatingClients).toEqual([]);
  });

  it('recognises a client created as its module loads, not one created on first use', () => {
    expect(CLIENT_AT_LOAD.test('const ses = new SESv2Client(sdkClientConfig());')).toBe(true);
    expect(CLIENT_AT_LOAD.test('export const db = DynamoDBDocumentClient.from(new DynamoDBClient(config));')).toBe(true);
    expect(CLIENT_AT_LOAD.test('let client;\nfunction get() {\n  client ??= new DynamoDBClient(config);\n}')).toBe(false);
  });
});
