import { ConfiguredRetryStrategy } from '@smithy/core/retry';

const MAX_ATTEMPTS = 5;

/**
 * Settings shared by the AWS SDK clients: five attempts with the SDK's jittered backoff for
 * throttling and 5xx. SDK_RETRY_BASE_DELAY_MS shortens the backoff where real waiting only costs
 * time, such as the local simulator replaying a month of throttling in seconds.
 */
export function sdkClientConfig(): { maxAttempts: number; retryStrategy?: ConfiguredRetryStrategy } {
  const base = Number(process.env.SDK_RETRY_BASE_DELAY_MS);
  if (!(base > 0)) return { maxAttempts: MAX_ATTEMPTS };
  return { maxAttempts: MAX_ATTEMPTS, retryStrategy: new ConfiguredRetryStrategy(MAX_ATTEMPTS, (attempt) => base * 2 ** attempt) };
}
