// The Calvaria web app: open a skull, view it in 3-D (NiiVue, served from this jar), design an implant, download it.
// Everything talks to the local server only; nothing is loaded from the internet.
import { Niivue, SLICE_TYPE, SHOW_RENDER } from '/static/vendor/niivue/niivue.js';

const $ = (id) => document.getElementById(id);

const state = {
  config: null,
  cases: [],
  caseId: null,
  jobId: null, // the run shown in the result panel and the viewer
  nv: null,
  loadSeq: 0, // newest viewer load; older ones that finish late are ignored
  volumeIndex: { skull: 0, completed: -1, implant: -1 },
  rimShown: false, // the run's rim markers are the viewer's mesh
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
  });
  await nv.attachTo('viewer');
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
    b.disabled = isMesh && b.dataset.view !== 'render';
  }
}

/** Shows the case (and the run's implant and completed skull, when given) in the viewer. */
async function showInViewer(c, job) {
  $('viewer-empty').hidden = true;
  const nv = state.nv;
  if (!nv) return;
  const seq = ++state.loadSeq;
  document.body.dataset.viewer = 'loading';
  try {
    for (const m of [...nv.meshes]) nv.removeMesh(m);
    if (c.kind === 'mesh') {
      await nv.loadVolumes([]);
      await nv.loadMeshes([{ url: c.viewUrl, rgba255: [226, 220, 205, 255] }]);
      state.volumeIndex = { skull: -1, completed: -1, implant: -1 };
    } else {
      const skull = { url: c.viewUrl, colormap: 'gray', opacity: $('show-skull').checked ? 1 : 0 };
      if (c.binary) {
        skull.cal_min = 0;
        skull.cal_max = 1;
      } else if (c.valueRange && c.valueRange[0] < -500) {
        skull.cal_min = 150; // a CT in Hounsfield units: a bone window
        skull.cal_max = 1500;
      }
      const list = [skull];
      const index = { skull: 0, completed: -1, implant: -1 };
      const files = job && job.state === 'done' ? job.files : null;
      if (files && files['completed.nrrd']) {
        index.completed = list.length;
        list.push({ url: files['completed.nrrd'], colormap: 'green', cal_min: 0.5, cal_max: 1,
          opacity: $('show-completed').checked ? 0.45 : 0 });
      }
      if (files) {
        index.implant = list.length;
        list.push({ url: files['implant.nrrd'], colormap: 'red', cal_min: 0.5, cal_max: 1,
          opacity: $('show-implant').checked ? 1 : 0 });
      }
      await nv.loadVolumes(list);
      if (seq !== state.loadSeq) return;
      state.volumeIndex = index;
      state.rimShown = false;
      if (files && files['rims.stl']) {
        await nv.loadMeshes([{ url: files['rims.stl'], rgba255: [40, 200, 255, 255],
          opacity: $('show-rim').checked ? 1 : 0 }]);
        if (seq !== state.loadSeq) return;
        state.rimShown = true;
      }
      if (index.implant >= 0) moveCrosshairTo(nv.volumes[index.implant]);
      if (files && files['holes.json']) await lookAtDefect(files['holes.json'], seq);
    }
    if (state.shownCaseId !== c.id) {
      state.shownCaseId = c.id;
      // from the front-left and above: the vault, where defects usually are (until a run shows where the hole is)
      if (!(job && job.files && job.files['holes.json'])) nv.setRenderAzimuthElevation(120, 30);
    }
    if (seq !== state.loadSeq) return;
    applyView();
    document.body.dataset.viewer = 'ready';
    document.body.dataset.viewerLayers = String(nv.volumes.length + nv.meshes.length);
    document.body.dataset.rim = state.rimShown ? 'shown' : 'none';
  } catch (e) {
    if (seq !== state.loadSeq) return;
    document.body.dataset.viewer = 'failed';
    showMessage(`The viewer could not show this file (${e.message || e}). Designs and downloads still work.`);
  }
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

/** Puts the slice cross-hair at the centre of a mask's voxels, so that every slice view cuts the implant. */
function moveCrosshairTo(volume) {
  const [, nx, ny] = volume.hdr.dims;
  const img = volume.img;
  let sx = 0, sy = 0, sz = 0, n = 0;
  for (let i = 0; i < img.length; i++) {
    if (img[i] > 0) {
      sx += i % nx;
      sy += Math.floor(i / nx) % ny;
      sz += Math.floor(i / (nx * ny));
      n++;
    }
  }
  if (!n) return;
  const mm = volume.vox2mm([sx / n, sy / n, sz / n], volume.matRAS);
  state.nv.scene.crosshairPos = state.nv.mm2frac(mm);
  state.nv.drawScene();
  document.body.dataset.crosshairMm = JSON.stringify(Array.from(mm).slice(0, 3).map((v) => Math.round(v * 10) / 10));
}

function updateToggles() {
  const c = currentCase();
  const job = currentJob();
  const done = job && job.state === 'done';
  $('show-skull').disabled = !c;
  $('show-implant').disabled = !done;
  $('show-completed').disabled = !(done && job.files['completed.nrrd']);
  $('show-rim').disabled = !(done && job.files['rims.stl']);
}

function setLayerVisible(layer, visible) {
  const nv = state.nv;
  if (!nv) return;
  const c = currentCase();
  if (layer === 'skull' && c && c.kind === 'mesh') {
    for (const m of nv.meshes) nv.setMeshProperty(m.id, 'opacity', visible ? 1 : 0);
    return;
  }
  if (layer === 'rim') {
    if (state.rimShown) for (const m of nv.meshes) nv.setMeshProperty(m.id, 'opacity', visible ? 1 : 0);
    return;
  }
  const i = state.volumeIndex[layer];
  if (i >= 0 && i < nv.volumes.length) nv.setOpacity(i, visible ? (layer === 'completed' ? 0.45 : 1) : 0);
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
  return `${t}: ${j.state}${j.stage ? ` (${j.stage})` : ''}`;
}

function renderCases() {
  const list = $('cases');
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
        runs.append(r);
      }
      li.append(runs);
    }
    li.addEventListener('click', () => selectCase(c.id));
    list.append(li);
  }
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
  await showInViewer(c, currentJob());
}

function renderCaseHeader(c) {
  $('case-title').textContent = c.name;
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
  const preview = job.files['preview.png'];
  $('preview-figure').hidden = !preview;
  if (preview) $('preview').src = preview;
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
  $('design-button').disabled = true;
  try {
    const job = await api(`/api/cases/${c.id}/design`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ threshold }),
    });
    c.jobs.push(job);
    renderCases();
    renderDesignPanel();
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
      if (job.state === 'done' || job.state === 'failed') {
        if (job.caseId !== state.caseId) return;
        if (job.state === 'failed') {
          showMessage(`The design failed: ${job.error}`);
          return;
        }
        state.jobId = job.id;
        renderCases();
        renderDesignPanel();
        updateToggles();
        await showInViewer(currentCase(), job);
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
    const file = e.dataTransfer && e.dataTransfer.files[0];
    if (file) upload(file);
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
  $('threshold-range').addEventListener('input', () => { $('threshold').value = $('threshold-range').value; });
  $('threshold').addEventListener('input', () => { $('threshold-range').value = $('threshold').value; });
  $('file-input').addEventListener('change', () => {
    const f = $('file-input').files[0];
    $('file-input').value = '';
    if (f) upload(f);
  });
  $('design-button').addEventListener('click', startDesign);
  for (const b of document.querySelectorAll('#view-buttons button')) {
    b.addEventListener('click', () => {
      state.view = b.dataset.view;
      applyView();
    });
  }
  $('show-skull').addEventListener('change', (e) => setLayerVisible('skull', e.target.checked));
  $('show-implant').addEventListener('change', (e) => setLayerVisible('implant', e.target.checked));
  $('show-completed').addEventListener('change', (e) => setLayerVisible('completed', e.target.checked));
  $('show-rim').addEventListener('change', (e) => setLayerVisible('rim', e.target.checked));
  setUpDropping();
  renderDesignPanel();
  try {
    state.nv = await createViewer();
  } catch (e) {
    showMessage(`The 3-D viewer could not start (${e.message || e}); designs and downloads still work.`, 'info');
  }
  await refreshCases();
  if (state.cases.length) await selectCase(state.cases[state.cases.length - 1].id);
  document.body.dataset.app = 'ready';
}

main();
