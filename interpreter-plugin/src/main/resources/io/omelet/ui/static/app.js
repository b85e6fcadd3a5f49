// Omelet UI: one page, hash routes, everything from /api/. User-provided strings (names, tags,
// params, messages) only ever go into the page as text nodes, never as markup.
"use strict";

const app = document.getElementById("app");
let session = { writes: false, token: null };

// ------------------------------------------------------------------ small helpers

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v === true ? "" : String(v));
  }
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined) continue;
    e.appendChild(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}

function svgEl(tag, attrs, ...children) {
  const e = document.createElementNS("http://www.w3.org/2000/svg", tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, String(v));
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined) continue;
    e.appendChild(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}

function link(hash, text) { return el("a", { href: hash }, text); }
function runLink(id, name) { return link("#/run/" + encodeURIComponent(id), name || id); }

async function api(path, opts) {
  const res = await fetch(path, Object.assign({ headers: { "Accept": "application/json" } }, opts || {}));
  const body = await res.json().catch(() => ({ error: "HTTP " + res.status }));
  if (!res.ok) { const e = new Error(body.error || ("HTTP " + res.status)); e.status = res.status; e.body = body; throw e; }
  return body;
}

function fmtTime(ms) { return ms ? new Date(ms).toISOString().replace("T", " ").slice(0, 19) : ""; }
function fmtDuration(ms) {
  if (ms === null || ms === undefined) return "";
  const s = ms / 1000;
  return s < 60 ? s.toFixed(1) + " s" : s < 3600 ? (s / 60).toFixed(1) + " min" : (s / 3600).toFixed(1) + " h";
}
function fmtNum(v) {
  if (typeof v !== "number") return v === null || v === undefined ? "" : String(v);
  return Math.abs(v) >= 1e5 || (v !== 0 && Math.abs(v) < 1e-3) ? v.toExponential(4) : String(+v.toFixed(6));
}
function params() {
  const q = location.hash.indexOf("?");
  return new URLSearchParams(q < 0 ? "" : location.hash.slice(q + 1));
}
function setParams(route, p) { location.hash = route + "?" + p.toString(); }
function show(...nodes) { app.replaceChildren(...nodes.flat().filter(n => n !== null && n !== undefined)); }
function failure(e) {
  return el("div", {}, el("h1", {}, e.status === 404 ? "Not found" : "Error"), el("p", { class: "bad" }, e.message));
}

// ------------------------------------------------------------------ experiments

async function experimentsPage() {
  const exps = await api("/api/experiments");
  const rows = exps.map(x => el("tr", {},
    el("td", {}, link("#/runs?exp=" + encodeURIComponent(x.experiment_id), x.name)),
    el("td", { class: "num" }, x.run_count),
    el("td", {}, fmtTime(x.last_activity)),
    el("td", { class: "muted" }, x.experiment_id)));
  show(el("h1", {}, "Experiments"),
    exps.length ? el("table", {}, el("tr", {}, el("th", {}, "name"), el("th", {}, "runs"), el("th", {}, "last activity"),
      el("th", {}, "id")), rows) : el("p", { class: "muted" }, "No experiments yet: run omelet run or log runs first."));
}

// ------------------------------------------------------------------ runs table

async function runsPage() {
  const p = params();
  const exps = p.getAll("exp");
  const q = new URLSearchParams();
  exps.forEach(e => q.append("experiment_id", e));
  if (p.get("filter")) q.set("filter", p.get("filter"));
  if (p.get("order")) q.set("order_by", p.get("order"));
  if (p.get("page")) q.set("page_token", p.get("page"));
  q.set("max_results", p.get("size") || "50");
  const filterBox = el("input", { type: "text", placeholder: "metrics.auc > 0.8 and (params.algo = 'GBM' or tags.team = 'risk')",
    value: p.get("filter") || "" });
  const error = el("div", { class: "bad" });
  const apply = () => { const n = new URLSearchParams(p); n.set("filter", filterBox.value); n.delete("page"); setParams("#/runs", n); };
  filterBox.addEventListener("keydown", ev => { if (ev.key === "Enter") apply(); });
  const header = el("div", {}, el("h1", {}, "Runs"),
    el("div", { class: "toolbar" }, filterBox, el("button", { onclick: apply }, "Search"),
      el("button", { id: "compare", onclick: () => compareSelected() }, "Compare selected"),
      el("button", { onclick: () => chartSelected() }, "Chart selected")), error);
  let page;
  try {
    page = await api("/api/runs?" + q.toString());
  } catch (e) {
    if (e.body && e.body.position !== undefined) {
      error.textContent = e.message;
      filterBox.focus();
      filterBox.setSelectionRange(e.body.position, Math.min(filterBox.value.length, e.body.position + 1));
      show(header);
      return;
    }
    throw e;
  }
  const chosen = (p.get("cols") || "").split(",").filter(x => x);
  const cols = chosen.length ? chosen
    : page.columns.metrics.slice(0, 6).map(k => "metrics." + k).concat(page.columns.params.slice(0, 3).map(k => "params." + k));
  const order = p.get("order") || "";
  const sortBy = col => {
    const n = new URLSearchParams(p);
    n.set("order", order === col + " DESC" ? col + " ASC" : col + " DESC");
    n.delete("page");
    setParams("#/runs", n);
  };
  const th = (label, key) => el("th", key ? { class: "sortable", title: "sort by " + key, onclick: () => sortBy(key) } : {},
    label, order.startsWith(key + " ") ? (order.endsWith("ASC") ? " ▲" : " ▼") : "");
  const head = el("tr", {}, el("th", {}, ""), th("run", "attributes.run_name"), th("status", "attributes.status"),
    th("start", "attributes.start_time"), el("th", {}, "duration"), el("th", {}, "user"), el("th", {}, "dataset"),
    cols.map(c => th(c, c)));
  // children right under their parent when both are on the page
  const byParent = new Map();
  page.runs.forEach(r => { if (r.parent_run_id) (byParent.get(r.parent_run_id) || byParent.set(r.parent_run_id, []).get(r.parent_run_id)).push(r); });
  const onPage = new Set(page.runs.map(r => r.run_id));
  const ordered = [];
  page.runs.forEach(r => {
    if (r.parent_run_id && onPage.has(r.parent_run_id)) return;
    ordered.push([r, false]);
    (byParent.get(r.run_id) || []).forEach(c => ordered.push([c, true]));
  });
  const value = (r, c) => {
    const dot = c.indexOf(".");
    const kind = c.slice(0, dot), key = c.slice(dot + 1);
    return kind === "metrics" ? r.metrics[key] : kind === "params" ? r.params[key] : kind === "tags" ? r.tags[key] : r[key];
  };
  const body = ordered.map(([r, child]) => el("tr", { class: child ? "child" : null },
    el("td", {}, el("input", { type: "checkbox", class: "pick", value: r.run_id })),
    el("td", {}, runLink(r.run_id, r.run_name || r.run_id)),
    el("td", { class: "status-" + r.status }, r.status),
    el("td", {}, fmtTime(r.start_time)),
    el("td", { class: "num" }, fmtDuration(r.duration_ms)),
    el("td", {}, r.user_id || ""),
    el("td", {}, r.dataset || ""),
    cols.map(c => el("td", { class: c.startsWith("metrics.") ? "num" : null }, fmtNum(value(r, c))))));
  const all = [].concat(page.columns.metrics.map(k => "metrics." + k), page.columns.params.map(k => "params." + k),
    page.columns.tags.filter(k => !k.startsWith("mlflow.")).map(k => "tags." + k));
  const picker = el("select", { multiple: true, size: 6, title: "columns" },
    all.map(c => el("option", { value: c, selected: cols.includes(c) }, c)));
  const colsButton = el("button", { onclick: () => {
    const n = new URLSearchParams(p);
    n.set("cols", Array.from(picker.selectedOptions).map(o => o.value).join(","));
    setParams("#/runs", n);
  } }, "Show columns");
  const next = page.next_page_token ? el("button", { onclick: () => { const n = new URLSearchParams(p); n.set("page", page.next_page_token); setParams("#/runs", n); } }, "Next page") : null;
  const first = p.get("page") ? el("button", { onclick: () => { const n = new URLSearchParams(p); n.delete("page"); setParams("#/runs", n); } }, "First page") : null;
  show(header, el("div", { class: "toolbar" }, picker, colsButton),
    page.runs.length ? el("table", { id: "runs" }, head, body) : el("p", { class: "muted" }, "No runs match."),
    el("div", { class: "toolbar" }, first, next));
}

function selectedRuns() { return Array.from(document.querySelectorAll("input.pick:checked")).map(x => x.value); }
function compareSelected() {
  const ids = selectedRuns();
  if (ids.length < 2) { alert("Select two or more runs to compare."); return; }
  const n = new URLSearchParams(); ids.forEach(i => n.append("id", i)); setParams("#/compare", n);
}
function chartSelected() {
  const ids = selectedRuns();
  if (!ids.length) { alert("Select one or more runs to chart."); return; }
  const n = new URLSearchParams(); ids.forEach(i => n.append("id", i)); setParams("#/chart", n);
}

// ------------------------------------------------------------------ run page

function kvTable(obj, numeric) {
  const keys = Object.keys(obj).sort();
  if (!keys.length) return el("p", { class: "muted" }, "none");
  return el("table", {}, keys.map(k => el("tr", {}, el("th", {}, k), el("td", { class: numeric ? "num" : null }, fmtNum(obj[k])))));
}

async function runPage(id) {
  const r = await api("/api/runs/" + encodeURIComponent(id));
  const metricLinks = Object.keys(r.metrics).sort().map(k => el("tr", {}, el("th", {}, k),
    el("td", { class: "num" }, fmtNum(r.metrics[k])),
    el("td", {}, link("#/chart?id=" + encodeURIComponent(id) + "&key=" + encodeURIComponent(k), "chart"))));
  const inputs = r.inputs.length ? el("table", {}, el("tr", {}, el("th", {}, "name"), el("th", {}, "kind"), el("th", {}, "path"),
    el("th", {}, "version / digest"), el("th", {}, "reproduce")),
    r.inputs.map(i => el("tr", {}, el("td", {}, i.name), el("td", {}, i.kind), el("td", {}, i.path),
      el("td", {}, i.version !== null && i.version !== undefined ? "v" + i.version : (i.digest || "").slice(0, 16)),
      el("td", {}, el("code", {}, i.reproduce))))) : el("p", { class: "muted" }, "none");
  const preview = el("div", { id: "preview" });
  const tree = el("div", { class: "tree card", id: "artifacts" });
  show(el("h1", {}, r.run_name || r.run_id),
    el("p", {}, el("span", { class: "status-" + r.status }, r.status), " · ",
      link("#/runs?exp=" + encodeURIComponent(r.experiment_id), r.experiment_name), " · started ", fmtTime(r.start_time),
      " · ", fmtDuration(r.duration_ms), " · ", r.user_id || "", " · ", el("span", { class: "muted" }, r.run_id)),
    r.parent ? el("p", {}, "parent: ", runLink(r.parent.run_id, r.parent.run_name)) : null,
    r.children.length ? el("p", {}, "children: ", r.children.map(c => [runLink(c.run_id, c.run_name || c.run_id), " "])) : null,
    el("div", { class: "grid" },
      el("div", { class: "card" }, el("h2", {}, "Parameters"), kvTable(r.params)),
      el("div", { class: "card" }, el("h2", {}, "Metrics (latest)"), metricLinks.length ? el("table", {}, metricLinks) : el("p", { class: "muted" }, "none")),
      el("div", { class: "card" }, el("h2", {}, "Tags"), kvTable(r.tags))),
    el("h2", {}, "Inputs"), inputs,
    el("h2", {}, "Artifacts"), el("div", { class: "grid" }, tree, preview));
  await listArtifacts(id, "", tree, preview);
}

async function listArtifacts(id, path, container, preview) {
  const items = await api("/api/artifacts?run_id=" + encodeURIComponent(id) + "&path=" + encodeURIComponent(path));
  if (!items.length && !path) { container.appendChild(el("p", { class: "muted" }, "no artifacts")); return; }
  for (const a of items) {
    const name = a.path.slice(a.path.lastIndexOf("/") + 1);
    const row = el("div", { class: a.is_dir ? "dir" : "file" }, name, a.is_dir ? "" : el("span", { class: "muted" }, "  " + a.file_size + " B"));
    const sub = el("div", { class: "indent" });
    row.addEventListener("click", async ev => {
      ev.stopPropagation();
      if (a.is_dir) { if (!sub.childNodes.length) await listArtifacts(id, a.path, sub, preview); else sub.replaceChildren(); }
      else previewArtifact(id, a.path, preview);
    });
    container.appendChild(row);
    container.appendChild(sub);
  }
}

async function previewArtifact(id, path, box) {
  const url = "/api/artifact?run_id=" + encodeURIComponent(id) + "&path=" + encodeURIComponent(path);
  const download = el("a", { href: url + "&download=1" }, "download");
  const ext = path.slice(path.lastIndexOf(".") + 1).toLowerCase();
  const head = el("p", {}, el("strong", {}, path), " · ", download);
  if (["html", "htm", "svg", "png", "jpg", "jpeg", "gif"].includes(ext)) {
    // served with a sandboxing policy: the artifact's own scripts never run against this UI
    box.replaceChildren(head, el("iframe", { class: "preview", sandbox: "", src: url }));
    return;
  }
  if (!["csv", "tsv", "json", "txt", "log", "md", "yaml", "yml", "py", "java", "sql"].includes(ext)) {
    box.replaceChildren(head, el("p", { class: "muted" }, "no preview for this kind of file"));
    return;
  }
  const text = await (await fetch(url)).text();
  if (ext === "csv" || ext === "tsv") {
    const rows = parseCsv(text, ext === "tsv" ? "\t" : ",").slice(0, 501);
    box.replaceChildren(head, el("div", { class: "card" }, el("table", {},
      rows.map((r, i) => el("tr", {}, r.map(c => el(i === 0 ? "th" : "td", {}, c)))))));
  } else if (ext === "json") {
    let shown = text;
    try { shown = JSON.stringify(JSON.parse(text), null, 2); } catch (e) { /* shown as sent */ }
    box.replaceChildren(head, el("pre", {}, shown));
  } else {
    box.replaceChildren(head, el("pre", {}, text));
  }
}

function parseCsv(text, sep) {
  const rows = []; let row = [], cell = "", quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { cell += '"'; i++; } else if (c === '"') quoted = false; else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === sep) { row.push(cell); cell = ""; }
    else if (c === "\n") { row.push(cell); rows.push(row); row = []; cell = ""; }
    else if (c !== "\r") cell += c;
  }
  if (cell || row.length) { row.push(cell); rows.push(row); }
  return rows;
}

// ------------------------------------------------------------------ metric charts

async function chartPage() {
  const p = params();
  const ids = p.getAll("id");
  const runs = await Promise.all(ids.map(i => api("/api/runs/" + encodeURIComponent(i))));
  const keys = Array.from(new Set(runs.flatMap(r => Object.keys(r.metrics)))).sort();
  const key = p.get("key") || keys[0];
  const x = p.get("x") || "step";
  const smooth = +(p.get("smooth") || 0);
  const log = p.get("log") === "1";
  const go = (k, v) => { const n = new URLSearchParams(p); n.set(k, v); setParams("#/chart", n); };
  const keySel = el("select", { onchange: ev => go("key", ev.target.value) }, keys.map(k => el("option", { value: k, selected: k === key }, k)));
  const xSel = el("select", { onchange: ev => go("x", ev.target.value) },
    ["step", "time", "relative"].map(k => el("option", { value: k, selected: k === x }, k)));
  const smoothIn = el("input", { type: "range", min: 0, max: 0.99, step: 0.01, value: smooth, title: "smoothing",
    onchange: ev => go("smooth", ev.target.value) });
  const logBox = el("input", { type: "checkbox", checked: log, onchange: ev => go("log", ev.target.checked ? "1" : "0") });
  const chart = el("div", { class: "chart", id: "chart" });
  show(el("h1", {}, "Metric: " + (key || "(none)")),
    el("p", {}, runs.map(r => [runLink(r.run_id, r.run_name || r.run_id), " "])),
    el("div", { class: "toolbar" }, "metric ", keySel, " x ", xSel, " smoothing ", smoothIn, el("label", {}, logBox, " log scale")),
    chart);
  if (!key) { chart.appendChild(el("p", { class: "muted" }, "These runs logged no metrics.")); return; }
  const width = Math.max(400, Math.min(1400, app.clientWidth - 40));
  const q = new URLSearchParams({ key: key, x: x, points: String(width) });
  ids.forEach(i => q.append("run_id", i));
  const h = await api("/api/metric-history?" + q.toString());
  // one x axis for uPlot: the union of every series' x, gaps where a run has no point
  const xs = Array.from(new Set(h.series.flatMap(s => s.x))).sort((a, b) => a - b);
  const index = new Map(xs.map((v, i) => [v, i]));
  const data = [xs];
  for (const s of h.series) {
    const ys = new Array(xs.length).fill(null);
    let ema = null;
    s.x.forEach((xv, i) => {
      const y = typeof s.y[i] === "number" ? s.y[i] : null;
      if (y !== null) ema = ema === null ? y : smooth * ema + (1 - smooth) * y;
      ys[index.get(xv)] = y === null ? null : (smooth > 0 ? ema : y);
    });
    data.push(ys);
  }
  const colors = ["#2f6fdb", "#d9480f", "#2b8a3e", "#862e9c", "#c92a2a", "#0b7285", "#5f3dc4", "#e67700"];
  const opts = {
    width: width, height: 420,
    scales: { x: { time: x === "time" }, y: { distr: log ? 3 : 1 } },
    axes: [{ label: x === "relative" ? "seconds since the first point" : x }, { label: key }],
    series: [{}].concat(h.series.map((s, i) => ({ label: (runs[i].run_name || s.run_id) + " (" + s.points + " points)",
      stroke: colors[i % colors.length], width: 1.5, spanGaps: true }))),
  };
  if (x === "time") data[0] = data[0].map(v => v / 1000);
  new uPlot(opts, data, chart);
}

// ------------------------------------------------------------------ compare

async function comparePage() {
  const p = params();
  const ids = p.getAll("id");
  const q = new URLSearchParams(); ids.forEach(i => q.append("run_id", i));
  const c = await api("/api/compare?" + q.toString());
  const head = el("tr", {}, el("th", {}, ""), c.runs.map(r => el("th", {}, runLink(r.run_id, r.run_name || r.run_id))));
  const rows = (list, numeric) => list.map(x => el("tr", { class: x.differs ? "differs" : null }, el("th", {}, x.key),
    x.values.map(v => el("td", { class: numeric ? "num" : null }, fmtNum(v)))));
  const numericMetrics = c.metrics.filter(m => m.values.some(v => typeof v === "number"));
  const metricSel = el("select", { id: "scatter-metric" }, numericMetrics.map(m => el("option", { value: m.key }, m.key)));
  const paramSel = el("select", { id: "scatter-param" }, c.params.map(m => el("option", { value: m.key }, m.key)));
  const scatterBox = el("div", { class: "card" });
  const drawScatter = () => scatterBox.replaceChildren(scatter(c, paramSel.value, metricSel.value));
  metricSel.addEventListener("change", drawScatter);
  paramSel.addEventListener("change", drawScatter);
  show(el("h1", {}, "Compare " + c.runs.length + " runs"),
    el("p", { class: "muted" }, "Rows where the runs differ are highlighted."),
    el("h2", {}, "Parameters"), el("table", { id: "compare-params" }, head.cloneNode(true), rows(c.params, false)),
    el("h2", {}, "Metrics"), el("table", { id: "compare-metrics" }, head, rows(c.metrics, true)),
    el("h2", {}, "Parallel coordinates"), el("div", { class: "card" }, parallel(c)),
    el("h2", {}, "Scatter"), el("div", { class: "toolbar" }, "metric ", metricSel, " against param ", paramSel), scatterBox);
  if (numericMetrics.length && c.params.length) drawScatter();
}

function axisOf(values) {
  const nums = values.filter(v => typeof v === "number" || (v !== null && v !== "" && !isNaN(+v))).map(Number);
  if (nums.length === values.filter(v => v !== null && v !== undefined).length && nums.length) {
    const lo = Math.min(...nums), hi = Math.max(...nums);
    return { numeric: true, lo: lo, hi: hi, pos: v => v === null || v === undefined ? null : (hi === lo ? 0.5 : (Number(v) - lo) / (hi - lo)) };
  }
  const cats = Array.from(new Set(values.filter(v => v !== null && v !== undefined).map(String))).sort();
  return { numeric: false, cats: cats, pos: v => v === null || v === undefined ? null : (cats.length < 2 ? 0.5 : cats.indexOf(String(v)) / (cats.length - 1)) };
}

function parallel(c) {
  const dims = c.params.filter(x => x.differs).concat(c.metrics.filter(x => x.values.some(v => typeof v === "number")));
  if (dims.length < 2) return el("p", { class: "muted" }, "Needs two or more differing params or metrics.");
  const W = Math.max(480, dims.length * 140), H = 320, top = 30, bottom = 40;
  const svg = svgEl("svg", { width: W, height: H, viewBox: "0 0 " + W + " " + H, id: "parallel" });
  const xOf = i => 60 + i * (W - 120) / (dims.length - 1);
  const axes = dims.map(d => axisOf(d.values));
  dims.forEach((d, i) => {
    svg.appendChild(svgEl("line", { x1: xOf(i), x2: xOf(i), y1: top, y2: H - bottom, stroke: "#999" }));
    svg.appendChild(svgEl("text", { x: xOf(i), y: H - bottom + 16, "text-anchor": "middle" }, d.key));
    const a = axes[i];
    svg.appendChild(svgEl("text", { x: xOf(i) + 4, y: top - 6 }, a.numeric ? fmtNum(a.hi) : (a.cats[a.cats.length - 1] || "")));
    svg.appendChild(svgEl("text", { x: xOf(i) + 4, y: H - bottom + 28 }, a.numeric ? fmtNum(a.lo) : (a.cats[0] || "")));
  });
  const colors = ["#2f6fdb", "#d9480f", "#2b8a3e", "#862e9c", "#c92a2a", "#0b7285"];
  c.runs.forEach((r, ri) => {
    const pts = dims.map((d, i) => { const p = axes[i].pos(d.values[ri]); return p === null ? null : [xOf(i), H - bottom - p * (H - top - bottom)]; })
      .filter(p => p !== null);
    svg.appendChild(svgEl("polyline", { points: pts.map(p => p.join(",")).join(" "), fill: "none", stroke: colors[ri % colors.length], "stroke-width": 2 },
      svgEl("title", {}, r.run_name || r.run_id)));
  });
  return svg;
}

function scatter(c, paramKey, metricKey) {
  const param = c.params.find(x => x.key === paramKey), metric = c.metrics.find(x => x.key === metricKey);
  if (!param || !metric) return el("p", { class: "muted" }, "Pick a metric and a param.");
  const W = 560, H = 340, m = 50;
  const ax = axisOf(param.values), ay = axisOf(metric.values);
  const svg = svgEl("svg", { width: W, height: H, id: "scatter" });
  svg.appendChild(svgEl("line", { x1: m, y1: H - m, x2: W - 10, y2: H - m, stroke: "#999" }));
  svg.appendChild(svgEl("line", { x1: m, y1: 10, x2: m, y2: H - m, stroke: "#999" }));
  svg.appendChild(svgEl("text", { x: W / 2, y: H - 12, "text-anchor": "middle" }, paramKey));
  svg.appendChild(svgEl("text", { x: 12, y: 20 }, metricKey));
  c.runs.forEach((r, i) => {
    const px = ax.pos(param.values[i]), py = ay.pos(metric.values[i]);
    if (px === null || py === null) return;
    svg.appendChild(svgEl("circle", { cx: m + px * (W - m - 20), cy: H - m - py * (H - m - 20), r: 5, fill: "#2f6fdb" },
      svgEl("title", {}, (r.run_name || r.run_id) + ": " + param.values[i] + " → " + fmtNum(metric.values[i]))));
  });
  return svg;
}

// ------------------------------------------------------------------ models

async function modelsPage() {
  const models = await api("/api/models");
  show(el("h1", {}, "Registered models"), models.length ? el("table", {},
    el("tr", {}, el("th", {}, "name"), el("th", {}, "latest version"), el("th", {}, "versions"), el("th", {}, "aliases"), el("th", {}, "updated")),
    models.map(m => el("tr", {}, el("td", {}, link("#/model/" + encodeURIComponent(m.name), m.name)),
      el("td", { class: "num" }, m.latest_version), el("td", { class: "num" }, m.version_count),
      el("td", { class: "chips" }, Object.entries(m.aliases).map(([a, v]) => el("span", {}, a + " → v" + v))),
      el("td", {}, fmtTime(m.last_updated_time))))) : el("p", { class: "muted" }, "No registered models."));
}

async function modelPage(name) {
  const m = await api("/api/models/" + encodeURIComponent(name));
  const msg = el("p", { class: "bad" });
  const write = async (method, alias, body) => {
    try {
      await api("/api/models/" + encodeURIComponent(name) + "/aliases/" + encodeURIComponent(alias), {
        method: method, headers: { "Content-Type": "application/json", "Accept": "application/json", "X-Omelet-Token": session.token },
        body: body ? JSON.stringify(body) : undefined });
      route();
    } catch (e) { msg.textContent = e.message; }
  };
  const aliasForm = session.writes ? (() => {
    const a = el("input", { type: "text", placeholder: "alias, e.g. champion", id: "alias-name", class: "narrow" });
    const v = el("select", { id: "alias-version" }, m.versions.map(x => el("option", { value: x.version }, "v" + x.version)));
    return el("div", { class: "toolbar" }, "Point ", a, " at ", v, el("button", { onclick: () => write("PUT", a.value, { version: +v.value }) }, "Set alias"));
  })() : el("p", { class: "muted" }, "Read-only: start omelet ui with --allow-writes to move aliases.");
  show(el("h1", {}, "Model " + m.name),
    m.description ? el("p", {}, m.description) : null,
    el("h2", {}, "Aliases"),
    Object.keys(m.aliases).length ? el("table", { id: "aliases" }, Object.entries(m.aliases).map(([a, v]) => el("tr", {},
      el("th", {}, a), el("td", {}, "v" + v),
      el("td", {}, session.writes ? el("button", { onclick: () => write("DELETE", a) }, "delete") : null)))) : el("p", { class: "muted" }, "none"),
    aliasForm, msg,
    el("h2", {}, "Versions"),
    el("table", { id: "versions" }, el("tr", {}, el("th", {}, "version"), el("th", {}, "aliases"), el("th", {}, "source run"), el("th", {}, "status"),
      el("th", {}, "created"), el("th", {}, "description")),
      m.versions.map(v => el("tr", {}, el("td", {}, "v" + v.version), el("td", { class: "chips" }, v.aliases.map(a => el("span", {}, a))),
        el("td", {}, v.run_id ? runLink(v.run_id) : ""), el("td", {}, v.status || ""), el("td", {}, fmtTime(v.creation_time)),
        el("td", {}, v.description || "")))));
}

// ------------------------------------------------------------------ router

async function route() {
  const h = location.hash || "#/";
  const path = h.split("?")[0];
  try {
    if (path === "#/" || path === "#") await experimentsPage();
    else if (path === "#/runs") await runsPage();
    else if (path.startsWith("#/run/")) await runPage(decodeURIComponent(path.slice(6)));
    else if (path === "#/chart") await chartPage();
    else if (path === "#/compare") await comparePage();
    else if (path === "#/models") await modelsPage();
    else if (path.startsWith("#/model/")) await modelPage(decodeURIComponent(path.slice(8)));
    else show(failure({ status: 404, message: "no page " + path }));
  } catch (e) {
    show(failure(e));
  }
}

window.addEventListener("hashchange", route);
api("/api/session").then(s => {
  session = s;
  document.getElementById("mode").textContent = (s.writes ? "writes allowed" : "read-only") + " · " + s.registry;
}).catch(() => {}).finally(route);
