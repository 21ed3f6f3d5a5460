import { createHmac, timingSafeEqual } from 'node:crypto';
import * as z from 'zod';

/**
 * Links sent to agents (outcome form) and customers (survey) carry their own authority: an
 * HMAC over what they allow, with an expiry. Single use is enforced by the store, not here.
 */
/**
 * survey/agent answer a follow-up attempt; acknowledge/resolve act on a complaint; unsubscribe
 * opts the follow-up's customer out (the List-Unsubscribe link of a survey email).
 */
export const linkPurposes = ['survey', 'agent', 'acknowledge', 'resolve', 'unsubscribe'] as const;
export type LinkPurpose = (typeof linkPurposes)[number];

export interface LinkClaims {
  /** The follow-up (fu-…) or, for a manager's link, the complaint (cp-…). */
  followUpId: string;
  attempt: number;
  purpose: LinkPurpose;
  /** Epoch seconds after which the link is refused. */
  expiresAt: number;
}

export interface SigningKey {
  id: string;
  secret: string;
}

/**
 * The current key signs. Older keys still verify links issued before a rotation; the next key
 * verifies too before it signs, so containers whose cache predates its promotion accept the links
 * that fresher containers sign with it (README "Rotating the link key").
 */
export interface SigningKeys {
  current: SigningKey;
  previous: SigningKey[];
  next?: SigningKey;
}

/**
 * Key ids ("k1", "k2"…) are written into every link, and a text message is billed by its length:
 * the signing keys' loader refuses longer ones, so longestSignedLinkUrl holds for every link signed.
 */
export const MAX_KEY_ID_LENGTH = 8;
const MAX_ATTEMPT = 100_000;

const claimsSchema = z.strictObject({
  f: z.string().regex(/^(fu|cp)-[0-9a-f]{32}$/),
  a: z.number().int().min(1).max(MAX_ATTEMPT),
  p: z.enum(linkPurposes),
  e: z.number().int(),
  k: z.string().min(1).max(64),
});

const b64 = (data: Buffer | string) => Buffer.from(data).toString('base64url');
const mac = (secret: string, payload: string) => createHmac('sha256', secret).update(payload).digest();

export function signLink(claims: LinkClaims, keys: SigningKeys): string {
  const payload = b64(
    JSON.stringify({ f: claims.followUpId, a: claims.attempt, p: claims.purpose, e: claims.expiresAt, k: keys.current.id }),
  );
  return `${payload}.${b64(mac(keys.current.secret, payload))}`;
}

/** The signed link's address under the outcome API at `baseUrl` (with or without a trailing slash). */
export function signedLinkUrl(baseUrl: string, claims: LinkClaims, keys: SigningKeys): string {
  return `${baseUrl.replace(/\/$/, '')}/links/${signLink(claims, keys)}`;
}

/**
 * The longest link signedLinkUrl can make under `baseUrl` for a purpose: a 35-character id, the
 * highest attempt, an expiry in epoch seconds (10 digits until the year 2286) and the longest key
 * id. What a text message carrying a link is measured with (sms-schema).
 */
export function longestSignedLinkUrl(baseUrl: string, purpose: LinkPurpose): string {
  const claims: LinkClaims = { followUpId: `fu-${'f'.repeat(32)}`, attempt: MAX_ATTEMPT, purpose, expiresAt: 9_999_999_999 };
  return signedLinkUrl(baseUrl, claims, { current: { id: 'k'.repeat(MAX_KEY_ID_LENGTH), secret: 'length-only' }, previous: [] });
}

export type LinkCheck = { ok: true; claims: LinkClaims } | { ok: false; reason: 'malformed' | 'tampered' | 'expired'; message: string };

export function verifyLink(token: string, keys: SigningKeys, now: Date): LinkCheck {
  const [payload, signature, extra] = token.split('.');
  if (!payload || !signature || extra !== undefined || !/^[\w-]+$/.test(payload) || !/^[\w-]+$/.test(signature)) {
    return { ok: false, reason: 'malformed', message: 'This link is incomplete. Please open the full link from your message.' };
  }
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    return { ok: false, reason: 'malformed', message: 'This link is incomplete. Please open the full link from your message.' };
  }
  const parsed = claimsSchema.safeParse(raw);
  const key = parsed.success
    ? [keys.current, ...keys.previous, ...(keys.next ? [keys.next] : [])].find((k) => k.id === parsed.data.k)
    : undefined;
  const given = Buffer.from(signature, 'base64url');
  const expected = key ? mac(key.secret, payload) : undefined;
  // Base64url's last character carries spare bits: only the canonical spelling is accepted.
  const canonical = b64(given) === signature;
  if (!parsed.success || !expected || !canonical || given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return { ok: false, reason: 'tampered', message: 'This link is not valid: it was changed or was not issued by us.' };
  }
  const claims: LinkClaims = { followUpId: parsed.data.f, attempt: parsed.data.a, purpose: parsed.data.p, expiresAt: parsed.data.e };
  if (now.getTime() / 1000 > claims.expiresAt) {
    return { ok: false, reason: 'expired', message: 'This link has expired.' };
  }
  return { ok: true, claims };
}

/**
 * What a link is for, read without checking its signature: only to label a link for display
 * (the local outbox), never to act on it.
 */
export function unverifiedPurpose(token: string): LinkPurpose | undefined {
  try {
    const parsed = z
      .object({ p: z.enum(linkPurposes) })
      .safeParse(JSON.parse(Buffer.from(token.split('.')[0] ?? '', 'base64url').toString('utf8')));
    return parsed.success ? parsed.data.p : undefined;
  } catch {
    return undefined;
  }
}
