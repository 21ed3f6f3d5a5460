import { describe, expect, it } from 'vitest';
import raw from '../../functions/shared/config/follow-up-policies.json' with { type: 'json' };
import { PolicyConfigError, parsePolicyConfig } from '../../functions/shared/domain/policy-schema.js';

const broken = (mutate: (config: any) => void) => {
  const copy = structuredClone(raw);
  mutate(copy);
  return () => parsePolicyConfig(copy);
};

describe('follow-up policy configuration', () => {
  it('ships policies for every case of the seed documents', () => {
    const config = parsePolicyConfig(raw);
    expect(Object.keys(config.policies)).toEqual(
      expect.arrayContaining([
        'vehicle-delivery',
        'vehicle-repair',
        'hospital-discharge',
        'gas-repair',
        'gas-hotline-ticket',
        'urgent-repair',
        'complaint-resolved-major',
        'complaint-resolved-general',
      ]),
    );
    expect(config.policies['gas-repair']!.samplingRate).toBe(0.2);
    expect(config.policies['urgent-repair']!.rounds).toHaveLength(2);
    expect(config.policies['vehicle-repair']!.rounds[0]!.deadline).toEqual({ workingDays: 3 });
    expect(config.policies['urgent-repair']!.calendar).toBe('seven-days');
    expect(config.policies['complaint-resolved-major']!.rounds[0]!.deadline).toEqual({ workingDays: 5 });
    expect(config.policies['complaint-resolved-general']!.rounds[0]!.deadline).toEqual({ days: 14 });
    expect(config.retentionDays).toBeGreaterThanOrEqual(730);
  });

  it.each([
    ['policies.gas-repair.samplingRate', (c: any) => (c.policies['gas-repair'].samplingRate = 1.5)],
    ['policies.vehicle-repair.survey', (c: any) => (c.policies['vehicle-repair'].survey = 'nope')],
    ['defaults.callingHours.0.start', (c: any) => (c.defaults.callingHours[0].start = '9am')],
    ['defaults.timeZone', (c: any) => (c.defaults.timeZone = 'Mars/Olympus')],
    ['retentionDays', (c: any) => (c.retentionDays = 30)],
    ['policies.hospital-discharge.channels.0.attempts', (c: any) => (c.policies['hospital-discharge'].channels[0].attempts = 0)],
    ['policies.vehicle-repair.channels', (c: any) => c.policies['vehicle-repair'].channels.push(c.policies['vehicle-repair'].channels[0])],
    ['policies.vehicle-repair.calendar', (c: any) => (c.policies['vehicle-repair'].calendar = 'moon')],
    ['policies.vehicle-repair.rounds.0.delay', (c: any) => (c.policies['vehicle-repair'].rounds[0].delay = { weeks: 1 })],
    [
      'policies.vehicle-repair.channels.0.responseTimeout',
      (c: any) => (c.policies['vehicle-repair'].channels[0].responseTimeout = { hours: 0.0001 }),
    ],
  ])('fails with a message naming %s', (key, mutate) => {
    const load = broken(mutate);
    expect(load).toThrow(PolicyConfigError);
    expect(load).toThrow(key);
  });

  it('accepts a response timeout of a fraction of an hour that rounds to at least one second', () => {
    const copy = structuredClone(raw) as any;
    copy.policies['vehicle-repair'].channels[0].responseTimeout = { hours: 0.0002 };
    expect(parsePolicyConfig(copy).policies['vehicle-repair']!.channels[0]!.responseTimeout).toEqual({ hours: 0.0002 });
  });
});
