import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { loadSigningKeys } from '../shared/adapters/signing-keys.js';
import { awsWorkflow } from '../shared/adapters/workflow.js';
import { escalationConfig } from '../shared/config/escalation.js';
import { policyConfig } from '../shared/config/policies.js';
import { reportConfig } from '../shared/config/reports.js';
import { lambdaHandler } from '../shared/lambda-handler.js';
import { complaintStore, followUpStore, rateLimiter } from '../shared/runtime.js';
import { answerLink, linkRequestSchema } from './answer-link.js';
import { handleSmsReports, SMS_REPORT_ROUTE, smsReportRequestSchema } from './sms-reports.js';

const links = lambdaHandler({
  input: linkRequestSchema,
  useCase: answerLink,
  deps: async ({ functionName }) => ({
    config: policyConfig,
    store: followUpStore(),
    limiter: rateLimiter(),
    complaints: complaintStore(),
    workflow: awsWorkflow,
    keys: await loadSigningKeys({ functionName }),
    managers: { escalation: escalationConfig, departments: reportConfig.departments },
  }),
});

/** Alibaba's delivery reports: the same table, key and workflow as the links, so the same role serves them. */
const smsReports = lambdaHandler({
  input: smsReportRequestSchema,
  useCase: handleSmsReports,
  deps: async ({ functionName }) => ({
    store: followUpStore(),
    limiter: rateLimiter(),
    workflow: awsWorkflow,
    keys: await loadSigningKeys({ functionName }),
  }),
});

export const handler = (event: APIGatewayProxyEventV2, context: Context) =>
  event.routeKey === SMS_REPORT_ROUTE ? smsReports(event, context) : links(event, context);
