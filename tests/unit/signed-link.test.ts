import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { forgetSigningKeys, loadSigningKeys, SIGNING_KEY_CACHE_MS } from '../../functions/shared/adapters/signing-keys.js';
import { type SigningKeys, signLink, verifyLink } from '../../functions/shared/domain/signed-link.js';
import { keysFromSecret } from '../../functions/shared/domain/signing-key-secret.js';

const keys: SigningKeys = {
  current: { id: 'k2', secret: 'current-secret-0123456789' },
  previous: [{ id: 'k1', secret: 'previous-secret-0123456789' }],
};
const now = new Date('2026-11-23T01:00:00Z');
const claims = {
  followUpId: 'fu-0123456789abcdef0123456789abcdef',
  attempt: 2,
  purpose: 'survey' as const,
  expiresAt: now.getTime() / 1000 + 3600,
};

describe('signed links', () => {
  it('round-trips the claims', () => {
    expect(verifyLink(signLink(claims, keys), keys, now)).toEqual({ ok: true, claims });
  });
  it('refuses an expired link', () => {
    expect(verifyLink(signLink(claims, keys), keys, new Date(now.getTime() + 3601_000))).toMatchObject({ ok: false, reason: 'expired' });
  });
  it('keeps verifying links signed with the previous key after a rotation, and refuses unknown keys', () => {
    const oldKeys: SigningKeys = { current: keys.previous[0]!, previous: [] };
    expect(verifyLink(signLink(claims, oldKeys), keys, now).ok).toBe(true);
    expect(verifyLink(signLink(claims, keys), oldKeys, now)).toMatchObject({ ok: false, reason: 'tampered' });
  });
  it('refuses any change to a signed link', () => {
    const token = signLink(claims, keys);
    fc.assert(
      fc.property(fc.nat({ max: token.length - 1 }), fc.constantFrom(...'ABCxyz019-_.'), (index, char) => {
        if (token[index] === char) return true;
        const tampered = token.slice(0, index) + char + token.slice(index + 1);
        return verifyLink(tampered, keys, now).ok === false;
      }),
      { seed: 42, numRuns: 500 },
    );
  });
  it('refuses a link whose claims were swapped to another follow-up', () => {
    const [, signature] = signLink(claims, keys).split('.');
    const forged = Buffer.from(
      JSON.stringify({ f: 'fu-ffffffffffffffffffffffffffffffff', a: 2, p: 'survey', e: claims.expiresAt, k: 'k2' }),
    ).toString('base64url');
    expect(verifyLink(`${forged}.${signature}`, keys, now)).toMatchObject({ ok: false, reason: 'tampered' });
  });
  it('answers garbage with "malformed"', () => {
    for (const token of ['', 'abc', 'a.b.c', '%%%.***'])
      expect(verifyLink(token, keys, now)).toMatchObject({ ok: false, reason: 'malformed' });
  });
});

describe('rotating the link key (README "Rotating the link key")', () => {
  const A = { id: 'k2026a', secret: 'aaaaaaaaaaaaaaaaaaaaaaaa' };
  const B = { id: 'k2026b', secret: 'bbbbbbbbbbbbbbbbbbbbbbbb' };
  const secret = (roles: { current: typeof A; previous?: typeof A; next?: typeof A }) =>
    JSON.stringify({
      currentId: roles.current.id,
      current: roles.current.secret,
      ...(roles.previous ? { previousId: roles.previous.id, previous: roles.previous.secret } : {}),
      ...(roles.next ? { nextId: roles.next.id, next: roles.next.secret } : {}),
    });
  // The secret before the rotation and after each documented step.
  const steps = [secret({ current: A }), secret({ current: A, next: B }), secret({ current: B, previous: A }), secret({ current: B })];
  const link = (keys: SigningKeys) => signLink({ ...claims, purpose: 'unsubscribe' }, keys);

  it.each([1, 2, 3])('step %i: a link signed by a warm container verifies in a fresh one, and the other way round', (step) => {
    // Steps are at least the cache TTL apart, so a warm container holds at worst the previous step.
    const warm = keysFromSecret(steps[step - 1]!);
    const fresh = keysFromSecret(steps[step]!);
    expect(verifyLink(link(warm), fresh, now)).toMatchObject({ ok: true });
    expect(verifyLink(link(fresh), warm, now)).toMatchObject({ ok: true });
  });

  it('would break links if the new key signed before every cache knew it (the order matters)', () => {
    const warm = keysFromSecret(steps[0]!);
    const promotedAtOnce = keysFromSecret(secret({ current: B, previous: A }));
    expect(verifyLink(link(promotedAtOnce), warm, now)).toMatchObject({ ok: false, reason: 'tampered' });
  });

  it('refuses a secret whose key ids collide or whose key comes without its id, naming the field', () => {
    expect(() => keysFromSecret(JSON.stringify({ currentId: 'k', current: A.secret, nextId: 'k', next: B.secret }))).toThrow(
      'key ids must differ',
    );
    expect(() => keysFromSecret(JSON.stringify({ currentId: 'k', current: A.secret, next: B.secret }))).toThrow(
      'next and nextId go together',
    );
  });

  it('re-reads the secret once the cache TTL has passed, not before', async () => {
    await import('../handlers/setup-env.js');
    const { mockClient } = await import('aws-sdk-client-mock');
    const { SecretsManagerClient, GetSecretValueCommand } = await import('@aws-sdk/client-secrets-manager');
    const sm = mockClient(SecretsManagerClient);
    sm.on(GetSecretValueCommand).resolves({ SecretString: steps[0] });
    forgetSigningKeys();
    const t = Date.parse('2026-11-23T01:00:00Z');
    expect((await loadSigningKeys({ now: t })).next).toBeUndefined();
    sm.on(GetSecretValueCommand).resolves({ SecretString: steps[1] });
    expect((await loadSigningKeys({ now: t + SIGNING_KEY_CACHE_MS - 1 })).next).toBeUndefined();
    expect((await loadSigningKeys({ now: t + SIGNING_KEY_CACHE_MS })).next).toEqual(B);
    expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(2);
    sm.restore();
    forgetSigningKeys();
  });
});
