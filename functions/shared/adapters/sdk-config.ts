import type { HttpHandler } from '@smithy/core/protocols';
import { ConfiguredRetryStrategy } from '@smithy/core/retry';

const MAX_ATTEMPTS = 5;

/** Set only by the local stack, before handlers load: on Lambda the clients keep the SDK's own HTTP handler. */
let requestHandler: HttpHandler | undefined;

/** The local stack's transport for the clients created from now on (its services answer in-process). */
export function useRequestHandler(handler: HttpHandler | undefined): void {
  requestHandler = handler;
}

/**
 * Settings shared by the AWS SDK clients: five attempts with the SDK's jittered backoff for
 * throttling and 5xx. SDK_RETRY_BASE_DELAY_MS sets the backoff's base instead, where real waiting
 * only costs time; 0 retries at once: the local simulator's clock stands still while handlers
 * run, so a real wait would only reorder concurrent work by the machine's speed.
 */
export function sdkClientConfig(): {
  maxAttempts: number;
  retryStrategy?: ConfiguredRetryStrategy;
  requestHandler?: HttpHandler;
} {
  const transport = requestHandler ? { requestHandler } : {};
  const base = configuredRetryBaseMs();
  if (base === undefined) return { maxAttempts: MAX_ATTEMPTS, ...transport };
  return {
    maxAttempts: MAX_ATTEMPTS,
    retryStrategy: new ConfiguredRetryStrategy(MAX_ATTEMPTS, (attempt) => base * 2 ** attempt),
    ...transport,
  };
}

/** SDK_RETRY_BASE_DELAY_MS when it is set to a number of milliseconds, else undefined (each retry's own default). */
export function configuredRetryBaseMs(): number | undefined {
  const setting = process.env.SDK_RETRY_BASE_DELAY_MS;
  const base = Number(setting);
  return setting && base >= 0 ? base : undefined;
}
