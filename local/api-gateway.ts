import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { LocalCloud } from './cloud/index.js';
import { LOCAL_ACCOUNT, LOCAL_API_ID, LOCAL_REGION, resolve, resourcesOfType, type Template } from './template.js';

/** The HTTP API's routes as the template declares them, served locally by invoking their functions. */
interface Route {
  method: string;
  routeKey: string;
  pattern: RegExp;
  params: string[];
  functionArn: string;
}

/** A path parameter in a route key: `{id}`, or `{proxy+}` (matched here as one segment). */
const PATH_PARAMETER = /\{(\w+)\+?\}/g;

export function apiRoutes(template: Template): Route[] {
  const integrations = new Map<string, string>();
  for (const [logicalId, resource] of resourcesOfType(template, 'AWS::ApiGatewayV2::Integration')) {
    integrations.set(logicalId, String(resolve(template, resource.Properties?.IntegrationUri)));
  }
  return resourcesOfType(template, 'AWS::ApiGatewayV2::Route').map(([, resource]) => {
    const routeKey = String(resource.Properties?.RouteKey);
    const target = resource.Properties?.Target as { 'Fn::Join': [string, unknown[]] };
    const integrationId = (target['Fn::Join'][1].find((part) => typeof part === 'object') as { Ref: string }).Ref;
    const [method, path] = routeKey.split(' ') as [string, string];
    const params = [...path.matchAll(PATH_PARAMETER)].map((match) => match[1]!);
    const pattern = new RegExp(`^${path.replace(PATH_PARAMETER, '([^/]+)')}$`);
    return { method, routeKey, pattern, params, functionArn: integrations.get(integrationId)! };
  });
}

export interface HttpRequest {
  method: string;
  path: string;
  query: string;
  headers: Record<string, string>;
  body: string;
}

export async function invokeRoute(
  cloud: LocalCloud,
  routes: Route[],
  request: HttpRequest,
): Promise<APIGatewayProxyStructuredResultV2 | undefined> {
  for (const route of routes) {
    const match = route.method === 'ANY' || route.method === request.method.toUpperCase() ? route.pattern.exec(request.path) : null;
    if (!match) continue;
    const event: APIGatewayProxyEventV2 = {
      version: '2.0',
      routeKey: route.routeKey,
      rawPath: request.path,
      rawQueryString: request.query,
      headers: request.headers,
      ...(request.query ? { queryStringParameters: Object.fromEntries(new URLSearchParams(request.query)) } : {}),
      pathParameters: Object.fromEntries(route.params.map((name, i) => [name, decodeURIComponent(match[i + 1]!)])),
      requestContext: {
        accountId: LOCAL_ACCOUNT,
        apiId: LOCAL_API_ID,
        domainName: 'localhost',
        domainPrefix: 'localhost',
        http: {
          method: request.method.toUpperCase(),
          path: request.path,
          protocol: 'HTTP/1.1',
          sourceIp: '127.0.0.1',
          userAgent: request.headers['user-agent'] ?? '',
        },
        requestId: cloud.nextId('apireq'),
        routeKey: route.routeKey,
        stage: '$default',
        time: cloud.clock.now().toISOString(),
        timeEpoch: cloud.clock.nowMs(),
      },
      body: request.body || undefined,
      isBase64Encoded: false,
    };
    // API Gateway invokes the integration on the function's resource policy, naming the route it serves.
    // An ANY route is invoked with the request's own method in the source ARN.
    const [routeMethod, routePath] = route.routeKey.split(' ') as [string, string];
    const method = routeMethod === 'ANY' ? request.method.toUpperCase() : routeMethod;
    const sourceArn = `arn:aws:execute-api:${LOCAL_REGION}:${LOCAL_ACCOUNT}:${LOCAL_API_ID}/$default/${method}${routePath}`;
    const response = (await cloud.invokeFunction(route.functionArn, event, {
      principal: { kind: 'service', service: 'apigateway.amazonaws.com' },
      context: { 'aws:SourceArn': sourceArn },
    })) as APIGatewayProxyStructuredResultV2;
    // An answered link is how an agent completes a Connect task here: it stops counting as active.
    if (request.method.toUpperCase() === 'POST' && (response?.statusCode ?? 200) < 300) cloud.linkAnswered(request.path);
    return response;
  }
  return undefined;
}
