/**
 * The local SES account's standing, as a new AWS account has it: in the sandbox, mail goes only
 * to verified identities, at most 200 messages in any 24 hours and 1 a second; production access
 * lifts the recipient check and raises the quotas. The sender must be a verified identity either
 * way. Decisions only: the local cloud turns a refusal into the API error.
 */

export interface SesAccountOptions {
  /** Production access (out of the sandbox). Default: sandbox. */
  production?: boolean;
  /** Verified identities: email addresses and domains (a domain covers its subdomains). */
  verified?: string[];
  /** Messages (recipients) in any rolling 24 hours. Default: 200 in the sandbox, 50,000 in production. */
  maxPer24Hours?: number;
  /** Messages (recipients) a second. Default: 1 in the sandbox, 14 in production. */
  maxSendRate?: number;
}

/** An SES v2 error as the SendEmail operation returns it (code, HTTP status, message). */
export interface SesRefusal {
  code: 'MessageRejected' | 'TooManyRequestsException';
  status: number;
  message: string;
}

export const SANDBOX_QUOTA = { maxPer24Hours: 200, maxSendRate: 1 } as const;
export const PRODUCTION_QUOTA = { maxPer24Hours: 50_000, maxSendRate: 14 } as const;

const DAY_MS = 86_400_000;
/** Amazon SES mailbox simulator: accepted from a sandboxed account without verification. */
const SIMULATOR_DOMAIN = 'simulator.amazonses.com';

/** The address part of `Name <address>` or a bare address, lower-cased. */
export function addressOf(mailbox: string): string {
  const angle = /<([^>]+)>\s*$/.exec(mailbox);
  return (angle ? angle[1]! : mailbox).trim().toLowerCase();
}

export class SesAccount {
  readonly production: boolean;
  readonly maxPer24Hours: number;
  readonly maxSendRate: number;
  private readonly identities: Set<string>;
  /** When each accepted recipient was sent (ms, ascending; entries before `head` have expired). */
  private sentAt: number[] = [];
  private head = 0;
  /** The send rate as a bucket of up to maxSendRate messages, refilled continuously; it may go into debt. */
  private rate = { tokens: 0, at: Number.NEGATIVE_INFINITY };

  constructor(
    options: SesAccountOptions = {},
    private readonly region = 'us-east-1',
  ) {
    this.production = options.production ?? false;
    const defaults = this.production ? PRODUCTION_QUOTA : SANDBOX_QUOTA;
    this.maxPer24Hours = options.maxPer24Hours ?? defaults.maxPer24Hours;
    this.maxSendRate = options.maxSendRate ?? defaults.maxSendRate;
    for (const [name, value] of [
      ['maxPer24Hours', this.maxPer24Hours],
      ['maxSendRate', this.maxSendRate],
    ] as const) {
      if (!(Number.isFinite(value) && value > 0)) throw new Error(`ses.${name} must be a positive number, got ${value}`);
    }
    this.identities = new Set();
    for (const identity of options.verified ?? []) this.verify(identity);
  }

  /** Adds a verified identity: an address (`a@example.com`) or a domain (`example.com`). */
  verify(identity: string): void {
    const value = identity.trim().toLowerCase();
    if (!/^([^@\s]+@)?[a-z0-9-]+(\.[a-z0-9-]+)+$/.test(value))
      throw new Error(`ses.verified: "${identity}" is neither an email address nor a domain`);
    this.identities.add(value);
  }

  verifiedIdentities(): string[] {
    return [...this.identities].sort();
  }

  isVerified(mailbox: string): boolean {
    const address = addressOf(mailbox);
    if (this.identities.has(address)) return true;
    const labels = address.split('@').pop()!.split('.');
    for (let i = 0; i < labels.length - 1; i += 1) if (this.identities.has(labels.slice(i).join('.'))) return true;
    return false;
  }

  /**
   * Why SES would refuse this message now, or undefined when it would send it. Identities are
   * checked before quotas: a rejected message never counts against them.
   */
  refusal(from: string, to: string[], nowMs: number): SesRefusal | undefined {
    const unverified = [from, ...(this.production ? [] : to.filter((r) => addressOf(r).split('@')[1] !== SIMULATOR_DOMAIN))].filter(
      (identity) => !this.isVerified(identity),
    );
    if (unverified.length > 0) {
      const identities = [...new Set(unverified.map(addressOf))].join(', ');
      const region = this.region.toUpperCase();
      return {
        code: 'MessageRejected',
        status: 400,
        message: `Email address is not verified. The following identities failed the check in region ${region}: ${identities}`,
      };
    }
    this.forget(nowMs);
    // Both quotas are throttling in SES (developer guide, "Errors related to the sending quotas"); SES v2
    // models that as TooManyRequestsException, HTTP 429. As SES does, a message goes out while any
    // quota is left, even to more recipients than remain; the overdraft blocks the sends after it.
    if (this.sentAt.length - this.head >= this.maxPer24Hours)
      return { code: 'TooManyRequestsException', status: 429, message: 'Daily message quota exceeded.' };
    if (this.tokensAt(nowMs) < 1) return { code: 'TooManyRequestsException', status: 429, message: 'Maximum sending rate exceeded.' };
    return undefined;
  }

  /** Counts a sent message: each recipient is one message against the quotas. */
  recordSent(recipients: number, nowMs: number): void {
    for (let i = 0; i < recipients; i += 1) this.sentAt.push(nowMs);
    this.rate = { tokens: this.tokensAt(nowMs) - recipients, at: nowMs };
  }

  private tokensAt(nowMs: number): number {
    return Math.min(this.maxSendRate, this.rate.tokens + ((nowMs - this.rate.at) / 1000) * this.maxSendRate);
  }

  /** As GetAccount's SendQuota reports it. */
  sendQuota(nowMs: number): { Max24HourSend: number; MaxSendRate: number; SentLast24Hours: number } {
    this.forget(nowMs);
    return { Max24HourSend: this.maxPer24Hours, MaxSendRate: this.maxSendRate, SentLast24Hours: this.sentAt.length - this.head };
  }

  describe(): string {
    const quota = `${this.maxPer24Hours.toLocaleString('en')} per 24 h, ${this.maxSendRate} per second`;
    const verified = this.verifiedIdentities().join(', ') || 'none';
    return this.production
      ? `production (${quota}); verified senders: ${verified}`
      : `sandbox (${quota}); mail only to and from verified identities: ${verified}`;
  }

  private forget(nowMs: number): void {
    this.head = this.firstIndexAfter(nowMs - DAY_MS);
    // Compacted now and then, not on every send: a production month sends tens of thousands.
    if (this.head > 1024 && this.head * 2 > this.sentAt.length) {
      this.sentAt = this.sentAt.slice(this.head);
      this.head = 0;
    }
  }

  /** Index of the first send strictly after `ms` (sentAt is ascending: the local clock never goes back). */
  private firstIndexAfter(ms: number): number {
    let lo = this.head;
    let hi = this.sentAt.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.sentAt[mid]! <= ms) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
