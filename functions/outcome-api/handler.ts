import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { policyConfig } from '../shared/config/policies.js';
import { escalationConfig } from '../shared/config/escalation.js';
import { reportConfig } from '../shared/config/reports.js';
import { clock } from '../shared/clock.js';
import { logger } from '../shared/powertools.js';
import { complaintStore, followUpStore } from '../shared/runtime.js';
import { awsWorkflow } from '../shared/adapters/workflow.js';
import { loadSigningKeys } from '../shared/adapters/signing-keys.js';
import { formToObject, handleLink, type LinkRequest } from './links.js';

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

export const handler = middy(async (event: APIGatewayProxyEventV2, context: Context): Promise<APIGatewayProxyStructuredResultV2> => {
  const request = toLinkRequest(event);
  const response = await handleLink(request, {
    config: policyConfig,
    store: followUpStore(),
    complaints: complaintStore(),
    workflow: awsWorkflow,
    keys: await loadSigningKeys({ functionName: context.functionName }),
    now: clock.now(),
    managers: { escalation: escalationConfig, departments: reportConfig.departments },
  });
  // Status and code only: the link itself grants access, and the body may hold answers.
  logger.info('link answered', { method: request.method, statusCode: response.statusCode });
  return {
    statusCode: response.statusCode,
    headers: { ...response.headers, 'content-type': response.contentType, 'cache-control': 'no-store', 'x-content-type-options': 'nosniff', 'referrer-policy': 'no-referrer' },
    body: response.body,
  };
}).use(injectLambdaContext(logger));
