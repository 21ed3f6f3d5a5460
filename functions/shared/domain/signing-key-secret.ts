import * as z from 'zod';
import { MAX_KEY_ID_LENGTH, type SigningKeys } from './signed-link.js';

/**
 * The link-signing key's secret value in Secrets Manager (adapters/signing-keys.ts reads it):
 * {currentId, current, previousId?, previous?, nextId?, next?}. Apart from the adapter, so the
 * local cloud can read the format without loading a Secrets Manager client.
 */

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
