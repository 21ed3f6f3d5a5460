import { createRequire } from 'node:module';
import { isDeepStrictEqual } from 'node:util';

/**
 * dynalite parses every request's expressions (update, condition, key condition, filter,
 * projection) with PEG parsers, ~55 µs a parse and 7% of a simulated month; the handlers send a few
 * dozen distinct expressions, each time with new values. A successful parse is kept for the same
 * expression with the same attribute names and value types, the values as holes that each request
 * fills with its own, so dynalite evaluates exactly the tree it would have parsed. Parsed afresh
 * every time: an expression whose parse reads the values themselves (BETWEEN compares its bounds,
 * attribute_type reads its type name), and any that dynalite refuses, so each refusal stays its own.
 */

interface ParseContext {
  attrNames?: Record<string, string>;
  attrVals?: Record<string, Record<string, unknown>>;
  unusedAttrNames?: Record<string, unknown>;
  unusedAttrVals?: Record<string, unknown>;
  [other: string]: unknown;
}

interface Parser {
  parse(input: string, options: { context: ParseContext }): unknown;
}

interface Kept {
  /** The parse with each expression attribute value replaced by a hole naming it. */
  tree: unknown;
  /** The names and values the expression uses: dynalite's "unused" check drops them from its lists. */
  names: string[];
  values: string[];
}

const MAX_KEPT = 2000;
const VALUE_DEPENDENT = /\bbetween\b|\battribute_type\s*\(/i;

class Hole {
  constructor(readonly value: string) {}
}

/** A deep copy that keeps shared nodes shared (an update's `paths` are its sections' own) and swaps what `swap` names. */
function copy(node: unknown, swap: (node: object) => unknown, seen = new Map<object, unknown>()): unknown {
  if (node === null || typeof node !== 'object') return node;
  const swapped = swap(node);
  if (swapped !== undefined) return swapped;
  const done = seen.get(node);
  if (done !== undefined) return done;
  if (Array.isArray(node)) {
    const out: unknown[] = [];
    seen.set(node, out);
    for (const item of node) out.push(copy(item, swap, seen));
    return out;
  }
  const out = Object.create(Object.getPrototypeOf(node) as object | null) as Record<string, unknown>;
  seen.set(node, out);
  for (const [key, value] of Object.entries(node)) out[key] = copy(value, swap, seen);
  return out;
}

function filled(tree: unknown, values: Record<string, unknown>): unknown {
  return copy(tree, (node) => (node instanceof Hole ? values[node.value] : undefined));
}

function keyOf(input: string, context: ParseContext): string {
  const types = Object.entries(context.attrVals ?? {})
    .map(([name, value]) => `${name}=${Object.keys(value ?? {}).join('|')}`)
    .sort();
  return `${input}\u0000${JSON.stringify(context.attrNames ?? null)}\u0000${types.join(',')}`;
}

const PROBE = '\u0000probe';

/** A value of the same type with other contents (never the same as `value`'s). */
function probeOf(value: Record<string, unknown> | undefined): Record<string, unknown> {
  const [type = 'S'] = Object.keys(value ?? {});
  const content = value?.[type];
  switch (type) {
    case 'N':
      return { N: content === '1000003' ? '1000004' : '1000003' };
    case 'BOOL':
      return { BOOL: !content };
    case 'NULL':
      return { NULL: true };
    case 'L':
      return { L: [{ S: PROBE }] };
    case 'M':
      return { M: { [PROBE]: { S: PROBE } } };
    case 'SS':
    case 'NS':
    case 'BS':
      return { [type]: [PROBE] };
    default:
      return { [type]: PROBE };
  }
}

/** Parses with fresh "unused" lists, to learn what this expression uses whatever was parsed before it. */
function parseAlone(parse: Parser['parse'], input: string, context: ParseContext) {
  const unusedAttrNames: Record<string, unknown> = Object.fromEntries(Object.keys(context.attrNames ?? {}).map((name) => [name, true]));
  const unusedAttrVals: Record<string, unknown> = Object.fromEntries(Object.keys(context.attrVals ?? {}).map((name) => [name, true]));
  const result = parse(input, { context: { ...context, unusedAttrNames, unusedAttrVals } });
  return {
    result,
    names: Object.keys(context.attrNames ?? {}).filter((name) => !(name in unusedAttrNames)),
    values: Object.keys(context.attrVals ?? {}).filter((name) => !(name in unusedAttrVals)),
  };
}

function markUsed(context: ParseContext, kept: Pick<Kept, 'names' | 'values'>): void {
  for (const name of kept.names) if (context.unusedAttrNames) delete context.unusedAttrNames[name];
  for (const name of kept.values) if (context.unusedAttrVals) delete context.unusedAttrVals[name];
}

/**
 * A tree is kept only if it holds the values themselves, where the holes are: filled with this
 * request's values it is the parse, and filled with values of the same types but other contents
 * it is what those parse to (a tree that copied or read a value's contents differs there).
 */
function rebuildsFromHoles(parse: Parser['parse'], input: string, context: ParseContext, tree: unknown, result: unknown): boolean {
  if (!isDeepStrictEqual(filled(tree, context.attrVals ?? {}), result)) return false;
  const probes = Object.fromEntries(Object.entries(context.attrVals ?? {}).map(([name, value]) => [name, probeOf(value)]));
  try {
    return isDeepStrictEqual(filled(tree, probes), parseAlone(parse, input, { ...context, attrVals: probes }).result);
  } catch {
    return false;
  }
}

/** `parse` (one of dynalite's parsers), keeping its trees as said above. */
export function keepingParses(original: Parser['parse']): Parser['parse'] {
  /** null: this key's parse cannot be kept (its tree does not rebuild from holes). */
  const kept = new Map<string, Kept | null>();
  return (input, options) => {
    const context = options.context;
    if (VALUE_DEPENDENT.test(input)) return original(input, options);
    const key = keyOf(input, context);
    const hit = kept.get(key);
    if (hit === null) return original(input, options);
    if (hit) {
      markUsed(context, hit);
      return filled(hit.tree, context.attrVals ?? {});
    }
    const { result, names, values } = parseAlone(original, input, context);
    markUsed(context, { names, values });
    // A string is dynalite's refusal of the expression: not kept.
    if (typeof result === 'string') return result;
    const holes = new Map<object, Hole>(Object.entries(context.attrVals ?? {}).map(([name, value]) => [value, new Hole(name)]));
    const tree = copy(result, (node) => holes.get(node));
    if (kept.size >= MAX_KEPT) kept.clear();
    kept.set(key, rebuildsFromHoles(original, input, context, tree, result) ? { tree, names, values } : null);
    return result;
  };
}

let installed = false;

/** Keeps dynalite's expression parses in this process (its parser modules are shared by every local DynamoDB in it). */
export function keepDynaliteExpressionParses(): void {
  if (installed) return;
  installed = true;
  const require = createRequire(import.meta.url);
  for (const module of ['dynalite/db/updateParser', 'dynalite/db/conditionParser', 'dynalite/db/projectionParser']) {
    const parser = require(module) as Parser;
    parser.parse = keepingParses(parser.parse.bind(parser));
  }
}
