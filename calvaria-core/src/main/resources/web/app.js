// The Calvaria web app: open a skull, view it in 3-D (NiiVue, served from this jar), design an implant, download it.
// Everything talks to the local server only; nothing is loaded from the internet.
import { Niivue, NVMesh, SLICE_TYPE, SHOW_RENDER, DRAG_MODE } from '/static/vendor/niivue/niivue.js';

const $ = (id) => document.getElementById(id);

const state = {
  config: null,
  cases: [],
  caseId: null,
  jobId: null, // the run shown in the result panel and the viewer
  nv: null,
  loadSeq: 0, // newest viewer load; older ones that finish late are ignored
  volumeCaseId: null, // the case whose slice volume the viewer holds
  volumeIn3D: false, // ray-cast the volume in 3-D (clipping plane, or no surface)
  crosshairFor: new Set(), // implant meshes the cross-hair has been moved to once
  clip: false,
  ruler: false,
  compareJobId: null,
  view: 'multi',
  polling: new Set(),
};

// ------------------------------------------------------------------ server calls

/** JSON from the server, or an Error whose message is the server's readable one. */
async function api(path, options = {}) {
  let response;
  try {
    response = await fetch(path, options);
  } catch (e) {
    throw new Error('cannot reach the Calvaria server; is it still running?');
  }
  let body = null;
  try {
    body = await response.json();
  } catch (e) {
    // not JSON: say what status came back instead
  }
  if (!response.ok) {
    throw new Error(body && body.error ? body.error : `the server answered HTTP ${response.status}`);
  }
  return body;
}

// ------------------------------------------------------------------ messages

function showMessage(text, kind = 'error') {
  const m = $('message');
  m.textContent = text;
  m.className = kind === 'info' ? 'info' : '';
  m.hidden = false;
}

function clearMessage() {
  $('message').hidden = true;
  $('message').textContent = '';
}

function formatBytes(n) {
  if (n >= 2 ** 30) return `${(n / 2 ** 30).toFixed(1)} GB`;
  if (n >= 2 ** 20) return `${(n / 2 ** 20).toFixed(1)} MB`;
  if (n >= 2 ** 10) return `${(n / 2 ** 10).toFixed(1)} KB`;
  return `${n} bytes`;
}

// ------------------------------------------------------------------ viewer
//
// The viewer gets what it needs, small (issue 12, item 3): per case one downsampled volume for the slices and a
// decimated skull surface; per run decimated implant and completed-skull surfaces (MZ3, RAS mm). Each mesh is
// fetched once, kept in the viewer (hidden when not shown) and in `meshes` below, so layer toggles and run
// switches only flip visibility and repaint. The 3-D view draws the surfaces, not the volume (ray-casting a volume
// in a CPU renderer costs seconds a frame), except with the clipping plane on, which cuts the volume.

/** url -> Promise of the NVMesh, loaded once and kept (hidden when not shown). */
const meshes = new Map();
const COLOURS = {
  skull: [226, 220, 205, 255], implant: [235, 60, 50, 255], completed: [70, 200, 110, 255],
  rim: [40, 200, 255, 255], compare: [250, 200, 40, 255], thickness: [255, 255, 255, 255],
  mouldOuter: [190, 205, 225, 255], mouldInner: [120, 150, 190, 255],
};
const OPACITY = { skull: 1, implant: 1, completed: 0.35, rim: 1, compare: 0.55, thickness: 1, mouldOuter: 0.6,
  mouldInner: 0.85 };

async function createViewer() {
  const probe = document.createElement('canvas').getContext('webgl2');
  if (!probe) {
    showMessage('This browser has no WebGL2, so the 3-D view is off. Opening skulls, designing and downloading'
      + ' still work.', 'info');
    return null;
  }
  const nv = new Niivue({
    backColor: [0.05, 0.055, 0.065, 1],
    show3Dcrosshair: false,
    crosshairColor: [1, 0.8, 0.25, 0.7],
    isColorbar: false,
    multiplanarShowRender: SHOW_RENDER.ALWAYS,
    loadingText: 'loading…',
    logLevel: 'error',
    meshThicknessOn2D: 1.5, // in slices, surfaces show as outlines where they cross the slice
    dragAndDropEnabled: false,
    clipPlaneColor: [0.25, 0.55, 0.85, 0.2], // a faint blue where the plane cuts
  });
  await nv.attachTo('viewer');
  // Volume ray-casting in 3-D only when asked for (clipping plane, or a case without a surface).
  const drawVolume3D = nv.drawImage3D.bind(nv);
  nv.drawImage3D = (...a) => {
    if (state.volumeIn3D) drawVolume3D(...a);
  };
  // In slices, only the implant, the rim and the compared run are outlined; the skull is the slice volume itself
  // there (outlining the skull and completed skull surfaces in three slices would triple the cost of a frame).
  const drawMeshes = nv.drawMesh3D.bind(nv);
  nv.drawMesh3D = (isDepthTest, alpha, m, modelMtx, normMtx, is2D = false) => {
    if (!is2D) return drawMeshes(isDepthTest, alpha, m, modelMtx, normMtx, is2D);
    const all = nv.meshes;
    nv.meshes = all.filter((x) => x.visible && x.calvariaIn2D);
    try {
      return drawMeshes(isDepthTest, alpha, m, modelMtx, normMtx, is2D);
    } finally {
      nv.meshes = all;
    }
  };
  // One frame per animation frame, however many changes ask for one: in a CPU renderer every queued frame costs
  // hundreds of milliseconds, and a run switch asks for several.
  const drawNow = nv.drawScene.bind(nv);
  let frameQueued = false;
  nv.drawScene = () => {
    if (frameQueued) return;
    frameQueued = true;
    requestAnimationFrame(() => {
      frameQueued = false;
      drawNow();
    });
  };
  nv.onMeasurementCompleted = (m) => {
    $('ruler-text').textContent = `${m.distance.toFixed(1)} mm`;
    document.body.dataset.rulerMm = m.distance.toFixed(1);
  };
  return nv;
}

function applyView() {
  const nv = state.nv;
  if (!nv) return;
  const c = currentCase();
  const isMesh = c && c.kind === 'mesh';
  const view = isMesh ? 'render' : state.view;
  const types = {
    multi: SLICE_TYPE.MULTIPLANAR, render: SLICE_TYPE.RENDER, axial: SLICE_TYPE.AXIAL,
    coronal: SLICE_TYPE.CORONAL, sagittal: SLICE_TYPE.SAGITTAL,
  };
  nv.setSliceType(types[view]);
  for (const b of document.querySelectorAll('#view-buttons button')) {
    b.classList.toggle('active', b.dataset.view === view);
    b.setAttribute('aria-pressed', String(b.dataset.view === view));
    b.disabled = isMesh && b.dataset.view !== 'render';
  }
}

/** The mesh at url, loaded once (hidden until a layer shows it). */
function mesh(url, layer) {
  if (!meshes.has(url)) {
    const p = NVMesh.loadFromUrl({ url, gl: state.nv.gl, rgba255: COLOURS[layer], opacity: OPACITY[layer],
      visible: false }).then((m) => {
      m.visible = false;
      m.calvariaUrl = url;
      // the mould's halves are drawn moved apart, so their outlines in the slices would mislead: 3-D only
      m.calvariaIn2D = !['skull', 'completed', 'mouldOuter', 'mouldInner'].includes(layer);
      state.nv.addMesh(m);
      return m;
    });
    meshes.set(url, p);
    p.catch(() => meshes.delete(url)); // a later look tries again
  }
  return meshes.get(url);
}

/** The layers a case and run show: layer name -> url (only those the server offers). */
function layersOf(c, job) {
  const l = {};
  if (!c) return l;
  if (c.kind === 'mesh') l.skull = c.viewUrl;
  else if (c.meshUrl) l.skull = c.meshUrl;
  const done = job && job.state === 'done';
  if (done && job.view) {
    if (job.view['implant.mz3']) l.implant = job.view['implant.mz3'];
    if (job.view['completed.mz3']) l.completed = job.view['completed.mz3'];
    // Hook for the manufacturing work: a run with a thickness map (implant surface, mm per vertex) shows it here.
    if (job.view['thickness.mz3']) l.thickness = job.view['thickness.mz3'];
    // The casting mould's halves, opened apart along the pull direction (when the run made a mould).
    if (job.view['mould-outer.mz3']) l.mouldOuter = job.view['mould-outer.mz3'];
    if (job.view['mould-inner.mz3']) l.mouldInner = job.view['mould-inner.mz3'];
  }
  if (done && job.files['rims.stl']) l.rim = job.files['rims.stl'];
  const other = state.compareJobId && c.jobs.find((j) => j.id === state.compareJobId && j.state === 'done');
  if (other && other.id !== (job && job.id) && other.view && other.view['implant.mz3']) l.compare = other.view['implant.mz3'];
  return l;
}

function layerWanted(layer) {
  // the mould's parts are shown alone: the skull would hide the inner half
  if (layer === 'skull') return $('show-skull').checked && !state.clip && !$('show-mould').checked;
  if (layer === 'compare') return true;
  if (layer === 'thickness') return $('show-thickness').checked;
  if (layer === 'mouldOuter' || layer === 'mouldInner') return $('show-mould').checked;
  if (layer === 'implant') return $('show-implant').checked && !$('show-thickness').checked;
  return $(`show-${layer}`).checked;
}

/**
 * Shows exactly the current case's and run's layers: loaded meshes are flipped visible or hidden at once; missing
 * ones load in the background and appear when they arrive. Resolves when every wanted layer is on screen.
 */
async function syncLayers(seq) {
  const nv = state.nv;
  const c = currentCase();
  const wanted = layersOf(c, currentJob());
  const wantedUrls = new Map(Object.entries(wanted).map(([layer, url]) => [url, layer]));
  // hide what is not wanted (without waiting for anything)
  for (const m of nv.meshes) {
    const layer = wantedUrls.get(m.calvariaUrl);
    m.visible = Boolean(layer) && layerWanted(layer);
  }
  state.volumeIn3D = state.clip || (c && c.kind === 'volume' && !c.meshUrl);
  nv.drawScene();
  // What is to be seen now is awaited; hidden layers (completed skull when off) load afterwards, in the background.
  const now = Object.entries(wanted).filter(([layer]) => layerWanted(layer));
  const later = Object.entries(wanted).filter(([layer]) => !layerWanted(layer));
  // the result is on screen once the skull and implant are; the rim and a compared run follow as they arrive
  const critical = new Set(['skull', 'implant', 'thickness', 'mouldOuter', 'mouldInner']);
  const loads = now.map(async ([layer, url]) => {
    const m = await mesh(url, layer);
    if (seq !== state.loadSeq) return;
    const current = layersOf(currentCase(), currentJob());
    m.visible = current[layer] === url && layerWanted(layer);
    if (layer === 'implant' && !state.crosshairFor.has(url)) {
      state.crosshairFor.add(url);
      moveCrosshairTo(m);
    }
    nv.drawScene();
  });
  await Promise.all(loads.filter((p, i) => critical.has(now[i][0])));
  Promise.all(loads).then(() => {
    if (seq !== state.loadSeq) return;
    document.body.dataset.viewerLayers = String(nv.meshes.filter((m) => m.visible).length + (nv.volumes.length ? 1 : 0));
  });
  setTimeout(() => later.forEach(([layer, url]) => mesh(url, layer).catch(() => {})), 1500);
  if (seq !== state.loadSeq) return;
  document.body.dataset.viewerLayers = String(nv.meshes.filter((m) => m.visible).length + (nv.volumes.length ? 1 : 0));
  document.body.dataset.rim = wanted.rim ? 'shown' : 'none';
  document.body.dataset.thickness = wanted.thickness ? 'available' : 'none';
  const mouldShown = nv.meshes.filter((m) => m.visible && [wanted.mouldOuter, wanted.mouldInner].includes(m.calvariaUrl));
  document.body.dataset.mould = !wanted.mouldOuter ? 'none' : mouldShown.length === 2 ? 'shown' : 'available';
}

/** Shows the case (its slice volume, once) and the run's layers; later runs' meshes are fetched in the background. */
async function showInViewer(c, job) {
  $('viewer-empty').hidden = true;
  const nv = state.nv;
  if (!nv) return;
  const seq = ++state.loadSeq;
  const t0 = performance.now();
  document.body.dataset.viewer = 'loading';
  try {
    if (state.volumeCaseId !== c.id) {
      state.volumeCaseId = null;
      if (c.kind === 'mesh') {
        await nv.loadVolumes([]);
      } else {
        const skull = { url: c.viewUrl, colormap: 'gray' };
        if (c.binary) {
          skull.cal_min = 0;
          skull.cal_max = 1;
        } else if (c.valueRange && c.valueRange[0] < -500) {
          skull.cal_min = 150; // a CT in Hounsfield units: a bone window
          skull.cal_max = 1500;
        }
        await nv.loadVolumes([skull]);
      }
      if (seq !== state.loadSeq) return;
      state.volumeCaseId = c.id;
    }
    const files = job && job.state === 'done' ? job.files : null;
    const look = files && files['holes.json'] ? lookAtDefect(files['holes.json'], seq) : null;
    if (state.shownCaseId !== c.id) {
      state.shownCaseId = c.id;
      // from the front-left and above: the vault, where defects usually are (until a run shows where the hole is)
      if (!look) nv.setRenderAzimuthElevation(120, 30);
    }
    applyView();
    await syncLayers(seq);
    if (look) await look;
    if (seq !== state.loadSeq) return;
    document.body.dataset.viewer = 'ready';
    document.body.dataset.viewerMs = String(Math.round(performance.now() - t0));
    prefetchRuns(c);
  } catch (e) {
    if (seq !== state.loadSeq) return;
    document.body.dataset.viewer = 'failed';
    showMessage(`The viewer could not show this file (${e.message || e}). Designs and downloads still work.`);
  }
}

/** Fetches the other finished runs' meshes of the case while the user looks, so switching to them is instant. */
function prefetchRuns(c) {
  setTimeout(() => {
    if (state.caseId !== c.id) return;
    for (const j of c.jobs) {
      if (j.state !== 'done' || !j.view) continue;
      for (const [kind, layer] of [['implant.mz3', 'implant'], ['completed.mz3', 'completed']]) {
        if (j.view[kind]) mesh(j.view[kind], layer).catch(() => {});
      }
      if (j.files['rims.stl']) mesh(j.files['rims.stl'], 'rim').catch(() => {});
    }
  }, 2000);
}

/**
 * Turns the 3-D view to look at the largest hole along its outward normal. NiiVue's camera looks from the direction
 * (-cos e sin a, -cos e cos a, sin e) in RAS for azimuth a and elevation e; the report's normal is in LPS.
 */
async function lookAtDefect(url, seq) {
  let holes;
  try {
    holes = (await api(url)).holes;
  } catch (e) {
    return; // the view stays as it was; the verdict still says what was found
  }
  if (seq !== state.loadSeq || !holes || !holes.length || !holes[0].outward_normal) return;
  document.body.dataset.holesUrl = url;
  const [lx, ly, lz] = holes[0].outward_normal;
  const rx = -lx, ry = -ly, rz = lz;
  const e = Math.min(80, Math.asin(Math.max(-1, Math.min(1, rz))) * 180 / Math.PI);
  const horizontal = Math.hypot(rx, ry);
  const a = horizontal < 0.05 ? 120 : (Math.atan2(-rx, -ry) * 180 / Math.PI + 360) % 360;
  state.nv.setRenderAzimuthElevation(a, e);
  state.lookedAtDefect = true;
  document.body.dataset.viewAzimuth = a.toFixed(0);
  document.body.dataset.viewElevation = e.toFixed(0);
}

/**
 * Turns the 3-D view side-on to the mould's pull direction (from the inner half's centre to the outer's), tilted 20
 * degrees towards the outer half, so that the two halves show apart with the implant between them.
 */
async function lookAtMould(seq) {
  const job = currentJob();
  if (!job || !job.view || !job.view['mould-outer.mz3'] || !job.view['mould-inner.mz3']) return;
  const [outer, inner] = await Promise.all([mesh(job.view['mould-outer.mz3'], 'mouldOuter'),
    mesh(job.view['mould-inner.mz3'], 'mouldInner')]);
  if (seq !== state.loadSeq || !$('show-mould').checked) return;
  const centre = (m) => {
    const c = [0, 0, 0];
    for (let i = 0; i < m.pts.length; i += 3) for (let k = 0; k < 3; k++) c[k] += m.pts[i + k];
    return c.map((v) => v / (m.pts.length / 3));
  };
  const unit = (v) => { const l = Math.hypot(...v) || 1; return v.map((x) => x / l); };
  const cross = (a, b) => [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];
  const co = centre(outer), ci = centre(inner);
  const p = unit([co[0] - ci[0], co[1] - ci[1], co[2] - ci[2]]);
  const side = unit(Math.abs(p[2]) < 0.9 ? cross(p, [0, 0, 1]) : cross(p, [1, 0, 0]));
  const t = 20 * Math.PI / 180;
  const v = unit(side.map((x, k) => Math.cos(t) * x + Math.sin(t) * p[k]));
  const e = Math.asin(Math.max(-1, Math.min(1, v[2]))) * 180 / Math.PI;
  const a = (Math.atan2(-v[0], -v[1]) * 180 / Math.PI + 360) % 360;
  state.nv.setRenderAzimuthElevation(a, e);
  document.body.dataset.viewAzimuth = a.toFixed(0);
  document.body.dataset.viewElevation = e.toFixed(0);
}

/** Puts the slice cross-hair at the centre of the implant's surface (RAS mm), so that every slice cuts it. */
function moveCrosshairTo(m) {
  const pts = m.pts;
  if (!pts || pts.length < 3 || !state.nv.volumes.length) return;
  let sx = 0, sy = 0, sz = 0;
  const n = pts.length / 3;
  for (let i = 0; i < pts.length; i += 3) {
    sx += pts[i];
    sy += pts[i + 1];
    sz += pts[i + 2];
  }
  const mm = [sx / n, sy / n, sz / n];
  state.nv.scene.crosshairPos = state.nv.mm2frac(mm);
  state.nv.drawScene();
  document.body.dataset.crosshairMm = JSON.stringify(mm.map((v) => Math.round(v * 10) / 10));
}

function updateToggles() {
  const c = currentCase();
  const job = currentJob();
  const done = job && job.state === 'done';
  $('show-skull').disabled = !c;
  $('show-implant').disabled = !done;
  $('show-completed').disabled = !(done && job.view && job.view['completed.mz3']);
  $('show-rim').disabled = !(done && job.files['rims.stl']);
  const thickness = Boolean(done && job.view && job.view['thickness.mz3']);
  $('thickness-toggle').hidden = !thickness;
  if (!thickness) $('show-thickness').checked = false;
  const mould = Boolean(done && job.view && job.view['mould-outer.mz3'] && job.view['mould-inner.mz3']);
  $('mould-toggle').hidden = !mould;
  if (!mould) $('show-mould').checked = false;
  $('clip-button').disabled = !(c && c.kind === 'volume');
  $('ruler-button').disabled = !(c && c.kind === 'volume');
  renderCompareChoices();
}

/** Flips a layer: a visibility change and one repaint (the mesh is already loaded, or arrives when it is). */
function setLayerVisible() {
  if (!state.nv) return;
  syncLayers(state.loadSeq);
}

// ------------------------------------------------------------------ fit-checking tools

/** The clipping plane: the skull is drawn as its volume, cut by a plane facing the viewer at the chosen depth. */
function setClip(on) {
  state.clip = on;
  $('clip-button').setAttribute('aria-pressed', String(on));
  $('clip-depth').hidden = !on;
  const nv = state.nv;
  if (!nv) return;
  if (on) {
    const depth = Number($('clip-depth').value);
    nv.setClipPlane([depth, (nv.scene.renderAzimuth + 180) % 360, -nv.scene.renderElevation]);
  } else {
    nv.setClipPlane([2, 0, 0]); // depth beyond 1.7: no plane
  }
  document.body.dataset.clip = on ? 'on' : 'off';
  syncLayers(state.loadSeq);
}

/** The ruler: with it on, dragging in a slice measures a distance in mm (shown beside the button). */
function setRuler(on) {
  state.ruler = on;
  $('ruler-button').setAttribute('aria-pressed', String(on));
  // the left button: measuring while the ruler is on, else moving the cross-hair (NiiVue's default)
  if (state.nv) state.nv.opts.dragModePrimary = on ? DRAG_MODE.measurement : DRAG_MODE.crosshair;
  if (!on) $('ruler-text').textContent = '';
}

/** Other finished runs of the case, to overlay one of them (yellow, translucent) on the shown run. */
function renderCompareChoices() {
  const c = currentCase();
  const select = $('compare-run');
  const keep = state.compareJobId;
  select.replaceChildren(new Option('nothing', ''));
  const job = currentJob();
  if (c) {
    for (const j of c.jobs) {
      if (j.state === 'done' && (!job || j.id !== job.id)) select.append(new Option(describeRun(j), j.id));
    }
  }
  select.value = [...select.options].some((o) => o.value === keep) ? keep : '';
  select.disabled = select.options.length < 2;
  state.compareJobId = select.value || null;
  renderComparison();
}

function renderComparison() {
  const c = currentCase();
  const job = currentJob();
  const other = c && state.compareJobId ? c.jobs.find((j) => j.id === state.compareJobId) : null;
  const out = $('compare-text');
  if (!other || !job || job.state !== 'done') {
    out.textContent = '';
    return;
  }
  const dv = job.figures.implantVolumeMl - other.figures.implantVolumeMl;
  const closed = (j) => (j.verdict && j.verdict.holes.length && j.verdict.holes[0].closedFraction !== undefined
    ? `${Math.round(100 * j.verdict.holes[0].closedFraction)}%` : 'n/a');
  out.textContent = `shown (red) ${job.figures.implantVolumeMl.toFixed(2)} ml, closes ${closed(job)}; `
    + `threshold ${other.threshold} (yellow) ${other.figures.implantVolumeMl.toFixed(2)} ml, closes ${closed(other)}; `
    + `difference ${dv >= 0 ? '+' : ''}${dv.toFixed(2)} ml`;
}

// ------------------------------------------------------------------ cases and runs

const currentCase = () => state.cases.find((c) => c.id === state.caseId) || null;
const currentJob = () => {
  const c = currentCase();
  return c ? c.jobs.find((j) => j.id === state.jobId) || null : null;
};

async function refreshCases() {
  const data = await api('/api/cases');
  state.cases = data.cases;
  renderCases();
}

function describeRun(j) {
  const t = `threshold ${j.threshold}`;
  if (j.state === 'done') return `${t}: ${j.figures.implantVolumeMl.toFixed(2)} ml`;
  if (j.state === 'failed') return `${t}: failed`;
  if (j.state === 'cancelled') return `${t}: cancelled`;
  return `${t}: ${j.state}${j.stage ? ` (${j.stage})` : ''}`;
}

/** Enter or Space on a focusable list item acts like a click. */
function activateOnKeys(el, action) {
  el.tabIndex = 0;
  el.setAttribute('role', 'button');
  el.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      e.stopPropagation();
      action();
    }
  });
}

function renderCases() {
  const list = $('cases');
  // keep the keyboard focus on the same case or run across the re-render
  const focused = document.activeElement && list.contains(document.activeElement)
    ? (document.activeElement.dataset.jobId || document.activeElement.dataset.caseId) : null;
  list.replaceChildren();
  $('no-cases').hidden = state.cases.length > 0;
  for (const c of state.cases) {
    const li = document.createElement('li');
    li.dataset.caseId = c.id;
    li.classList.toggle('selected', c.id === state.caseId);
    const name = document.createElement('div');
    name.className = 'case-name';
    name.textContent = c.name;
    const meta = document.createElement('div');
    meta.className = 'case-meta';
    meta.textContent = c.kind === 'mesh' ? 'STL mesh (view only)' : `${c.format}, ${c.sizes.join(' × ')}`;
    li.append(name, meta);
    if (c.jobs.length) {
      const runs = document.createElement('ol');
      runs.className = 'runs';
      for (const j of c.jobs) {
        const r = document.createElement('li');
        r.dataset.jobId = j.id;
        r.className = `state-${j.state}`;
        r.classList.toggle('selected', j.id === state.jobId);
        r.textContent = describeRun(j);
        r.addEventListener('click', (e) => {
          e.stopPropagation();
          selectCase(c.id, j.id);
        });
        activateOnKeys(r, () => selectCase(c.id, j.id));
        r.setAttribute('aria-label', `${c.name}, ${describeRun(j)}`);
        if (j.id === state.jobId) r.setAttribute('aria-current', 'true');
        runs.append(r);
      }
      li.append(runs);
    }
    li.addEventListener('click', () => selectCase(c.id));
    activateOnKeys(li, () => selectCase(c.id));
    li.setAttribute('aria-label', `case ${c.name}`);
    if (c.id === state.caseId) li.setAttribute('aria-current', 'true');
    list.append(li);
  }
  if (focused) {
    const again = list.querySelector(`[data-job-id="${focused}"]`) || list.querySelector(`li[data-case-id="${focused}"]`);
    if (again) again.focus();
  }
}

/** Says something to screen readers (the live region), without moving the focus. */
function announce(text) {
  const live = $('live');
  live.textContent = '';
  setTimeout(() => { live.textContent = text; }, 50);
}

/** The shown case, run and threshold, in the address (so a reload comes back to them). */
function rememberPlace() {
  const parts = [];
  if (state.caseId) parts.push(`case=${state.caseId}`);
  if (state.jobId) parts.push(`run=${state.jobId}`);
  parts.push(`threshold=${$('threshold').value}`);
  history.replaceState(null, '', `#${parts.join('&')}`);
  try {
    localStorage.setItem('calvaria.place', parts.join('&'));
  } catch (e) {
    // storage off: the address still holds it
  }
}

function placeToReturnTo() {
  let text = location.hash.replace(/^#/, '');
  if (!text) {
    try {
      text = localStorage.getItem('calvaria.place') || '';
    } catch (e) {
      text = '';
    }
  }
  return Object.fromEntries(text.split('&').filter((p) => p.includes('=')).map((p) => p.split('=', 2)));
}

/** Makes a case current; shows the given run, else its latest finished one. */
async function selectCase(caseId, jobId) {
  clearMessage();
  state.caseId = caseId;
  const c = currentCase();
  if (!c) return;
  const finished = c.jobs.filter((j) => j.state === 'done');
  state.jobId = jobId || (finished.length ? finished[finished.length - 1].id : null);
  renderCases();
  renderCaseHeader(c);
  renderDesignPanel();
  updateToggles();
  const active = c.jobs.find((j) => j.state === 'queued' || j.state === 'running');
  if (active) watchJob(active.id);
  rememberPlace();
  await showInViewer(c, currentJob());
}

function renderCaseHeader(c) {
  $('case-title').textContent = c.name;
  const id = c.identity;
  $('identity').hidden = !id;
  if (id) {
    const mask = (v) => (state.revealIdentity ? v : '•'.repeat(Math.min(8, Math.max(3, v.length))));
    const parts = [];
    if (id.patientName) parts.push(`patient ${mask(id.patientName)}`);
    if (id.patientId) parts.push(`ID ${mask(id.patientId)}`);
    if (id.studyDate) parts.push(`study ${id.studyDate.replace(/^(\d{4})(\d{2})(\d{2})$/, '$1-$2-$3')}`);
    if (id.seriesDescription) parts.push(`series "${id.seriesDescription}"`);
    if (id.sliceThicknessMm) parts.push(`slices ${id.sliceThicknessMm} mm thick`);
    if (id.sliceSpacingMm) parts.push(`${id.sliceSpacingMm} mm apart`);
    parts.push(`gantry tilt ${id.gantryTiltDeg !== undefined ? `${id.gantryTiltDeg}°` : 'not stated'}`);
    $('identity-text').textContent = `DICOM: ${parts.join(', ')}`;
    $('identity-reveal').textContent = state.revealIdentity ? 'Hide patient name and ID' : 'Show patient name and ID';
    $('identity-reveal').setAttribute('aria-pressed', String(Boolean(state.revealIdentity)));
    $('identity-reveal').hidden = !(id.patientName || id.patientId);
  }
  if (c.kind === 'mesh') {
    $('case-info').textContent = `STL mesh, ${formatBytes(c.uploadBytes)}`;
  } else {
    const sp = c.spacingMm.map((s) => s.toFixed(2)).join(' × ');
    $('case-info').textContent = `${c.format}: ${c.sizes.join(' × ')} voxels of ${sp} mm`
      + (c.binary ? ', binary mask' : '');
  }
}

// ------------------------------------------------------------------ design panel

function renderDesignPanel() {
  const c = currentCase();
  const job = currentJob();
  const busy = c && c.jobs.some((j) => j.state === 'queued' || j.state === 'running');
  $('mesh-note').hidden = !(c && c.kind === 'mesh');
  if (c && c.note) $('mesh-note').textContent = c.note;
  $('design-button').disabled = !c || !c.canDesign || busy;
  $('design-button').textContent = c && c.jobs.length ? 'Design again' : 'Design implant';

  const shown = busy ? c.jobs.find((j) => j.state === 'queued' || j.state === 'running') : null;
  $('progress').hidden = !shown;
  if (shown) renderProgress(shown);

  const done = job && job.state === 'done';
  $('result').hidden = !done;
  if (done) renderResult(job);
}

function renderProgress(job) {
  const stages = [...state.config.stages];
  for (const s of job.stagesSeen) if (!stages.includes(s)) stages.push(s);
  const list = $('stages');
  list.replaceChildren();
  for (const s of stages) {
    const li = document.createElement('li');
    li.dataset.stage = s;
    li.textContent = s;
    if (job.state === 'running' && s === job.stage) li.className = 'current';
    else if (job.stagesSeen.includes(s)) li.className = 'done';
    list.append(li);
  }
  if (state.announcedStage !== `${job.id}:${job.stage}`) {
    state.announcedStage = `${job.id}:${job.stage}`;
    if (job.stage) announce(`Designing: ${job.stage}`);
  }
  $('progress-text').textContent = job.state === 'queued'
    ? 'Waiting for the design before it to finish…'
    : `Designing (threshold ${job.threshold})${job.stage ? `: ${job.stage}` : ''}…`;
}

/** The verdict beside the figures: found or not, share closed, pieces, and every reason to look again. */
function renderVerdict(v) {
  const box = $('verdict');
  box.hidden = !v;
  if (!v) return;
  box.className = v.state;
  box.dataset.state = v.state;
  $('verdict-headline').textContent = v.state === 'ok' ? `✓ ${v.headline}` : `⚠ ${v.headline}`;
  $('verdict-defect').textContent = v.defect;
  $('verdict-closed').textContent = v.holes.length
    ? v.holes.map((h) => (h.closedFraction === undefined ? `${h.region}: not measured`
      : `${h.region}: ${Math.round(100 * h.closedFraction)}%`)).join('; ')
    : '—';
  $('verdict-pieces').textContent = v.pieces === null || v.pieces === undefined ? 'not reported' : String(v.pieces);
  const list = $('verdict-reasons');
  list.replaceChildren();
  // a reason the pipeline's warnings already give (with more detail) is not repeated
  for (const text of [...v.warnings, ...v.reasons.filter((r) => !v.warnings.some((w) => w.startsWith(r)))]) {
    const li = document.createElement('li');
    li.textContent = text;
    list.append(li);
  }
}

function renderResult(job) {
  renderVerdict(job.verdict);
  const f = job.figures;
  $('result-threshold').textContent = `(threshold ${job.threshold})`;
  document.querySelector('[data-figure=volume]').textContent = `${f.implantVolumeMl.toFixed(2)} ml`;
  document.querySelector('[data-figure=area]').textContent = `${Math.round(f.surfaceAreaMm2).toLocaleString('en')} mm²`;
  document.querySelector('[data-figure=bbox]').textContent = `${f.boundingBoxMm.map((v) => v.toFixed(1)).join(' × ')} mm`;
  document.querySelector('[data-figure=seconds]').textContent = `${f.seconds.toFixed(1)} s`;
  const links = { 'download-stl': 'implant.stl', 'download-nrrd': 'implant.nrrd', 'download-report': 'report.json',
    'download-completed': 'completed.nrrd' };
  for (const [id, kind] of Object.entries(links)) {
    const a = $(id);
    const url = job.files[kind];
    a.hidden = !url;
    if (url) a.href = url;
  }
  $('report-link').href = `/api/jobs/${job.id}/report.html`;
  const parts = { 'download-mould': 'mould.zip', 'download-mould-outer': 'mould-outer.stl',
    'download-mould-inner': 'mould-inner.stl', 'download-fit-check': 'fit-check.stl', 'download-3mf': 'implant.3mf' };
  let anyPart = false;
  for (const [id, kind] of Object.entries(parts)) {
    const url = job.files[kind];
    $(id).hidden = !url;
    if (url) $(id).href = url;
    anyPart = anyPart || Boolean(url);
  }
  $('part-downloads').hidden = !anyPart;
  $('settings-text').textContent = describeSettings(job.settings);
  const preview = job.files['preview.png'];
  $('preview-figure').hidden = !preview;
  if (preview) $('preview').src = preview;
}

/** Lists cases and runs that appeared elsewhere (another tab), without disturbing what is shown. */
async function refreshQuietly() {
  let data;
  try {
    data = await api('/api/cases');
  } catch (e) {
    return;
  }
  const key = (cs) => JSON.stringify(cs.map((c) => [c.id, c.jobs.map((j) => [j.id, j.state])]));
  if (key(data.cases) === key(state.cases)) return;
  state.cases = data.cases;
  renderCases();
  renderDesignPanel();
  updateToggles();
  const c = currentCase();
  const active = c && c.jobs.find((j) => j.state === 'queued' || j.state === 'running');
  if (active) watchJob(active.id);
}

async function cancelDesign() {
  const c = currentCase();
  const active = c && c.jobs.find((j) => j.state === 'queued' || j.state === 'running');
  if (!active) return;
  $('cancel-button').disabled = true;
  try {
    replaceJob(await api(`/api/jobs/${active.id}/cancel`, { method: 'POST' }));
  } catch (e) {
    showMessage(e.message);
  }
  $('cancel-button').disabled = false;
  renderCases();
  renderDesignPanel();
}

/** "clearance 0.5 mm, at least 2 mm thick, with mould and fit check" for a run's settings. */
function describeSettings(s) {
  if (!s) return '';
  const thick = s.thicknessMm !== null && s.thicknessMm !== undefined ? `uniform ${s.thicknessMm} mm plate`
    : s.minThicknessMm > 0 ? `at least ${s.minThicknessMm} mm thick` : 'thickness as designed';
  const parts = [s.mould && 'mould', s.fitCheck && 'fit check'].filter(Boolean);
  return `Clearance ${s.clearanceMm} mm, ${thick}${parts.length ? `, with ${parts.join(' and ')}` : ''}.`;
}

/** The manufacturing settings from the page's controls, or a message saying which one is out of range. */
function manufactureSettings() {
  const m = state.config.manufacture;
  const clearance = Number($('clearance').value);
  if ($('clearance').value === '' || !Number.isFinite(clearance) || clearance < m.clearanceMm.min
      || clearance > m.clearanceMm.max) {
    return { error: `Clearance must be between ${m.clearanceMm.min} and ${m.clearanceMm.max} mm.` };
  }
  const uniform = $('thickness-mode').value === 'uniform';
  const range = uniform ? m.thicknessMm : m.minThicknessMm;
  const thickness = Number($('thickness-mm').value);
  if ($('thickness-mm').value === '' || !Number.isFinite(thickness) || thickness < range.min || thickness > range.max) {
    return { error: `${uniform ? 'A uniform plate' : 'The minimum thickness'} must be between ${range.min} and`
      + ` ${range.max} mm.` };
  }
  return {
    clearanceMm: clearance,
    minThicknessMm: uniform ? 0 : thickness,
    thicknessMm: uniform ? thickness : null,
    mould: $('make-mould').checked,
    fitCheck: $('make-fit-check').checked,
  };
}

/** The thickness control's range and step follow its mode (at least / uniform plate). */
function setThicknessMode() {
  const m = state.config.manufacture;
  const uniform = $('thickness-mode').value === 'uniform';
  const range = uniform ? m.thicknessMm : m.minThicknessMm;
  const input = $('thickness-mm');
  input.min = range.min;
  input.max = range.max;
  input.step = range.step;
  if (uniform && Number(input.value) < range.min) input.value = 4;
  $('thickness-help').textContent = range.help;
}

async function startDesign() {
  const c = currentCase();
  if (!c) return;
  clearMessage();
  const threshold = Number($('threshold').value);
  const t = state.config.threshold;
  if (!Number.isFinite(threshold) || threshold < t.min || threshold > t.max) {
    showMessage(`${t.label} must be between ${t.min} and ${t.max}.`);
    return;
  }
  const settings = manufactureSettings();
  if (settings.error) {
    showMessage(settings.error);
    return;
  }
  $('design-button').disabled = true;
  try {
    const job = await api(`/api/cases/${c.id}/design`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ threshold, ...settings }),
    });
    c.jobs.push(job);
    renderCases();
    renderDesignPanel();
    rememberPlace();
    announce(`Design at threshold ${threshold} started.`);
    watchJob(job.id);
  } catch (e) {
    showMessage(e.message);
    renderDesignPanel();
  }
}

/** Polls a job until it ends; then lists it and, when its case is shown, shows its implant. */
async function watchJob(jobId) {
  if (state.polling.has(jobId)) return;
  state.polling.add(jobId);
  try {
    for (;;) {
      let job;
      try {
        job = await api(`/api/jobs/${jobId}`);
      } catch (e) {
        showMessage(e.message);
        return;
      }
      replaceJob(job);
      if (job.caseId === state.caseId) {
        renderDesignPanel();
        renderCases();
      }
      if (job.state === 'done' || job.state === 'failed' || job.state === 'cancelled') {
        if (job.caseId !== state.caseId) return;
        if (job.state === 'cancelled') {
          announce(`Design at threshold ${job.threshold} cancelled.`);
          return;
        }
        if (job.state === 'failed') {
          showMessage(`The design failed: ${job.error}`);
          announce(`The design failed: ${job.error}`);
          return;
        }
        const seen = performance.now();
        state.jobId = job.id;
        renderCases();
        renderDesignPanel();
        updateToggles();
        await showInViewer(currentCase(), job);
        // for the browser test: milliseconds from seeing the design done to its implant on screen
        document.body.dataset.resultMs = String(Math.round(performance.now() - seen));
        announce(`Design at threshold ${job.threshold} finished: ${job.verdict ? job.verdict.headline : 'done'}.`);
        return;
      }
      await new Promise((r) => setTimeout(r, 400));
    }
  } finally {
    state.polling.delete(jobId);
  }
}

function replaceJob(job) {
  const c = state.cases.find((x) => x.id === job.caseId);
  if (!c) return;
  const i = c.jobs.findIndex((j) => j.id === job.id);
  if (i >= 0) c.jobs[i] = job;
  else c.jobs.push(job);
}

// ------------------------------------------------------------------ opening files

/** CRC-32 (the zip polynomial) of bytes. */
const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();
function crc32(bytes) {
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/**
 * Several files (an .nhdr with its data file, or a DICOM folder) as one zip, stored without compression, so that
 * the server receives one upload and unpacks it under its own names (the zip keeps the user's names for messages).
 */
async function zipFiles(files) {
  const enc = new TextEncoder();
  const parts = [];
  const central = [];
  let offset = 0;
  for (const f of files) {
    const data = new Uint8Array(await f.arrayBuffer());
    const name = enc.encode(f.webkitRelativePath || f.name);
    const crc = crc32(data);
    const local = new DataView(new ArrayBuffer(30));
    local.setUint32(0, 0x04034b50, true);
    local.setUint16(4, 20, true);
    local.setUint16(6, 0x0800, true); // UTF-8 names
    local.setUint32(14, crc, true);
    local.setUint32(18, data.length, true);
    local.setUint32(22, data.length, true);
    local.setUint16(26, name.length, true);
    const entry = new DataView(new ArrayBuffer(46));
    entry.setUint32(0, 0x02014b50, true);
    entry.setUint16(4, 20, true);
    entry.setUint16(6, 20, true);
    entry.setUint16(8, 0x0800, true);
    entry.setUint32(16, crc, true);
    entry.setUint32(20, data.length, true);
    entry.setUint32(24, data.length, true);
    entry.setUint16(28, name.length, true);
    entry.setUint32(42, offset, true);
    parts.push(local, name, data);
    central.push(entry, name);
    offset += 30 + name.length + data.length;
  }
  const size = central.reduce((n, p) => n + p.byteLength, 0);
  const end = new DataView(new ArrayBuffer(22));
  end.setUint32(0, 0x06054b50, true);
  end.setUint16(8, files.length, true);
  end.setUint16(10, files.length, true);
  end.setUint32(12, size, true);
  end.setUint32(16, offset, true);
  return new Blob([...parts, ...central, end], { type: 'application/zip' });
}

/** Opens what the user chose: one file as it is; several (or a folder) zipped together. */
async function openFiles(list) {
  const files = [...list].filter((f) => !/(^|\/)(\.DS_Store|Thumbs\.db|desktop\.ini)$/i.test(f.webkitRelativePath || f.name));
  if (!files.length) return;
  if (files.length === 1) {
    upload(files[0]);
    return;
  }
  const total = files.reduce((n, f) => n + f.size, 0);
  const header = files.find((f) => /\.nhdr$/i.test(f.name));
  const folder = files[0].webkitRelativePath ? files[0].webkitRelativePath.split('/')[0] : null;
  const name = header ? header.name : `${folder || `${files.length} files`}`;
  if (total > state.config.maxUploadBytes) {
    showMessage(`The ${files.length} files of '${name}' are ${formatBytes(total)} together, larger than this server`
      + ` accepts (${state.config.maxUploadText}); restart it with a larger --max-upload-mb.`);
    return;
  }
  $('upload-progress').hidden = false;
  $('upload-text').textContent = `packing ${files.length} files…`;
  const zip = await zipFiles(files);
  upload(new File([zip], name, { type: 'application/zip' }));
}

function upload(file) {
  clearMessage();
  const max = state.config.maxUploadBytes;
  if (file.size > max) {
    showMessage(`'${file.name}' is ${formatBytes(file.size)}, larger than this server accepts`
      + ` (${state.config.maxUploadText}); restart it with a larger --max-upload-mb, or crop the scan first.`);
    return;
  }
  if (file.size === 0) {
    showMessage(`'${file.name}' is empty (0 bytes); choose the skull file.`);
    return;
  }
  $('upload-progress').hidden = false;
  $('upload-bar').value = 0;
  $('upload-text').textContent = 'uploading…';
  const xhr = new XMLHttpRequest();
  xhr.open('POST', '/api/cases');
  xhr.setRequestHeader('Content-Type', 'application/octet-stream');
  xhr.setRequestHeader('X-File-Name', encodeURIComponent(file.name));
  xhr.upload.onprogress = (e) => {
    if (e.lengthComputable) $('upload-bar').value = e.loaded / e.total;
  };
  xhr.upload.onload = () => {
    $('upload-text').textContent = 'reading…';
  };
  xhr.onload = async () => {
    $('upload-progress').hidden = true;
    let body = null;
    try {
      body = JSON.parse(xhr.responseText);
    } catch (e) {
      // handled below
    }
    if (xhr.status !== 201 || !body) {
      showMessage(body && body.error ? body.error : `the server answered HTTP ${xhr.status}`);
      return;
    }
    state.cases.push(body);
    await selectCase(body.id);
  };
  xhr.onerror = () => {
    $('upload-progress').hidden = true;
    showMessage('The upload was cut off: the server refused it or stopped. Is the file within the size limit,'
      + ' and is the server still running?');
  };
  xhr.send(file);
}

function setUpDropping() {
  const wrap = $('viewer-wrap');
  wrap.addEventListener('dragover', (e) => {
    e.preventDefault();
    wrap.classList.add('dragging');
  });
  wrap.addEventListener('dragleave', () => wrap.classList.remove('dragging'));
  // Capture phase: NiiVue would otherwise try to open the dropped file itself, without the server.
  wrap.addEventListener('drop', (e) => {
    e.preventDefault();
    e.stopPropagation();
    wrap.classList.remove('dragging');
    if (e.dataTransfer && e.dataTransfer.files.length) openFiles(e.dataTransfer.files);
  }, true);
}

// ------------------------------------------------------------------ start

async function main() {
  try {
    state.config = await api('/api/config');
  } catch (e) {
    showMessage(e.message);
    return;
  }
  const t = state.config.threshold;
  $('version').textContent = `calvaria ${state.config.version}`;
  $('max-upload').textContent = state.config.maxUploadText;
  $('threshold-label').textContent = t.label;
  $('threshold-help').textContent = t.help;
  for (const input of [$('threshold'), $('threshold-range')]) {
    input.min = t.min;
    input.max = t.max;
    input.step = t.step;
    input.value = t.default;
  }
  const m = state.config.manufacture;
  $('clearance').min = m.clearanceMm.min;
  $('clearance').max = m.clearanceMm.max;
  $('clearance').step = m.clearanceMm.step;
  $('clearance').value = m.clearanceMm.default;
  $('clearance-help').textContent = m.clearanceMm.help;
  $('thickness-mm').value = m.minThicknessMm.default;
  setThicknessMode();
  $('thickness-mode').addEventListener('change', setThicknessMode);
  $('threshold-range').addEventListener('input', () => { $('threshold').value = $('threshold-range').value; });
  $('threshold').addEventListener('input', () => { $('threshold-range').value = $('threshold').value; });
  for (const input of [$('file-input'), $('folder-input')]) {
    input.addEventListener('change', () => {
      const files = [...input.files];
      input.value = '';
      openFiles(files);
    });
  }
  $('identity-reveal').addEventListener('click', () => {
    state.revealIdentity = !state.revealIdentity;
    const c = currentCase();
    if (c) renderCaseHeader(c);
  });
  $('design-button').addEventListener('click', startDesign);
  for (const b of document.querySelectorAll('#view-buttons button')) {
    b.addEventListener('click', () => {
      state.view = b.dataset.view;
      applyView();
    });
  }
  for (const layer of ['skull', 'implant', 'completed', 'rim', 'thickness', 'mould']) {
    $(`show-${layer}`).addEventListener('change', setLayerVisible);
  }
  $('show-mould').addEventListener('change', () => {
    if ($('show-mould').checked && state.nv) lookAtMould(state.loadSeq).catch(() => {});
  });
  $('clip-button').addEventListener('click', () => setClip(!state.clip));
  $('clip-depth').addEventListener('input', () => setClip(true));
  $('ruler-button').addEventListener('click', () => setRuler(!state.ruler));
  $('compare-run').addEventListener('change', () => {
    state.compareJobId = $('compare-run').value || null;
    renderComparison();
    syncLayers(state.loadSeq);
  });
  setUpDropping();
  renderDesignPanel();
  try {
    state.nv = await createViewer();
    window.calvariaViewer = state.nv; // for the browser test
  } catch (e) {
    showMessage(`The 3-D viewer could not start (${e.message || e}); designs and downloads still work.`, 'info');
  }
  $('cancel-button').addEventListener('click', cancelDesign);
  $('threshold').addEventListener('change', rememberPlace);
  $('threshold-range').addEventListener('change', rememberPlace);
  await refreshCases();
  // Back to where the user was (the address, else this browser's last place), else the newest case.
  const place = placeToReturnTo();
  const back0 = Number(place.threshold);
  if (Number.isFinite(back0) && back0 >= t.min && back0 <= t.max) {
    $('threshold').value = back0;
    $('threshold-range').value = back0;
  }
  const back = state.cases.find((c) => c.id === place.case);
  if (back) {
    const run = back.jobs.find((j) => j.id === place.run);
    await selectCase(back.id, run ? run.id : undefined);
  } else if (state.cases.length) {
    await selectCase(state.cases[state.cases.length - 1].id);
  }
  // Other tabs (or a restart) may add cases and runs: look every few seconds while this tab is visible.
  setInterval(() => {
    if (!document.hidden) refreshQuietly();
  }, 4000);
  document.body.dataset.app = 'ready';
}

main();
