import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { describe, expect, it, onTestFinished } from 'vitest';
import { defaultProvider } from '../../functions/shared/bundling/lambda-credentials.js';
import { ALIBABA_SMS_SDK, bundleOptions, INSTALLED_MODULES_METADATA, PROJECT_ROOT } from '../../infra/constructs/follow-up-function.js';
import { synthesizeTestTemplate } from './test-app.js';

/**
 * The Lambda bundles as NodejsFunction builds them. The esbuild aliases every bundle gets
 * (`--alias`): what they replace is gone from the bundle, the bundle still loads, and the
 * credentials come from Lambda's environment. Alibaba's SMS SDK is in no bundle: it is installed
 * beside the bundle of the function that texts through Alibaba, and imported from there.
 */
const run = promisify(execFile);

describe('Lambda bundles', () => {
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

  it('installs the Alibaba SMS SDK beside the function that holds the Alibaba key, and only that one', () => {
    const functions = Object.values(synthesizeTestTemplate().findResources('AWS::Lambda::Function')) as {
      Metadata?: Record<string, unknown>;
      Properties: { Environment?: { Variables?: Record<string, unknown> } };
    }[];
    const holdingKey = functions.filter((fn) => fn.Properties.Environment?.Variables?.ALIBABA_SMS_SECRET_ARN !== undefined);
    const installing = functions.filter((fn) => fn.Metadata?.[INSTALLED_MODULES_METADATA] !== undefined);
    expect(holdingKey.map((fn) => fn.Metadata?.['followup:entry'])).toEqual(['functions/start-contact/handler.ts']);
    expect(installing).toEqual(holdingKey);
    expect(installing[0]!.Metadata?.[INSTALLED_MODULES_METADATA]).toEqual(ALIBABA_SMS_SDK);
  });

  it('leaves the Alibaba SMS SDK out of the bundle, which imports it at the first text from where it is installed', {
    timeout: 60_000,
  }, async () => {
    // Under the project, as the asset's node_modules sits beside its bundle: the import resolves upwards to the installed SDK.
    const dir = path.join(PROJECT_ROOT, 'out', 'test-bundles');
    mkdirSync(dir, { recursive: true });
    const outDir = mkdtempSync(path.join(dir, 'start-contact-'));
    onTestFinished(() => rmSync(outDir, { recursive: true, force: true }));
    const outfile = path.join(outDir, 'index.mjs');
    const result = await build({ ...bundleOptions('functions/start-contact/handler.ts', outfile), metafile: true });
    expect(Object.keys(result.metafile.inputs).filter((file) => file.includes('node_modules/@alicloud/'))).toEqual([]);
    const [output] = Object.values(result.metafile.outputs).filter((out) => out.entryPoint);
    const external = output!.imports.filter((imported) => imported.external && imported.path.startsWith('@alicloud/'));
    expect(external.map((imported) => [imported.path, imported.kind]).sort()).toEqual(
      ALIBABA_SMS_SDK.map((name) => [name, 'dynamic-import']).sort(),
    );
    // The bundle loads without it, and the package it imports is the client class the SMS adapter takes it to be.
    const bundle = JSON.stringify(pathToFileURL(outfile).href);
    const script = `await import(${bundle}); const sdk = await import('@alicloud/dysmsapi20170525');
      const Client = typeof sdk.default === 'function' ? sdk.default : sdk.default.default;
      process.stdout.write(typeof Client.prototype.sendSms);`;
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], {
      cwd: path.dirname(outfile),
      env: { PATH: process.env.PATH ?? '', AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'a', AWS_SECRET_ACCESS_KEY: 'b' },
    });
    expect(stdout).toBe('function');
  });
});
