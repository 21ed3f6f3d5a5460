import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';

/**
 * Created once per container. Handlers log ids and outcomes only: names, phones, emails and
 * answers never reach a log line.
 */
export const logger = new Logger({ serviceName: 'customer-follow-up' });
// Metrics' own warnings go through the structured logger, at its level.
export const metrics = new Metrics({ namespace: 'CustomerFollowUp', serviceName: 'customer-follow-up', logger });
