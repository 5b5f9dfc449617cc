// keras_lens graph canvas: the SVG drawn by Graphviz in Python, made navigable in the page.
// Zoom (wheel, pinch, buttons), drag to pan, fit, minimap, search as you type, click to select
// (the `selected` trait, shared with the Python picker), arrow keys along edges, export.
// Python sends `svg` and `index` ({boxes, clusters, edges}); it is the only side reading Keras.
// An anywidget ES module: no build step. Loaded by keras_lens/views/graph_canvas.py.

const SVGNS = "http://www.w3.org/2000/svg";
const MIN_K = 0.02;
const MAX_K = 4;
// Above this many boxes, boxes and arrows outside the view are taken out of the document (a
// comment keeps each one's place) and put back as the view reaches them: Chromium's layout of a
// 1,000-box SVG took 1.5 s of its first drawing, of DenseNet121's opened conv4 stage (194 boxes)
// 160 ms. (display: none was not enough: Chromium still laid out every <text>, 0.3 s there.)
const CULL_ABOVE = 60;

function h(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

function download(name, blob) {
  const a = h("a");
  a.href = URL.createObjectURL(blob);
  a.download = name;
  a.style.display = "none";
  document.body.appendChild(a);
  a.click();
  setTimeout(() => { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
}

// The outline of a Graphviz box: the numbers of its first <path d> or <polygon points>, read as
// text (all absolute x,y pairs in Graphviz's output). No getBBox: it forces a layout of the
// whole drawing, which cost seconds on a 1,000-box graph.
function outline(g) {
  const shape = g.querySelector("path, polygon");
  if (!shape) return null;
  const text = shape.getAttribute(shape.tagName === "path" ? "d" : "points") || "";
  const nums = text.match(/-?\d+(?:\.\d+)?(?:e-?\d+)?/g);
  if (!nums || nums.length < 4) return null;
  let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
  for (let i = 0; i + 1 < nums.length; i += 2) {
    const x = +nums[i], y = +nums[i + 1];
    if (x < x0) x0 = x;
    if (x > x1) x1 = x;
    if (y < y0) y0 = y;
    if (y > y1) y1 = y;
  }
  return { x: x0, y: y0, w: x1 - x0, h: y1 - y0 };
}

function render({ model, el }) {
  const L = (k) => (model.get("labels") || {})[k] || k;
  el.classList.add("kl-canvas");
  // Lumino (JupyterLab, Notebook 7) matches no shortcut inside this: arrows and keys stay ours
  el.setAttribute("data-lm-suppress-shortcuts", "true");
  const bar = h("div", "kl-bar");
  const search = h("input", "kl-search");
  search.type = "search";
  search.placeholder = L("search");
  search.setAttribute("aria-label", L("search"));
  const results = h("div", "kl-results");
  results.setAttribute("role", "listbox");
  const searchWrap = h("div", "kl-search-wrap");
  searchWrap.append(search, results);
  const button = (name, text, title) => {
    const b = h("button", `kl-btn kl-${name}`, text);
    b.type = "button";
    b.title = title;
    b.setAttribute("aria-label", title);
    bar.appendChild(b);
    return b;
  };
  bar.appendChild(searchWrap);
  const zoomOut = button("zoom-out", "−", L("zoom_out"));
  const zoomIn = button("zoom-in", "+", L("zoom_in"));
  const fitBtn = button("fit", "⤢", L("fit"));
  const svgBtn = button("export-svg", "SVG", L("export_svg"));
  const pngBtn = button("export-png", "PNG", L("export_png"));
  const copyBtn = button("copy-summary", L("copy"), L("copy_title"));
  const status = h("span", "kl-status");
  status.setAttribute("aria-live", "polite");
  bar.appendChild(status);
  const viewport = h("div", "kl-viewport keras-lens-svg");
  viewport.tabIndex = 0;
  viewport.setAttribute("role", "application");
  viewport.setAttribute("aria-label", L("viewport"));
  const mini = h("canvas", "kl-minimap");
  const legend = h("div", "kl-legend");
  el.append(bar, viewport, legend);

  // -- state ---------------------------------------------------------------------------------
  let svg = null, root = null, overlay = null, miniBase = null;  // miniBase: {scale, rects}
  let searchIndex = [];    // [{id, key, name, cls, text, members: [[key, lower key]]}]
  let markedSel = null;    // the box carrying the class kl-is-selected
  let hidden = null;       // big drawings: [{el, mark, x, y, w, h}] not in the page yet (CULL_ABOVE)
  let natural = { w: 1, h: 1 };
  let view = { x: 0, y: 0, k: 1 };
  let boxes = {};          // box id -> {key, name, cls, kind, members, el, bb}
  let byKey = {};          // layer key or group id -> box id
  let succ = {}, pred = {};
  let frames = {};         // frame id -> {key, kind, el}
  let cursor = null;       // box id under keyboard focus
  let pendingFocus = null; // key to centre after a re-render (expand/collapse)
  let matches = [];
  let unmeasured = false;
  let hovered = new Set(); // keys of groups / nested models already reported under the pointer

  // The viewport's size, read when it is empty or resized (ResizeObserver below): reading
  // clientWidth with a new drawing attached forces Chromium to lay all of it out at once.
  let vsize = null;
  function measureViewport() {
    vsize = { w: viewport.clientWidth, h: viewport.clientHeight };
  }
  function size() {
    if (!vsize || !vsize.w) measureViewport();
    return { w: vsize.w || 600, h: vsize.h || 400 };
  }

  // The view is a CSS transform of the SVG drawn at its natural size: panning and zooming
  // move a composited layer instead of laying the whole drawing out again.
  let miniQueued = false;
  function apply() {
    if (!svg) return;
    const s = size();
    const transform =
      `translate(${-view.x * view.k}px, ${-view.y * view.k}px) scale(${view.k})`;
    svg.style.transform = transform;
    if (overlay) overlay.style.transform = transform;
    if (hidden && hidden.length) reveal(s);
    viewport.dataset.view = `${view.x} ${view.y} ${s.w / view.k} ${s.h / view.k}`;
    queueMinimap();
  }

  function queueMinimap() {  // once per frame, in the frame (no forced layout of a new drawing)
    if (miniQueued) return;
    miniQueued = true;
    requestAnimationFrame(() => { miniQueued = false; drawMinimap(); });
  }

  function reveal(s) {  // show what is in or near the view (half a view around it)
    const vw = s.w / view.k, vh = s.h / view.k;
    const x0 = view.x - vw / 2, y0 = view.y - vh / 2, x1 = view.x + vw * 1.5, y1 = view.y + vh * 1.5;
    const keep = [];
    for (const e of hidden) {
      if (e.x + e.w >= x0 && e.x <= x1 && e.y + e.h >= y0 && e.y <= y1) e.mark.replaceWith(e.el);
      else keep.push(e);
    }
    hidden = keep;
    viewport.dataset.hidden = hidden.length;
  }

  function zoomAt(factor, px, py) {
    const k = Math.min(MAX_K, Math.max(MIN_K, view.k * factor));
    const ux = view.x + px / view.k, uy = view.y + py / view.k;
    view = { k, x: ux - px / k, y: uy - py / k };
    apply();
  }

  function fit() {
    const s = size();
    const k = Math.min(s.w / natural.w, s.h / natural.h, 1.5);
    view = { k, x: (natural.w - s.w / k) / 2, y: (natural.h - s.h / k) / 2 };
    apply();
  }

  function start() {  // the first view: the whole width, from the top
    const s = size();
    const k = Math.min(1, s.w / natural.w);
    if (natural.h * k <= s.h) return fit();
    view = { k, x: (natural.w - s.w / k) / 2, y: 0 };
    apply();
  }

  function centre(id, force) {
    const b = boxes[id];
    if (!b) return;
    const s = size();
    const vw = s.w / view.k, vh = s.h / view.k;
    const inside = b.bb.x >= view.x && b.bb.y >= view.y &&
      b.bb.x + b.bb.w <= view.x + vw && b.bb.y + b.bb.h <= view.y + vh;
    if (inside && !force) return;
    if (view.k < 0.35) view.k = Math.min(1, s.w / natural.w, 0.8) > 0.35 ? 0.8 : 0.5;
    view.x = b.bb.x + b.bb.w / 2 - s.w / view.k / 2;
    view.y = b.bb.y + b.bb.h / 2 - s.h / view.k / 2;
    apply();
  }

  // -- overlays: selection, keyboard cursor, search matches ------------------------------------
  function mark(id, cls, pad) {
    const b = boxes[id];
    if (!b || !overlay) return;
    const r = h("div", cls);
    r.style.left = `${b.bb.x - pad}px`;
    r.style.top = `${b.bb.y - pad}px`;
    r.style.width = `${b.bb.w + 2 * pad}px`;
    r.style.height = `${b.bb.h + 2 * pad}px`;
    overlay.appendChild(r);
  }

  function boxOf(key) {
    if (!key) return null;
    if (byKey[key]) return byKey[key];
    let best = null, len = -1;  // a collapsed nested model holding the layer
    for (const k in byKey) {
      if (key.startsWith(k + "/") && k.length > len) { best = byKey[k]; len = k.length; }
    }
    return best;
  }

  // The marks live in their own layer above the drawing (a <div> with the drawing's size and
  // transform): changing them repaints that layer only, never the (possibly 1,000-box) SVG.
  function redrawMarks() {
    el.dataset.selected = model.get("selected") || "";
    if (!overlay) return;
    overlay.replaceChildren();
    for (const id of matches.slice(0, 300)) mark(id, "kl-match", 3);
    const sel = boxOf(model.get("selected"));
    if (sel) mark(sel, "kl-selected", 5);
    if (cursor) mark(cursor, "kl-cursor", 8);
    if (markedSel !== sel) {  // touch the two boxes that change, not every box
      if (markedSel && boxes[markedSel]) boxes[markedSel].el.classList.remove("kl-is-selected");
      if (sel) boxes[sel].el.classList.add("kl-is-selected");
      markedSel = sel;
    }
    queueMinimap();
  }

  // -- the drawing ---------------------------------------------------------------------------
  function mount() {
    const index = model.get("index") || {};
    viewport.replaceChildren();
    svg = null; boxes = {}; byKey = {}; succ = {}; pred = {}; frames = {};
    overlay = null; miniBase = null; markedSel = null; searchIndex = []; hovered = new Set();
    const text = model.get("svg");
    if (!text) {
      viewport.appendChild(h("div", "kl-empty", L("empty")));
      return;
    }
    measureViewport();  // before the drawing is attached: nothing big to lay out yet
    readColours();
    unmeasured = vsize.w === 0;  // in a hidden tab: measure again when shown
    const holder = h("div");
    holder.innerHTML = text;  // produced by Graphviz from escaped labels in Python
    svg = holder.querySelector("svg");
    if (!svg) return;
    const vb = (svg.getAttribute("viewBox") || "0 0 100 100").split(/[\s,]+/).map(Number);
    natural = { w: vb[2] || 1, h: vb[3] || 1 };
    svg.setAttribute("width", natural.w);  // one drawing unit = one CSS pixel at zoom 1
    svg.setAttribute("height", natural.h);
    root = svg.querySelector("g.graph") || svg;
    const info = index.boxes || {};
    for (const g of svg.querySelectorAll("g.node, g.cluster")) {
      const m = /(?:^|\s)kl_(\w+)/.exec(g.getAttribute("class") || "");
      if (!m) continue;
      const id = m[1];
      if (g.classList.contains("cluster")) {
        const f = (index.clusters || {})[id];
        if (f) frames[id] = { ...f, el: g };
        continue;
      }
      const b = info[id];
      if (!b) continue;
      let bb = outline(g);
      if (!bb) { const r = g.getBBox(); bb = { x: r.x, y: r.y, w: r.width, h: r.height }; }
      boxes[id] = { ...b, el: g, bb };
      byKey[b.key] = id;
      for (const k of b.members || []) byKey[k] = id;
    }
    // outlines are in the coordinates of <g class="graph">, which Graphviz translates
    const t = root.transform && root.transform.baseVal.consolidate();
    if (t) {
      const { a, d, e, f } = t.matrix;
      for (const id in boxes) {
        const bb = boxes[id].bb;
        Object.assign(bb, { x: bb.x * a + e, y: bb.y * d + f, w: bb.w * a, h: bb.h * d });
      }
    }
    hidden = null;
    if (Object.keys(boxes).length > CULL_ABOVE) {  // still detached: nothing laid out yet
      const { a, d, e, f } = t ? t.matrix : { a: 1, d: 1, e: 0, f: 0 };
      hidden = [];
      for (const g of root.querySelectorAll(":scope > g.node, :scope > g.edge")) {
        const o = outline(g);
        if (!o) continue;
        const mark = document.createComment("");  // its place: SVG paints in document order
        g.replaceWith(mark);
        hidden.push({ el: g, mark, x: o.x * a + e, y: o.y * d + f, w: o.w * a, h: o.h * d });
      }
    }
    viewport.appendChild(svg);
    viewport.appendChild(mini);
    overlay = h("div", "kl-overlay");  // a sibling layer, in drawing units
    overlay.style.width = `${natural.w}px`;
    overlay.style.height = `${natural.h}px`;
    viewport.insertBefore(overlay, mini);
    for (const [a, b] of index.edges || []) {
      (succ[a] = succ[a] || []).push(b);
      (pred[b] = pred[b] || []).push(a);
    }
    for (const id in boxes) {
      const b = boxes[id];
      searchIndex.push({
        id, key: b.key, name: b.name, cls: b.cls,
        text: `${b.name}\u0000${b.cls}`.toLowerCase(),
        members: (b.members || []).map((k) => [k, k.toLowerCase()]),
      });
    }
    if (cursor && !boxes[cursor]) cursor = null;
    runSearch(false);
    redrawMarks();
  }

  function remount() {
    const keep = { ...view };
    const first = !svg;
    mount();
    if (first || !svg) { start(); } else { view = keep; apply(); }
    if (pendingFocus) {
      const id = boxOf(pendingFocus) || byKey[pendingFocus];
      pendingFocus = null;
      if (id) centre(id, true);
    } else {
      const sel = boxOf(model.get("selected"));
      if (sel) centre(sel, false);
    }
    status.textContent = "";
  }

  // -- minimap -------------------------------------------------------------------------------
  // The theme's colours, read when no new drawing waits to be styled: getComputedStyle right
  // after a drawing is attached forces Chromium to style all of it at once (0.3-0.5 s of a
  // 1,000-box drawing's first frame). mount() reads them before it attaches the drawing.
  let colours = { at: -Infinity, node: "#9aa5b1", accent: "#1976d2" };
  function readColours() {
    const css = getComputedStyle(el);
    colours = {
      at: performance.now(),
      node: css.getPropertyValue("--kl-mini-node").trim() || "#9aa5b1",
      accent: css.getPropertyValue("--kl-accent").trim() || "#1976d2",
    };
  }

  function drawMinimap() {
    if (!svg) return;
    const s = size();
    const tall = natural.h * view.k > s.h * 1.05 || natural.w * view.k > s.w * 1.05;
    mini.style.display = tall ? "block" : "none";
    if (!tall) return;
    const mh = Math.min(s.h - 16, 260);
    const scale = Math.min(mh / natural.h, 120 / natural.w);
    const mw = Math.max(24, natural.w * scale);
    const mhh = Math.max(1, Math.round(natural.h * scale));
    if (performance.now() - colours.at > 1000) readColours();  // a theme change, once settled
    const nodeColour = colours.node;
    if (!miniBase || miniBase.scale !== scale) {  // the boxes' rectangles, once per drawing
      const ids = Object.keys(boxes);
      const r = new Float32Array(4 * ids.length);
      ids.forEach((id, i) => {
        const bb = boxes[id].bb;
        r.set([bb.x * scale, bb.y * scale, Math.max(1, bb.w * scale), Math.max(1, bb.h * scale)],
          4 * i);
      });
      miniBase = { scale, rects: r };
    }
    // painted in full each time (a few hundred rectangles: well under 1 ms); a cached canvas
    // copied with drawImage waited 40-100 ms for the GPU process while a new drawing was rastered
    const w = Math.round(mw);
    if (mini.width !== w) mini.width = w;
    if (mini.height !== mhh) mini.height = mhh;
    const c = mini.getContext("2d");
    c.clearRect(0, 0, mini.width, mini.height);
    c.fillStyle = nodeColour;
    const r = miniBase.rects;
    for (let i = 0; i < r.length; i += 4) c.fillRect(r[i], r[i + 1], r[i + 2], r[i + 3]);
    const sel = boxOf(model.get("selected"));
    const accent = colours.accent;
    if (sel) {
      const bb = boxes[sel].bb;
      c.fillStyle = accent;
      c.fillRect(bb.x * scale - 1, bb.y * scale - 1, bb.w * scale + 2, bb.h * scale + 2);
    }
    c.strokeStyle = accent;
    c.lineWidth = 2;
    c.strokeRect(view.x * scale, view.y * scale, (s.w / view.k) * scale, (s.h / view.k) * scale);
  }

  function miniJump(ev) {
    const r = mini.getBoundingClientRect();
    const scale = mini.height / natural.h;
    const s = size();
    view.x = (ev.clientX - r.left) / scale - s.w / view.k / 2;
    view.y = (ev.clientY - r.top) / scale - s.h / view.k / 2;
    apply();
  }
  let miniDrag = false;
  mini.addEventListener("pointerdown", (ev) => {
    ev.stopPropagation(); ev.preventDefault(); miniDrag = true; miniJump(ev);
  });
  const miniMove = (ev) => { if (miniDrag) miniJump(ev); };
  const miniUp = () => { miniDrag = false; };
  window.addEventListener("pointermove", miniMove);
  window.addEventListener("pointerup", miniUp);

  // -- pointer: pan, zoom, click, double-click -------------------------------------------------
  let drag = null, moved = false;
  viewport.addEventListener("wheel", (ev) => {
    ev.preventDefault();
    const r = viewport.getBoundingClientRect();
    const scale = ev.deltaMode === 1 ? 20 : 1;
    zoomAt(Math.exp(-ev.deltaY * scale * (ev.ctrlKey ? 0.01 : 0.0015)),
      ev.clientX - r.left, ev.clientY - r.top);
  }, { passive: false });
  const pointers = new Map();
  viewport.addEventListener("pointerdown", (ev) => {
    if (ev.button !== 0) return;
    pointers.set(ev.pointerId, { x: ev.clientX, y: ev.clientY });
    drag = { x: ev.clientX, y: ev.clientY, vx: view.x, vy: view.y };
    moved = false;
  });
  viewport.addEventListener("pointermove", (ev) => {
    if (!drag || !pointers.has(ev.pointerId)) return;
    if (pointers.size === 2) {  // pinch on a touch screen
      const [p, q] = [...pointers.values()];
      const before = Math.hypot(p.x - q.x, p.y - q.y);
      pointers.set(ev.pointerId, { x: ev.clientX, y: ev.clientY });
      const [p2, q2] = [...pointers.values()];
      const after = Math.hypot(p2.x - q2.x, p2.y - q2.y);
      const r = viewport.getBoundingClientRect();
      if (before > 0) zoomAt(after / before, (p2.x + q2.x) / 2 - r.left, (p2.y + q2.y) / 2 - r.top);
      moved = true;
      return;
    }
    const dx = ev.clientX - drag.x, dy = ev.clientY - drag.y;
    if (!moved && Math.hypot(dx, dy) < 4) return;
    if (!moved) viewport.setPointerCapture(ev.pointerId);
    moved = true;
    view.x = drag.vx - dx / view.k;
    view.y = drag.vy - dy / view.k;
    apply();
  });
  const endDrag = (ev) => { pointers.delete(ev.pointerId); if (!pointers.size) drag = null; };
  viewport.addEventListener("pointerup", endDrag);
  viewport.addEventListener("pointercancel", endDrag);

  function boxAt(target) {
    const g = target.closest && target.closest("g.node");
    const m = g && /(?:^|\s)kl_(\w+)/.exec(g.getAttribute("class") || "");
    return m && boxes[m[1]] ? m[1] : null;
  }

  // The group or nested model under the pointer: Python starts laying out what its click will
  // draw, so the layout is (mostly) done when the click comes. Once per key and drawing.
  function hoverKey(target) {
    const id = boxAt(target);
    if (id && (boxes[id].kind === "group" || boxes[id].kind === "model")) return boxes[id].key;
    const frame = target.closest && target.closest("g.cluster");
    const m = frame && /(?:^|\s)kl_(\w+)/.exec(frame.getAttribute("class") || "");
    return m && frames[m[1]] ? frames[m[1]].key : null;
  }
  viewport.addEventListener("pointerover", (ev) => {
    if (drag) return;
    const key = hoverKey(ev.target);
    if (!key || hovered.has(key)) return;
    hovered.add(key);
    model.send({ type: "hover", key });
  });

  function toggle(key, target) {
    pendingFocus = key;
    status.textContent = L("redrawing");
    // an answer in the same frame: the clicked box or frame is marked until the new drawing
    if (target) target.classList.add("kl-opening");
    model.send({ type: "toggle", key });
  }

  function choose(id) {
    const b = boxes[id];
    if (!b) return;
    cursor = id;
    if (b.kind === "group") { toggle(b.key, b.el); return; }
    model.set("selected", b.key);
    model.save_changes();
    redrawMarks();
  }

  viewport.addEventListener("click", (ev) => {
    if (moved) { moved = false; return; }
    const id = boxAt(ev.target);
    if (id) { choose(id); return; }
    const frame = ev.target.closest && ev.target.closest("g.cluster");
    if (frame && ev.target.closest("text")) {
      const m = /(?:^|\s)kl_(\w+)/.exec(frame.getAttribute("class") || "");
      if (m && frames[m[1]]) toggle(frames[m[1]].key, frame);
    }
  });
  viewport.addEventListener("dblclick", (ev) => {
    const id = boxAt(ev.target);
    if (id && boxes[id].kind === "model") toggle(boxes[id].key, boxes[id].el);
  });

  // -- keyboard ------------------------------------------------------------------------------
  // Listened for on window, capture phase: it runs before the front end's document-level
  // shortcut handler (Notebook 7 moves to the next cell on ArrowDown otherwise).
  const onKey = (ev) => {
    if (ev.target !== viewport) return;
    const lr = model.get("rankdir") === "LR";
    const ids = Object.keys(boxes);
    if (!ids.length) return;
    if (!cursor) cursor = boxOf(model.get("selected")) || ids[0];
    const fwd = lr ? "ArrowRight" : "ArrowDown", back = lr ? "ArrowLeft" : "ArrowUp";
    const side = lr ? ["ArrowUp", "ArrowDown"] : ["ArrowLeft", "ArrowRight"];
    let next = null;
    if (ev.key === fwd) next = (succ[cursor] || [])[0];
    else if (ev.key === back) next = (pred[cursor] || [])[0];
    else if (side.includes(ev.key)) {  // the other branches beside this box
      const parent = (pred[cursor] || [])[0];
      const sibs = parent ? succ[parent] : ids;
      const i = sibs.indexOf(cursor);
      const step = ev.key === side[0] ? -1 : 1;
      next = sibs[(i + step + sibs.length) % sibs.length];
    } else if (ev.key === "Enter" || ev.key === " ") { choose(cursor); ev.preventDefault(); return; }
    else if (ev.key === "+" || ev.key === "=") { const s = size(); zoomAt(1.25, s.w / 2, s.h / 2); }
    else if (ev.key === "-") { const s = size(); zoomAt(0.8, s.w / 2, s.h / 2); }
    else if (ev.key === "0") fit();
    else return;
    ev.preventDefault();
    ev.stopPropagation();  // keep Jupyter's own shortcuts out of the drawing
    if (next) {
      cursor = next;
      status.textContent = `${boxes[next].name} (${boxes[next].cls})`;
      centre(next, false);
    }
    redrawMarks();
  };
  window.addEventListener("keydown", onKey, true);

  // -- search --------------------------------------------------------------------------------
  let active = 0;
  function runSearch(jump) {
    const q = search.value.trim().toLowerCase();
    matches = [];
    results.replaceChildren();
    if (!q) { results.style.display = "none"; redrawMarks(); return; }
    const found = [];
    for (const e of searchIndex) {  // lower-cased once per drawing, in mount()
      if (e.text.includes(q)) found.push({ id: e.id, key: e.key, text: `${e.name} (${e.cls})` });
      for (const [k, low] of e.members) {
        if (low.includes(q)) found.push({ id: e.id, key: k, text: `${k} ∈ ${e.name}` });
      }
    }
    matches = [...new Set(found.map((f) => f.id))];
    active = 0;
    const shown = found.slice(0, 12);
    shown.forEach((f, i) => {
      const item = h("div", "kl-result", f.text);
      item.setAttribute("role", "option");
      item.dataset.key = f.key;
      item.dataset.box = f.id;
      item.addEventListener("mousedown", (ev) => { ev.preventDefault(); pick(f); });
      if (i === 0) item.classList.add("kl-active");
      results.appendChild(item);
    });
    if (found.length > shown.length) {
      results.appendChild(h("div", "kl-more", `… ${found.length - shown.length} ${L("more")}`));
    }
    if (!found.length) results.appendChild(h("div", "kl-more", L("no_match")));
    results.style.display = "block";
    status.textContent = `${matches.length} ${L("matches")}`;
    if (jump && shown.length) centre(shown[0].id, false);
    redrawMarks();
    results._found = shown;
  }

  function pick(f) {
    model.set("selected", f.key);
    model.save_changes();
    cursor = f.id;
    centre(f.id, false);
    redrawMarks();
  }

  search.addEventListener("input", () => runSearch(true));
  search.addEventListener("keydown", (ev) => {
    const found = results._found || [];
    ev.stopPropagation();  // typing in the box must not run notebook shortcuts
    if (ev.key === "ArrowDown" || ev.key === "ArrowUp") {
      if (!found.length) return;
      ev.preventDefault();
      active = (active + (ev.key === "ArrowDown" ? 1 : -1) + found.length) % found.length;
      [...results.querySelectorAll(".kl-result")].forEach((n, i) =>
        n.classList.toggle("kl-active", i === active));
      centre(found[active].id, false);
    } else if (ev.key === "Enter") {
      if (found[active]) pick(found[active]);
    } else if (ev.key === "Escape") {
      search.value = "";
      runSearch(false);
    }
  });
  search.addEventListener("blur", () => { results.style.display = "none"; });
  search.addEventListener("focus", () => { if (search.value) runSearch(false); });

  // -- buttons -------------------------------------------------------------------------------
  zoomIn.addEventListener("click", () => { const s = size(); zoomAt(1.25, s.w / 2, s.h / 2); });
  zoomOut.addEventListener("click", () => { const s = size(); zoomAt(0.8, s.w / 2, s.h / 2); });
  fitBtn.addEventListener("click", fit);

  function standalone() {
    for (const e of hidden || []) e.mark.replaceWith(e.el);  // every box, for the copy
    const copy = svg.cloneNode(true);
    for (const e of hidden || []) e.el.replaceWith(e.mark);
    for (const g of copy.querySelectorAll("g.node, g.edge")) g.style.removeProperty("display");
    copy.setAttribute("xmlns", SVGNS);
    copy.setAttribute("xmlns:xlink", "http://www.w3.org/1999/xlink");
    copy.setAttribute("viewBox", `0 0 ${natural.w} ${natural.h}`);
    copy.setAttribute("width", `${natural.w}pt`);
    copy.setAttribute("height", `${natural.h}pt`);
    copy.removeAttribute("style");
    return '<?xml version="1.0" encoding="UTF-8"?>\n' +
      new XMLSerializer().serializeToString(copy);
  }
  const fileName = (ext) => `${(model.get("name") || "model").replace(/[^\w.-]+/g, "_")}.${ext}`;
  svgBtn.addEventListener("click", () => {
    if (!svg) return;
    download(fileName("svg"), new Blob([standalone()], { type: "image/svg+xml" }));
  });
  pngBtn.addEventListener("click", () => {
    if (!svg) return;
    const px = natural.w * 4 / 3, py = natural.h * 4 / 3;  // pt -> px
    const scale = Math.min(2, 16000 / Math.max(px, py), Math.sqrt(2.5e8 / (px * py)));
    const url = URL.createObjectURL(new Blob([standalone()], { type: "image/svg+xml" }));
    const img = new Image();
    img.onload = () => {
      const c = document.createElement("canvas");
      c.width = Math.max(1, Math.round(px * scale));
      c.height = Math.max(1, Math.round(py * scale));
      const g = c.getContext("2d");
      g.fillStyle = "#ffffff";
      g.fillRect(0, 0, c.width, c.height);
      g.drawImage(img, 0, 0, c.width, c.height);
      URL.revokeObjectURL(url);
      c.toBlob((blob) => blob && download(fileName("png"), blob), "image/png");
    };
    img.src = url;
  });
  // a big model's summary is made in Python on the first click (it took seconds up front)
  const summaryText = () => new Promise((resolve) => {
    const text = model.get("summary_text") || "";
    if (text || !model.get("summary_lazy")) { resolve(text); return; }
    status.textContent = L("preparing");
    const done = () => {
      model.off("change:summary_text", done);
      resolve(model.get("summary_text") || "");
    };
    model.on("change:summary_text", done);
    model.send({ type: "summary" });
  });
  copyBtn.addEventListener("click", async () => {
    const text = await summaryText();
    try {
      await navigator.clipboard.writeText(text);
    } catch (_) {  // no clipboard permission (an http page): the old way
      const area = h("textarea");
      area.value = text;
      document.body.appendChild(area);
      area.select();
      document.execCommand("copy");
      area.remove();
    }
    el.dataset.copied = text.length;
    status.textContent = L("copied");
  });

  function drawLegend() {
    legend.replaceChildren();
    for (const [label, colour, style] of model.get("legend") || []) {
      const item = h("span", "kl-legend-item");
      const sw = h("span", "kl-swatch");
      sw.style.background = colour;
      if (style) sw.style.border = style;
      item.append(sw, document.createTextNode(label));
      legend.appendChild(item);
    }
  }

  // -- model events --------------------------------------------------------------------------
  const onSvg = () => remount();
  const onSel = () => {
    const id = boxOf(model.get("selected"));
    redrawMarks();
    if (id) centre(id, false);
  };
  model.on("change:svg", onSvg);
  model.on("change:selected", onSel);
  model.on("change:legend", drawLegend);
  const resize = new ResizeObserver(() => {
    measureViewport();
    if (unmeasured && vsize.w > 0) { svg = null; remount(); } else if (svg) apply();
  });
  resize.observe(viewport);
  drawLegend();
  // the element is attached to the page after render() returns: mount once it has a size
  requestAnimationFrame(() => remount());
  return () => {
    model.off("change:svg", onSvg);
    model.off("change:selected", onSel);
    model.off("change:legend", drawLegend);
    resize.disconnect();
    window.removeEventListener("pointermove", miniMove);
    window.removeEventListener("pointerup", miniUp);
    window.removeEventListener("keydown", onKey, true);
  };
}

export default { render };
