import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { DateTime } from 'luxon';
import { careConfig } from '../shared/config/care.js';
import { policyConfig } from '../shared/config/policies.js';
import { reportConfig } from '../shared/config/reports.js';
import { smsConfig } from '../shared/config/sms.js';
import {
  birthdaysGreetedOn,
  CARE_SUBJECT,
  type CareOccasionKind,
  careHours,
  careSendTime,
  careYear,
  datesAround,
  greetableDates,
  holidayName,
  holidayOnEve,
  occasionId,
} from '../shared/domain/care.js';
import { careEmail, careSmsText } from '../shared/domain/care-content.js';
import type { CustomerRef } from '../shared/domain/customer-key.js';
import { localDate } from '../shared/domain/schedule.js';
import { type SigningKeys, signedLinkUrl } from '../shared/domain/signed-link.js';
import { e164 } from '../shared/domain/sms-content.js';
import { providerFor } from '../shared/domain/sms-schema.js';
import type { AggregateStore } from '../shared/ports/aggregate-store.js';
import type { BirthdayIndex, CareLedger, ThankYouList } from '../shared/ports/care.js';
import type { ContactChannels } from '../shared/ports/contact-channels.js';
import type { CustomerIndex, DormancyEntry } from '../shared/ports/customer-index.js';
import type { FollowUpStore } from '../shared/ports/follow-up-store.js';
import type { RateLimiter } from '../shared/ports/rate-limiter.js';
import { logger, metrics } from '../shared/powertools.js';

export interface CareDeps {
  birthdays: BirthdayIndex;
  thankYous: Pick<ThankYouList, 'dueOn'>;
  index: Pick<CustomerIndex, 'lastServedIn'>;
  store: Pick<FollowUpStore, 'customerState'>;
  ledger: CareLedger;
  /** The reports' daily counters: care messages are counted under their own subject, apart from follow-ups. */
  aggregates: Pick<AggregateStore, 'add'>;
  channels: Pick<ContactChannels, 'sendEmail' | 'sendSms'>;
  /** The follow-ups' per-second send slots: a greeting shares the SES and SMS quotas with the surveys. */
  limiter: Pick<RateLimiter, 'reserve'>;
  /** Whether this function may text (the stack granted it an SMS configuration set); otherwise email only. */
  smsEnabled: boolean;
  /** Where an email's unsubscribe link points (the outcome API) and the keys that sign it, as for a survey email. */
  unsubscribeLinks: { baseUrl: string; keys: () => Promise<SigningKeys> };
  sleepUntil: (until: Date) => Promise<void>;
  now: Date;
}

/** One occasion of one customer: the local date it is due on, in the customer's zone. */
interface Occasion {
  kind: CareOccasionKind;
  date: string;
  entry: DormancyEntry;
  holiday?: string;
}

/**
 * How long one run sends: at the send rate (SES allows 1/s in the sandbox) a holiday eve may
 * have more greetings than a run can send; those left unclaimed go at the next hourly run.
 */
const RUN_BUDGET_MS = 10 * 60_000;

/** A send slot past the run's budget: the greeting is given back for the next run. */
class OutOfTime extends Error {
  override readonly name = 'OutOfTime';
}

type Outcome = 'sent' | 'suppressed' | 'not-now' | 'already' | 'failed';
export type CareTally = Record<CareOccasionKind, { sent: number; suppressed: number; failed: number }>;

/**
 * sendCareMessages: the thank-yous, birthday and holiday greetings due today, each in the
 * customer's zone. The schedule runs it every hour of the day: a customer is greeted at the first
 * run inside their calling hours, and the claim makes every later run (and a retry) pass them by.
 * Candidates come from buckets (the day's thank-yous, the birthday's, the months served), never a
 * scan. An opted-out or paused customer is counted as suppressed, once, and so is one over the
 * care cap or without a channel a greeting can use.
 */
export async function sendCareMessages(_schedule: unknown, deps: CareDeps): Promise<CareTally> {
  const tally: CareTally = {
    thankYou: { sent: 0, suppressed: 0, failed: 0 },
    birthday: { sent: 0, suppressed: 0, failed: 0 },
    holiday: { sent: 0, suppressed: 0, failed: 0 },
  };
  let postponed = false;
  try {
    for await (const occasion of occasionsAround(deps)) {
      const outcome = await greet(occasion, deps);
      if (outcome === 'sent' || outcome === 'suppressed' || outcome === 'failed') tally[occasion.kind][outcome] += 1;
    }
  } catch (error) {
    if (!(error instanceof OutOfTime)) throw error;
    postponed = true;
  }
  for (const kind of Object.keys(tally) as CareOccasionKind[]) {
    metrics.addMetric(`Care${kind[0]!.toUpperCase()}${kind.slice(1)}Sent`, MetricUnit.Count, tally[kind].sent);
    metrics.addMetric(`Care${kind[0]!.toUpperCase()}${kind.slice(1)}Suppressed`, MetricUnit.Count, tally[kind].suppressed);
  }
  logger.info('care messages', { tally, postponed });
  return tally;
}

/** The occasions due on the dates that are "today" somewhere inside calling hours; the customer's own zone decides later. */
async function* occasionsAround(deps: CareDeps): AsyncGenerator<Occasion> {
  const windows = careConfig.callingHours ?? policyConfig.defaults.callingHours;
  const dates = greetableDates(deps.now, datesAround(deps.now, policyConfig.defaults.timeZone), windows);
  for (const date of dates) {
    for (const entry of await deps.thankYous.dueOn(date)) yield { kind: 'thankYou', date, entry };
  }
  if (careConfig.birthday) {
    for (const date of dates) {
      for (const monthDay of birthdaysGreetedOn(date)) {
        for (const entry of await deps.birthdays.bornOn(monthDay)) yield { kind: 'birthday', date, entry };
      }
    }
  }
  const eves = dates.flatMap((date) => {
    const holiday = holidayOnEve(date, careConfig.holidays);
    return holiday ? [{ date, holiday }] : [];
  });
  if (eves.length === 0) return;
  const served = await servedWithin(careConfig.servedWithinMonths, deps);
  for (const { date, holiday } of eves) {
    for (const entry of served) yield { kind: 'holiday', date, entry, holiday };
  }
}

/** Customers whose last service falls in this month or the `months - 1` before (the dormant index's buckets). */
async function servedWithin(months: number, deps: Pick<CareDeps, 'index' | 'now'>): Promise<DormancyEntry[]> {
  const local = DateTime.fromJSDate(deps.now, { zone: policyConfig.defaults.timeZone });
  const out: DormancyEntry[] = [];
  for (let back = 0; back < months; back += 1)
    out.push(...(await deps.index.lastServedIn(local.minus({ months: back }).toFormat('yyyy-MM'))));
  return out;
}

function occasionKey(occasion: Occasion): string {
  // A birthday once a year, a holiday once per eve, a thank-you once a day however many purchases.
  return occasionId(occasion.kind, occasion.kind === 'birthday' ? occasion.date.slice(0, 4) : occasion.date);
}

async function greet(occasion: Occasion, deps: CareDeps): Promise<Outcome> {
  const { customer, source } = occasion.entry;
  const zone = customer.timeZone ?? policyConfig.defaults.timeZone;
  const hours = careHours(careConfig.callingHours ?? policyConfig.defaults.callingHours, zone);
  const at = careSendTime(deps.now, occasion.date, hours);
  if (!at || at > deps.now) return 'not-now';
  const ref: CustomerRef = { source, id: customer.id };
  const name = occasionKey(occasion);
  if (!(await deps.ledger.claim(ref, name))) return 'already';
  const state = await deps.store.customerState(ref, deps.now);
  const route = routeFor(occasion, deps.smsEnabled);
  const suppressedBecause = state.optedOut
    ? 'opted-out'
    : state.pausedUntil
      ? 'complaint-pause'
      : !route
        ? 'no-channel'
        : !(await deps.ledger.countAgainstCap(ref, name, careYear(deps.now, zone), careConfig.maxPerYear))
          ? 'capped'
          : undefined;
  if (suppressedBecause || !route) {
    logger.info('care message suppressed', { kind: occasion.kind, reason: suppressedBecause });
    await record(occasion, name, 'suppressed', deps);
    return 'suppressed';
  }
  const year = careYear(deps.now, zone);
  try {
    if (await sendOnRoute(route, occasion, name, deps)) {
      await record(occasion, name, 'sent', deps);
      return 'sent';
    }
  } catch (error) {
    // Out of time before anything went: the next run claims it again.
    await deps.ledger.release(ref, name, year);
    throw error;
  }
  await deps.ledger.release(ref, name, year);
  return 'failed';
}

/** What became of the occasion, on its claim and in the day's report counters (counted once per occasion). */
async function record(occasion: Occasion, name: string, outcome: 'sent' | 'suppressed', deps: CareDeps): Promise<void> {
  const { source, customer, departmentId } = occasion.entry;
  const ref = { source, id: customer.id };
  await deps.ledger.settle(ref, name, occasion.kind, outcome);
  const day = localDate(deps.now, reportConfig.timeZone);
  const contribution = `care#${encodeURIComponent(source)}#${customer.id}#${name}`;
  await deps.aggregates.add(day, CARE_SUBJECT, departmentId, { [`${occasion.kind}_${outcome}`]: 1 }, contribution);
}

/** Sends on the first channel that takes the message; false when none did. */
async function sendOnRoute(route: CareChannel[], occasion: Occasion, name: string, deps: CareDeps): Promise<boolean> {
  for (const channel of route) {
    try {
      await send(channel, occasion, name, deps);
      logger.info('care message sent', { kind: occasion.kind, channel: channel.kind });
      return true;
    } catch (error) {
      if (error instanceof OutOfTime) throw error;
      // The error's name only: an SMS or SES message may quote the destination.
      logger.warn('care message channel failed', { kind: occasion.kind, channel: channel.kind, error: (error as Error).name });
    }
  }
  return false;
}

type CareChannel = { kind: 'sms'; to: string } | { kind: 'email'; to: string };

/**
 * SMS first, then email. A phone is an SMS route only where the provider takes free text (AWS
 * End User Messaging): Alibaba Cloud, which carries +86 numbers, sends registered templates only,
 * and the registered template is the survey's, so those customers are greeted by email.
 */
function routeFor({ entry: { customer } }: Occasion, smsEnabled: boolean): CareChannel[] | undefined {
  const route: CareChannel[] = [];
  const to = smsEnabled && customer.phone ? e164(customer.phone, smsConfig.defaultCountryCode) : undefined;
  if (to && providerFor(smsConfig, to) === 'aws') route.push({ kind: 'sms', to });
  if (customer.email) route.push({ kind: 'email', to: customer.email });
  return route.length ? route : undefined;
}

async function send(channel: CareChannel, occasion: Occasion, name: string, deps: CareDeps): Promise<void> {
  const { customer, source } = occasion.entry;
  const locale = customer.locale ?? policyConfig.defaults.locale;
  const view = {
    name: customer.name,
    company: policyConfig.organization.name[locale],
    ...(occasion.holiday ? { holiday: holidayName(occasion.holiday, locale) } : {}),
  };
  const perSecond = policyConfig.contactRates[channel.kind].perSecond;
  const slot = await deps.limiter.reserve(channel.kind, deps.now, perSecond);
  if (slot.getTime() > deps.now.getTime() + RUN_BUDGET_MS) throw new OutOfTime();
  await deps.sleepUntil(slot);
  if (channel.kind === 'email') {
    const unsubscribeUrl = occasion.entry.followUpId ? await unsubscribeLink(occasion.entry.followUpId, deps) : undefined;
    await deps.channels.sendEmail(careEmail(occasion.kind, locale, view, channel.to, unsubscribeUrl));
    return;
  }
  const customerKey = `${source}#${customer.id}`;
  await deps.channels.sendSms({
    to: channel.to,
    text: careSmsText(occasion.kind, locale, view),
    purpose: { kind: 'care', occasion: name, customerKey },
  });
}

/**
 * The survey email's unsubscribe link, naming the follow-up of the customer's last service: the
 * outcome API opts out that follow-up's customer, who is the one greeted (same source, same id).
 */
async function unsubscribeLink(followUpId: string, deps: CareDeps): Promise<string> {
  const expiresAt = Math.floor(deps.now.getTime() / 1000) + policyConfig.unsubscribeLinkValidityDays * 86_400;
  const claims = { followUpId, attempt: 1, purpose: 'unsubscribe' as const, expiresAt };
  return signedLinkUrl(deps.unsubscribeLinks.baseUrl, claims, await deps.unsubscribeLinks.keys());
}
