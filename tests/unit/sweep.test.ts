import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Summary } from '../../local/simulation.js';
import { MAX_VARIANTS, parseVary, sweepRows, sweepVariants } from '../../local/sweep.js';

const base = JSON.parse(readFileSync('tests/fixtures/scenario-small.json', 'utf8')) as Record<string, unknown>;

describe('--vary specs', () => {
  it('reads numbers, JSON lists and plain text', () => {
    expect(parseVary('agents.count=2,3,4')).toEqual({ path: 'agents.count', segments: ['agents', 'count'], values: [2, 3, 4] });
    expect(parseVary('agents.shift=["08:00","17:00"],["09:00","18:00"]').values).toEqual([
      ['08:00', '17:00'],
      ['09:00', '18:00'],
    ]);
    expect(parseVary('timeZone=Asia/Tokyo, Asia/Shanghai').values).toEqual(['Asia/Tokyo', 'Asia/Shanghai']);
    expect(parseVary('ses.production=true,false').values).toEqual([true, false]);
  });

  it('names what is wrong with a spec', () => {
    expect(() => parseVary('agents.count')).toThrow('--vary agents.count: expected PATH=VALUE,VALUE,…');
    expect(() => parseVary('agents.count=')).toThrow('expected PATH=VALUE');
    expect(() => parseVary('agents..count=2')).toThrow('"agents..count" has an empty part');
    expect(() => parseVary('agents.count=2,3,2')).toThrow('2 is listed twice');
  });
});

describe('sweep variants', () => {
  it('runs every combination, in order, each a complete scenario named after its settings', () => {
    const variants = sweepVariants(base, [parseVary('agents.count=1,2'), parseVary('behaviour.answerRate=0.4,0.8')]);
    expect(variants.map((v) => v.label)).toEqual([
      'agents.count=1, behaviour.answerRate=0.4',
      'agents.count=1, behaviour.answerRate=0.8',
      'agents.count=2, behaviour.answerRate=0.4',
      'agents.count=2, behaviour.answerRate=0.8',
    ]);
    expect(variants.map((v) => v.dirName)).toEqual([
      '01-agents.count=1,behaviour.answerRate=0.4',
      '02-agents.count=1,behaviour.answerRate=0.8',
      '03-agents.count=2,behaviour.answerRate=0.4',
      '04-agents.count=2,behaviour.answerRate=0.8',
    ]);
    const last = variants[3]!;
    expect(last.scenario.agents.count).toBe(2);
    expect(last.scenario.behaviour.answerRate).toBe(0.8);
    // Defaults are filled in as for a scenario file; the rest of the scenario is the base's.
    expect(last.scenario.behaviour.busyShare).toBe(0.3);
    expect(last.scenario.seed).toBe(base.seed);
    expect(last.raw.name).toBe(`${base.name} · agents.count=2, behaviour.answerRate=0.8`);
    // The base is left as it was.
    expect((base.agents as { count: number }).count).toBe(1);
  });

  it('reaches into lists by position and sets settings the file left to their default', () => {
    const [variant] = sweepVariants(base, [parseVary('services.1.perDay=20'), parseVary('customers.birthdayShare=0.5')]);
    expect(variant!.scenario.services[1]!.perDay).toBe(20);
    expect(variant!.scenario.services[0]!.perDay).toBe(12);
    expect(variant!.scenario.customers.birthdayShare).toBe(0.5);
    expect(variant!.dirName).toBe('01-services.1.perDay=20,customers.birthdayShare=0.5');
  });

  it('refuses a setting the scenario does not have, or a value it does not accept, naming the field', () => {
    expect(() => sweepVariants(base, [parseVary('agent.count=2')])).toThrow('--vary agent.count: the scenario has no agent');
    expect(() => sweepVariants(base, [parseVary('services.5.perDay=2')])).toThrow(
      'services.5 is not there (the list has 2 entries, numbered from 0)',
    );
    expect(() => sweepVariants(base, [parseVary('agents.count=2,0')])).toThrow(/^--vary agents\.count=0: agents\.count: /);
    expect(() => sweepVariants(base, [parseVary('agents.counts=2')])).toThrow(/^--vary agents\.counts=2: agents: .*counts/);
    expect(() => sweepVariants(base, [parseVary('behaviour.answerRate=high')])).toThrow(
      /^--vary behaviour\.answerRate=high: behaviour\.answerRate: /,
    );
    expect(() => sweepVariants(base, [parseVary('seed.value=2')])).toThrow('--vary seed.value: seed has no parts');
  });

  it('refuses the same setting twice and sweeps too large to be meant', () => {
    expect(() => sweepVariants(base, [parseVary('agents.count=1'), parseVary('agents.count=2')])).toThrow('given twice');
    const many = Array.from({ length: 9 }, (_, i) => i + 1).join(',');
    expect(() => sweepVariants(base, [parseVary(`agents.count=${many}`), parseVary(`seed=${many}`)])).toThrow(
      `the sweep would run 81 variants; at most ${MAX_VARIANTS}`,
    );
    expect(() => sweepVariants(base, [])).toThrow('at least one --vary');
  });
});

describe('the sweep table', () => {
  const summary = (overrides: { reach: number; expired: number; phone: number; alibaba: number }) =>
    ({
      followUps: { total: 50 },
      kpis: { reachRate: overrides.reach, onTimeRate: 1, satisfaction: { average: 4.256 } },
      agents: { tasksExpiredOnDesk: overrides.expired },
      complaints: { resolvedWithinSlaRate: null },
      cost: {
        phone: { amount: overrides.phone, currency: 'USD' },
        email: { amount: 0.01, currency: 'USD' },
        sms: { aws: { amount: 0, currency: 'USD' }, alibaba: { amount: overrides.alibaba, currency: 'CNY' } },
      },
    }) as unknown as Summary;

  it('puts the variants side by side, a failed one with its reason', () => {
    const [one, two, three] = sweepVariants(base, [parseVary('agents.count=1,2,3')]);
    const rows = sweepRows([
      { variant: one!, summary: summary({ reach: 0.8, expired: 12, phone: 3, alibaba: 0 }), wallSeconds: 6.04 },
      { variant: two!, summary: summary({ reach: 0.9512, expired: 0, phone: 2.5, alibaba: 0.45 }), wallSeconds: 5.96 },
      { variant: three!, error: 'exit 1, see out/x/simulate.log', wallSeconds: 0.4 },
    ]);
    expect(rows[0]).toEqual([
      'variant',
      'follow-ups',
      'reach',
      'on time',
      'satisfaction',
      'tasks expired on desk',
      'complaints resolved in SLA',
      'contact cost',
      'wall s',
    ]);
    expect(rows[1]).toEqual(['agents.count=1', '50', '80.0%', '100.0%', '4.26', '12', 'n/a', '3.01 USD', '6.0']);
    expect(rows[2]).toEqual(['agents.count=2', '50', '95.1%', '100.0%', '4.26', '0', 'n/a', '2.51 USD + 0.45 CNY', '6.0']);
    expect(rows[3]).toEqual(['agents.count=3', 'failed: exit 1, see out/x/simulate.log', '', '', '', '', '', '', '0.4']);
  });
});
