/**
 * Where the browser tests find Chromium: $GAUSSMIX_CHROMIUM (or $CHROMIUM_PATH), else the usual Debian/Ubuntu paths.
 * Without one, the browser tests are skipped with a message that says how to install it — except in CI ($CI set),
 * where a missing Chromium is an error: .ci/run installs Debian's package, and the tests must run there.
 */
import { existsSync } from 'node:fs';

const CANDIDATES = [
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
  '/usr/bin/google-chrome-stable',
];

/** The Chromium executable to drive, or null. */
export const chromiumPath: string | null = (() => {
  const given = process.env.GAUSSMIX_CHROMIUM ?? process.env.CHROMIUM_PATH;
  if (given) {
    if (!existsSync(given)) throw new Error(`GAUSSMIX_CHROMIUM=${given} does not exist`);
    return given;
  }
  return CANDIDATES.find((p) => existsSync(p)) ?? null;
})();

const HOW =
  "Install Debian's package (`apt-get install -y --no-install-recommends chromium`) or set GAUSSMIX_CHROMIUM to a Chromium/Chrome executable.";

if (!chromiumPath) {
  if (process.env.CI) throw new Error(`CI needs Chromium for the browser tests and none was found. ${HOW}`);
  console.warn(`gaussmix tests: no Chromium found, so the browser tests are skipped. ${HOW}`);
}

/** Whether to skip browser tests (no Chromium outside CI). */
export const noChromium = chromiumPath === null;

/**
 * The flags that work here: no sandbox as root, and no background traffic to Google's hosts, which a closed network
 * refuses. Playwright adds --headless itself and starts Chromium with a fresh temporary --user-data-dir.
 */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
