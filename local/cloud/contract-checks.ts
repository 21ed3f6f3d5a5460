import { awsConstraints, type Constraints, type MemberConstraints, type Refusal, type ServiceConstraints } from './contract-model.js';

/**
 * An operation's input checked against its published model, refused with the error and wording
 * the service uses, e.g. Connect's
 *   InvalidParameterException: 1 validation error detected: Value at 'name' failed to satisfy
 *   constraint: Member must have length less than or equal to 1024
 * Pure: no clock, no state. Every operation's check is compiled once, when the module loads.
 */

interface Violation {
  path: string;
  value: unknown;
  constraint: string;
  sensitive: boolean;
}

/** A type mismatch is not a validation error: AWS fails to deserialize the request at all. */
class WrongType extends Error {
  constructor(
    readonly path: string,
    readonly expected: string,
  ) {
    super(`Expected ${expected} at '${path}'`);
  }
}

type Check = (value: unknown, path: string, out: Violation[], sensitive: boolean) => void;

export const NUMERIC: ReadonlySet<string> = new Set(['byte', 'short', 'integer', 'long', 'float', 'double', 'bigInteger', 'bigDecimal']);

/** Smithy measures a string's length in Unicode code points, not UTF-16 units as String#length does. */
function codePoints(text: string): number {
  let count = 0;
  for (let i = 0; i < text.length; i += 1) {
    const unit = text.charCodeAt(i);
    if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) i += 1;
    }
    count += 1;
  }
  return count;
}

function lengthOf(value: unknown, type: string): number {
  if (typeof value === 'string') {
    if (type === 'blob') return Buffer.byteLength(value);
    return /[\ud800-\udfff]/.test(value) ? codePoints(value) : value.length;
  }
  if (Array.isArray(value)) return value.length;
  if (value instanceof Uint8Array) return value.byteLength;
  return Object.keys(value as object).length;
}

/** The "failed to satisfy constraint" clauses of one value, in the order AWS lists them. */
function scalarClauses(constraints: Constraints, regex: RegExp | undefined, type: string): (value: unknown) => string[] {
  const { length, range } = constraints;
  const allowed = constraints.enum;
  const allowedSet = allowed ? new Set<unknown>(allowed) : undefined;
  return (value) => {
    const clauses: string[] = [];
    if (length && (typeof value === 'string' || (typeof value === 'object' && value !== null))) {
      const n = lengthOf(value, type);
      if (length.max !== undefined && n > length.max) clauses.push(`Member must have length less than or equal to ${length.max}`);
      if (length.min !== undefined && n < length.min) clauses.push(`Member must have length greater than or equal to ${length.min}`);
    }
    if (range && typeof value === 'number') {
      if (range.max !== undefined && value > range.max) clauses.push(`Member must have value less than or equal to ${range.max}`);
      if (range.min !== undefined && value < range.min) clauses.push(`Member must have value greater than or equal to ${range.min}`);
    }
    if (regex && typeof value === 'string' && !regex.test(value))
      clauses.push(`Member must satisfy regular expression pattern: ${constraints.pattern}`);
    if (allowedSet && !allowedSet.has(value)) clauses.push(`Member must satisfy enum value set: [${allowed!.join(', ')}]`);
    return clauses;
  };
}

/** Patterns are compiled once; the generator recorded why any that JavaScript cannot compile is skipped. */
function compilePattern(constraints: Constraints): RegExp | undefined {
  if (constraints.pattern === undefined || constraints.patternSkipped) return undefined;
  try {
    return new RegExp(constraints.pattern, 'u');
  } catch {
    try {
      return new RegExp(constraints.pattern);
    } catch {
      return undefined;
    }
  }
}

/** Member-level traits narrow the target's: both apply. */
function memberCheck(service: ServiceConstraints, member: MemberConstraints, compiled: Map<string, Check>): Check {
  const target = shapeCheck(service, member.target, compiled);
  const shape = service.shapes[member.target]!;
  const own =
    member.length || member.range || member.pattern !== undefined || member.enum
      ? scalarClauses(member, compilePattern(member), shape.type)
      : undefined;
  const sensitive = Boolean(member.sensitive);
  if (!own) return sensitive ? (value, path, out) => target(value, path, out, true) : target;
  return (value, path, out, inherited) => {
    for (const constraint of own(value))
      out.push({ path, value, constraint, sensitive: inherited || sensitive || Boolean(shape.sensitive) });
    target(value, path, out, inherited || sensitive);
  };
}

function lowerFirst(name: string): string {
  return name.charAt(0).toLowerCase() + name.slice(1);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array);
}

function shapeCheck(service: ServiceConstraints, name: string, compiled: Map<string, Check>): Check {
  const done = compiled.get(name);
  if (done) return done;
  // Recursive shapes (Connect's SegmentAttributeValue) refer to themselves: bind late.
  let body: Check = () => {};
  const late: Check = (value, path, out, sensitive) => body(value, path, out, sensitive);
  compiled.set(name, late);
  const shape = service.shapes[name];
  if (!shape) throw new Error(`aws-constraints.json: shape ${name} is missing`);
  const clauses = scalarClauses(shape, compilePattern(shape), shape.type);
  const hasClauses = Boolean(shape.length || shape.range || shape.pattern !== undefined || shape.enum);
  const own = (value: unknown, path: string, out: Violation[], sensitive: boolean) => {
    if (!hasClauses) return;
    for (const constraint of clauses(value)) out.push({ path, value, constraint, sensitive: sensitive || Boolean(shape.sensitive) });
  };
  const type = shape.type;
  if (type === 'structure' || type === 'union') {
    const members = Object.entries(shape.members ?? {}).map(([memberName, member]) => ({
      memberName,
      wire: lowerFirst(memberName),
      required: Boolean(member.required),
      check: memberCheck(service, member, compiled),
    }));
    body = (value, path, out, sensitive) => {
      if (!isPlainObject(value)) throw new WrongType(path || 'request', type);
      let set = 0;
      for (const { memberName, wire, required, check } of members) {
        const memberValue = value[memberName];
        const memberPath = path ? `${path}.${wire}` : wire;
        if (memberValue === undefined || memberValue === null) {
          if (required) out.push({ path: memberPath, value: null, constraint: 'Member must not be null', sensitive: false });
          continue;
        }
        set += 1;
        check(memberValue, memberPath, out, sensitive);
      }
      if (type === 'union' && set !== 1)
        out.push({ path: path || 'request', value: undefined, constraint: 'Member must have exactly one member set', sensitive: true });
    };
  } else if (type === 'list' || type === 'set') {
    const member = memberCheck(service, shape.member!, compiled);
    body = (value, path, out, sensitive) => {
      if (!Array.isArray(value)) throw new WrongType(path, 'list');
      own(value, path, out, sensitive);
      value.forEach((item, i) => {
        if (item === null || item === undefined)
          out.push({ path: `${path}.${i + 1}.member`, value: null, constraint: 'Member must not be null', sensitive: false });
        else member(item, `${path}.${i + 1}.member`, out, sensitive);
      });
    };
  } else if (type === 'map') {
    const key = memberCheck(service, shape.key!, compiled);
    const mapValue = memberCheck(service, shape.value!, compiled);
    const valueIsScalar = !['structure', 'union', 'list', 'map'].includes(service.shapes[shape.value!.target]!.type);
    body = (value, path, out, sensitive) => {
      if (!isPlainObject(value)) throw new WrongType(path, 'map');
      own(value, path, out, sensitive);
      // AWS reports a map's bad keys and bad scalar values once each, on the map itself.
      const keyClauses = new Set<string>();
      const valueClauses = new Set<string>();
      for (const [k, v] of Object.entries(value)) {
        const found: Violation[] = [];
        key(k, path, found, sensitive);
        for (const f of found) keyClauses.add(f.constraint);
        if (v === null || v === undefined) {
          valueClauses.add('Member must not be null');
          continue;
        }
        if (valueIsScalar) {
          const foundValues: Violation[] = [];
          mapValue(v, path, foundValues, sensitive);
          for (const f of foundValues) valueClauses.add(f.constraint);
        } else {
          mapValue(v, `${path}.${k}.member`, out, sensitive);
        }
      }
      if (keyClauses.size)
        out.push({ path, value, constraint: `Map keys must satisfy constraint: [${[...keyClauses].join(', ')}]`, sensitive: true });
      if (valueClauses.size)
        out.push({ path, value, constraint: `Map value must satisfy constraint: [${[...valueClauses].join(', ')}]`, sensitive: true });
    };
  } else {
    const expected = type === 'string' ? 'string' : NUMERIC.has(type) ? 'number' : type === 'boolean' ? 'boolean' : undefined;
    body = (value, path, out, sensitive) => {
      if (expected && typeof value !== expected) throw new WrongType(path, type);
      if (type === 'timestamp' && typeof value !== 'number' && typeof value !== 'string' && !(value instanceof Date))
        throw new WrongType(path, type);
      own(value, path, out, sensitive);
    };
  }
  return late;
}

/** Strings are shown as AWS shows them, cut short; sensitive members and whole collections are not shown. */
function describe(violation: Violation): string {
  const { value, path, sensitive } = violation;
  if (value === null) return `Value null at '${path}'`;
  if (sensitive || typeof value === 'object' || value === undefined) return `Value at '${path}'`;
  const text = String(value);
  return `Value '${text.length > 64 ? `${text.slice(0, 64)}...` : text}' at '${path}'`;
}

type Validator = (input: unknown) => Refusal | undefined;

function compileOperation(service: string, operation: string): Validator {
  const model = awsConstraints.services[service]!;
  const op = model.operations[operation]!;
  const check = shapeCheck(model, op.input, new Map());
  const { code, status } = op.validationError;
  return (input) => {
    const violations: Violation[] = [];
    try {
      check(input ?? {}, '', violations, false);
    } catch (error) {
      if (error instanceof WrongType)
        return { code: model.protocol === 'restXml' ? code : 'SerializationException', message: error.message, status: 400 };
      throw error;
    }
    if (!violations.length) return undefined;
    const n = violations.length;
    const failures = violations.map((v) => `${describe(v)} failed to satisfy constraint: ${v.constraint}`);
    return { code, status, message: `${n} validation error${n > 1 ? 's' : ''} detected: ${failures.join('; ')}` };
  };
}

const validators: ReadonlyMap<string, Validator> = new Map(
  Object.entries(awsConstraints.services).flatMap(([service, model]) =>
    Object.keys(model.operations).map((operation) => [`${service}.${operation}`, compileOperation(service, operation)] as const),
  ),
);

/**
 * Checks an operation's input (its members by their model names, as the SDK command takes them)
 * against the published model. `service` is the model's folder name in aws/api-models-aws:
 * sfn, eventbridge, secrets-manager, connect, sesv2, s3.
 */
export function checkRequest(service: string, operation: string, input: unknown): Refusal | undefined {
  const validate = validators.get(`${service}.${operation}`);
  if (!validate)
    throw new Error(`no AWS constraints for ${service}.${operation}: add it to scripts/generate-aws-constraints.ts and regenerate`);
  return validate(input);
}
