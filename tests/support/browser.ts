import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import Chromium, { inflate, setupLambdaEnvironment } from '@sparticuz/chromium';
import { type Browser, type BrowserContext, chromium } from 'playwright-core';

/**
 * The browser for browser tests: the Chromium that @sparticuz/chromium ships inside its npm
 * package, so `npm ci && npm test` needs nothing but Node; CHROMIUM_PATH names another one.
 * Outside Amazon Linux the package leaves the shared libraries its Chromium links (NSS, NSPR,
 * expat) packed, and a machine with only Node has none of them: they are unpacked next to it.
 * Every page it opens can draw Chinese (see `withChineseFont`).
 */
export async function launchBrowser(): Promise<Browser> {
  const executablePath = process.env.CHROMIUM_PATH || (await packagedChromium());
  const browser = await chromium.launch({
    executablePath,
    // Headless, as root, on a machine with no network: no sandbox, no GPU, no background calls home.
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  const newContext = browser.newContext.bind(browser);
  browser.newContext = async (options) => withChineseFont(await newContext(options));
  // browser.newPage's own context closes with its page; this one must too.
  browser.newPage = async (options) => {
    const context = await browser.newContext(options);
    const page = await context.newPage();
    page.once('close', () => void context.close().catch(() => undefined));
    return page;
  };
  return browser;
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
    throw new Error(
      `No browser for the browser tests: @sparticuz/chromium could not unpack its Chromium (${(error as Error).message}). ` +
        'Run `npm ci` again, or set CHROMIUM_PATH to a Chromium executable.',
    );
  }
}

/** Where the pages' font stacks find it: the name the Noto CJK fonts carry on Linux desktops. */
const FONT_FAMILY = 'Noto Sans CJK SC';
// A host that never resolves: the route answers before any lookup.
const FONT_ORIGIN = 'http://fonts.test.invalid';

/**
 * The packaged Chromium brings one Latin font and no CJK one (Chinese renders as nothing), and
 * its fontconfig cannot read WOFF2. So each page gets Noto Sans SC (the npm package
 * @fontsource-variable/noto-sans-sc, a devDependency) as a web font, served by the test
 * browser itself (nothing reaches the network) and used for all text in screenshots. Only the
 * typeface differs from what a reader's browser shows.
 */
async function withChineseFont(context: BrowserContext): Promise<BrowserContext> {
  const pkg = path.dirname(createRequire(import.meta.url).resolve('@fontsource-variable/noto-sans-sc/package.json'));
  const css = readFileSync(path.join(pkg, 'index.css'), 'utf8')
    .replaceAll("'Noto Sans SC Variable'", `'${FONT_FAMILY}'`)
    .replaceAll('url(./files/', `url(${FONT_ORIGIN}/`)
    // Block rather than swap: a screenshot never catches the fallback font.
    .replaceAll('font-display: swap', 'font-display: block')
    // First for every element: as a fallback behind the pages' own fonts this Chromium leaves
    // some Chinese text blank (headings, bold), and controls and <pre> never fall back to it.
    .concat(`\n*{font-family:'${FONT_FAMILY}',sans-serif !important}`);
  await context.route(`${FONT_ORIGIN}/**`, async (route) => {
    const file = path.basename(new URL(route.request().url()).pathname);
    if (!/^[\w.-]+\.woff2$/.test(file)) return route.fulfill({ status: 404 });
    return route.fulfill({
      status: 200,
      contentType: 'font/woff2',
      headers: { 'access-control-allow-origin': '*' },
      body: readFileSync(path.join(pkg, 'files', file)),
    });
  });
  // A string, not a function: tsx would decorate a function with helpers the page does not have.
  await context.addInitScript(`{
    const install = () => {
      const style = document.createElement('style');
      style.dataset.testFont = '';
      style.textContent = ${JSON.stringify(css)};
      document.head.append(style);
    };
    if (document.head) install();
    else document.addEventListener('DOMContentLoaded', install, { once: true });
  }`);
  // Glyphs stay invisible until their subset arrives: a screenshot waits for the page's fonts.
  context.on('page', (page) => {
    const screenshot = page.screenshot.bind(page);
    page.screenshot = async (options) => {
      // Loads the subsets the page's text needs (a font loads only once layout asks for it).
      // Then lays the page out afresh: text first laid out while the font was still loading keeps
      // its blank fallback otherwise.
      await page.evaluate(`document.fonts.load('16px "${FONT_FAMILY}"', document.body.innerText)
        .then(() => document.fonts.ready)
        .then(() => { document.body.style.display = 'none'; void document.body.offsetHeight; document.body.style.display = ''; })
        .then(() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(() => done(undefined)))))`);
      return screenshot(options);
    };
  });
  return context;
}
