import { fromEnv } from '@aws-sdk/credential-provider-env';
import type { AwsCredentialIdentityProvider } from '@smithy/types';

/**
 * Bundles alias `@aws-sdk/credential-provider-node` here (infra/constructs/follow-up-function.ts).
 * On Lambda the execution role's credentials are always in the environment (AWS_ACCESS_KEY_ID,
 * AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN), which is also the first place the SDK's default chain
 * looks, so a client resolves the same credentials; the rest of the chain (profiles, SSO, web
 * identity, the STS and SSO clients behind them, some 130 KiB) is parsed at every cold start and
 * never used: 10 ms of a function's init here. Local runs use the functions' source, with the chain.
 */
export function defaultProvider(init: Parameters<typeof fromEnv>[0] = {}): AwsCredentialIdentityProvider {
  return fromEnv(init);
}
