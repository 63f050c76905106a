// Browser test of the page: Debian's chromium driven by playwright-core (never a downloaded
// browser), against the release build in dist/ served on 127.0.0.1. Runs the teaching demo
// twice: on WebGPU (Chromium's software adapter, SwiftShader) and on the CPU fallback.
// Screenshots go to tests/browser/out/.
import { chromium } from 'playwright-core';
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import os from 'node:os';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
const dist = path.join(root, 'dist');
const out = path.join(root, 'tests/browser/out');
fs.mkdirSync(out, { recursive: true });
const types = { '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript', '.wasm': 'application/wasm', '.css': 'text/css', '.svg': 'image/svg+xml' };

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
// The page a run works on: index.html (the first load, CPU only) or gpu.html (with WebGPU).
let home = base;

const commonArgs = [
  '--no-sandbox', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--disable-background-timer-throttling',
  '--disable-renderer-backgrounding',
];

async function waitIdle(page, timeout) {
  await page.waitForFunction(() => document.querySelector('#busy')?.textContent === 'ready', null, { timeout, polling: 250 });
}

/** Opens a tab by its navigation link, as a user would. */
async function tab(page, slug) {
  await page.click(`#tab-${slug}`);
  await page.waitForSelector(`#panel-${slug}:not([hidden])`, { timeout: 10_000 });
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

/** A CSV as an analysis exports it, of a toy detector: y = x·(1 + 10 % Gaussian), x
 * log-normal around 50 GeV; with a text column (the source file), 64-bit event numbers and a
 * sample label. */
function toyCsv(rows) {
  let seed = 12345;
  const uni = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) + 0.5) / 2147483648;
  const gauss = () => Math.sqrt(-2 * Math.log(uni())) * Math.cos(2 * Math.PI * uni());
  const lines = ['file,event,gen_pt,reco_pt,gen_eta,reco_eta,sample'];
  for (let i = 0; i < rows; i++) {
    const pt = 50 * Math.exp(0.5 * gauss());
    const eta = 2 * (uni() - 0.5);
    const nums = [pt, pt * (1 + 0.1 * gauss()), eta, eta + 0.02 * gauss()].map((v) => v.toPrecision(7));
    lines.push(['nano_tt_v12.root', String(18000000000000000000n + BigInt(i)), ...nums, 'ttbar'].join(','));
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
  // The text columns are shown as such and cannot be mapped; the event numbers are read.
  assert.deepEqual(await page.$$eval('#preview th.text-col', (h) => h.map((e) => e.textContent)), ['file', 'sample']);
  assert.equal(await page.textContent('#preview .preview-row td.text-col'), 'text, not used');
  const options = await page.$$eval('.map-row[data-gen="gen_pt"] .map-reco option', (o) => o.map((e) => e.value));
  assert.ok(!options.includes('file') && !options.includes('sample') && options.includes('event'), `mappable: ${options}`);
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
  assert.equal(text[0], 'event,gen_pt,reco_pt,gen_eta,reco_eta');
  // The samples are of the file's held-out last 20 % (the model never trained on them).
  assert.equal(text.length - 1, 400);
  const [svg] = await Promise.all([page.waitForEvent('download'), page.click('.dl-svg[data-plot="hist-pt"]')]);
  assert.match(fs.readFileSync(await svg.path(), 'utf8'), /<svg/);
  const [model] = await Promise.all([page.waitForEvent('download'), page.click('#dl-model')]);
  assert.equal(model.suggestedFilename(), 'model.fastsim');
  fs.copyFileSync(await model.path(), path.join(out, 'upload-model.fastsim'));
  const [graph] = await Promise.all([page.waitForEvent('download'), page.click('#dl-onnx')]);
  assert.equal(graph.suggestedFilename(), 'model.onnx');
  console.log(`[${name}] the page's ONNX export: ${checkOnnx(await graph.path())}`);

  // A malformed file: the message names file, row and column; the loaded data stay.
  const bad = path.join(out, 'bad.csv');
  fs.writeFileSync(bad, 'gen_pt,reco_pt\n1,2\n3\n');
  await page.setInputFiles('#file', bad);
  await waitIdle(page, timeout);
  const err = await page.textContent('#error');
  console.log(`[${name}] malformed upload: ${err}`);
  assert.equal(err, 'bad.csv: row 2: 1 fields, the header has 2 (wrong delimiter or ragged row?)');
  assert.equal(await page.textContent('#preview-rows'), '2000', 'the previous data are still there');
  assert.ok(await page.isEnabled('#train'), 'still usable');
}

const fixtures = path.join(root, 'tests/fixtures');

/** A NanoAOD-like file written by uproot, through JSROOT in the page; JSROOT loads only then.
 * Then malformed and truncated ROOT files: one line of error, the page keeps its data. */
async function rootFlow(page, name, timeout, requests) {
  assert.ok(!requests.some((u) => /jsroot|root_worker/.test(u)), 'JSROOT is not in the first load');
  await page.setInputFiles('#file', path.join(fixtures, 'nano.root'));
  await waitIdle(page, timeout);
  console.log(`[${name}] ROOT: ${await page.textContent('#status')}`);
  assert.equal(await page.textContent('#error'), '', 'no error listing nano.root');
  assert.ok(requests.some((u) => /jsroot\/modules\/io\.mjs/.test(u)), 'JSROOT loaded on demand');
  const branches = await page.$$eval('.root-branch', (b) => b.map((e) => [e.dataset.branch, e.checked]));
  assert.deepEqual(branches, [['MET_pt', true], ['run', true], ['nJet', true], ['Jet_pt', true], ['Jet_eta', true]]);
  assert.equal(await page.textContent('#root-pick h4'), 'ROOT file nano.root');
  // The first jet of each event (the command line's default): event 2 has none and is skipped.
  await page.click('#root-load');
  await waitIdle(page, timeout);
  console.log(`[${name}] ROOT first:1: ${await page.textContent('#status')}`);
  assert.equal(await page.textContent('#error'), '', 'no error reading nano.root');
  assert.equal(await page.textContent('#preview-rows'), '3');
  const head = await page.$$eval('#preview tr:first-child th', (h) => h.slice(1).map((e) => e.textContent));
  assert.deepEqual(head, ['MET_pt', 'run', 'nJet', 'Jet_pt_0', 'Jet_eta_0'], 'the native reader\'s columns');
  const firstCol = (i) => page.$$eval('#preview .preview-row', (rs, i) => rs.map((r) => Number(r.children[i].textContent)), i);
  assert.deepEqual(await firstCol(1), [20.5, 12.25, 40]);
  assert.deepEqual(await firstCol(4), [50, 70, 80]);
  // One row per jet, of two branches.
  await page.selectOption('#root-jagged', 'flatten');
  for (const b of ['run', 'nJet', 'Jet_eta']) await page.click(`.root-branch[data-branch="${b}"]`);
  await page.click('#root-load');
  await waitIdle(page, timeout);
  console.log(`[${name}] ROOT flatten: ${await page.textContent('#status')}`);
  assert.equal(await page.textContent('#preview-rows'), '6');
  assert.deepEqual(await firstCol(2), [50, 51, 70, 71, 72]);
  await page.locator('#upload').screenshot({ path: path.join(out, 'upload-root.png') });

  for (const [file, bytes] of [
    ['corrupt.root', fs.readFileSync(path.join(fixtures, 'corrupt.root'))],
    ['truncated.root', fs.readFileSync(path.join(fixtures, 'nano.root')).subarray(0, 400)],
  ]) {
    const p = path.join(out, file);
    fs.writeFileSync(p, bytes);
    await page.setInputFiles('#file', p);
    await waitIdle(page, timeout);
    const err = await page.textContent('#error');
    console.log(`[${name}] ${file}: ${err}`);
    assert.match(err, new RegExp(`^${file.replace('.', '\\.')}: malformed ROOT file \\(JSROOT: .+\\)$`));
    assert.equal(err.split('\n').length, 1);
    assert.equal(await page.textContent('#preview-rows'), '6', 'the loaded data stay');
    assert.ok(await page.isEnabled('#file'), 'the page stays usable');
  }
}

/** Waits until the page's backend has started (its badge no longer says "starting…"). */
async function backendReady(page, timeout = 60_000) {
  await page.waitForFunction(() => !/starting/.test(document.querySelector('#backend-badge')?.textContent ?? 'starting'), null, { timeout });
}

/** Every tab at 1280 × 720 (a projector) with a screenshot; the URL names the open tab,
 * Back and Forward move between tabs, and a link opens on its tab; a 390 px phone scrolls
 * only down; every control has a name; teaching mode shows its explanations. */
async function layoutFlow(browser, name) {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 720 } });
  try {
    const page = await ctx.newPage();
    await page.goto(base);
    await backendReady(page);
    assert.ok(await page.isVisible('#run-all'), 'the landing offers the demo');
    await page.screenshot({ path: path.join(out, 'tab-home.png') });
    await page.screenshot({ path: path.join(out, 'landing.png') });
    const slugs = ['smear', 'jets', 'unfold', 'showers', 'evaluate', 'detector', 'models'];
    for (const slug of slugs) {
      await tab(page, slug);
      assert.equal(new URL(page.url()).searchParams.get('tab'), slug, 'the URL names the tab');
      const shown = await page.$$eval('.panel', (ps) => ps.filter((p) => !p.hidden).map((p) => p.id));
      assert.deepEqual(shown, [`panel-${slug}`], 'one panel shown');
      // Nothing is reserved before there is something to show: no blank canvas in view.
      const blank = await page.$$eval(`#panel-${slug} canvas`, (cs) => cs.filter((c) => c.offsetParent !== null).map((c) => c.id));
      assert.deepEqual(blank, [], `no empty canvas shown on ${slug}`);
      const wide = await page.evaluate(() => document.documentElement.scrollWidth);
      assert.ok(wide <= 1281, `the ${slug} tab is ${wide} px wide at 1280`);
      await page.screenshot({ path: path.join(out, `tab-${slug}.png`), fullPage: true });
    }
    await page.goBack();
    await page.waitForSelector('#panel-detector:not([hidden])');
    await page.goBack();
    await page.waitForSelector('#panel-evaluate:not([hidden])');
    await page.goForward();
    await page.waitForSelector('#panel-detector:not([hidden])');
    // A link with ?tab= opens on that tab.
    await page.goto(`${base}?tab=unfold`);
    await page.waitForSelector('#panel-unfold:not([hidden])');
    // Every control has an accessible name.
    const unnamed = await page.$$eval('input, select, button, textarea', (els) => els
      .filter((e) => e.type !== 'hidden')
      .filter((e) => !(e.labels?.length || e.getAttribute('aria-label') || (e.tagName === 'BUTTON' && e.textContent.trim())))
      .map((e) => e.id || e.className || e.outerHTML.slice(0, 60)));
    assert.deepEqual(unnamed, [], 'controls without a label');
    // Every id names one element (a panel heading and a result shared one).
    const dups = await page.$$eval('[id]', (els) => els.map((e) => e.id).filter((id, i, ids) => ids.indexOf(id) !== i));
    assert.deepEqual(dups, [], 'ids used twice');
    // Teaching mode: explanations appear, and the URL keeps it.
    await tab(page, 'smear');
    assert.equal(await page.isVisible('.explain >> nth=0'), false);
    await page.check('#teach');
    assert.ok(await page.isVisible('#panel-smear .explain >> nth=0'), 'explanations shown');
    assert.equal(new URL(page.url()).searchParams.get('teach'), '1');
    await page.screenshot({ path: path.join(out, 'tab-smear-teaching.png'), fullPage: true });
    // A laptop, and a phone: the page never scrolls sideways.
    for (const [w, h] of [[1920, 1080], [390, 844]]) {
      await page.setViewportSize({ width: w, height: h });
      const wide = await page.evaluate(() => document.documentElement.scrollWidth);
      assert.ok(wide <= w + 1, `at ${w} px the page is ${wide} px wide`);
      await page.screenshot({ path: path.join(out, `tab-smear-${w}.png`), fullPage: w < 1000 });
    }
    console.log(`[${name}] layout: ${slugs.length + 1} tabs at 1280×720, URL ↔ tab, Back/Forward, labels, teaching mode, 1920 and 390 px: ok`);
  } finally {
    await ctx.close();
  }
}

/** The Smear tab by keyboard only: Tab moves through the flow in order with a visible focus,
 * typing fills the fields, Enter presses the buttons. */
async function keyboardFlow(page, name, timeout, events, epochs, query = '') {
  await page.goto(`${home}?tab=smear${query}`);
  await backendReady(page);
  await page.waitForSelector('#panel-smear:not([hidden])');
  await page.focus('#smear-title');
  const order = [];
  const press = async (key) => {
    await page.keyboard.press(key);
    const f = await page.evaluate(() => {
      const e = document.activeElement;
      return { id: e.id, visible: e.matches(':focus-visible') && getComputedStyle(e).outlineStyle !== 'none' };
    });
    order.push(f.id);
    assert.ok(f.visible, `focus on ${f.id} is visible`);
    return f.id;
  };
  const tabTo = async (id) => {
    for (let i = 0; i < 40; i++) if ((await press('Tab')) === id) return;
    throw new Error(`Tab never reached #${id}: ${order.join(' → ')}`);
  };
  await tabTo('events');
  await page.keyboard.press('Control+A');
  await page.keyboard.type(String(events));
  await tabTo('generate');
  await page.keyboard.press('Enter');
  await waitIdle(page, timeout);
  assert.match(await page.textContent('#status'), /generated/);
  await tabTo('epochs');
  await page.keyboard.press('Control+A');
  await page.keyboard.type(String(epochs));
  await tabTo('train');
  await page.keyboard.press('Enter');
  await waitIdle(page, timeout);
  await tabTo('sample');
  await page.keyboard.press('Enter');
  await waitIdle(page, timeout);
  const flow = ['events', 'seed', 'generate', 'npy-names', 'drop-nonfinite', 'file', 'epochs', 'batch', 'lr', 'hidden', 'train', 'sample'];
  const seen = order.filter((id) => flow.includes(id));
  assert.deepEqual(seen.filter((id, i) => seen.indexOf(id) === i), flow, `tab order: ${order.join(' → ')}`);
  console.log(`[${name}] keyboard only: ${flow.join(' → ')}; ${await page.textContent('#status')}`);
}

/** The paper's 4 × 100 network: too large for a link, so Share downloads its file and the
 * link pins its SHA-256; the recipient loads the file (a different one is refused) and sees
 * the same numbers and pixels. */
async function shareFileFlow(browser, page, name, timeout, otherModel) {
  const { js, pixels } = await trainAndSample(page, '4x100', 6, 2, timeout);
  const [file] = await Promise.all([page.waitForEvent('download'), page.click('#share')]);
  await waitIdle(page, timeout);
  assert.equal(await page.textContent('#error'), '', 'no error sharing a 4 × 100 model');
  console.log(`[${name}] share 4×100: ${await page.textContent('#status')}`);
  const modelPath = path.join(out, file.suggestedFilename());
  fs.copyFileSync(await file.path(), modelPath);
  assert.match(file.suggestedFilename(), /^model-[0-9a-f]{12}\.fastsim$/);
  const link = await page.inputValue('#share-link');
  assert.ok(link.length < 2000, `a short link (${link.length} characters)`);
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 720 } });
  try {
    const other = await ctx.newPage();
    const errors = [];
    other.on('pageerror', (e) => errors.push(String(e)));
    await other.goto(link.replace(/^https?:\/\/[^/]+\//, base));
    await other.waitForSelector('#link-model:not([hidden])', { timeout });
    assert.ok(await other.isVisible('#panel-smear'), 'the link opens on its tab');
    console.log(`[${name}] opened: ${await other.textContent('#status')}`);
    await other.setInputFiles('#link-model-file', otherModel);
    await waitIdle(other, timeout);
    console.log(`[${name}] wrong file: ${await other.textContent('#error')}`);
    assert.match(await other.textContent('#error'), /not the [0-9a-f]{12}… of model-[0-9a-f]{12}\.fastsim that the link pins; nothing was loaded/);
    await other.setInputFiles('#link-model-file', modelPath);
    await other.waitForFunction(() => /opened the link/.test(document.querySelector('#status')?.textContent ?? ''), null, { timeout });
    console.log(`[${name}] with its file: ${await other.textContent('#status')}`);
    assert.equal(await other.textContent('#error'), '');
    assert.deepEqual(await numbers(other, '.js-model'), js, 'the same JS numbers');
    assert.equal(await canvasDigest(other, 'hist-jet_px'), pixels, 'the same pixels');
    assert.deepEqual(errors, [], 'no page errors');
  } finally {
    await ctx.close();
  }
}

async function detectorFlow(page, name, timeout) {
  await tab(page, 'smear');
  await page.fill('#events', '5000');
  await tab(page, 'detector');
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
  await tab(page, 'evaluate');
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
  await page.locator('#panel-evaluate').screenshot({ path: path.join(out, `evaluate-${name}.png`) });
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

/** On the Smear tab: 3,000 built-in events of `seed`, the network `hidden` trained `epochs`
 * epochs, samples; the JS numbers and one plot's pixels. */
async function trainAndSample(page, hidden, seed, epochs, timeout) {
  await tab(page, 'smear');
  await page.selectOption('#hidden', hidden);
  await page.fill('#events', '3000');
  await page.fill('#seed', String(seed));
  await page.fill('#epochs', String(epochs));
  for (const step of ['#generate', '#train', '#sample']) {
    await page.click(step);
    await waitIdle(page, timeout);
  }
  return { js: await numbers(page, '.js-model'), pixels: await canvasDigest(page, 'hist-jet_px') };
}

/** Train the small network, Share, open the link in a fresh context: same numbers, same
 * pixels; then a tampered link is refused and the page stays usable. */
async function shareFlow(browser, page, name, timeout) {
  const { js, pixels } = await trainAndSample(page, '2x16', 5, 3, timeout);
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
    await other.goto(link.replace(/^https?:\/\/[^/]+\//, base));
    await other.waitForFunction(() => /opened the link/.test(document.querySelector('#status')?.textContent ?? ''), null, { timeout });
    assert.ok(await other.isVisible('#panel-smear'), 'the link opens on its tab');
    console.log(`[${name}] opened in a fresh context: ${await other.textContent('#status')}`);
    assert.deepEqual(await numbers(other, '.js-model'), js, 'the same JS numbers');
    assert.equal(await canvasDigest(other, 'hist-jet_px'), pixels, 'the same pixels');
    await other.screenshot({ path: path.join(out, `opened-from-link-${name}.png`), fullPage: true });

    // One character changed in the middle of the payload.
    const i = link.indexOf('#s1.') + 4 + Math.floor((link.length - link.indexOf('#s1.') - 4) / 2);
    const tampered = link.slice(0, i) + (link[i] === 'A' ? 'B' : 'A') + link.slice(i + 1);
    const bad = await ctx.newPage();
    await bad.goto(tampered.replace(/^https?:\/\/[^/]+\//, base));
    await bad.waitForFunction(() => document.querySelector('#error')?.textContent.includes('link'), null, { timeout: 60_000 });
    console.log(`[${name}] tampered link: ${await bad.textContent('#error')}`);
    await waitIdle(bad, timeout);
    assert.ok(await bad.isEnabled('#generate'), 'the page stays usable');
    assert.deepEqual(errors, [], 'no page errors in the opened page');
  } finally {
    await ctx.close();
  }
}

/** A 2 × 32 network: too large for an exact inline link, it travels in float16; the opened
 * page says so and its numbers agree with the sender's within the stated tolerance. */
async function shareHalfFlow(browser, page, name, timeout) {
  const { js } = await trainAndSample(page, '2x32', 7, 2, timeout);
  await page.click('#share');
  await waitIdle(page, timeout);
  assert.equal(await page.textContent('#error'), '', 'no error sharing a 2 × 32 model');
  const status = await page.textContent('#status');
  console.log(`[${name}] share 2×32: ${status}`);
  assert.match(status, /inline in float16/);
  const link = await page.inputValue('#share-link');
  assert.ok(link.length < 16200, `inline link of ${link.length} characters`);
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 720 } });
  try {
    const other = await ctx.newPage();
    await other.goto(link.replace(/^https?:\/\/[^/]+\//, base));
    await other.waitForFunction(() => /opened the link/.test(document.querySelector('#status')?.textContent ?? ''), null, { timeout });
    const opened = await other.textContent('#status');
    console.log(`[${name}] opened: ${opened}`);
    assert.match(opened, /float16/);
    const back = await numbers(other, '.js-model');
    const worst = Math.max(...back.map((v, i) => Math.abs(v - js[i])));
    console.log(`[${name}] float16 link: largest quantile-JS change ${worst.toExponential(2)} (tolerance 1e-4)`);
    assert.equal(back.length, js.length);
    assert.ok(worst < 1e-4, `JS within the stated tolerance: ${worst}`);
  } finally {
    await ctx.close();
  }
}

/** Load the first pre-trained model of models/: plots appear at once. */
async function pretrainedFlow(page, name, timeout) {
  await tab(page, 'models');
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

/** The Jets and Unfold tabs' pre-trained models, one click each: the first choice (the small
 * masked jet VAE; the naive GAN + FCGAN pair) loads, tests on its own test events and draws. */
async function pretrainedTabsFlow(page, name, timeout) {
  await tab(page, 'jets');
  await page.waitForFunction(() => document.querySelectorAll('#jets-pretrained option').length > 0, null, { timeout: 30_000 });
  let t0 = Date.now();
  await page.click('#jets-pretrained .load-pretrained');
  await waitIdle(page, timeout);
  console.log(`[${name}] Jets pre-trained (${((Date.now() - t0) / 1000).toFixed(1)} s): ${await page.textContent('#status')}`);
  assert.equal(await page.textContent('#error'), '', 'no error loading the pre-trained jet VAE');
  const jets = await page.$$eval('.jets-js-row', (rs) => rs.map((r) => [r.dataset.feature, Number(r.querySelector('.js-model').textContent), Number(r.querySelector('.js-gen').textContent)]));
  for (const r of jets) console.log(`    ${r[0].padEnd(6)} pre-trained VAE ${r[1].toFixed(5)}  gen ${r[2].toFixed(5)}`);
  assert.equal(jets.length, 8);
  assert.ok(jets.every((r) => r[1] >= 0 && r[1] <= Math.LN2), 'pre-trained jet JS in [0, ln 2]');
  assert.ok(await inkedPixels(page, 'jets-loss') > 1000, 'the pre-trained VAE\'s loss history drawn');
  assert.ok(await inkedPixels(page, 'jets-pt') > 2000, 'jet pT drawn');
  await page.click('#jets-pretrained + details summary');
  await page.locator('#panel-jets').screenshot({ path: path.join(out, `jets-pretrained-${name}.png`) });

  await tab(page, 'unfold');
  await page.waitForFunction(() => document.querySelectorAll('#unfold-pretrained option').length > 0, null, { timeout: 30_000 });
  t0 = Date.now();
  await page.click('#unfold-pretrained .load-pretrained');
  await waitIdle(page, timeout);
  console.log(`[${name}] Unfold pre-trained (${((Date.now() - t0) / 1000).toFixed(1)} s): ${await page.textContent('#status')}`);
  assert.equal(await page.textContent('#error'), '', 'no error loading the pre-trained GANs');
  for (const test of ['none', 'i', 'wprime']) {
    if (test !== 'none') {
      await page.click(`#closure-${test}`);
      await waitIdle(page, timeout);
      assert.equal(await page.textContent('#error'), '', `no error in closure test ${test}`);
    }
    console.log(`[${name}] pre-trained, ${await page.textContent('#closure-title')}`);
    const rows = await page.$$eval('.unfold-js-row', (rs) => rs.map((r) => [r.dataset.observable, Number(r.querySelector('.js-detector').textContent), ...[...r.querySelectorAll('.js-unfolded')].map((c) => Number(c.textContent))]));
    for (const r of rows) console.log(`    ${r[0].padEnd(6)} detector ${r[1].toFixed(5)}  naive ${r[2].toFixed(5)}  FCGAN ${r[3].toFixed(5)}`);
    assert.ok(rows.length === 6 && rows.every((r) => r.length === 4), 'both pre-trained GANs in the closure table');
  }
  assert.ok(await inkedPixels(page, 'unfold-dist_mjj') > 2000, 'm_jj drawn');
  await page.locator('#panel-unfold').screenshot({ path: path.join(out, `unfold-pretrained-${name}.png`) });

  // The pre-trained VAE-GAN: its training showers regenerated from the manifest's recipe, then
  // the E_pixel study (the observable it amplifies) on a sample this run can afford.
  await tab(page, 'showers');
  await page.waitForFunction(() => document.querySelectorAll('#showers-pretrained option').length > 0, null, { timeout: 30_000 });
  t0 = Date.now();
  await page.click('#showers-pretrained .load-pretrained');
  await waitIdle(page, timeout);
  console.log(`[${name}] Showers pre-trained (${((Date.now() - t0) / 1000).toFixed(1)} s): ${await page.textContent('#status')}`);
  assert.equal(await page.textContent('#error'), '', 'no error loading the pre-trained VAE-GAN');
  assert.ok(await inkedPixels(page, 'showers-loss') > 1000, 'the pre-trained VAE-GAN\'s history drawn');
  await page.fill('#showers-generated', '20000');
  await page.fill('#showers-truth', '10000');
  await page.selectOption('#showers-study', 'E_pixel');
  t0 = Date.now();
  await page.click('#showers-sample');
  await waitIdle(page, timeout);
  console.log(`[${name}] Showers pre-trained study (${((Date.now() - t0) / 1000).toFixed(1)} s): ${await page.textContent('#status')}`);
  assert.equal(await page.textContent('#error'), '', 'no error in the pre-trained VAE-GAN\'s study');
  console.log(`[${name}] ${await page.textContent('#showers-amp')}`);
  const showers = await page.$$eval('.showers-js-row', (rs) => rs.map((r) => [r.dataset.observable, Number(r.querySelector('.js-training').textContent), Number(r.querySelector('.js-model').textContent)]));
  for (const r of showers) console.log(`    ${r[0].padEnd(7)} training ${r[1].toFixed(5)}  pre-trained VAE-GAN ${r[2].toFixed(5)}`);
  assert.equal(showers.length, 5);
  assert.match(await page.textContent('#showers-amp'), /amplification of the VAE-GAN \(E_pixel/);
  await page.locator('#panel-showers').screenshot({ path: path.join(out, `showers-pretrained-${name}.png`) });
}

/** An ONNX file the page wrote, checked by onnx.checker and run by onnxruntime on random
 * inputs of 5 rows (the venv of scripts/install): its input and output names and shapes. */
function checkOnnx(file) {
  const python = process.env.FASTSIM_JAX_PYTHON ?? path.join(os.homedir(), '.cache/fastsim-lab/venv/bin/python');
  const script = `
import sys, numpy as np, onnx, onnxruntime as ort
m = onnx.load(sys.argv[1]); onnx.checker.check_model(m, full_check=True)
s = ort.InferenceSession(sys.argv[1], providers=['CPUExecutionProvider'])
feed = {i.name: np.abs(np.random.default_rng(1).normal(size=(5, i.shape[1]))).astype(np.float32) + 1 for i in s.get_inputs()}
outs = s.run(None, feed)
assert all(np.isfinite(o).all() for o in outs)
print(', '.join(f'{i.name} {i.shape}' for i in s.get_inputs()), '->', ', '.join(f'{o.name} {list(v.shape)}' for o, v in zip(s.get_outputs(), outs)))
`;
  return execFileSync(python, ['-c', script, file], { encoding: 'utf8' }).trim();
}

/** The Showers section (seed 003): bad input refused, built-in showers with their images, a
 * short VAE-GAN training with its losses and selection figure, then generated showers, the
 * per-observable JS table against independent truth showers, the amplification study and the
 * plots. `size` keeps the software-WebGPU run small. */
async function showersFlow(page, name, timeout, size) {
  await tab(page, 'showers');
  await page.fill('#showers-count', '0');
  await page.click('#showers-generate');
  await page.waitForFunction(() => document.querySelector('#error')?.textContent.includes('showers: 0'), null, { timeout: 10_000 });
  console.log(`[${name}] showers bad input: ${await page.textContent('#error')}`);
  await page.fill('#showers-count', String(size.showers));
  let t0 = Date.now();
  await page.click('#showers-generate');
  await waitIdle(page, timeout);
  console.log(`[${name}] ${await page.textContent('#showers-summary')} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  assert.equal(await page.textContent('#error'), '', 'no error generating showers');
  assert.ok(await inkedPixels(page, 'showers-images') > 5000, 'the shower images drawn');
  await page.fill('#showers-epochs', String(size.epochs));
  const tTrain = await page.evaluate(() => performance.now());
  t0 = Date.now();
  await page.click('#showers-train');
  await waitIdle(page, timeout);
  console.log(`[${name}] ${await page.textContent('#status')} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  await assertNoLongTasks(page, name, tTrain, 'training the VAE-GAN');
  assert.equal(await page.textContent('#error'), '', 'no error training the VAE-GAN');
  const sel = await numbers(page, '.showers-selection');
  console.log(`[${name}] VAE-GAN selection JS by epoch: ${sel.join(' ')}`);
  assert.equal(sel.length, size.epochs);
  assert.ok(sel.every((v) => Number.isFinite(v) && v >= 0 && v <= Math.LN2), 'selection JS in [0, ln 2]');
  // The generator starts from empty images; by the sixth epoch of 1k showers it makes showers.
  if (size.epochs >= 6) assert.ok(Math.min(...sel) < sel[0] - 0.05, 'the selection JS fell');
  assert.ok(await inkedPixels(page, 'showers-loss') > 1000, 'VAE-GAN loss curves drawn');
  await page.fill('#showers-generated', String(size.generated));
  await page.fill('#showers-truth', String(size.truth));
  // The pre-trained flow, earlier in the CPU run, leaves the E_pixel study chosen.
  await page.selectOption('#showers-study', 'E_vis');
  t0 = Date.now();
  await page.click('#showers-sample');
  await waitIdle(page, timeout);
  const studied = await page.textContent('#status');
  console.log(`[${name}] ${studied} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  assert.equal(await page.textContent('#error'), '', 'no error in the shower study');
  console.log(`[${name}] ${await page.textContent('#showers-amp')}`);
  console.log(`[${name}] ${await page.textContent('#showers-baselines')}`);
  assert.match(await page.textContent('#showers-amp'), /amplification of the VAE-GAN \(E_vis/);
  const rows = await page.$$eval('.showers-js-row', (rs) => rs.map((r) => [r.dataset.observable, Number(r.querySelector('.js-training').textContent), Number(r.querySelector('.js-model').textContent)]));
  for (const r of rows) console.log(`    ${r[0].padEnd(7)} training ${r[1].toFixed(5)}  VAE-GAN ${r[2].toFixed(5)}`);
  assert.equal(rows.length, 5);
  assert.ok(rows.every((r) => r[1] >= 0 && r[1] <= Math.LN2 && r[2] >= 0 && r[2] <= Math.LN2), 'shower JS in [0, ln 2]');
  for (const id of ['showers-js-curves', 'showers-gen-images', 'showers-dist-e_vis', 'showers-dist-e_peak', 'showers-dist-e_pixel', 'showers-dist-cg_x', 'showers-dist-cg_y', 'showers-dist-n_active']) {
    const ink = await inkedPixels(page, id);
    assert.ok(ink > 2000, `${id} drawn (${ink} inked pixels)`);
  }
  await page.locator('#panel-showers').screenshot({ path: path.join(out, `showers-${name}.png`) });
  const [graph] = await Promise.all([page.waitForEvent('download'), page.click('#showers-onnx')]);
  console.log(`[${name}] the Showers tab's ONNX export: ${checkOnnx(await graph.path())}`);
  return studied;
}

/** Each page job of the Showers tab on WebGPU (the link forces it past the software adapter). */
async function showersGpuFlow(page, name, timeout) {
  await page.goto(`${home}?tab=showers&backend=webgpu`);
  await backendReady(page);
  const studied = await showersFlow(page, name, timeout, { showers: 100, epochs: 1, generated: 1000, truth: 2000 });
  assert.match(studied, /ran on WebGPU/);
}

/** The Smear tab's conditional flow (issue 22): chosen in place of the Gaussian network,
 * trained on built-in events, sampled and compared with the detector; `size.query` forces the
 * backend (the flow has no CPU fast path, so WebGPU is its device when told). */
async function flowFlow(page, name, timeout, size) {
  await page.goto(`${home}?tab=smear${size.query ?? ''}`);
  await backendReady(page);
  await page.selectOption('#smear-model', 'flow');
  assert.equal(await page.inputValue('#hidden'), '2x64', 'the flow proposes its conditioners');
  await page.fill('#events', String(size.events));
  await page.fill('#epochs', String(size.epochs));
  const t0 = Date.now();
  await page.click('#generate');
  await waitIdle(page, timeout);
  const tTrain = await page.evaluate(() => performance.now());
  await page.click('#train');
  await waitIdle(page, timeout);
  const trained = await page.textContent('#status');
  console.log(`[${name}] flow: ${trained} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  if (!size.query) await assertNoLongTasks(page, name, tTrain, 'training the flow');
  assert.equal(await page.textContent('#error'), '', 'no error training the flow');
  const train = await numbers(page, '.train-loss');
  const val = await numbers(page, '.val-loss');
  console.log(`[${name}] flow −ln p per event by epoch: train ${train.join(' ')}; validation ${val.join(' ')}`);
  assert.equal(train.length, size.epochs);
  assert.ok(train.every(Number.isFinite) && val.every(Number.isFinite), 'finite flow losses');
  if (size.epochs > 1) assert.ok(train.at(-1) < train[0], 'the flow learned');
  await page.click('#sample');
  await waitIdle(page, timeout);
  const sampled = await page.textContent('#status');
  console.log(`[${name}] flow: ${sampled} (${((Date.now() - t0) / 1000).toFixed(1)} s in all)`);
  assert.equal(await page.textContent('#error'), '', 'no error sampling the flow');
  if (size.query) assert.match(sampled, /ran on WebGPU/);
  const rows = await page.$$eval('.js-row', (rs) => rs.map((r) => [r.dataset.feature, Number(r.querySelector('.js-model').textContent)]));
  console.log(`[${name}] flow quantile-JS: ${rows.map((r) => `${r[0]} ${r[1].toFixed(5)}`).join(', ')}`);
  assert.equal(rows.length, 9);
  assert.ok(rows.every((r) => r[1] >= 0 && r[1] <= Math.LN2), 'flow JS in [0, ln 2]');
  assert.ok(await inkedPixels(page, 'hist-jet_px') > 2000, 'the flow sample drawn');
  await page.locator('#panel-smear').screenshot({ path: path.join(out, `smear-flow-${name}.png`) });
  await page.selectOption('#smear-model', 'gaussian');
}

/** The Jets section: bad input refused, built-in jets, a short jet-VAE training with its loss
 * components, test jets through it, the JS table, the plots and the event display. */
/** The values of form fields, by id, to put back with `restoreFields`. */
async function keepFields(page, ids) {
  return Object.fromEntries(await Promise.all(ids.map(async (id) => [id, await page.inputValue(id)])));
}

async function restoreFields(page, values) {
  for (const [id, v] of Object.entries(values)) {
    if (await page.$eval(id, (e) => e.tagName) === 'SELECT') await page.selectOption(id, v);
    else await page.fill(id, v);
  }
}

// Issue 23: each tab's "the paper's settings" switch sets the visible fields to the paper's
// and trains with the hidden ones (here the Smear tab's: reco regressed directly, built-in
// events at ⟨μ⟩ = 200); unchecking leaves the fields as they are, so they are restored.
async function paperChoiceFlow(page, name, timeout) {
  const keep = (ids) => keepFields(page, ids);
  const restore = (values) => restoreFields(page, values);
  await tab(page, 'smear');
  const smear = await keep(['#events', '#epochs', '#batch', '#lr', '#hidden']);
  await page.check('#smear-paper');
  assert.deepEqual([await page.inputValue('#hidden'), await page.inputValue('#epochs'), await page.inputValue('#batch'), await page.inputValue('#lr')], ['4x100', '100', '128', '0.001']);
  await page.fill('#events', '3000');
  await page.fill('#epochs', '1');
  await page.click('#generate');
  await waitIdle(page, timeout);
  const generated = await page.textContent('#status');
  assert.match(generated, /⟨μ⟩ = 200 pile-up/);
  await page.click('#train');
  await waitIdle(page, timeout);
  assert.equal(await page.textContent('#error'), '', 'no error training with the paper\'s settings');
  console.log(`[${name}] the Smear tab's paper settings: ${generated}; ${await page.textContent('#status')}`);
  await page.uncheck('#smear-paper');
  await restore(smear);
  await tab(page, 'jets');
  const jets = await keep(['#jets-preset', '#jets-lr', '#jets-epochs']);
  const masked = await page.isChecked('#jets-masked');
  await page.check('#jets-paper');
  assert.deepEqual([await page.inputValue('#jets-preset'), await page.inputValue('#jets-lr'), await page.inputValue('#jets-epochs'), await page.isChecked('#jets-masked')], ['paper', '1e-4', '300', false]);
  await page.uncheck('#jets-paper');
  await restore(jets);
  await page.setChecked('#jets-masked', masked);
  await tab(page, 'unfold');
  const unfold = await keep(['#unfold-preset', '#unfold-kernel', '#unfold-lr', '#unfold-epochs']);
  const features = await page.isChecked('#unfold-features');
  await page.check('#unfold-paper');
  assert.deepEqual([await page.inputValue('#unfold-preset'), await page.inputValue('#unfold-kernel'), await page.inputValue('#unfold-lr'), await page.inputValue('#unfold-epochs'), await page.isChecked('#unfold-features')], ['paper', 'multiple', '1e-4', '50', false]);
  await page.uncheck('#unfold-paper');
  await restore(unfold);
  await page.setChecked('#unfold-features', features);
  console.log(`[${name}] the Jets and Unfold tabs' paper settings set their fields, and were restored`);
  await tab(page, 'smear');
}

async function jetsFlow(page, name, timeout) {
  await tab(page, 'jets');
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
  // The paper's settings cut to 2 epochs of the small network: the epoch is kept by the
  // jet features' KLD (scored at the last epoch), in the page's worker as on the command line.
  const fields = await keepFields(page, ['#jets-preset', '#jets-lr', '#jets-epochs']);
  const masked = await page.isChecked('#jets-masked');
  await page.check('#jets-paper');
  await page.selectOption('#jets-preset', 'small');
  await page.fill('#jets-epochs', '2');
  await page.click('#jets-train');
  await waitIdle(page, timeout);
  const paperRun = await page.textContent('#status');
  console.log(`[${name}] ${paperRun}`);
  assert.equal(await page.textContent('#error'), '', 'no error after the paper-settings training');
  assert.match(paperRun, /the paper's settings; kept by the KLD\) trained 2 epochs .*; kept epoch 2/);
  await page.uncheck('#jets-paper');
  await restoreFields(page, fields);
  await page.setChecked('#jets-masked', masked);
  const tTrain = await page.evaluate(() => performance.now());
  await page.click('#jets-train');
  await waitIdle(page, timeout);
  console.log(`[${name}] ${await page.textContent('#status')} (default run: ${((Date.now() - t0) / 1000).toFixed(1)} s from Generate)`);
  await assertNoLongTasks(page, name, tTrain, 'training the jet VAE');
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
  // JetNet's W1 scores: the gen line and the model's, finite and non-negative.
  const w1 = await page.$$eval('.jets-jetnet-row', (rs) => rs.map((r) => r.textContent));
  console.log(`[${name}] JetNet W1 against reco: ${w1.join(' | ')}`);
  assert.equal(w1.length, 2);
  const w1m = await page.$$eval('.jets-jetnet-row .w1m', (cs) => cs.map((c) => Number(c.textContent.split(' ')[0])));
  assert.ok(w1m.every((v) => Number.isFinite(v) && v >= 0), `W1m ${w1m}`);
  for (const id of ['jets-pt', 'jets-m', 'jets-eta', 'jets-flow1', 'jets-flow3', 'jets-n', 'jets-event']) {
    const ink = await inkedPixels(page, id);
    assert.ok(ink > 2000, `${id} drawn (${ink} inked pixels)`);
  }
  const [graph] = await Promise.all([page.waitForEvent('download'), page.click('#jets-onnx')]);
  assert.equal(graph.suggestedFilename(), 'jet-vae.onnx');
  console.log(`[${name}] the Jets tab's ONNX export: ${checkOnnx(await graph.path())}`);
  await page.fill('#jets-display-n', '3');
  await page.click('#jets-display');
  await waitIdle(page, timeout);
  assert.match(await page.textContent('#status'), /test jet 3/);
  await page.locator('#panel-jets').screenshot({ path: path.join(out, `jets-${name}.png`) });
  await page.locator('#jets-event').screenshot({ path: path.join(out, `jets-event-${name}.png`) });
}

async function unfoldFlow(page, name, timeout) {
  await tab(page, 'unfold');
  await page.fill('#unfold-events', '0');
  await page.click('#unfold-generate');
  await page.waitForFunction(() => document.querySelector('#error')?.textContent.includes('event count'), null, { timeout: 10_000 });
  console.log(`[${name}] unfold bad input: ${await page.textContent('#error')}`);
  // The section's defaults: 10,000 events; the FCGAN for 30 epochs.
  await page.fill('#unfold-events', '10000');
  const t0 = Date.now();
  await page.click('#unfold-generate');
  await waitIdle(page, timeout);
  const generated = (Date.now() - t0) / 1000;
  console.log(`[${name}] ${await page.textContent('#unfold-summary')} (${generated.toFixed(1)} s)`);
  // The naive GAN (8 epochs), then the FCGAN (the default 30 epochs).
  let t1 = Date.now();
  await page.selectOption('#unfold-kind', 'naive');
  await page.fill('#unfold-epochs', '8');
  await page.click('#unfold-train');
  await waitIdle(page, timeout);
  console.log(`[${name}] ${await page.textContent('#status')} (${((Date.now() - t0) / 1000).toFixed(1)} s from Generate)`);
  assert.equal(await page.textContent('#error'), '', 'no error after training the naive GAN');
  t1 = Date.now();
  await page.selectOption('#unfold-kind', 'fcgan');
  await page.fill('#unfold-epochs', '30');
  const tTrain = await page.evaluate(() => performance.now());
  await page.click('#unfold-train');
  await waitIdle(page, timeout);
  const trained = (Date.now() - t1) / 1000;
  console.log(`[${name}] ${await page.textContent('#status')} (${trained.toFixed(1)} s)`);
  await assertNoLongTasks(page, name, tTrain, 'training the FCGAN');
  console.log(`[${name}] Unfold default run (generate 10,000 events, train the FCGAN 30 epochs): ${(generated + trained).toFixed(1)} s`);
  assert.equal(await page.textContent('#error'), '', 'no error after training the FCGAN');
  const g = await numbers(page, '.unfold-g');
  const v = await numbers(page, '.unfold-val');
  console.log(`[${name}] FCGAN validation JS(m_jj) by epoch: ${v.join(' ')}`);
  assert.equal(g.length, 30);
  assert.ok(g.every(Number.isFinite) && v.every(Number.isFinite), 'finite GAN losses');
  assert.ok(Math.min(...v) < v[0], 'validation JS of m_jj improved');
  assert.ok(await inkedPixels(page, 'unfold-loss') > 1000, 'GAN losses drawn');
  for (const test of ['none', 'iv', 'wprime']) {
    await page.click(`#closure-${test}`);
    await waitIdle(page, timeout);
    assert.equal(await page.textContent('#error'), '', `no error in closure test ${test}`);
    console.log(`[${name}] ${await page.textContent('#closure-title')}`);
    const rows = await page.$$eval('.unfold-js-row', (rs) => rs.map((r) => [r.dataset.observable, Number(r.querySelector('.js-detector').textContent), ...[...r.querySelectorAll('.js-unfolded')].map((c) => Number(c.textContent))]));
    for (const r of rows) console.log(`    ${r[0].padEnd(6)} detector ${r[1].toFixed(5)}  naive ${r[2].toFixed(5)}  FCGAN ${r[3].toFixed(5)}`);
    assert.equal(rows.length, 6);
    assert.ok(rows.every((r) => r.length === 4 && r.slice(1).every((x) => x >= 0 && x <= Math.LN2)), 'closure JS in [0, ln 2]');
    for (const id of ['dist_j1_pt', 'dist_mjj', 'dist_mwz', 'deviation_mjj', 'migration_mjj', 'deviation2d']) {
      const ink = await inkedPixels(page, `unfold-${id}`);
      assert.ok(ink > 2000, `unfold-${id} drawn (${ink} inked pixels)`);
    }
    await page.locator('#panel-unfold').screenshot({ path: path.join(out, `unfold-${test}-${name}.png`) });
  }
  const [graph] = await Promise.all([page.waitForEvent('download'), page.click('#unfold-onnx')]);
  assert.equal(graph.suggestedFilename(), 'unfold-fcgan.onnx');
  console.log(`[${name}] the Unfold tab's ONNX export: ${checkOnnx(await graph.path())}`);
  console.log(`[${name}] Unfold section: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}

/** gpu.html without ?backend=: each job runs where it is faster. On this machine's software
 * adapter that is the CPU, and the status line says so and why. */
async function autoChoiceFlow(page, name, timeout) {
  await page.goto(`${home}?tab=smear`);
  await backendReady(page);
  console.log(`[${name}] backend note: ${await page.getAttribute('#backend-badge', 'title')}`);
  await page.fill('#events', '5000');
  await page.fill('#epochs', '3');
  await page.click('#generate');
  await waitIdle(page, timeout);
  const t0 = Date.now();
  await page.click('#train');
  await waitIdle(page, timeout);
  const status = await page.textContent('#status');
  console.log(`[${name}] automatic choice: ${status} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  assert.equal(await page.textContent('#error'), '', 'no error after training');
  assert.match(status, /ran on the CPU: the WebGPU adapter \(.*\) is a software one/);
  assert.equal((await numbers(page, '.train-loss')).length, 3);
}

// The page's worker answers a start it cannot make (here: no JS glue at that URL) with a
// one-line failure, never with silence: the page then runs the job on its own thread.
async function workerStartFailureFlow(page, name) {
  const reply = await page.evaluate(() => new Promise((resolve) => {
    const w = new Worker(new URL('job_worker.mjs', document.baseURI), { type: 'module' });
    const timer = setTimeout(() => { w.terminate(); resolve('no answer within 10 s'); }, 10_000);
    w.onmessage = (e) => { clearTimeout(timer); w.terminate(); resolve(JSON.parse(e.data.json)); };
    w.postMessage({ glue: new URL('no-such-glue.js', document.baseURI).href, module: null });
  }));
  console.log(`[${name}] a worker without its glue answers: ${JSON.stringify(reply)}`);
  assert.ok(reply.Failed?.message?.length > 0 && reply.Failed.cancelled === false, 'a worker that cannot start says so');
}

// Long tasks (over 50 ms on the main thread), recorded from the page's start.
const recordLongTasks = () => {
  window.__longTasks = [];
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) window.__longTasks.push([e.startTime, e.duration]);
    }).observe({ type: 'longtask', buffered: true });
  } catch { /* no long-task timing in this browser */ }
};

async function longTasksSince(page, t) {
  const tasks = await page.evaluate((t) => window.__longTasks.filter((x) => x[0] >= t).map((x) => x[1]), t);
  return `${tasks.length} long tasks over 50 ms (longest ${tasks.length ? Math.max(...tasks).toFixed(0) : 0} ms)`;
}

// On the CPU page a training run computes in the page's worker (src/app/worker.rs): the page's
// thread only draws, with no task over 50 ms (issue 19).
async function assertNoLongTasks(page, name, t, what) {
  const text = await longTasksSince(page, t);
  console.log(`[${name}] while ${what}: ${text}`);
  if (name === 'cpu') assert.match(text, /^0 long tasks/, `no long task while ${what} on the CPU page`);
}

// The page's benchmark (Models tab, ?bench=1), and beside it the native command line's
// figures on one core of this machine (taskset -c 0), with the ratios.
async function benchFlow(browser, name, timeout) {
  const page = await browser.newPage();
  try {
    await page.goto(`${home}?tab=models&bench=1`);
    await page.waitForSelector('#bench-table[data-done="1"]', { timeout });
    assert.equal(await page.textContent('#error'), '', 'no error in the benchmark');
    const rows = await page.$$eval('.bench-row', (rs) => rs.map((r) => ({ backend: r.dataset.backend, events: Number(r.dataset.trainEvents), epoch: Number(r.dataset.epochS), rate: Number(r.dataset.rate) })));
    assert.ok(rows.length >= 1 && rows.every((r) => r.epoch > 0 && r.rate > 0), 'benchmark figures');
    const target = process.env.CARGO_TARGET_DIR ?? path.join(os.homedir(), '.cache/fastsim-lab/target');
    let native = null;
    try {
      const text = execFileSync('taskset', ['-c', '0', path.join(target, 'release/fastsim'), 'bench', '--backend', 'cpu', '--runs', '3', '--smearing-only', '--train-events', '20000', '--sample-events', '20000'], { encoding: 'utf8' });
      const fig = (what) => Number(text.split('\n').find((l) => l.includes(what))?.split('\t')[2]);
      native = { epoch: fig('train epoch (fast path'), rate: fig('sample (fast path') };
    } catch (e) {
      console.log(`[${name}] no native figures to compare with: ${String(e).split('\n')[0]}`);
    }
    for (const r of rows) {
      let line = `[${name}] page benchmark ${r.backend}: ${r.epoch.toFixed(3)} s/epoch (${r.events} events), ${Math.round(r.rate)} events/s sampled`;
      if (native && r.backend === 'CPU') line += `; native one core: ${native.epoch.toFixed(3)} s/epoch, ${Math.round(native.rate)} events/s; wasm ÷ native: training ${(r.epoch / native.epoch).toFixed(2)}× the time, sampling ${(native.rate / r.rate).toFixed(2)}× slower`;
      console.log(line);
    }
  } finally {
    await page.close();
  }
}

/** The first load has the CPU only; where the browser has WebGPU it offers the WebGPU page,
 * which opens in a new tab on the same tab of the lab. */
async function switchFlow(page, name) {
  await page.goto(`${base}?tab=smear`);
  await backendReady(page);
  assert.equal(await page.textContent('#backend-badge'), 'CPU', 'the first load runs on the CPU');
  assert.equal(await page.textContent('#switch-backend'), 'Use WebGPU');
  const [popup] = await Promise.all([page.waitForEvent('popup'), page.click('#switch-backend')]);
  await backendReady(popup, 120_000);
  const url = new URL(popup.url());
  assert.equal(url.pathname, '/gpu.html');
  assert.equal(url.searchParams.get('tab'), 'smear', 'the WebGPU page opens on the same tab');
  assert.equal(await popup.textContent('#backend-badge'), 'WebGPU');
  assert.ok(await popup.isVisible('#panel-smear'), 'on the Smear tab');
  console.log(`[${name}] first load (CPU) → "Use WebGPU" → ${url.pathname}${url.search}: badge WebGPU`);
  await popup.close();
}

/** The flow runs: 5,000 events for 3 epochs on the CPU; on software WebGPU, 600 for one. */
const FLOW_CPU = { events: 5000, epochs: 3 };
const FLOW_GPU = { events: 600, epochs: 1, query: '&backend=webgpu' };

async function run({ name, webgpu, page: file, events, epochs, expectBadge, timeout }) {
  const t0 = Date.now();
  home = base + file;
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: [...commonArgs, ...(webgpu ? ['--enable-unsafe-webgpu', '--enable-features=Vulkan'] : ['--disable-gpu'])],
  });
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  await page.addInitScript(recordLongTasks);
  const errors = [];
  const requests = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  // A worker that did not start is a warning on the console (the job then runs on the page's
  // thread): an error here. Each job the worker ran is a debug line, counted.
  const workerJobs = {};
  page.on('console', (m) => {
    if (m.type() === 'error' || (m.type() === 'warning' && /worker/.test(m.text()))) errors.push(m.text());
    const job = /^the page's worker runs a job on (.*)$/.exec(m.text());
    if (job) workerJobs[job[1]] = (workerJobs[job[1]] ?? 0) + 1;
  });
  page.on('request', (r) => requests.push(r.url()));
  try {
    if (!webgpu) await layoutFlow(browser, name);
    if (webgpu) await switchFlow(page, name);
    const tLoad = Date.now();
    await page.goto(home);
    await backendReady(page);
    console.log(`[${name}] time to interactive of ${file || 'index.html'} (loopback, backend ready): ${((Date.now() - tLoad) / 1000).toFixed(2)} s`);
    const badge = await page.textContent('#backend-badge');
    const note = await page.getAttribute('#backend-badge', 'title');
    console.log(`[${name}] backend badge: ${badge} (${note})`);
    assert.equal(badge, expectBadge, `badge should say ${expectBadge}: ${note}`);
    // FLOW=unfold, jets, showers, pretrained or half (while developing) runs only that flow; the test command runs all.
    if (process.env.FLOW === 'half') {
      await shareHalfFlow(browser, page, name, timeout);
      assert.deepEqual(errors.filter((e) => !/favicon/.test(e)), [], 'no page errors');
      return;
    }
    if (process.env.FLOW === 'bench') {
      await benchFlow(browser, name, timeout);
      return;
    }
    if (process.env.FLOW === 'pretrained') {
      await pretrainedTabsFlow(page, name, timeout);
      assert.deepEqual(errors.filter((e) => !/favicon/.test(e)), [], 'no page errors');
      return;
    }
    if (process.env.FLOW === 'worker') {
      await workerStartFailureFlow(page, name);
      assert.deepEqual(errors.filter((e) => !/favicon/.test(e)), [], 'no page errors');
      return;
    }
    if (process.env.FLOW === 'jets') {
      await jetsFlow(page, name, timeout);
      assert.deepEqual(errors.filter((e) => !/favicon/.test(e)), [], 'no page errors');
      return;
    }
    if (process.env.FLOW === 'showers') {
      if (webgpu) await showersGpuFlow(page, name, timeout);
      else await showersFlow(page, name, timeout, { showers: 1000, epochs: 6, generated: 4000, truth: 8000 });
      assert.deepEqual(errors.filter((e) => !/favicon/.test(e)), [], 'no page errors');
      return;
    }
    if (process.env.FLOW === 'flow') {
      await flowFlow(page, name, timeout, webgpu ? FLOW_GPU : FLOW_CPU);
      assert.deepEqual(errors.filter((e) => !/favicon/.test(e)), [], 'no page errors');
      return;
    }
    if (process.env.FLOW === 'unfold') {
      await unfoldFlow(page, name, timeout);
      assert.deepEqual(errors.filter((e) => !/favicon/.test(e)), [], 'no page errors');
      return;
    }

    if (webgpu) {
      // Every job on WebGPU (the link forces it): the software adapter is exercised.
      await keyboardFlow(page, name, timeout, events, epochs, '&backend=webgpu');
      assert.match(await page.textContent('#status'), /ran on WebGPU/);
    } else {
      await tab(page, 'smear');
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
      const tTrain = await page.evaluate(() => performance.now());
      await page.click('#train');
      await waitIdle(page, timeout);
      await assertNoLongTasks(page, name, tTrain, `training ${events} events for ${epochs} epochs`);
    }
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
    if (!webgpu) {
      await page.click('#sample');
      await waitIdle(page, timeout);
    }
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

      await paperChoiceFlow(page, name, timeout);
      await uploadFlow(page, name, timeout);
      await rootFlow(page, name, timeout, requests);
      await detectorFlow(page, name, timeout);

      // One click on the landing runs the whole demo.
      await tab(page, 'smear');
      await page.fill('#events', '3000');
      await page.fill('#epochs', '2');
      await tab(page, 'home');
      await page.click('#run-all');
      await waitIdle(page, timeout);
      console.log(`[${name}] run the whole demo: ${await page.textContent('#status')}`);
      assert.match(await page.textContent('#status'), /sampled 3,000 independent events/);
      assert.equal((await numbers(page, '.train-loss')).length, 2);

      await evaluateFlow(page, name, timeout);
      await shareFlow(browser, page, name, timeout);
      await shareFileFlow(browser, page, name, timeout, path.join(out, 'upload-model.fastsim'));
      await shareHalfFlow(browser, page, name, timeout);
      await pretrainedFlow(page, name, timeout);
      await pretrainedTabsFlow(page, name, timeout);
      await jetsFlow(page, name, timeout);
      await unfoldFlow(page, name, timeout);
      await showersFlow(page, name, timeout, { showers: 1000, epochs: 6, generated: 4000, truth: 8000 });
      await flowFlow(page, name, timeout, FLOW_CPU);
      await workerStartFailureFlow(page, name);
    }
    if (webgpu) {
      await showersGpuFlow(page, name, timeout);
      await flowFlow(page, name, timeout, FLOW_GPU);
      await autoChoiceFlow(page, name, timeout);
    }
    await benchFlow(browser, name, timeout);
    console.log(`[${name}] jobs run in the page's worker: ${JSON.stringify(workerJobs)}`);
    assert.ok((workerJobs['CPU (flex)'] ?? 0) > 0, 'CPU jobs ran in the worker');
    if (webgpu) assert.ok((workerJobs.wgpu ?? 0) > 0, 'WebGPU jobs ran in the worker');
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
  if (!only || only === 'webgpu') await run({ name: 'webgpu', webgpu: true, page: 'gpu.html', events: 1000, epochs: 2, expectBadge: 'WebGPU', timeout: 400_000 });
  if (!only || only === 'cpu') await run({ name: 'cpu', webgpu: false, page: '', events: 20000, epochs: 5, expectBadge: 'CPU', timeout: 300_000 });
} finally {
  server.close();
}
