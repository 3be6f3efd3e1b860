import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { test } from 'node:test';
import puppeteer from 'puppeteer-core';
import { anmin, tempDir } from '../helpers.js';

/** Debian's chromium (apt-get install -y chromium), or $CHROMIUM. */
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const NO_BROWSER = existsSync(CHROMIUM) ? false : `no Chromium at ${CHROMIUM} (apt-get install -y chromium, or set CHROMIUM)`;

test('the HTML report opens in a real browser without errors: tables, figures, and a selector that redraws', { skip: NO_BROWSER, timeout: 180_000 }, async () => {
  const dir = tempDir('anmin-html');
  const ran = anmin('run', 'planted', '--datasets', 'plain-r3,start-r3', '--splits', '0..1', '--out', join(dir, 'planted'));
  assert.equal(ran.status, 0, ran.stderr);
  const page = join(dir, 'report.html');
  const made = anmin('report', 'html', '--in', join(dir, 'planted'), '--out', page);
  assert.equal(made.status, 0, made.stderr);
  assert.ok(!readFileSync(page, 'utf8').includes('src="http'), 'the page loads nothing from the network');

  const browser = await puppeteer.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu'] });
  try {
    const tab = await browser.newPage();
    const errors: string[] = [];
    tab.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    tab.on('pageerror', (e) => errors.push(String(e)));
    await tab.goto(pathToFileURL(page).href);
    await tab.waitForSelector('body[data-ready="yes"]', { timeout: 60_000 });
    assert.deepEqual(errors, []);
    assert.ok(await tab.$('table#planted-recovery'), 'the planted tables are there');
    const before = await tab.$eval('#figure', (el) => el.innerHTML);
    assert.match(before, /<svg/, 'a figure was drawn');
    const drawn = await tab.$eval('#figure', (el) => (el as HTMLElement).dataset.drawn);
    await tab.select('#metric', 'recovery');
    await tab.waitForFunction((was) => (document.getElementById('figure') as HTMLElement).dataset.drawn !== was, {}, drawn);
    const after = await tab.$eval('#figure', (el) => el.innerHTML);
    assert.notEqual(after, before, 'switching the metric redraws the figure');
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});
