import './setup-env.js';
import { describe, expect, it } from 'vitest';
import { ingest } from '../../functions/ingest-service-completed/ingest.js';
import { handleLink } from '../../functions/outcome-api/links.js';
import { type CareDeps, sendCareMessages } from '../../functions/send-care-messages/send-care-messages.js';
import { policyConfig } from '../../functions/shared/config/policies.js';
import type { CustomerRef } from '../../functions/shared/domain/customer-key.js';
import type { Customer } from '../../functions/shared/domain/service-event.js';
import type { SigningKeys } from '../../functions/shared/domain/signed-link.js';
import type { CareLedger } from '../../functions/shared/ports/care.js';
import type { DormancyEntry } from '../../functions/shared/ports/customer-index.js';
import { FakeChannels, FakeWorkflow, recordedFinishes, roomyLimiter } from '../support/fake-channels.js';
import { MemoryFollowUpStore } from '../support/memory-store.js';

const key = (c: CustomerRef) => `${c.source}#${c.id}`;
const signingKeys: SigningKeys = { current: { id: 'k1', secret: 'a-very-secret-signing-key' }, previous: [] };

/** The ledger's rules in memory: one claim per customer and occasion, occasions per year up to the cap. */
class MemoryLedger implements CareLedger {
  readonly claims = new Set<string>();
  readonly years = new Map<string, Set<string>>();
  async claim(customer: CustomerRef, occasion: string) {
    const id = `${key(customer)}|${occasion}`;
    if (this.claims.has(id)) return false;
    this.claims.add(id);
    return true;
  }
  async countAgainstCap(customer: CustomerRef, occasion: string, year: string, max: number) {
    const id = `${key(customer)}|${year}`;
    const set = this.years.get(id) ?? new Set<string>();
    if (set.size >= max && !set.has(occasion)) return false;
    set.add(occasion);
    this.years.set(id, set);
    return true;
  }
  readonly outcomes = new Map<string, string>();
  async settle(customer: CustomerRef, occasion: string, kind: string, outcome: 'sent' | 'suppressed') {
    this.outcomes.set(`${key(customer)}|${occasion}`, `${kind}:${outcome}`);
  }
  async release(customer: CustomerRef, occasion: string, year: string) {
    this.claims.delete(`${key(customer)}|${occasion}`);
    this.years.get(`${key(customer)}|${year}`)?.delete(occasion);
  }
}

const entry = (customer: Partial<Customer> & { id: string }): DormancyEntry => ({
  source: 'dealer.dms',
  customer: { name: 'Ann', email: `${customer.id}@example.com`, ...customer },
  lastServiceAt: '2026-06-01T02:00:00.000Z',
});

interface World {
  birthdays?: Record<string, DormancyEntry[]>;
  thankYous?: Record<string, DormancyEntry[]>;
  served?: Record<string, DormancyEntry[]>;
  optedOut?: string[];
  ledger?: MemoryLedger;
  channels?: FakeChannels;
}

type TestDeps = CareDeps & { channels: FakeChannels; ledger: MemoryLedger; slept: Date[]; counted: { counters: Record<string, number> }[] };

function depsAt(iso: string, world: World): TestDeps {
  const slept: Date[] = [];
  const counted: { day: string; subject: string; departmentId?: string; counters: Record<string, number> }[] = [];
  let slot = Date.parse(iso);
  return {
    birthdays: { bornOn: async (monthDay) => world.birthdays?.[monthDay] ?? [] },
    thankYous: { dueOn: async (date) => world.thankYous?.[date] ?? [] },
    index: { lastServedIn: async (month) => world.served?.[month] ?? [] },
    store: { customerState: async (c) => ({ optedOut: (world.optedOut ?? []).includes(c.id), contactsByQuarter: {}, pending: [] }) },
    ledger: world.ledger ?? new MemoryLedger(),
    aggregates: {
      add: async (day, subject, departmentId, counters) => {
        counted.push({ day, subject, departmentId, counters });
        return true;
      },
    },
    counted,
    channels: world.channels ?? new FakeChannels(),
    limiter: {
      reserve: async () => {
        slot += 1000;
        return new Date(slot);
      },
    },
    smsEnabled: true,
    unsubscribeLinks: { baseUrl: 'https://links.example.com/', keys: async () => signingKeys },
    sleepUntil: async (until) => {
      slept.push(until);
    },
    slept,
    now: new Date(iso),
  };
}

describe('sendCareMessages', () => {
  it('greets a birthday once, inside calling hours in the customer zone, by email when the phone is +86', async () => {
    const ann = entry({ id: 'C1', phone: '+8613800138000', birthday: '03-15', locale: 'en' });
    const world: World = { birthdays: { '03-15': [ann] }, ledger: new MemoryLedger(), channels: new FakeChannels() };
    const early = depsAt('2026-03-15T07:30:00+08:00', world);
    expect((await sendCareMessages({}, early)).birthday).toEqual({ sent: 0, suppressed: 0, failed: 0 });
    const inHours = depsAt('2026-03-15T09:00:00+08:00', world);
    expect((await sendCareMessages({}, inHours)).birthday.sent).toBe(1);
    const again = depsAt('2026-03-15T15:00:00+08:00', world);
    expect((await sendCareMessages({}, again)).birthday.sent).toBe(0);
    expect(inHours.channels.emails).toHaveLength(1);
    expect(inHours.channels.emails[0]).toMatchObject({ to: 'C1@example.com', subject: expect.stringContaining('birthday') });
    expect(inHours.channels.sms).toEqual([]);
  });
  it("waits for the customer's own morning: a New York birthday is not greeted at Shanghai's 10:00", async () => {
    const ny = entry({ id: 'C2', birthday: '03-15', timeZone: 'America/New_York' });
    const world: World = { birthdays: { '03-15': [ny] } };
    // 10:00 in Shanghai is 22:00 on 03-14 in New York: not yet the day, and past the hours anyway.
    expect((await sendCareMessages({}, depsAt('2026-03-15T10:00:00+08:00', world))).birthday.sent).toBe(0);
    // 09:30 in New York on 03-15 is 21:30 in Shanghai.
    expect((await sendCareMessages({}, depsAt('2026-03-15T09:30:00-04:00', world))).birthday.sent).toBe(1);
  });
  it('sends SMS first where the provider takes free text, and falls back to email when it refuses', async () => {
    const abroad = entry({ id: 'C3', phone: '+14155550100', birthday: '03-15' });
    const deps = depsAt('2026-03-15T10:00:00+08:00', { birthdays: { '03-15': [abroad] } });
    await sendCareMessages({}, deps);
    expect(deps.channels.sms).toMatchObject([{ to: '+14155550100', purpose: { kind: 'care', occasion: 'birthday-2026' } }]);
    expect(deps.channels.emails).toEqual([]);
    const failing = depsAt('2026-03-15T10:00:00+08:00', { birthdays: { '03-15': [abroad] } });
    failing.channels.failNext.sms.push(new Error('No SMS provider is configured'));
    expect((await sendCareMessages({}, failing)).birthday.sent).toBe(1);
    expect(failing.channels.emails).toHaveLength(1);
    const emailOnly = depsAt('2026-03-15T10:00:00+08:00', { birthdays: { '03-15': [abroad] } });
    emailOnly.smsEnabled = false;
    await sendCareMessages({}, emailOnly);
    expect([emailOnly.channels.sms.length, emailOnly.channels.emails.length]).toEqual([0, 1]);
  });
  it('does not greet an opted-out customer on a holiday eve, and counts the suppression once', async () => {
    const served = { '2026-09': [entry({ id: 'C4' }), entry({ id: 'C5' })] };
    const world: World = { served, optedOut: ['C4'], ledger: new MemoryLedger(), channels: new FakeChannels() };
    const deps = depsAt('2026-09-30T10:00:00+08:00', world);
    const first = await sendCareMessages({}, deps);
    expect(first.holiday).toEqual({ sent: 1, suppressed: 1, failed: 0 });
    // Counted in the day's report under its own subject, apart from the follow-ups.
    expect(deps.counted).toEqual([
      { day: '2026-09-30', subject: 'care', departmentId: undefined, counters: { holiday_suppressed: 1 } },
      { day: '2026-09-30', subject: 'care', departmentId: undefined, counters: { holiday_sent: 1 } },
    ]);
    expect(world.channels!.emails.map((e) => e.to)).toEqual(['C5@example.com']);
    expect(world.channels!.emails[0]!.text).toContain('国庆节');
    expect([...world.ledger!.outcomes.values()].sort()).toEqual(['holiday:sent', 'holiday:suppressed']);
    const second = await sendCareMessages({}, depsAt('2026-09-30T15:00:00+08:00', world));
    expect(second.holiday).toEqual({ sent: 0, suppressed: 0, failed: 0 });
  });
  it('greets only customers served within the configured months, and nobody on an ordinary day', async () => {
    const served = { '2025-09': [entry({ id: 'old' })], '2025-10': [entry({ id: 'recent' })] };
    const deps = depsAt('2026-09-30T10:00:00+08:00', { served });
    await sendCareMessages({}, deps);
    expect(deps.channels.emails.map((e) => e.to)).toEqual(['recent@example.com']);
    const ordinary = depsAt('2026-09-29T10:00:00+08:00', { served });
    await sendCareMessages({}, ordinary);
    expect(ordinary.channels.emails).toEqual([]);
  });
  it('keeps to its own yearly cap, and a channel failure gives the claim back for the next run', async () => {
    const ledger = new MemoryLedger();
    for (const occasion of ['a', 'b', 'c', 'd', 'e', 'f'])
      await ledger.countAgainstCap({ source: 'dealer.dms', id: 'C6' }, occasion, '2026', 6);
    const capped = depsAt('2026-11-20T10:00:00+08:00', { thankYous: { '2026-11-20': [entry({ id: 'C6' })] }, ledger });
    expect((await sendCareMessages({}, capped)).thankYou).toEqual({ sent: 0, suppressed: 1, failed: 0 });
    const world: World = { thankYous: { '2026-11-20': [entry({ id: 'C7' })] }, channels: new FakeChannels() };
    world.channels!.failNext.email.push(Object.assign(new Error('throttled'), { name: 'TooManyRequestsException' }));
    expect((await sendCareMessages({}, depsAt('2026-11-20T10:00:00+08:00', world))).thankYou.failed).toBe(1);
    expect((await sendCareMessages({}, depsAt('2026-11-20T11:00:00+08:00', world))).thankYou.sent).toBe(1);
  });
  it('waits for its send slot, and leaves what does not fit in the run for the next one', async () => {
    const many = Array.from({ length: 3 }, (_, i) => entry({ id: `M${i}` }));
    const deps = depsAt('2026-11-20T10:00:00+08:00', { thankYous: { '2026-11-20': many } });
    let slot = deps.now.getTime();
    deps.limiter = {
      reserve: async () => {
        slot += 400_000;
        return new Date(slot);
      },
    };
    const tally = await sendCareMessages({}, deps);
    expect(tally.thankYou.sent).toBe(1);
    expect(deps.slept).toHaveLength(1);
    expect(deps.ledger.claims.size).toBe(1);
  });
});

describe("a greeting email's unsubscribe link", () => {
  const header = (email: { headers?: { name: string; value: string }[] }, name: string) =>
    email.headers?.find((h) => h.name === name)?.value;
  const delivery = {
    id: 'ev-care-unsubscribe',
    source: 'dealer.dms',
    'detail-type': 'Service Completed',
    detail: {
      serviceId: 'RO-care-1',
      serviceType: 'vehicle-delivery',
      completedAt: '2026-11-20T09:00:00+08:00',
      customer: { id: 'C9', name: 'Ann', email: 'ann@example.com', locale: 'en' },
    },
  };

  it("is the survey email's signed one-click unsubscribe, and a mail client's POST of it opts the greeted customer out", async () => {
    // Intake notes the thank-you with the delivery's follow-up, which the link names.
    const store = new MemoryFollowUpStore();
    const noted: DormancyEntry[] = [];
    const thankYous = { add: async (_date: string, entry: DormancyEntry) => void noted.push(entry) };
    await ingest(delivery, {
      store,
      workflow: new FakeWorkflow(),
      thankYous,
      limiter: roomyLimiter,
      finished: recordedFinishes(),
      now: new Date('2026-11-20T01:00:00Z'),
    });
    const followUpId = noted[0]!.followUpId!;
    expect(store.followUps.get(followUpId)?.customer.id).toBe('C9');

    const world: World = { thankYous: { '2026-11-20': noted, '2026-11-21': noted }, optedOut: [], channels: new FakeChannels() };
    const deps = depsAt('2026-11-20T10:00:00+08:00', world);
    expect((await sendCareMessages({}, deps)).thankYou.sent).toBe(1);
    const [email] = world.channels!.emails;
    expect(header(email!, 'List-Unsubscribe-Post')).toBe('List-Unsubscribe=One-Click');
    const url = /^<(.+)>$/.exec(header(email!, 'List-Unsubscribe') ?? '')?.[1];
    expect(url).toMatch(/^https:\/\/links\.example\.com\/links\/[\w-]+\.[\w-]+$/);
    expect(email!.text).toContain(`Prefer not to hear from us with greetings or follow-ups? Unsubscribe: ${url}`);
    expect(email!.html).toContain(`href="${url}"`);

    // The outcome API's own handler, as the mail client's RFC 8058 POST reaches it.
    const optedOut: CustomerRef[] = [];
    Object.assign(store, { optOut: async (customer: CustomerRef) => void optedOut.push(customer) });
    const token = url!.split('/links/')[1]!;
    const linkDeps = {
      config: policyConfig,
      store,
      limiter: {} as never,
      complaints: {} as never,
      workflow: {} as never,
      keys: signingKeys,
      now: deps.now,
    };
    const click = await handleLink(
      { method: 'POST', token, body: { 'List-Unsubscribe': 'One-Click' }, wantsJson: false, action: `/links/${token}` },
      linkDeps,
    );
    expect(click.statusCode).toBe(200);
    expect(optedOut).toEqual([{ source: 'dealer.dms', id: 'C9' }]);

    // Opted out (the store's opt-out read): the next greeting is not sent.
    world.optedOut!.push(...optedOut.map((c) => c.id));
    const next = depsAt('2026-11-21T10:00:00+08:00', world);
    expect((await sendCareMessages({}, next)).thankYou).toEqual({ sent: 0, suppressed: 1, failed: 0 });
  });

  it("lasts as long as a survey email's, and is left out for an entry kept before its follow-up was noted", async () => {
    const world: World = { thankYous: { '2026-11-20': [entry({ id: 'C10' })] }, channels: new FakeChannels() };
    await sendCareMessages({}, depsAt('2026-11-20T10:00:00+08:00', world));
    const [email] = world.channels!.emails;
    expect(email!.headers).toBeUndefined();
    expect(email!.text).not.toContain('/links/');

    const linked = entry({ id: 'C11' });
    linked.followUpId = 'fu-0123456789abcdef0123456789abcdef';
    const withLink: World = { thankYous: { '2026-11-20': [linked] }, channels: new FakeChannels() };
    const deps = depsAt('2026-11-20T10:00:00+08:00', withLink);
    await sendCareMessages({}, deps);
    const token = header(withLink.channels!.emails[0]!, 'List-Unsubscribe')!.slice(1, -1).split('/links/')[1]!;
    const claims = JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString('utf8'));
    const validDays = policyConfig.unsubscribeLinkValidityDays;
    expect(claims).toMatchObject({ f: linked.followUpId, p: 'unsubscribe', e: deps.now.getTime() / 1000 + validDays * 86_400 });
  });
});

describe('the thank-you at intake', () => {
  const delivery = (completedAt: string, serviceType = 'vehicle-delivery') => ({
    id: `ev-${completedAt}-${serviceType}`,
    source: 'dealer.dms',
    'detail-type': 'Service Completed',
    detail: { serviceId: `RO-${completedAt}`, serviceType, completedAt, customer: { id: 'C8', name: 'Ann', email: 'ann@example.com' } },
  });
  const run = async (completedAt: string, serviceType?: string) => {
    const added: { date: string; entry: DormancyEntry }[] = [];
    const thankYous = { add: async (date: string, entry: DormancyEntry) => void added.push({ date, entry }) };
    const deps = {
      store: new MemoryFollowUpStore(),
      workflow: new FakeWorkflow(),
      thankYous,
      limiter: roomyLimiter,
      finished: recordedFinishes(),
      now: new Date('2026-11-21T00:00:00Z'),
    };
    await ingest(delivery(completedAt, serviceType), deps);
    return added;
  };
  it('notes the thank-you of a delivery for its day, or the next morning after the last calling window', async () => {
    expect(await run('2026-11-20T15:00:00+08:00')).toMatchObject([{ date: '2026-11-20', entry: { source: 'dealer.dms' } }]);
    expect(await run('2026-11-20T21:00:00+08:00')).toMatchObject([{ date: '2026-11-21' }]);
  });
  it('notes none for a policy without `thankYou`', async () => {
    expect(await run('2026-11-20T15:00:00+08:00', 'vehicle-repair')).toEqual([]);
  });
});
