import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { defaultProvider } from '../../functions/shared/bundling/lambda-credentials.js';
import { bundleOptions } from '../../infra/constructs/follow-up-function.js';

/**
 * The esbuild aliases every Lambda bundle gets (NodejsFunction's `--alias`): what they replace is
 * gone from the bundle, the bundle still loads, and the credentials come from Lambda's environment.
 */
const run = promisify(execFile);

describe('Lambda bundle aliases', () => {
  it('resolves credentials from the environment Lambda sets, session token and expiry included', async () => {
    const env = {
      AWS_ACCESS_KEY_ID: 'ASIAEXAMPLE',
      AWS_SECRET_ACCESS_KEY: 'secret',
      AWS_SESSION_TOKEN: 'token',
      AWS_CREDENTIAL_EXPIRATION: '2026-11-27T00:00:00Z',
    };
    const saved = Object.fromEntries(Object.keys(env).map((key) => [key, process.env[key]]));
    Object.assign(process.env, env);
    try {
      expect(await defaultProvider()()).toMatchObject({
        accessKeyId: 'ASIAEXAMPLE',
        secretAccessKey: 'secret',
        sessionToken: 'token',
        expiration: new Date('2026-11-27T00:00:00Z'),
      });
    } finally {
      for (const [key, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
    }
  });

  it('leaves the default credential chain and its STS and SSO clients out of a bundle that still loads', { timeout: 60_000 }, async () => {
    const outfile = path.join(mkdtempSync(path.join(tmpdir(), 'bundle-')), 'index.mjs');
    const result = await build({ ...bundleOptions('functions/find-dormant/handler.ts', outfile), metafile: true });
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs.some((file) => file.includes('functions/shared/bundling/lambda-credentials.ts'))).toBe(true);
    for (const gone of [
      '@aws-sdk/credential-provider-node',
      '@aws-sdk/credential-provider-ini',
      '@aws-sdk/credential-provider-sso',
      '@aws-sdk/nested-clients',
    ])
      expect(inputs.filter((file) => file.includes(`node_modules/${gone}/`))).toEqual([]);
    // Loaded as Lambda's runtime loads it, with the function's environment: its module code runs without error.
    const script = `await import(${JSON.stringify(pathToFileURL(outfile).href)}); process.stdout.write('loaded');`;
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], {
      env: { PATH: process.env.PATH ?? '', AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'a', AWS_SECRET_ACCESS_KEY: 'b' },
    });
    expect(stdout).toBe('loaded');
  });
});
