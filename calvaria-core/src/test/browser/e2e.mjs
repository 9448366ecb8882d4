// End-to-end tests of the Calvaria web app in a real headless Chromium (Debian's), driven by playwright-core.
// Started by run.sh, which starts the server (TestServerMain --real: the real server and design pipeline with the
// bundled model).
// Usage: node e2e.mjs --url URL --fixtures DIR --out DIR [--chromium PATH]
// Prints one line per test and a closing "N passed, N failed"; exits 1 when any test failed.
import { chromium } from 'playwright-core';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, mkdirSync, writeFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const args = Object.fromEntries(process.argv.slice(2).reduce((pairs, a, i, all) => {
  if (a.startsWith('--')) pairs.push([a.slice(2), all[i + 1]]);
  return pairs;
}, []));
const base = new URL(args.url);
// The same server with the fake pipeline, whose reports name holes (the bundled model's do not).
const fakeBase = new URL(args['fake-url']);
const fixtures = args.fixtures;
const outDir = args.out;
mkdirSync(outDir, { recursive: true });

const LAUNCH_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  // WebGL2 without a GPU: ANGLE on SwiftShader, the CPU renderer Chromium ships.
  '--use-angle=swiftshader', '--enable-unsafe-swiftshader',
];

const userDataDir = mkdtempSync(join(tmpdir(), 'calvaria-chromium-'));
const context = await chromium.launchPersistentContext(userDataDir, {
  executablePath: args.chromium || '/usr/bin/chromium',
  headless: true,
  args: LAUNCH_ARGS,
  viewport: { width: 1280, height: 800 },
  acceptDownloads: true,
});

// The page must work with no network: anything not addressed to our server is refused and counted as a failure.
const foreignRequests = [];
// our servers: the two started by run.sh, and those the workspace test starts itself
const ourOrigins = new Set([base.origin, fakeBase.origin]);
await context.route('**/*', (route) => {
  const u = new URL(route.request().url());
  if (ourOrigins.has(u.origin) || u.protocol === 'data:' || u.protocol === 'blob:') return route.continue();
  foreignRequests.push(u.href);
  return route.abort();
});

const pageErrors = [];
async function newPage(at = base) {
  const page = await context.newPage();
  page.on('pageerror', (e) => pageErrors.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    // Our own deliberate bad requests (422, 413) log "Failed to load resource"; anything else is a real error.
    if (m.type() === 'error' && !/status of 4\d\d/.test(m.text())) pageErrors.push(`console error: ${m.text()}`);
  });
  await page.goto(at.href);
  await page.waitForSelector('body[data-app=ready]', { timeout: 90000 });
  return page;
}

const skullFile = join(fixtures, 'defective-skull.nrrd');

async function openSkull(page, filePayload, expectedName) {
  await page.setInputFiles('#file-input', filePayload);
  // generous: on a 2-core machine shared with other jobs, a new page's viewer takes tens of seconds
  await page.waitForFunction((name) => document.getElementById('case-title').textContent === name,
    expectedName, { timeout: 90000 });
  await page.waitForSelector('body[data-viewer=ready]', { timeout: 90000 });
}

async function figures(page) {
  const text = async (f) => (await page.textContent(`[data-figure=${f}]`)).trim();
  return { volume: await text('volume'), area: await text('area'), bbox: await text('bbox'),
    seconds: await text('seconds') };
}

async function download(page, selector) {
  const [d] = await Promise.all([page.waitForEvent('download'), page.click(selector)]);
  const path = join(outDir, d.suggestedFilename());
  await d.saveAs(path);
  return { name: d.suggestedFilename(), bytes: readFileSync(path) };
}

/**
 * Runs a design from the page; returns the stage names seen while it ran. Without parts, the casting mould and the
 * fit-check model (on by default in the page) are switched off, to keep the other tests quick.
 */
async function design(page, threshold, layers = 3, parts = false) {
  const runsBefore = await page.locator('#cases .runs li.state-done').count();
  await page.fill('#threshold', String(threshold));
  await page.setChecked('#make-mould', parts);
  await page.setChecked('#make-fit-check', parts);
  await page.click('#design-button');
  await page.waitForSelector('#progress:not([hidden])', { timeout: 10000 });
  const seen = new Set();
  const deadline = Date.now() + (parts ? 180000 : 60000);
  let serverDone = Date.now();
  while (Date.now() < deadline) {
    serverDone = Date.now();
    const current = await page.locator('#stages li.current').allTextContents();
    current.forEach((s) => seen.add(s));
    if (await page.locator('#cases .runs li.state-done').count() > runsBefore) break; // the server has finished
    const failed = await page.locator('#message:not([hidden])').count();
    if (failed) throw new Error(`design failed in the page: ${await page.textContent('#message')}`);
    await page.waitForTimeout(60);
  }
  // Generous: loading three full-resolution volumes into software WebGL blocks the page for tens of seconds on a
  // busy 2-core machine (issue 12, item 3).
  await page.waitForSelector('#result:not([hidden])', { timeout: 90000 });
  // at least the skull, implant and completed skull; a model that finds holes adds their rim markers
  await page.waitForFunction((n) => document.body.dataset.viewer === 'ready'
      && Number(document.body.dataset.viewerLayers) >= n, layers, { timeout: 90000 });
  const visible = (Date.now() - serverDone) / 1000;
  const inPage = Number(await page.getAttribute('body', 'data-result-ms')) / 1000;
  timings.push(`result visible ${visible.toFixed(1)} s after the server finished (threshold ${threshold}; target <= 5 s;`
    + ` in the page, from seeing the run done to the implant drawn: ${inPage.toFixed(1)} s)`);
  return [...seen];
}

/** Measured, not yet asserted (issue 12, item 3): printed at the end. */
const timings = [];

/** Seconds from a layer toggle to the next painted frame. */
async function toggleSeconds(page, selector, on) {
  const t0 = Date.now();
  if (on) await page.check(selector);
  else await page.uncheck(selector);
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() => r()))));
  return (Date.now() - t0) / 1000;
}

const tests = [];
const test = (name, fn) => tests.push({ name, fn });

// One page for the whole session, as a user would work: each 3-D page load costs seconds in SwiftShader.
let page;

test('open a skull, design, see the implant, download STL and report, re-run with another threshold', async () => {
  page = await newPage();
  await openSkull(page, skullFile, 'defective-skull.nrrd');
  assert.match(await page.textContent('#case-info'), /NRRD: 114 × 143 × 83 voxels of 1\.50 × 1\.50 × 1\.50 mm/);
  assert.equal(await page.locator('#message:not([hidden])').count(), 0, 'no message after opening');
  assert.equal(await page.isEnabled('#design-button'), true);

  const stages = await design(page, 0.5);
  const expected = ['read', 'segment', 'normalise', 'complete', 'map back', 'implant', 'mesh'];
  assert.ok(stages.length >= 2, `the progress showed stages while running (saw ${stages.join(', ')})`);
  for (const s of stages) assert.ok(expected.includes(s), `unexpected stage ${s}`);

  const shown = await figures(page);
  const ml = Number(shown.volume.replace(' ml', ''));
  assert.ok(ml > 0, `volume shown: ${shown.volume}`);
  assert.match(shown.area, /^[\d,]+ mm²$/);
  assert.match(shown.bbox, /^\d+\.\d × \d+\.\d × \d+\.\d mm$/);
  assert.match(shown.seconds, /^\d+\.\d s$/);

  // The bundled model finds the hole at the top of the test skull; whether the verdict is ok or asks for review
  // depends on how much of it the implant closes, which the verdict states either way.
  assert.match((await page.textContent('#verdict-headline')).trim(), /^(✓ Defect found and closed|⚠ Review needed)$/);
  assert.match(await page.getAttribute('#verdict', 'data-state'), /^(ok|review)$/);
  assert.match((await page.textContent('#verdict-defect')).trim(), /^1 hole: /);
  assert.match(await page.textContent('#verdict-closed'), /\d+%/);

  const report = await download(page, '#download-report');
  const r = JSON.parse(report.bytes.toString('utf8'));
  assert.equal((await page.textContent('#verdict-pieces')).trim(), String(r.implant.components));
  assert.equal(r.threshold, 0.5);
  assert.equal(r.implant.volumeMl.toFixed(2), shown.volume.replace(' ml', ''), 'page volume = report volume');
  assert.equal(`${r.implant.boundingBoxSizeMm.map((v) => v.toFixed(1)).join(' × ')} mm`, shown.bbox);
  assert.equal(`${Math.round(r.implant.surfaceAreaMm2).toLocaleString('en')} mm²`, shown.area);
  assert.equal(r.implant.watertight, true, 'the designed implant is watertight');
  assert.equal(r.implant.overlapWithDefectiveVoxels, 0, 'the implant does not overlap the skull');

  const stl = await download(page, '#download-stl');
  assert.match(stl.name, /^defective-skull-t0\.5-implant\.stl$/);
  const n = stl.bytes.readUInt32LE(80);
  assert.ok(n > 0, 'STL has triangles');
  assert.equal(stl.bytes.length, 84 + 50 * n, 'binary STL size is 84 + 50 n');
  for (let t = 0; t < n; t++) {
    for (let f = 0; f < 12; f++) assert.ok(Number.isFinite(stl.bytes.readFloatLE(84 + 50 * t + 4 * f)));
  }
  const nrrd = await download(page, '#download-nrrd');
  assert.equal(nrrd.bytes.subarray(0, 8).toString('latin1'), 'NRRD0004');

  // The preview picture loaded (a decoded PNG has a width).
  assert.ok(await page.$eval('#preview', (img) => img.complete && img.naturalWidth > 0), 'preview shown');

  // Layers: the implant is on, the completed skull can be switched on and off again.
  assert.equal(await page.isChecked('#show-implant'), true);
  for (const on of [true, false]) {
    const t = await toggleSeconds(page, '#show-completed', on);
    timings.push(`completed-skull toggle ${on ? 'on' : 'off'} ${t.toFixed(1)} s (target <= 1 s)`);
  }
  for (const layer of ['#show-implant', '#show-skull']) {
    for (const on of [false, true]) {
      const t = await toggleSeconds(page, layer, on);
      timings.push(`${layer.slice(6)} toggle ${on ? 'on' : 'off'} ${t.toFixed(1)} s (target <= 1 s)`);
    }
  }
  await page.click('button[data-view=multi]');
  await page.waitForTimeout(500);
  await page.screenshot({ path: join(outDir, 'web-app.png') });

  // Re-run with a lower probability threshold: more voxels count as bone, so the implant grows; both runs stay listed.
  await design(page, 0.3);
  // The page may still show the first run's figures for a moment after the new run is listed as done.
  let ml2 = ml;
  for (const until = Date.now() + 15000; ml2 === ml && Date.now() < until;) {
    ml2 = Number((await figures(page)).volume.replace(' ml', ''));
    if (ml2 === ml) await page.waitForTimeout(200);
  }
  assert.ok(ml2 > ml, `threshold 0.3 gave ${ml2} ml, threshold 0.5 gave ${ml} ml`);
  const runs = await page.locator('#cases > li.selected .runs li').allTextContents();
  assert.equal(runs.length, 2);
  assert.match(runs[0], /^threshold 0\.5: \d+\.\d\d ml$/);
  assert.match(runs[1], /^threshold 0\.3: \d+\.\d\d ml$/);

  // Selecting the earlier run shows its figures again.
  const switchStart = Date.now();
  await page.click('#cases > li.selected .runs li >> nth=0');
  await page.waitForFunction((v) => document.querySelector('[data-figure=volume]').textContent === v,
    shown.volume, { timeout: 60000 });
  await page.waitForSelector('body[data-viewer=ready]', { timeout: 90000 });
  timings.push(`run switch ${((Date.now() - switchStart) / 1000).toFixed(1)} s (target <= 1 s)`);
  // and back to the newer run: its meshes are cached too
  const back = Date.now();
  await page.click('#cases > li.selected .runs li >> nth=1');
  await page.waitForFunction((v) => document.querySelector('[data-figure=volume]').textContent === v,
    `${ml2.toFixed(2)} ml`, { timeout: 60000 });
  await page.waitForSelector('body[data-viewer=ready]', { timeout: 90000 });
  timings.push(`run switch back ${((Date.now() - back) / 1000).toFixed(1)} s (target <= 1 s)`);
});

test('fit tools: clipping plane, ruler in mm, translucent completed skull, two runs compared', async () => {
  // the clipping plane cuts the skull (drawn as its volume while the plane is on) in front of the implant
  await page.click('button[data-view=render]');
  await page.click('#clip-button');
  await page.waitForSelector('body[data-clip=on]');
  assert.equal(await page.getAttribute('#clip-button', 'aria-pressed'), 'true');
  await page.fill('#clip-depth', '0.1');
  await page.dispatchEvent('#clip-depth', 'input');
  await page.waitForTimeout(1500);
  await page.screenshot({ path: join(outDir, 'web-app-clip.png') });
  await page.click('#clip-button');
  await page.waitForSelector('body[data-clip=off]');
  // the completed skull is translucent over the skull
  await page.check('#show-completed');
  const completedOpacity = await page.evaluate(() => window.calvariaViewer.meshes
    .filter((m) => m.visible && /completed/.test(m.calvariaUrl)).map((m) => m.opacity));
  assert.ok(completedOpacity.length === 1 && completedOpacity[0] < 0.6, `completed skull opacity ${completedOpacity}`);
  await page.uncheck('#show-completed');
  // the ruler: a drag in a slice gives a distance in mm
  await page.click('button[data-view=axial]');
  await page.click('#ruler-button');
  const box = await page.locator('#viewer').boundingBox();
  const y = box.y + box.height / 2;
  await page.mouse.move(box.x + box.width * 0.3, y);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * 0.5, y, { steps: 5 });
  await page.mouse.up();
  await page.waitForFunction(() => document.body.dataset.rulerMm !== undefined, null, { timeout: 10000 });
  const mm = Number(await page.getAttribute('body', 'data-ruler-mm'));
  assert.ok(mm > 5 && mm < 400, `ruler ${mm} mm`);
  assert.match(await page.textContent('#ruler-text'), /^\d+\.\d mm$/);
  await page.click('#ruler-button');
  await page.click('button[data-view=multi]');
  // compare the shown run (threshold 0.3) with the other (0.5): both implants drawn, the difference stated
  const other = await page.locator('#compare-run option').nth(1).getAttribute('value');
  await page.selectOption('#compare-run', other);
  await page.waitForFunction(() => /difference [+-]\d+\.\d\d ml/.test(document.getElementById('compare-text').textContent));
  const shownImplants = await page.evaluate(() => window.calvariaViewer.meshes
    .filter((m) => m.visible && /implant\.mz3/.test(m.calvariaUrl)).length);
  assert.equal(shownImplants, 2, 'the shown run and the compared one');
  await page.selectOption('#compare-run', '');
});

test('keyboard: the file chooser shows focus; cases and runs are reached with Tab and chosen with Enter', async () => {
  await page.focus('#file-input');
  const outline = await page.$eval('label[for=file-input]', (l) => getComputedStyle(l).outlineStyle);
  assert.notEqual(outline, 'none', 'the file chooser shows that it has the focus');
  let inCases = false;
  for (let i = 0; i < 20 && !inCases; i++) {
    await page.keyboard.press('Tab');
    inCases = await page.evaluate(() => document.getElementById('cases').contains(document.activeElement));
  }
  assert.ok(inCases, 'Tab reaches the case list');
  // Tab on to a run of the first case and choose it with Enter
  let onRun = false;
  for (let i = 0; i < 5 && !onRun; i++) {
    await page.keyboard.press('Tab');
    onRun = await page.evaluate(() => Boolean(document.activeElement.dataset.jobId));
  }
  assert.ok(onRun, 'Tab reaches a run');
  const runId = await page.evaluate(() => document.activeElement.dataset.jobId);
  await page.keyboard.press('Enter');
  await page.waitForFunction((id) => document.querySelector(`[data-job-id="${id}"]`).getAttribute('aria-current') === 'true', runId);
  assert.equal(await page.evaluate(() => document.activeElement.dataset.jobId), runId, 'the focus stays on the run');
  assert.equal(await page.getAttribute('#live', 'aria-live'), 'polite');
});

test('a reload returns to the case, run and threshold the user was on', async () => {
  await page.fill('#threshold', '0.35');
  await page.dispatchEvent('#threshold', 'change');
  const before = { title: await page.textContent('#case-title'), hash: await page.evaluate(() => location.hash) };
  assert.match(before.hash, /case=.*threshold=0\.35/);
  await page.reload({ waitUntil: 'load', timeout: 120000 });
  await page.waitForSelector('body[data-app=ready]', { timeout: 120000 });
  await page.waitForFunction((t) => document.getElementById('case-title').textContent === t, before.title,
    { timeout: 60000 });
  assert.equal(await page.inputValue('#threshold'), '0.35');
  assert.equal(await page.locator('#cases .runs li.selected').count(), 1, 'the run is selected again');
});

test('a corrupt file gives a readable message, not a stack trace', async () => {
  const casesBefore = await page.locator('#cases > li').count();
  const whole = readFileSync(skullFile);
  await page.setInputFiles('#file-input', { name: 'broken.nrrd', mimeType: 'application/octet-stream',
    buffer: whole.subarray(0, Math.floor(whole.length / 2)) });
  await page.waitForSelector('#message:not([hidden])', { timeout: 30000 });
  const message = await page.textContent('#message');
  assert.match(message, /broken\.nrrd/, `message names the file: ${message}`);
  assert.doesNotMatch(message, /Exception|\bat org\.|\/tmp\/|calvaria-serve-/, `no internals: ${message}`);
  assert.equal(await page.locator('#cases > li').count(), casesBefore, 'no case was added');

  // Plain text that is no scan at all.
  await page.setInputFiles('#file-input', { name: 'notes.txt', mimeType: 'text/plain',
    buffer: Buffer.from('these are not the voxels you are looking for\n'.repeat(20)) });
  await page.waitForFunction(() => /notes\.txt/.test(document.getElementById('message').textContent),
    null, { timeout: 30000 });
  assert.match(await page.textContent('#message'), /not a supported volume/);
});

test('a file over the upload limit is refused with a readable message (page and server)', async () => {
  const limit = await page.evaluate(async () => (await (await fetch('/api/config')).json()).maxUploadBytes);
  const big = Buffer.alloc(limit + 1024, 7);
  await page.setInputFiles('#file-input', { name: 'huge.nrrd', mimeType: 'application/octet-stream', buffer: big });
  await page.waitForSelector('#message:not([hidden])', { timeout: 10000 });
  assert.match(await page.textContent('#message'), /huge\.nrrd.*larger than this server accepts/);
  // The server refuses too, with 413 and the same kind of message, when a client skips the page's check.
  const answer = await page.evaluate(async (size) => {
    const r = await fetch('/api/cases', { method: 'POST', body: new Uint8Array(size) });
    return { status: r.status, body: await r.json() };
  }, limit + 1024);
  assert.equal(answer.status, 413);
  assert.match(answer.body.error, /larger than this server accepts/);
});

test('an STL skull is shown but cannot be designed, and the page says why', async () => {
  await openSkull(page, join(fixtures, 'skull-surface.stl'), 'skull-surface.stl');
  assert.equal(await page.isVisible('#mesh-note'), true);
  assert.match(await page.textContent('#mesh-note'), /designing an implant needs a volume/);
  assert.equal(await page.isEnabled('#design-button'), false);
  assert.equal(await page.getAttribute('body', 'data-viewer-layers'), '1');
  await page.screenshot({ path: join(outDir, 'web-app-stl.png') });
});

test('after reloading the page, earlier cases and runs are still listed and can be shown again', async () => {
  await page.close();
  page = await newPage();
  const cases = await page.locator('#cases .case-name').allTextContents();
  assert.deepEqual(cases, ['defective-skull.nrrd', 'skull-surface.stl']);
  assert.equal(await page.locator('#cases .runs li.state-done').count(), 2);
  await page.click('#cases > li >> nth=0');
  await page.waitForFunction(() => document.getElementById('case-title').textContent === 'defective-skull.nrrd');
  await page.waitForFunction(() => document.body.dataset.viewer === 'ready'
      && Number(document.body.dataset.viewerLayers) >= 3, null, { timeout: 60000 });
  assert.match(await page.textContent('[data-figure=volume]'), /^\d+\.\d\d ml$/);
});

/** The holes of the shown run (holes.json) and the cross-hair's position (RAS mm), from the page. */
async function holesAndCrosshair(p) {
  return p.evaluate(async () => {
    const c = document.body.dataset;
    return { crosshair: c.crosshairMm ? JSON.parse(c.crosshairMm) : null,
      holes: c.holesUrl ? (await (await fetch(c.holesUrl)).json()).holes : null };
  });
}

let fakePage;
test('fake pipeline, vertex defect: verdict ok, rim drawn in 3-D, cross-hair on the implant, view at the hole', async () => {
  fakePage = await newPage(fakeBase);
  await openSkull(fakePage, skullFile, 'defective-skull.nrrd');
  await design(fakePage, 0.5, 4); // skull, completed skull, implant and the rim markers
  assert.equal(await fakePage.getAttribute('body', 'data-rim'), 'shown');
  assert.equal((await fakePage.textContent('#verdict-headline')).trim(), '✓ Defect found and closed');
  assert.equal((await fakePage.textContent('#verdict-defect')).trim(), '1 hole: vertex');
  assert.match(await fakePage.textContent('#verdict-closed'), /^vertex: (9[5-9]|100)%$/);
  assert.equal((await fakePage.textContent('#verdict-pieces')).trim(), '1');
  const { crosshair, holes } = await holesAndCrosshair(fakePage);
  assert.ok(holes && holes.length === 1 && holes[0].rim_mm.length >= 10, 'rim points served');
  const [x, y, z] = holes[0].centre_mm;
  const d = Math.hypot(crosshair[0] + x, crosshair[1] + y, crosshair[2] - z); // LPS -> RAS: x, y change sign
  assert.ok(d < 30, `cross-hair ${crosshair} is ${d.toFixed(1)} mm from the hole's centre ${holes[0].centre_mm}`);
  assert.ok(Number(await fakePage.getAttribute('body', 'data-view-elevation')) >= 60, 'the 3-D view looks from above');
  await fakePage.uncheck('#show-rim');
  await fakePage.check('#show-rim');
  await fakePage.screenshot({ path: join(outDir, 'web-app-vertex-verdict.png') });
  // Every run offers its thickness map; shown, it is drawn in place of the plain implant.
  await fakePage.waitForSelector('#thickness-toggle:not([hidden])', { timeout: 10000 });
  await fakePage.check('#show-thickness');
  await fakePage.waitForFunction(() => document.body.dataset.viewer === 'ready', null, { timeout: 30000 });
  await fakePage.waitForTimeout(1500); // the thickness mesh loads in the background
  await fakePage.screenshot({ path: join(outDir, 'web-app-thickness.png') });
  await fakePage.uncheck('#show-thickness');
});

test('fake pipeline: clearance and thickness controls reach the design; mould and fit check download; mould opened', async () => {
  // A value out of range is refused in the page, and by the server for a client that skips the page's check.
  await fakePage.fill('#clearance', '9');
  await fakePage.click('#design-button');
  await fakePage.waitForSelector('#message:not([hidden])', { timeout: 10000 });
  assert.equal((await fakePage.textContent('#message')).trim(), 'Clearance must be between 0 and 5 mm.');
  const refused = await fakePage.evaluate(async () => {
    const caseId = document.querySelector('#cases > li.selected').dataset.caseId;
    const r = await fetch(`/api/cases/${caseId}/design`, { method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ threshold: 0.5, clearanceMm: 9 }) });
    return { status: r.status, body: await r.json() };
  });
  assert.equal(refused.status, 400);
  assert.equal(refused.body.error, 'clearance must be 0..5 mm, got 9.0');

  await fakePage.fill('#clearance', '0.8');
  await fakePage.selectOption('#thickness-mode', 'uniform');
  await fakePage.fill('#thickness-mm', '4.5');
  await design(fakePage, 0.5, 4, true);
  assert.equal((await fakePage.textContent('#settings-text')).trim(),
    'Clearance 0.8 mm, uniform 4.5 mm plate, with mould and fit check.');
  const report = JSON.parse((await download(fakePage, '#download-report')).bytes.toString('utf8'));
  assert.deepEqual(report.manufacture, { clearanceMm: 0.8, minThicknessMm: 0, thicknessMm: 4.5, mould: true,
    fitCheck: true }, 'the settings reached the design service');

  await fakePage.waitForSelector('#part-downloads:not([hidden])', { timeout: 10000 });
  const zip = await download(fakePage, '#download-mould');
  assert.equal(zip.name, 'defective-skull-t0.5-mould.zip');
  assert.equal(zip.bytes.subarray(0, 2).toString('latin1'), 'PK');
  for (const [selector, name] of [['#download-mould-outer', 'mould-outer.stl'], ['#download-mould-inner', 'mould-inner.stl'],
    ['#download-fit-check', 'fit-check.stl']]) {
    const stl = await download(fakePage, selector);
    assert.equal(stl.name, `defective-skull-t0.5-${name}`);
    const n = stl.bytes.readUInt32LE(80);
    assert.ok(n > 0 && stl.bytes.length === 84 + 50 * n, `${name} is a binary STL`);
  }
  const all = await download(fakePage, '#download-3mf');
  assert.equal(all.name, 'defective-skull-t0.5-implant.3mf');
  assert.equal(all.bytes.subarray(0, 2).toString('latin1'), 'PK');

  // The mould's halves, opened apart, alone in the 3-D view (the skull would hide the inner half).
  await fakePage.waitForSelector('#mould-toggle:not([hidden])', { timeout: 10000 });
  await fakePage.check('#show-mould');
  await fakePage.waitForFunction(() => document.body.dataset.mould === 'shown', null, { timeout: 60000 });
  const shown = await fakePage.evaluate(() => window.calvariaViewer.meshes.filter((m) => m.visible)
    .map((m) => m.calvariaUrl.split('/').pop()));
  assert.ok(shown.includes('mould-outer.mz3') && shown.includes('mould-inner.mz3'), `shown: ${shown}`);
  assert.ok(!shown.some((u) => /skull/.test(u)), `the skull is hidden with the mould shown: ${shown}`);
  // the view turns side-on to the pull direction (here about straight up), so the halves show apart
  await fakePage.waitForFunction(() => Math.abs(Number(document.body.dataset.viewElevation)) <= 30, null, { timeout: 10000 });
  await fakePage.click('button[data-view=render]');
  await fakePage.waitForTimeout(1500);
  await fakePage.screenshot({ path: join(outDir, 'web-app-mould.png') });
  await fakePage.uncheck('#show-mould');
  await fakePage.click('button[data-view=multi]');
  await fakePage.fill('#clearance', '0.5');
  await fakePage.selectOption('#thickness-mode', 'min');
  await fakePage.fill('#thickness-mm', '2');
});

test('fake pipeline, hole in the left side that the implant misses: review needed, and why', async () => {
  await openSkull(fakePage, join(fixtures, 'side-hole-skull.nrrd'), 'side-hole-skull.nrrd');
  await design(fakePage, 0.5, 4);
  assert.equal((await fakePage.textContent('#verdict-headline')).trim(), '⚠ Review needed');
  assert.equal(await fakePage.getAttribute('#verdict', 'data-state'), 'review');
  assert.match(await fakePage.textContent('#verdict-defect'), /^1 hole: left /);
  const closed = Number((await fakePage.textContent('#verdict-closed')).match(/(\d+)%/)[1]);
  assert.ok(closed < 95, `closed ${closed}%`);
  assert.match(await fakePage.textContent('#verdict-reasons'), /the implant closes only \d+% of the left .*do not use it without review/);
  assert.equal(await fakePage.getAttribute('body', 'data-rim'), 'shown');
  const { holes } = await holesAndCrosshair(fakePage);
  assert.ok(holes[0].rim_mm.every((p) => p[0] > 0), 'the rim is on the left (LPS x > 0)');
  const azimuth = Number(await fakePage.getAttribute('body', 'data-view-azimuth'));
  // NiiVue's camera is at (-cos e sin a, -cos e cos a, sin e) in RAS: the left (-x) is azimuth 90
  assert.ok(azimuth > 45 && azimuth < 135, `the 3-D view looks from the left (azimuth ${azimuth})`);
  await fakePage.screenshot({ path: join(outDir, 'web-app-side-hole-verdict.png') });
});

test('fake pipeline, intact skull: no hole found, so the page asks for review instead of offering an implant as done', async () => {
  await openSkull(fakePage, join(fixtures, 'intact-skull.nrrd'), 'intact-skull.nrrd');
  await design(fakePage, 0.5, 3); // skull, completed skull and implant; no rim markers without a hole
  assert.equal((await fakePage.textContent('#verdict-headline')).trim(), '⚠ Review needed');
  assert.equal(await fakePage.getAttribute('#verdict', 'data-state'), 'review');
  assert.equal((await fakePage.textContent('#verdict-defect')).trim(), 'no hole found');
  assert.match(await fakePage.textContent('#verdict-reasons'), /no hole was found in the skull/);
});

test('a detached NRRD header and its data file, chosen together, open as one case', async () => {
  const whole = readFileSync(skullFile);
  const split = whole.indexOf('\n\n') + 2;
  const header = Buffer.concat([whole.subarray(0, split - 1), Buffer.from('data file: skull.raw\n\n')]);
  await fakePage.setInputFiles('#file-input', [
    { name: 'skull.nhdr', mimeType: 'application/octet-stream', buffer: header },
    { name: 'skull.raw', mimeType: 'application/octet-stream', buffer: whole.subarray(split) },
  ]);
  await fakePage.waitForFunction(() => document.getElementById('case-title').textContent === 'skull.nhdr', null,
    { timeout: 60000 });
  await fakePage.waitForSelector('body[data-viewer=ready]', { timeout: 60000 });
  assert.match(await fakePage.textContent('#case-info'), /NRRD \(skull\.nhdr with its data file\): 114 × 143 × 83/);
  // the header alone names a file that was not sent: a message naming both
  await fakePage.setInputFiles('#file-input', [
    { name: 'alone.nhdr', mimeType: 'application/octet-stream', buffer: header },
    { name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('x') },
  ]);
  await fakePage.waitForSelector('#message:not([hidden])', { timeout: 30000 });
  assert.match(await fakePage.textContent('#message'), /alone\.nhdr.*skull\.raw/);
  await fakePage.click('#cases > li >> text=skull.nhdr');
  await fakePage.waitForSelector('body[data-viewer=ready]', { timeout: 60000 });
});

test('fake pipeline: a running design can be cancelled, and designing again works', async () => {
  await fakePage.click('#design-button');
  await fakePage.waitForSelector('#progress:not([hidden])', { timeout: 10000 });
  await fakePage.click('#cancel-button');
  await fakePage.waitForSelector('#cases > li.selected .runs li.state-cancelled', { timeout: 30000 });
  assert.match(await fakePage.textContent('#cases > li.selected .runs li.state-cancelled'), /cancelled/);
  await fakePage.waitForSelector('#progress', { state: 'hidden', timeout: 30000 });
  assert.equal(await fakePage.isEnabled('#design-button'), true, 'the case can be designed again');
});

test('layout: at 1280 x 800 with ten cases the layer toggles stay in view; at 800 px the viewer and Design too', async () => {
  // ten cases: the two above and eight more (the list scrolls in its own pane)
  const skull = readFileSync(skullFile);
  for (let i = 0; i < 8; i++) {
    await fakePage.setInputFiles('#file-input', { name: `case-${i}.nrrd`, mimeType: 'application/octet-stream', buffer: skull });
    await fakePage.waitForFunction((n) => document.getElementById('case-title').textContent === n, `case-${i}.nrrd`, { timeout: 60000 });
  }
  await fakePage.waitForSelector('body[data-viewer=ready]', { timeout: 60000 });
  assert.ok(await fakePage.locator('#cases > li').count() >= 10);
  const inView = async (sel) => {
    const b = await fakePage.locator(sel).boundingBox();
    const vp = fakePage.viewportSize();
    return b && b.y >= 0 && b.y + b.height <= vp.height && b.x + b.width <= vp.width;
  };
  for (const sel of ['#show-skull', '#show-implant', '#design-button', '#viewer-wrap']) {
    assert.ok(await inView(sel), `${sel} in view at 1280 x 800 with ten cases`);
  }
  assert.equal(await fakePage.evaluate(() => document.scrollingElement.scrollHeight <= window.innerHeight + 1), true,
    'the page itself does not scroll; the case list does');
  await fakePage.setViewportSize({ width: 800, height: 800 });
  await fakePage.waitForTimeout(500);
  for (const sel of ['#viewer', '#design-button']) {
    const b = await fakePage.locator(sel).boundingBox();
    assert.ok(b && b.y + Math.min(b.height, 100) <= 800 && b.x + b.width <= 800, `${sel} in view at 800 px: ${JSON.stringify(b)}`);
  }
  await fakePage.screenshot({ path: join(outDir, 'web-app-800.png') });
  await fakePage.close();
});

/** Starts a server with the fake pipeline keeping its cases in `workspace`; resolves to its URL and process. */
function startServer(workspace) {
  return new Promise((resolve, reject) => {
    const p = spawn('java', ['-Xmx512m', '-cp', args.classpath, 'org.calvaria.web.TestServerMain',
      '--workspace', workspace, '--stage-delay-ms', '50'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const timer = setTimeout(() => reject(new Error(`server did not start: ${out}`)), 60000);
    p.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/CALVARIA_TEST_SERVER_URL=(\S+)/);
      if (m) {
        clearTimeout(timer);
        ourOrigins.add(new URL(m[1]).origin);
        resolve({ url: new URL(m[1]), process: p });
      }
    });
    p.stderr.on('data', (d) => { out += d; });
    p.on('exit', (code) => reject(new Error(`server exited with ${code}: ${out}`)));
  });
}

function stopServer(server) {
  return new Promise((resolve) => {
    server.process.removeAllListeners('exit');
    server.process.on('exit', () => resolve());
    server.process.kill('SIGTERM');
  });
}

test('workspace: cases and runs survive a server restart, and the report names the case', async () => {
  if (!args.classpath) throw new Error('run.sh passes --classpath for this test');
  const workspace = join(args.work || tmpdir(), 'workspace');
  let server = await startServer(workspace);
  try {
    await workspaceRoundTrip(server, workspace);
  } finally {
    if (server.process.exitCode === null) await stopServer(server); // also when the test fails
  }
});

async function workspaceRoundTrip(first, workspace) {
  let server = first;
  let p = await newPage(server.url);
  await openSkull(p, skullFile, 'defective-skull.nrrd');
  await design(p, 0.5, 4);
  const volume = await p.textContent('[data-figure=volume]');
  await p.close();
  await stopServer(server);
  server = await startServer(workspace);
  first.process = server.process; // the one to stop if anything below fails
  p = await newPage(server.url);
  assert.deepEqual(await p.locator('#cases .case-name').allTextContents(), ['defective-skull.nrrd']);
  await p.waitForSelector('#result:not([hidden])');
  assert.equal(await p.textContent('[data-figure=volume]'), volume, 'the run is shown again');
  const report = await p.evaluate(async () => {
    const r = await fetch(document.getElementById('report-link').href);
    return { status: r.status, text: await r.text() };
  });
  assert.equal(report.status, 200);
  assert.match(report.text, /defective-skull\.nrrd/);
  assert.match(report.text, /Verdict/);
  assert.doesNotMatch(report.text, /calvaria-serve-|\/tmp\//, 'no server paths in the report');
  await p.close();
  await stopServer(server);
}

let passed = 0;
let failed = 0;
const started = Date.now();
for (const t of tests) {
  const t0 = Date.now();
  try {
    await t.fn();
    passed++;
    console.log(`ok - ${t.name} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  } catch (e) {
    failed++;
    console.log(`FAILED - ${t.name} (${((Date.now() - t0) / 1000).toFixed(1)} s)\n  ${e.stack || e}`);
    if (page && !page.isClosed()) await page.screenshot({ path: join(outDir, `failed-${passed + failed}.png`) });
  }
}
if (foreignRequests.length) {
  failed++;
  console.log(`FAILED - the page asked for something outside the server: ${foreignRequests.join(', ')}`);
}
if (pageErrors.length) {
  failed++;
  console.log(`FAILED - errors in the page:\n  ${pageErrors.join('\n  ')}`);
}
await context.close();
rmSync(userDataDir, { recursive: true, force: true });
for (const t of timings) console.log(`timing: ${t}`);
console.log(`browser tests took ${((Date.now() - started) / 1000).toFixed(1)} s`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
