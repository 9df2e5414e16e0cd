import fs from 'node:fs'
import { chromium, type Browser } from 'playwright-core'

/** Debian's chromium (never a browser downloaded by a tool). CHROMIUM_PATH overrides the location. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'

/**
 * Browser tests need Debian's chromium (`apt-get install -y chromium`). Without it they skip with that
 * reason, unless REQUIRE_BROWSER=1 (CI sets it) makes its absence a failure.
 */
export const browserMissing = !fs.existsSync(CHROMIUM_PATH) && process.env.REQUIRE_BROWSER !== '1'
if (browserMissing) console.warn(`browser tests skipped: no chromium at ${CHROMIUM_PATH} (apt-get install -y chromium)`)

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  })
}
