import { checkRequest, NUMERIC } from './contract-checks.js';
import { awsConstraints, type OperationConstraints, type Refusal, type ServiceConstraints } from './contract-model.js';

/**
 * AWS's API contracts, enforced: every request the local endpoint receives is checked against
 * the constraints AWS publishes in its Smithy models (contract-model.ts) before the operation
 * runs (contract-checks.ts), and refused in the service's wire format, so the SDK raises the
 * modelled exception.
 */

export { checkRequest } from './contract-checks.js';
export * from './contract-model.js';

// ── The wire: which operation a request is, its input, and the refusal in the protocol's format ──

interface RestRoute {
  service: string;
  operation: string;
  method: string;
  pattern: RegExp;
  labels: string[];
  literalSegments: number;
}

const restRoutes: readonly RestRoute[] = Object.entries(awsConstraints.services)
  .flatMap(([service, model]) =>
    Object.entries(model.operations)
      .filter(([, op]) => op.http)
      .map(([operation, op]) => {
        const uriPath = op.http!.uri.split('?')[0]!;
        const labels: string[] = [];
        const source = uriPath
          .replace(/[.*+?^$()|[\]\\]/g, (c) => (c === '{' || c === '}' ? c : `\\${c}`))
          .replace(/\{(\w+)(\\\+)?\}/g, (_, name: string, greedy?: string) => {
            labels.push(name);
            return greedy ? '(.+)' : '([^/]+)';
          });
        return {
          service,
          operation,
          method: op.http!.method,
          pattern: new RegExp(`^${source}$`),
          labels,
          literalSegments: uriPath.split('/').filter((s) => s && !s.startsWith('{')).length,
        };
      }),
  )
  // A literal route (/contact/task) wins over a label pattern that also matches it (/{Bucket}/{Key+}).
  .sort((a, b) => b.literalSegments - a.literalSegments);

const targets: ReadonlyMap<string, { service: string; operation: string }> = new Map(
  Object.entries(awsConstraints.services).flatMap(([service, model]) =>
    model.targetPrefix
      ? Object.keys(model.operations).map((operation) => [`${model.targetPrefix}.${operation}`, { service, operation }] as const)
      : [],
  ),
);

export interface WireRequest {
  method: string;
  /** Path and query string, as in the request line. */
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

export interface WireRefusal {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** What was refused, for the local cloud's record (`service.Operation`, code, message). */
  refused: { operation: string; code: string; message: string };
}

function fromText(text: string, type: string): unknown {
  if (NUMERIC.has(type)) return Number(text);
  if (type === 'boolean') return text === 'true';
  return text;
}

/** The operation's input from an HTTP request: labels, query, headers and payload by their bindings. */
function restInput(
  model: ServiceConstraints,
  op: OperationConstraints,
  route: RestRoute,
  match: RegExpExecArray,
  request: WireRequest,
  query: URLSearchParams,
): Record<string, unknown> {
  const shape = model.shapes[op.input]!;
  const input: Record<string, unknown> = {};
  const bodyMembers = Object.values(shape.members ?? {}).some((m) => !m.location);
  const parsed = bodyMembers && request.body.length ? (JSON.parse(request.body.toString('utf8')) as Record<string, unknown>) : {};
  for (const [name, member] of Object.entries(shape.members ?? {})) {
    const type = model.shapes[member.target]?.type ?? 'string';
    const header = member.locationName?.toLowerCase();
    if (member.location === 'label') {
      const index = route.labels.indexOf(name);
      if (index >= 0) input[name] = decodeURIComponent(match[index + 1]!);
    } else if (member.location === 'query') {
      const value = query.get(member.locationName ?? name);
      if (value !== null) input[name] = fromText(value, type);
    } else if (member.location === 'header') {
      const value = request.headers[header ?? ''];
      if (typeof value === 'string') input[name] = fromText(value, type);
    } else if (member.location === 'prefixHeaders') {
      const entries = Object.entries(request.headers).filter(([h]) => header && h.startsWith(header));
      if (entries.length) input[name] = Object.fromEntries(entries.map(([h, v]) => [h.slice(header!.length), String(v)]));
    } else if (member.location === 'payload') {
      if (request.body.length)
        input[name] = type === 'blob' || type === 'string' ? request.body.toString('utf8') : JSON.parse(request.body.toString('utf8'));
    } else if (parsed[member.locationName ?? name] !== undefined) {
      input[name] = parsed[member.locationName ?? name];
    }
  }
  return input;
}

function xmlEscape(text: string): string {
  return text.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The refusal as the service's protocol carries it, so the SDK raises the modelled exception. */
function wireRefusal(protocol: string, operation: string, refusal: Refusal): WireRefusal {
  return { ...wireForm(protocol, refusal), refused: { operation, code: refusal.code, message: refusal.message } };
}

function wireForm(protocol: string, refusal: Refusal): Omit<WireRefusal, 'refused'> {
  if (protocol === 'restXml') {
    const error = `<Error><Code>${refusal.code}</Code><Message>${xmlEscape(refusal.message)}</Message></Error>`;
    return {
      status: refusal.status,
      headers: { 'content-type': 'application/xml' },
      body: `<?xml version="1.0" encoding="UTF-8"?>\n${error}`,
    };
  }
  if (protocol === 'restJson1') {
    return {
      status: refusal.status,
      headers: { 'content-type': 'application/json', 'x-amzn-errortype': refusal.code },
      body: JSON.stringify({ message: refusal.message }),
    };
  }
  const contentType = protocol === 'awsJson1_0' ? 'application/x-amz-json-1.0' : 'application/x-amz-json-1.1';
  return {
    status: refusal.status,
    headers: { 'content-type': contentType, 'x-amzn-errortype': refusal.code },
    body: JSON.stringify({ __type: refusal.code, message: refusal.message }),
  };
}

/**
 * The local endpoint's gate: finds which modelled operation an HTTP request is (X-Amz-Target for
 * awsJson, method and URI template for REST) and answers its refusal in wire form, or undefined
 * when the request may run. Requests for operations outside the constraints file pass through.
 */
export function refuseByContract(request: WireRequest): WireRefusal | undefined {
  const target = request.headers['x-amz-target'];
  const [rawPath = '', rawQuery = ''] = request.url.split('?', 2);
  let found: { service: string; operation: string; input: () => unknown } | undefined;
  if (typeof target === 'string') {
    const op = targets.get(target);
    if (op) found = { ...op, input: () => (request.body.length ? JSON.parse(request.body.toString('utf8')) : {}) };
  } else {
    for (const route of restRoutes) {
      const match = route.method === request.method ? route.pattern.exec(rawPath) : null;
      if (!match) continue;
      const model = awsConstraints.services[route.service]!;
      found = {
        service: route.service,
        operation: route.operation,
        input: () => restInput(model, model.operations[route.operation]!, route, match, request, new URLSearchParams(rawQuery)),
      };
      break;
    }
  }
  if (!found) return undefined;
  const { protocol } = awsConstraints.services[found.service]!;
  let input: unknown;
  try {
    input = found.input();
  } catch {
    return wireRefusal(protocol, `${found.service}.${found.operation}`, {
      code: 'SerializationException',
      message: 'The request body is not valid JSON',
      status: 400,
    });
  }
  const refusal = checkRequest(found.service, found.operation, input);
  return refusal && wireRefusal(protocol, `${found.service}.${found.operation}`, refusal);
}
