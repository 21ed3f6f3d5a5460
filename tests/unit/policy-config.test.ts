import { describe, expect, it } from 'vitest';
import raw from '../../functions/shared/config/follow-up-policies.json' with { type: 'json' };
import { PolicyConfigError, parsePolicyConfig } from '../../functions/shared/domain/policy-schema.js';

/** A copy of the shipped configuration with the value at a dotted path (`defaults.callingHours.0.start`) replaced. */
function withValueAt(path: string, value: unknown): unknown {
  const copy: unknown = structuredClone(raw);
  const keys = path.split('.');
  const last = keys.pop()!;
  const parent = keys.reduce((node, key) => asRecord(node, path)[key], copy);
  asRecord(parent, path)[last] = value;
  return copy;
}

function asRecord(node: unknown, path: string): Record<string, unknown> {
  if (typeof node !== 'object' || node === null) throw new Error(`${path} does not lead to an object or array in the configuration`);
  return node as Record<string, unknown>;
}

const repairChannels = raw.policies['vehicle-repair'].channels;

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
    ['policies.gas-repair.samplingRate', 1.5],
    ['policies.vehicle-repair.survey', 'nope'],
    ['defaults.callingHours.0.start', '9am'],
    ['defaults.timeZone', 'Mars/Olympus'],
    ['retentionDays', 30],
    ['policies.hospital-discharge.channels.0.attempts', 0],
    ['policies.vehicle-repair.channels', [...repairChannels, repairChannels[0]]],
    ['policies.vehicle-repair.calendar', 'moon'],
    ['policies.vehicle-repair.rounds.0.delay', { weeks: 1 }],
    ['policies.vehicle-repair.channels.0.responseTimeout', { hours: 0.0001 }],
  ])('fails with a message naming %s', (key, value) => {
    const load = () => parsePolicyConfig(withValueAt(key, value));
    expect(load).toThrow(PolicyConfigError);
    expect(load).toThrow(key);
  });

  it('accepts a response timeout of a fraction of an hour that rounds to at least one second', () => {
    const copy = withValueAt('policies.vehicle-repair.channels.0.responseTimeout', { hours: 0.0002 });
    expect(parsePolicyConfig(copy).policies['vehicle-repair']!.channels[0]!.responseTimeout).toEqual({ hours: 0.0002 });
  });
});
