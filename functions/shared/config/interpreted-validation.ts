import * as z from 'zod';

/*
 * A function container validates its configuration once, at start, and each event once. zod's
 * JIT compiles every object schema into a new Function on its first parse, which costs more than
 * it saves at that count: without it plan-follow-up's cold init fell from 108 to 95 ms. Every
 * config module imports this first, so the setting is in place before the first parse.
 */
z.config({ jitless: true });
