import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { z } from 'zod';
import type { SigningKeys } from '../domain/signed-link.js';
import { requireEnv } from '../env.js';
import { sdkClientConfig } from './sdk-config.js';

/**
 * The link-signing key lives in Secrets Manager as {currentId, current, previousId?, previous?}.
 * Rotation moves current to previous, so links issued just before still verify.
 */
const secretSchema = z.object({
  currentId: z.string().min(1),
  current: z.string().min(16),
  previousId: z.string().min(1).optional(),
  previous: z.string().min(16).optional(),
});

const secrets = new SecretsManagerClient(sdkClientConfig());
const CACHE_MS = 5 * 60_000;
let cached: { keys: SigningKeys; at: number } | undefined;

export async function loadSigningKeys(now = Date.now()): Promise<SigningKeys> {
  if (cached && now - cached.at < CACHE_MS) return cached.keys;
  const { SecretString } = await secrets.send(new GetSecretValueCommand({ SecretId: requireEnv('SIGNING_SECRET_ARN') }));
  const secret = secretSchema.parse(JSON.parse(SecretString ?? '{}'));
  const keys: SigningKeys = {
    current: { id: secret.currentId, secret: secret.current },
    previous: secret.previousId && secret.previous ? [{ id: secret.previousId, secret: secret.previous }] : [],
  };
  cached = { keys, at: now };
  return keys;
}

/** For tests and key rotation: forget the cached key. */
export function forgetSigningKeys(): void {
  cached = undefined;
}
