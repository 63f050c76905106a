// Browser test of the page: Debian's chromium driven by playwright-core (never a downloaded
// browser), against the release build in dist/ served on 127.0.0.1. Runs the teaching demo
// twice: on WebGPU (Chromium's software adapter, SwiftShader) and on the CPU fallback.
// Screenshots go to tests/browser/out/.
import { chromium } from 'playwright-core';
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import assert from 'node:assert/strict';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
const dist = path.join(root, 'dist');
const out = path.join(root, 'tests/browser/out');
fs.mkdirSync(out, { recursive: true });
const types = { '.html': 'text/html', '.js': 'text/javascript', '.wasm': 'application/wasm', '.css': 'text/css' };

const server = http.createServer((req, res) => {
  const url = new URL(req.url, 'http://127.0.0.1');
  const file = path.join(dist, url.pathname === '/' ? 'index.html' : decodeURIComponent(url.pathname));
  if (!file.startsWith(dist) || !fs.existsSync(file) || fs.statSync(file).isDirectory()) {
    res.writeHead(404).end();
    return;
  }
  res.writeHead(200, { 'content-type': types[path.extname(file)] ?? 'application/octet-stream' });
  fs.createReadStream(file).pipe(res);
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const base = `http://127.0.0.1:${server.address().port}/`;

const commonArgs = [
  '--no-sandbox', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--disable-background-timer-throttling',
  '--disable-renderer-backgrounding',
];

async function waitIdle(page, timeout) {
  await page.waitForFunction(() => document.querySelector('#busy')?.textContent === 'ready', null, { timeout, polling: 250 });
}

async function numbers(page, selector) {
  return page.$$eval(selector, (els) => els.map((e) => Number(e.textContent)));
}

/** Non-white pixels of a canvas: a blank canvas has none. */
async function inkedPixels(page, id) {
  return page.evaluate((id) => {
    const c = document.getElementById(id);
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 0; i < d.length; i += 4) if (d[i] < 200 || d[i + 1] < 200 || d[i + 2] < 200) n++;
    return n;
  }, id);
}

/** A CSV of a toy detector: y = x·(1 + 10 % Gaussian), x log-normal around 50 GeV. */
function toyCsv(rows) {
  let seed = 12345;
  const uni = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) + 0.5) / 2147483648;
  const gauss = () => Math.sqrt(-2 * Math.log(uni())) * Math.cos(2 * Math.PI * uni());
  const lines = ['gen_pt,reco_pt,gen_eta,reco_eta'];
  for (let i = 0; i < rows; i++) {
    const pt = 50 * Math.exp(0.5 * gauss());
    const eta = 2 * (uni() - 0.5);
    lines.push([pt, pt * (1 + 0.1 * gauss()), eta, eta + 0.02 * gauss()].map((v) => v.toPrecision(7)).join(','));
  }
  return lines.join('\n') + '\n';
}

async function uploadFlow(page, name, timeout) {
  const good = path.join(out, 'upload.csv');
  fs.writeFileSync(good, toyCsv(2000));
  await page.setInputFiles('#file', good);
  await waitIdle(page, timeout);
  console.log(`[${name}] upload: ${await page.textContent('#status')}`);
  assert.equal(await page.textContent('#error'), '', 'no error after upload');
  assert.equal(await page.textContent('#preview-rows'), '2000');
  assert.equal((await page.$$('.preview-row')).length, 5, 'five preview rows');
  assert.equal((await page.$$('.stat-row')).length, 3, 'min / mean / max rows');
  const pairs = await page.$$eval('.map-row', (rs) => rs.map((r) => [r.dataset.gen, r.querySelector('.map-reco').value]));
  assert.deepEqual(pairs, [['gen_pt', 'reco_pt'], ['gen_eta', 'reco_eta']], 'gen_x paired with reco_x');
  await page.selectOption('.map-row[data-gen="gen_pt"] .map-transform', 'log');
  const summary = await page.textContent('#train-summary');
  console.log(`[${name}] summary: ${summary}`);
  assert.match(summary, /gen_pt → reco_pt \(log\), gen_eta → reco_eta/);
  await page.locator('#upload').screenshot({ path: path.join(out, 'upload-preview-mapper.png') });

  await page.fill('#epochs', '3');
  await page.click('#train');
  await waitIdle(page, timeout);
  assert.equal(await page.textContent('#error'), '', 'no error training on the upload');
  await page.click('#sample');
  await waitIdle(page, timeout);
  console.log(`[${name}] ${await page.textContent('#status')}`);
  assert.equal(await page.textContent('#error'), '', 'no error sampling the upload');
  const js = await page.$$eval('.js-row', (rs) => rs.map((r) => [r.dataset.feature, Number(r.querySelector('.js-model').textContent)]));
  console.log(`[${name}] upload quantile-JS model vs reco: ${js.map((r) => `${r[0]} ${r[1].toFixed(5)}`).join(', ')}`);
  assert.deepEqual(js.map((r) => r[0]), ['pt', 'eta']);
  assert.ok(await inkedPixels(page, 'hist-pt') > 2000, 'upload histogram drawn');

  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#dl-csv')]);
  const text = fs.readFileSync(await download.path(), 'utf8').trim().split('\n');
  console.log(`[${name}] downloaded ${download.suggestedFilename()}: header ${text[0]}, ${text.length - 1} rows`);
  assert.equal(download.suggestedFilename(), 'sampled.csv');
  assert.equal(text[0], 'gen_pt,reco_pt,gen_eta,reco_eta');
  // The samples are of the file's held-out last 20 % (the model never trained on them).
  assert.equal(text.length - 1, 400);
  const [svg] = await Promise.all([page.waitForEvent('download'), page.click('.dl-svg[data-plot="hist-pt"]')]);
  assert.match(fs.readFileSync(await svg.path(), 'utf8'), /<svg/);
  const [model] = await Promise.all([page.waitForEvent('download'), page.click('#dl-model')]);
  assert.equal(model.suggestedFilename(), 'model.fastsim');

  // A malformed file: the message names file, row and column; the loaded data stay.
  const bad = path.join(out, 'bad.csv');
  fs.writeFileSync(bad, 'gen_pt,reco_pt\n1,2\n3,abc\n');
  await page.setInputFiles('#file', bad);
  await waitIdle(page, timeout);
  const err = await page.textContent('#error');
  console.log(`[${name}] malformed upload: ${err}`);
  assert.equal(err, "bad.csv: row 2, column 'reco_pt': 'abc' is not a number");
  assert.equal(await page.textContent('#preview-rows'), '2000', 'the previous data are still there');
  assert.ok(await page.isEnabled('#train'), 'still usable');
}

async function detectorFlow(page, name, timeout) {
  await page.fill('#events', '5000');
  const input = page.locator('tr[data-param="/jet/sigma_eta"] .det-input');
  await input.fill('0.1');
  await input.dispatchEvent('change');
  await page.click('#det-compare');
  await waitIdle(page, timeout);
  console.log(`[${name}] ${await page.textContent('#status')}`);
  assert.equal(await page.textContent('#error'), '', 'no error comparing detectors');
  for (const id of ['cmp-jet_pt', 'res-jet_pt', 'cmp-jet_eta', 'res-jet_eta']) {
    assert.ok(await inkedPixels(page, id) > 2000, `${id} drawn`);
  }
  assert.equal((await page.$$('.det-row.changed')).length, 1, 'the edited parameter is highlighted');
  const [json] = await Promise.all([page.waitForEvent('download'), page.click('#det-export')]);
  const card = JSON.parse(fs.readFileSync(await json.path(), 'utf8'));
  assert.equal(card.jet.sigma_eta, 0.1, 'the exported card holds the edit');
  fs.copyFileSync(await json.path(), path.join(out, 'detector-b.json'));
  await page.locator('#detector').screenshot({ path: path.join(out, 'detector-editor.png') });
}

/** Step 4 after a short training on 3000 events: an ensemble of 2, jointly two features. */
async function evaluateFlow(page, name, timeout) {
  await page.selectOption('#eval-feature', 'reco_met');
  await page.selectOption('#eval-joint', 'reco_jet_pt');
  await page.fill('#eval-multiple', '2');
  await page.fill('#eval-ensemble', '2');
  await page.fill('#eval-truth', '120000');
  const t0 = Date.now();
  await page.click('#evaluate-btn');
  await waitIdle(page, timeout);
  console.log(`[${name}] evaluate (${((Date.now() - t0) / 1000).toFixed(1)} s): ${await page.textContent('#status')}`);
  assert.equal(await page.textContent('#error'), '', 'no error after evaluating');
  const amp = await page.textContent('#amp-factor');
  console.log(`[${name}] ${amp}`);
  console.log(`[${name}] ${await page.textContent('#eval-baselines')}`);
  console.log(`[${name}] ${await page.textContent('#eval-augmentation')}`);
  assert.match(amp, /amplification \(n_quant = \d+, missing p_T \[GeV\] × jet p_T \[GeV\]\): [<>]? ?\d+(\.\d+)?/);
  const rows = await page.$$eval('.eval-row', (rs) => rs.map((r) => [Number(r.dataset.nquant), Number(r.querySelector('.eval-model').textContent.replace(' *', ''))]));
  console.log(`[${name}] model JS by n_quant: ${rows.map((r) => `${r[0]}:${r[1].toExponential(2)}`).join(' ')}`);
  assert.ok(rows.length >= 4 && rows.every((r) => r[1] >= 0 && r[1] <= Math.LN2), 'JS table in [0, ln 2]');
  for (const id of ['eval-js', 'eval-hist', 'eval-residual', 'eval-map']) {
    const ink = await inkedPixels(page, id);
    assert.ok(ink > 3000, `${id} drawn (${ink} inked pixels)`);
  }
  await page.locator('#evaluate').screenshot({ path: path.join(out, `evaluate-${name}.png`) });
}

/** A digest of a canvas's pixels, to compare two pages' drawings exactly. */
async function canvasDigest(page, id) {
  return page.evaluate(async (id) => {
    const c = document.getElementById(id);
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    const h = await crypto.subtle.digest('SHA-256', d);
    return Array.from(new Uint8Array(h)).map((b) => b.toString(16).padStart(2, '0')).join('');
  }, id);
}

/** Train the small network, Share, open the link in a fresh context: same numbers, same
 * pixels; then a tampered link is refused and the page stays usable. */
async function shareFlow(browser, page, name, timeout) {
  await page.selectOption('#hidden', '2x16');
  await page.fill('#events', '3000');
  await page.fill('#seed', '5');
  await page.fill('#epochs', '3');
  await page.click('#generate');
  await waitIdle(page, timeout);
  await page.click('#train');
  await waitIdle(page, timeout);
  await page.click('#sample');
  await waitIdle(page, timeout);
  const js = await numbers(page, '.js-model');
  const pixels = await canvasDigest(page, 'hist-jet_px');
  await page.click('#share');
  await waitIdle(page, timeout);
  assert.equal(await page.textContent('#error'), '', 'no error when sharing');
  const link = await page.inputValue('#share-link');
  console.log(`[${name}] share: ${await page.textContent('#status')}`);
  assert.ok(link.includes('#s1.') && link.length < 16200, `inline link of ${link.length} characters`);

  const ctx = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
  try {
    const other = await ctx.newPage();
    const errors = [];
    other.on('pageerror', (e) => errors.push(String(e)));
    await other.goto(link.replace(/^https?:\/\/[^/]+\//, base).replace(/\?[^#]*/, '') + '');
    await other.waitForFunction(() => /opened the link/.test(document.querySelector('#status')?.textContent ?? ''), null, { timeout });
    console.log(`[${name}] opened in a fresh context: ${await other.textContent('#status')}`);
    assert.deepEqual(await numbers(other, '.js-model'), js, 'the same JS numbers');
    assert.equal(await canvasDigest(other, 'hist-jet_px'), pixels, 'the same pixels');
    await other.screenshot({ path: path.join(out, `opened-from-link-${name}.png`), fullPage: true });

    // One character changed in the middle of the payload.
    const i = link.indexOf('#s1.') + 4 + Math.floor((link.length - link.indexOf('#s1.') - 4) / 2);
    const tampered = link.slice(0, i) + (link[i] === 'A' ? 'B' : 'A') + link.slice(i + 1);
    const bad = await ctx.newPage();
    await bad.goto(tampered.replace(/^https?:\/\/[^/]+\//, base).replace(/\?[^#]*/, ''));
    await bad.waitForFunction(() => document.querySelector('#error')?.textContent.includes('link'), null, { timeout: 60_000 });
    console.log(`[${name}] tampered link: ${await bad.textContent('#error')}`);
    await waitIdle(bad, timeout);
    assert.ok(await bad.isEnabled('#generate'), 'the page stays usable');
    assert.deepEqual(errors, [], 'no page errors in the opened page');
  } finally {
    await ctx.close();
  }
}

/** Load the first pre-trained model of models/: plots appear at once. */
async function pretrainedFlow(page, name, timeout) {
  await page.waitForSelector('.load-model', { timeout: 30_000 });
  const t0 = Date.now();
  await page.click('.load-model >> nth=0');
  await waitIdle(page, timeout);
  const status = await page.textContent('#status');
  console.log(`[${name}] pre-trained (${((Date.now() - t0) / 1000).toFixed(1)} s): ${status}`);
  assert.equal(await page.textContent('#error'), '', 'no error loading a pre-trained model');
  assert.match(status, /loaded the pre-trained model/);
  assert.ok(await inkedPixels(page, 'hist-jet_px') > 2000, 'plots drawn with the pre-trained model');
  await page.locator('#pretrained').screenshot({ path: path.join(out, `pretrained-${name}.png`) });
}

/** The Jets section: bad input refused, built-in jets, a short jet-VAE training with its loss
 * components, test jets through it, the JS table, the plots and the event display. */
async function jetsFlow(page, name, timeout) {
  await page.fill('#jets-pileup', '-1');
  await page.click('#jets-generate');
  await page.waitForFunction(() => document.querySelector('#error')?.textContent.includes('pile-up μ = -1 is outside'), null, { timeout: 10_000 });
  console.log(`[${name}] jets bad input: ${await page.textContent('#error')}`);
  await page.fill('#jets-pileup', '50');
  // The section's defaults: 8,000 jets, the small masked network, 24 epochs at lr 10⁻³.
  const t0 = Date.now();
  await page.click('#jets-generate');
  await waitIdle(page, timeout);
  console.log(`[${name}] ${await page.textContent('#jets-summary')}`);
  await page.click('#jets-train');
  await waitIdle(page, timeout);
  console.log(`[${name}] ${await page.textContent('#status')}`);
  assert.equal(await page.textContent('#error'), '', 'no error after training the jet VAE');
  const val = await numbers(page, '.jets-val');
  console.log(`[${name}] jet VAE validation loss by epoch: ${val.join(' ')}`);
  assert.equal(val.length, 24);
  assert.ok(Math.min(...val) < val[0], 'jet VAE validation loss decreased');
  assert.ok(val.every(Number.isFinite), 'finite jet VAE losses');
  assert.ok(await inkedPixels(page, 'jets-loss') > 1000, 'jet loss curve drawn');
  await page.click('#jets-sample');
  await waitIdle(page, timeout);
  console.log(`[${name}] ${await page.textContent('#status')} (${((Date.now() - t0) / 1000).toFixed(1)} s in all)`);
  assert.equal(await page.textContent('#error'), '', 'no error after sampling jets');
  const rows = await page.$$eval('.jets-js-row', (rs) => rs.map((r) => [r.dataset.feature, Number(r.querySelector('.js-model').textContent), Number(r.querySelector('.js-gen').textContent)]));
  for (const r of rows) console.log(`    ${r[0].padEnd(6)} model ${r[1].toFixed(5)}  gen ${r[2].toFixed(5)}`);
  assert.equal(rows.length, 8);
  assert.ok(rows.every((r) => r[1] >= 0 && r[1] <= Math.LN2 && r[2] >= 0 && r[2] <= Math.LN2), 'jet JS in [0, ln 2]');
  for (const id of ['jets-pt', 'jets-m', 'jets-eta', 'jets-flow1', 'jets-flow3', 'jets-n', 'jets-event']) {
    const ink = await inkedPixels(page, id);
    assert.ok(ink > 2000, `${id} drawn (${ink} inked pixels)`);
  }
  await page.fill('#jets-display-n', '3');
  await page.click('#jets-display');
  await waitIdle(page, timeout);
  assert.match(await page.textContent('#status'), /test jet 3/);
  await page.locator('#jets').screenshot({ path: path.join(out, `jets-${name}.png`) });
  await page.locator('#jets-event').screenshot({ path: path.join(out, `jets-event-${name}.png`) });
}

async function unfoldFlow(page, name, timeout) {
  await page.fill('#unfold-events', '0');
  await page.click('#unfold-generate');
  await page.waitForFunction(() => document.querySelector('#error')?.textContent.includes('event count'), null, { timeout: 10_000 });
  console.log(`[${name}] unfold bad input: ${await page.textContent('#error')}`);
  await page.fill('#unfold-events', '10000');
  const t0 = Date.now();
  await page.click('#unfold-generate');
  await waitIdle(page, timeout);
  console.log(`[${name}] ${await page.textContent('#unfold-summary')}`);
  // The naive GAN (8 epochs), then the FCGAN with the section's defaults (20 epochs).
  await page.selectOption('#unfold-kind', 'naive');
  await page.fill('#unfold-epochs', '8');
  await page.click('#unfold-train');
  await waitIdle(page, timeout);
  console.log(`[${name}] ${await page.textContent('#status')}`);
  assert.equal(await page.textContent('#error'), '', 'no error after training the naive GAN');
  await page.selectOption('#unfold-kind', 'fcgan');
  await page.fill('#unfold-epochs', '20');
  await page.click('#unfold-train');
  await waitIdle(page, timeout);
  console.log(`[${name}] ${await page.textContent('#status')}`);
  assert.equal(await page.textContent('#error'), '', 'no error after training the FCGAN');
  const g = await numbers(page, '.unfold-g');
  const v = await numbers(page, '.unfold-val');
  console.log(`[${name}] FCGAN validation JS(m_jj) by epoch: ${v.join(' ')}`);
  assert.equal(g.length, 20);
  assert.ok(g.every(Number.isFinite) && v.every(Number.isFinite), 'finite GAN losses');
  assert.ok(Math.min(...v) < v[0], 'validation JS of m_jj improved');
  assert.ok(await inkedPixels(page, 'unfold-loss') > 1000, 'GAN losses drawn');
  for (const test of ['none', 'iv', 'wprime']) {
    await page.click(`#closure-${test}`);
    await waitIdle(page, timeout);
    assert.equal(await page.textContent('#error'), '', `no error in closure test ${test}`);
    console.log(`[${name}] ${await page.textContent('#unfold-title')}`);
    const rows = await page.$$eval('.unfold-js-row', (rs) => rs.map((r) => [r.dataset.observable, Number(r.querySelector('.js-detector').textContent), ...[...r.querySelectorAll('.js-unfolded')].map((c) => Number(c.textContent))]));
    for (const r of rows) console.log(`    ${r[0].padEnd(6)} detector ${r[1].toFixed(5)}  naive ${r[2].toFixed(5)}  FCGAN ${r[3].toFixed(5)}`);
    assert.equal(rows.length, 6);
    assert.ok(rows.every((r) => r.length === 4 && r.slice(1).every((x) => x >= 0 && x <= Math.LN2)), 'closure JS in [0, ln 2]');
    for (const id of ['dist_j1_pt', 'dist_mjj', 'dist_mwz', 'deviation_mjj', 'migration_mjj', 'deviation2d']) {
      const ink = await inkedPixels(page, `unfold-${id}`);
      assert.ok(ink > 2000, `unfold-${id} drawn (${ink} inked pixels)`);
    }
    await page.locator('#unfold').screenshot({ path: path.join(out, `unfold-${test}-${name}.png`) });
  }
  console.log(`[${name}] Unfold section: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}

async function run({ name, webgpu, events, epochs, expectBadge, timeout }) {
  const t0 = Date.now();
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: [...commonArgs, ...(webgpu ? ['--enable-unsafe-webgpu', '--enable-features=Vulkan'] : ['--disable-gpu'])],
  });
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  try {
    await page.goto(base);
    await page.waitForFunction(() => !/starting/.test(document.querySelector('#backend-badge')?.textContent ?? 'starting'), null, { timeout: 60_000 });
    const badge = await page.textContent('#backend-badge');
    const note = await page.getAttribute('#backend-badge', 'title');
    console.log(`[${name}] backend badge: ${badge} (${note})`);
    assert.equal(badge, expectBadge, `badge should say ${expectBadge}: ${note}`);
    // FLOW=unfold (while developing) runs only that section's flow; the test command runs all.
    if (process.env.FLOW === 'unfold') {
      await unfoldFlow(page, name, timeout);
      assert.deepEqual(errors.filter((e) => !/favicon/.test(e)), [], 'no page errors');
      return;
    }

    // Bad input is refused with a message and loses nothing.
    await page.fill('#events', '0');
    await page.click('#generate');
    await page.waitForFunction(() => document.querySelector('#error')?.textContent.includes('event count'), null, { timeout: 10_000 });
    console.log(`[${name}] bad input message: ${await page.textContent('#error')}`);

    await page.fill('#events', String(events));
    await page.fill('#epochs', String(epochs));
    await page.click('#generate');
    await waitIdle(page, timeout);
    const generated = await page.textContent('#status');
    console.log(`[${name}] ${generated}`);
    assert.match(generated, /generated/);

    await page.click('#train');
    await waitIdle(page, timeout);
    const status = await page.textContent('#status');
    console.log(`[${name}] ${status}`);
    assert.equal(await page.textContent('#error'), '', 'no error after training');
    const train = await numbers(page, '.train-loss');
    const val = await numbers(page, '.val-loss');
    console.log(`[${name}] train loss by epoch: ${train.join(' ')}; validation: ${val.join(' ')}`);
    assert.equal(train.length, epochs);
    assert.ok(train.every(Number.isFinite) && val.every(Number.isFinite), 'finite losses');
    assert.ok(train.at(-1) < train[0], 'training loss decreased');
    assert.ok(Math.min(...val) < val[0] || val.at(-1) < val[0] || epochs === 1, 'validation loss decreased');
    assert.ok(await inkedPixels(page, 'loss-canvas') > 1000, 'loss curve drawn');

    await page.click('#sample');
    await waitIdle(page, timeout);
    console.log(`[${name}] ${await page.textContent('#status')}`);
    assert.equal(await page.textContent('#error'), '', 'no error after sampling');
    const rows = await page.$$eval('.js-row', (rs) => rs.map((r) => [r.dataset.feature, Number(r.querySelector('.js-model').textContent), Number(r.querySelector('.js-gen').textContent)]));
    console.log(`[${name}] quantile-JS (16 quantiles) feature / model-vs-reco / gen-vs-reco:`);
    for (const r of rows) console.log(`    ${r[0].padEnd(9)} ${r[1].toFixed(5)} ${r[2].toFixed(5)}`);
    assert.equal(rows.length, 9);
    assert.ok(rows.every((r) => r[1] >= 0 && r[1] <= Math.LN2 && r[2] >= 0 && r[2] <= Math.LN2), 'JS in [0, ln 2]');
    for (const f of ['mu_px', 'mu_py', 'mu_pz', 'jet_px', 'jet_py', 'jet_pz', 'jet_logm', 'met_x', 'met_y']) {
      const ink = await inkedPixels(page, `hist-${f}`);
      assert.ok(ink > 2000, `histogram ${f} drawn (${ink} inked pixels)`);
    }
    await page.screenshot({ path: path.join(out, `page-${name}.png`), fullPage: true });

    if (!webgpu) {
      // Cancel a long run: the page says so, stays usable, and keeps the best weights.
      await page.fill('#epochs', '500');
      await page.click('#train');
      await page.waitForFunction(() => document.querySelectorAll('.epoch-row').length >= 1, null, { timeout });
      await page.click('#cancel');
      await waitIdle(page, timeout);
      const cancelled = await page.textContent('#status');
      console.log(`[${name}] after cancel: ${cancelled}`);
      assert.match(cancelled, /cancelled/);
      assert.ok(await page.isEnabled('#sample'), 'a model is still there to sample with');

      await uploadFlow(page, name, timeout);
      await detectorFlow(page, name, timeout);

      // One click runs the whole demo.
      await page.fill('#events', '3000');
      await page.fill('#epochs', '2');
      await page.click('#run-all');
      await waitIdle(page, timeout);
      console.log(`[${name}] run the whole demo: ${await page.textContent('#status')}`);
      assert.match(await page.textContent('#status'), /sampled 3,000 independent events/);
      assert.equal((await numbers(page, '.train-loss')).length, 2);

      await evaluateFlow(page, name, timeout);
      await shareFlow(browser, page, name, timeout);
      await pretrainedFlow(page, name, timeout);
      await jetsFlow(page, name, timeout);
      await unfoldFlow(page, name, timeout);
    }
    assert.deepEqual(errors.filter((e) => !/favicon/.test(e)), [], 'no page errors');
    console.log(`[${name}] passed in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  } finally {
    await page.screenshot({ path: path.join(out, `last-${name}.png`), fullPage: true }).catch(() => {});
    await browser.close();
  }
}

try {
  // Software WebGPU is slow (shader compilation, ~1.5 s a step): keep that run tiny.
  // ONLY=webgpu or ONLY=cpu runs one of the two (while developing); the test command runs both.
  const only = process.env.ONLY;
  if (!only || only === 'webgpu') await run({ name: 'webgpu', webgpu: true, events: 1000, epochs: 2, expectBadge: 'WebGPU', timeout: 400_000 });
  if (!only || only === 'cpu') await run({ name: 'cpu', webgpu: false, events: 20000, epochs: 5, expectBadge: 'CPU', timeout: 300_000 });
} finally {
  server.close();
}
