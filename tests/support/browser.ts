import path from 'node:path';
import { createRequire } from 'node:module';
import Chromium, { inflate, setupLambdaEnvironment } from '@sparticuz/chromium';
import { chromium, type Browser } from 'playwright-core';

/**
 * The browser for browser tests: the Chromium that @sparticuz/chromium ships inside its npm
 * package, so `npm ci && npm test` needs nothing but Node; CHROMIUM_PATH names another one.
 * Outside Amazon Linux the package leaves the shared libraries its Chromium links (NSS, NSPR,
 * expat) packed, and a machine with only Node has none of them: they are unpacked next to it.
 */
export async function launchBrowser(): Promise<Browser> {
  const executablePath = process.env.CHROMIUM_PATH || (await packagedChromium());
  return chromium.launch({
    executablePath,
    // Headless, as root, on a machine with no network: no sandbox, no GPU, no background calls home.
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

async function packagedChromium(): Promise<string> {
  try {
    const executable = await Chromium.executablePath();
    // The package's entry is build/index.js; its packed files are in bin/ beside build/.
    const bin = path.join(path.dirname(createRequire(import.meta.url).resolve('@sparticuz/chromium')), '..', 'bin');
    const libraries = await inflate(path.join(bin, 'al2023.tar.br'));
    setupLambdaEnvironment(path.join(libraries, 'lib'));
    return executable;
  } catch (error) {
    throw new Error(`No browser for the browser tests: @sparticuz/chromium could not unpack its Chromium (${(error as Error).message}). Run \`npm ci\` again, or set CHROMIUM_PATH to a Chromium executable.`);
  }
}
