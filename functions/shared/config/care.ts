import './interpreted-validation.js';
import { type CareConfig, careConfigSchema, knownHolidays } from '../domain/care.js';
import raw from './care.json' with { type: 'json' };

/** Validated once per container: an unknown holiday name stops the function at start, named. */
export function parseCareConfig(input: unknown): CareConfig {
  const config = careConfigSchema.parse(input);
  const unknown = config.holidays.filter((name) => !knownHolidays.has(name));
  if (unknown.length) throw new Error(`care.json: unknown holidays ${unknown.join(', ')}; known: ${[...knownHolidays].join(', ')}`);
  return config;
}

export const careConfig: CareConfig = parseCareConfig(raw);
