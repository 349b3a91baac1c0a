/**
 * /docs in a real browser: Debian's Chromium, headless, driven by playwright-core
 * (which downloads no browser of its own). Swagger UI renders every operation of
 * /docs/json, "Try it out" on GET /health shows the daemon's answer, and the page
 * asks nothing of any host but the daemon. A screenshot is left in /tmp/docs.png.
 *
 * Without /usr/bin/chromium the test is skipped, except with CI=true, where it
 * fails: .ci/run installs Chromium, so a missing one there is a broken CI image.
 */
import { existsSync } from 'node:fs';
import test from 'ava';
import { chromium } from 'playwright-core';
import { testRuntime } from '../helpers/runtime.js';

const CHROMIUM = '/usr/bin/chromium';
const SCREENSHOT = '/tmp/docs.png';
/** Generous: two busy cores, and Swagger UI's bundle is 1.5 MB of JavaScript to parse. */
const RENDER_TIMEOUT_MS = 30_000;

/** A few of SPEC.md's operations (openapi.test.ts checks the document holds all of them). */
const SOME_SPEC_OPERATIONS = [
  'GET /health',
  'GET /health/detailed',
  'POST /api/v1/webhooks/stripe',
  'POST /api/v1/webhooks/generic/{source}',
  'GET /api/v1/webhooks/events/{event_id}',
  'POST /api/v1/google-sheets/read',
];

const TITLE = 'Swagger UI at /docs in headless Chromium: operations render, Try it out on GET /health';
const chromiumMissing = `${CHROMIUM} is missing (apt-get install chromium)`;

if (!existsSync(CHROMIUM) && process.env.CI !== 'true') {
  test.skip(`${TITLE} (skipped: ${chromiumMissing})`, (t) => t.pass());
} else {
  test(TITLE, async (t) => {
    if (!existsSync(CHROMIUM))
      return t.fail(`CI=true and ${chromiumMissing}; .ci/run should have installed it`);
    const ctx = await testRuntime();
    t.teardown(() => ctx.close());
    const base = await ctx.runtime.app.listen({ port: 0, host: '127.0.0.1' });
    const daemon = new URL(base).origin;
    const doc = (await (await fetch(`${base}/docs/json`)).json()) as { paths: Record<string, object> };
    const documented = Object.entries(doc.paths).flatMap(([path, item]) =>
      Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`),
    );

    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    t.teardown(() => browser.close());
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const requested: string[] = [];
    context.on('request', (request) => requested.push(request.url()));
    const page = await context.newPage();
    // Console errors include Content-Security-Policy refusals: the page's own CSP must not break it.
    const problems: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`console: ${message.text()}`);
    });
    page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
    page.setDefaultTimeout(RENDER_TIMEOUT_MS);

    const loaded = await page.goto(`${base}/docs`);
    t.is(loaded?.status(), 200);
    const health = page.locator('.opblock.opblock-get', {
      has: page.locator('.opblock-summary-path[data-path="/health"]'),
    });
    await health.waitFor({ state: 'visible' });

    const rendered: string[] = [];
    for (const block of await page.locator('.opblock').all()) {
      const method = (await block.locator('.opblock-summary-method').textContent())?.trim();
      const path = await block.locator('.opblock-summary-path').getAttribute('data-path');
      rendered.push(`${method} ${path}`);
    }
    for (const operation of SOME_SPEC_OPERATIONS) t.true(rendered.includes(operation), operation);
    t.deepEqual([...rendered].sort(), [...documented].sort(), 'every operation of /docs/json, once');

    await health.locator('.opblock-summary-control').click();
    await health.getByRole('button', { name: 'Try it out' }).click();
    const answered = page.waitForResponse((response) => response.url() === `${daemon}/health`);
    await health.getByRole('button', { name: 'Execute' }).click();
    t.is((await answered).status(), 200);
    // The live response's row, under its "Code | Details" header row.
    const live = health.locator('.live-responses-table tr.response');
    await live.waitFor({ state: 'visible' });
    t.is((await live.locator('.response-col_status').textContent())?.trim(), '200');
    const shown =
      (await live.locator('.response-col_description pre.microlight').first().textContent()) ?? '';
    t.regex(shown, /"status": "healthy"/);
    t.deepEqual(JSON.parse(shown), { status: 'healthy', service: 'integration-service', version: '0.1.0' });

    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    const elsewhere = requested.filter((url) => {
      const { protocol, origin } = new URL(url);
      return protocol !== 'data:' && protocol !== 'blob:' && origin !== daemon;
    });
    t.deepEqual(elsewhere, [], 'requests to hosts other than the daemon');
    t.true(requested.includes(`${daemon}/docs/static/swagger-ui-bundle.js`), requested.join('\n'));
    t.deepEqual(problems, []);
  });
}
