import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { signLink, verifyLink, type SigningKeys } from '../../functions/shared/domain/signed-link.js';

const keys: SigningKeys = { current: { id: 'k2', secret: 'current-secret-0123456789' }, previous: [{ id: 'k1', secret: 'previous-secret-0123456789' }] };
const now = new Date('2026-11-23T01:00:00Z');
const claims = { followUpId: 'fu-0123456789abcdef0123456789abcdef', attempt: 2, purpose: 'survey' as const, expiresAt: now.getTime() / 1000 + 3600 };

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
    const forged = Buffer.from(JSON.stringify({ f: 'fu-ffffffffffffffffffffffffffffffff', a: 2, p: 'survey', e: claims.expiresAt, k: 'k2' })).toString('base64url');
    expect(verifyLink(`${forged}.${signature}`, keys, now)).toMatchObject({ ok: false, reason: 'tampered' });
  });
  it('answers garbage with "malformed"', () => {
    for (const token of ['', 'abc', 'a.b.c', '%%%.***']) expect(verifyLink(token, keys, now)).toMatchObject({ ok: false, reason: 'malformed' });
  });
});
