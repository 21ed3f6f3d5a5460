import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import * as z from 'zod';
import { clock } from '../clock.js';
import { MAX_KEY_ID_LENGTH, type SigningKeys } from '../domain/signed-link.js';
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

// Short: every link carries its key id, and the SMS length check counts the longest (signed-link.ts).
const keyId = z.string().min(1).max(MAX_KEY_ID_LENGTH);
const keySecret = z.string().min(16);
const secretSchema = z
  .object({
    currentId: keyId,
    current: keySecret,
    previousId: keyId.optional(),
    previous: keySecret.optional(),
    nextId: keyId.optional(),
    next: keySecret.optional(),
  })
  .superRefine((secret, ctx) => {
    if ((secret.previousId === undefined) !== (secret.previous === undefined))
      ctx.addIssue({ code: 'custom', path: ['previous'], message: 'previous and previousId go together' });
    if ((secret.nextId === undefined) !== (secret.next === undefined))
      ctx.addIssue({ code: 'custom', path: ['next'], message: 'next and nextId go together' });
    const ids = [secret.currentId, secret.previousId, secret.nextId].filter((id) => id !== undefined);
    if (new Set(ids).size !== ids.length) ctx.addIssue({ code: 'custom', path: ['currentId'], message: 'key ids must differ' });
  });

/** The keys a container holds for a secret value: parsed the same way for every step of a rotation. */
export function keysFromSecret(secretString: string): SigningKeys {
  const secret = secretSchema.parse(JSON.parse(secretString));
  return {
    current: { id: secret.currentId, secret: secret.current },
    previous: secret.previousId && secret.previous ? [{ id: secret.previousId, secret: secret.previous }] : [],
    ...(secret.nextId && secret.next ? { next: { id: secret.nextId, secret: secret.next } } : {}),
  };
}

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
