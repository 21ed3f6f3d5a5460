import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import * as z from 'zod';
import { logger } from '../shared/powertools.js';
import { formToObject } from './form-fields.js';
import { handleLink, type LinkDeps, type LinkRequest } from './links.js';

/** Turns an HTTP API request into a LinkRequest; a body that cannot be read is an empty submission. */
export function toLinkRequest(event: APIGatewayProxyEventV2): LinkRequest {
  const headers = Object.fromEntries(Object.entries(event.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v ?? '']));
  const text = event.body ? (event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body) : '';
  let body: Record<string, unknown> | undefined;
  if ((headers['content-type'] ?? '').includes('application/json')) {
    try {
      const parsed: unknown = JSON.parse(text || '{}');
      body = parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
    } catch {
      body = {};
    }
  } else if (text) {
    body = formToObject(new URLSearchParams(text));
  }
  return {
    method: event.requestContext.http.method.toUpperCase(),
    token: event.pathParameters?.token ?? '',
    body,
    wantsJson: (headers.accept ?? '').includes('application/json'),
    action: event.rawPath,
    lang: new URLSearchParams(event.rawQueryString ?? '').get('lang') ?? undefined,
    languages: headers['accept-language'],
  };
}

/** API Gateway hands over well-formed requests: the schema only turns one into a LinkRequest. */
export const linkRequestSchema = z.custom<APIGatewayProxyEventV2>().transform(toLinkRequest);

/** answerLink: the link's page or form answer, as an HTTP response that is never cached or sniffed. */
export async function answerLink(request: LinkRequest, deps: LinkDeps): Promise<APIGatewayProxyStructuredResultV2> {
  const response = await handleLink(request, deps);
  // Status and code only: the link itself grants access, and the body may hold answers.
  logger.info('link answered', { method: request.method, statusCode: response.statusCode });
  return {
    statusCode: response.statusCode,
    headers: {
      ...response.headers,
      'content-type': response.contentType,
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
    },
    body: response.body,
  };
}
