import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { clock } from '../clock.js';
import type { SigningKeys } from '../domain/signed-link.js';
import { keysFromSecret } from '../domain/signing-key-secret.js';
import { requireEnv } from '../env.js';
import { sdkClientConfig } from './sdk-config.js';

/**
 * The link-signing key lives in Secrets Manager as
 * {currentId, current, previousId?, previous?, nextId?, next?}: `current` signs and verifies,
 * `previous` and `next` only verify. Each container caches the keys for SIGNING_KEY_CACHE_MS, so
 * a rotation changes one role per step and waits that long between steps (README "Rotating the
 * link key"): 1. add `next`; 2. promote it to `current`, the old one to `previous`; 3. drop `previous`.
 */
export const SIGNING_KEY_CACHE_MS = 5 * 60_000;

const secrets = new SecretsManagerClient(sdkClientConfig());
/**
 * By function name: in AWS a container runs one function, so there is one entry; the local cloud
 * runs every function in one process, and each must still read the secret with its own role.
 */
const cached = new Map<string, { keys: SigningKeys; at: number }>();

export async function loadSigningKeys({
  functionName = '',
  // The functions' clock, not the machine's: a simulated month expires the cache as five minutes of its time pass.
  now = clock.now().getTime(),
}: {
  functionName?: string;
  now?: number;
} = {}): Promise<SigningKeys> {
  const hit = cached.get(functionName);
  if (hit && now - hit.at < SIGNING_KEY_CACHE_MS) return hit.keys;
  const { SecretString } = await secrets.send(new GetSecretValueCommand({ SecretId: requireEnv('SIGNING_SECRET_ARN') }));
  const keys = keysFromSecret(SecretString ?? '{}');
  cached.set(functionName, { keys, at: now });
  return keys;
}

/** For tests: forget the cached key, as a new container would. */
export function forgetSigningKeys(): void {
  cached.clear();
}
