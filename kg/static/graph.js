/* legalkg citation-graph page.
 *
 * Document text is untrusted: it arrives through JSON.parse and reaches the DOM only via textContent,
 * option.value and vis-network's plain-text tooltips (set with innerText), never parsed as markup.
 */
(function () {
  "use strict";
  const $ = (id) => document.getElementById(id);
  const read = (id) => JSON.parse($(id).textContent);
  const NODES = read("data-nodes");
  const EDGES = read("data-edges");
  const OPTIONS = read("data-options");
  const INFO = read("data-info");
  const EINFO = read("data-edge-info");
  const META = read("data-meta");
  const N = NODES.length;
  performance.mark("legalkg:parsed");
  const BODY_GROUP = META.bodyGroup;
  const DOC_REL = new Set(META.docRelations);

  // Same rule as kg.render.fold: diacritics dropped, đ→d, lower case, anything else → one space.
  function fold(s) {
    return (s || "").replace(/[đĐ]/g, "d").normalize("NFD").replace(/\p{M}/gu, "")
      .toLowerCase().replace(/[^a-z0-9]+/g, " ").trim();
  }

  function el(tag, text, cls) {
    const e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = String(text);
    if (cls) e.className = cls;
    return e;
  }

  function short(s, n) {
    s = String(s || "").replace(/\s+/g, " ").trim();
    return s.length <= n ? s : s.slice(0, n - 1) + "…";
  }
  function relLabel(rel) { return (META.relStyle[rel] || { label: rel }).label; }

  // ------------------------------------------------------------------ data
  // Tooltips are plain strings: vis-network 9 puts them into the DOM with innerText, so markup stays text.
  NODES.forEach((n, i) => {
    const inf = INFO[i];
    if (inf.kind === "body") { n.title = `${inf.label}\n${BODY_GROUP} (body)`; return; }
    const lines = [inf.key || inf.label, [inf.type, inf.date || inf.year].filter(Boolean).join(" · ")];
    if (inf.issuer) lines.push(inf.issuer);
    if (inf.title) lines.push(short(inf.title, 160));
    if (inf.kind === "unresolved") lines.push("(chỉ biết qua trích dẫn / known only from citations)");
    n.title = lines.filter(Boolean).join("\n");
  });
  EDGES.forEach((e, j) => {
    const st = META.relStyle[e.rel] || { color: "#ccc", dashes: false, width: 1 };
    if (META.detailedEdges) {
      e.color = { color: st.color, highlight: "#000000", hover: st.color, opacity: 0.9 };
      e.dashes = st.dashes;
    } else {
      // Big graphs: colour only. Dash patterns (and arrow heads, off in the options) cost most of each frame.
      e.color = st.color;
    }
    e.width = st.width;
    const info = EINFO[j];
    const lines = [`${relLabel(e.rel)} (${e.rel})`, `${INFO[e.from].label} → ${INFO[e.to].label}`];
    for (const [file, line, surface, evidence, method] of info.ev.slice(0, 2)) {
      if (evidence || surface) lines.push("“" + short(evidence || surface, 220) + "”");
      const where = [file, line].filter((x) => x !== null && x !== undefined && x !== "").join(":");
      const tail = [where, method].filter(Boolean).join(" · ");
      if (tail) lines.push(tail);
    }
    if (info.n > 2) lines.push(`(+${info.n - 2} more)`);
    e.title = lines.join("\n");
  });
  const isBody = INFO.map((i) => i.kind === "body");
  const outE = Array.from({ length: N }, () => []);
  const inE = Array.from({ length: N }, () => []);
  EDGES.forEach((e, j) => { outE[e.from].push(j); inE[e.to].push(j); });
  const citedBy = new Int32Array(N);
  for (const e of EDGES) if (DOC_REL.has(e.rel)) citedBy[e.to] += 1;
  const issuerFolded = INFO.map((i) => fold(i.issuer));
  const typeOf = INFO.map((i) => (i.kind === "body" ? BODY_GROUP : i.type || META.untyped));
  // the parts of a document's number ("57-KL/TW": 57, kl, tw), so that "ket luan 57" ranks 57-KL/TW above
  // a programme whose name merely quotes it; a node without a number has none
  const keyTokens = INFO.map((i) => (i.key ? fold(i.key).split(/[\s\/-]+/) : []));
  const labelTokens = INFO.map((i) => fold(i.label).split(/[\s\/-]+/));

  const state = {
    types: new Set(META.types.map((t) => t.name)),
    rels: new Set(META.relations.map((r) => r.name)),
    bodies: true, issuer: "", yFrom: null, yTo: null, undated: true,
    ego: null, egoCenter: null,
  };
  const visible = new Uint8Array(N);

  function computeVisible() {
    const iss = fold(state.issuer);
    const yearSet = state.yFrom !== null || state.yTo !== null;
    for (let i = 0; i < N; i++) {
      if (isBody[i]) { visible[i] = 0; continue; }
      const inf = INFO[i];
      let ok = state.types.has(typeOf[i]);
      if (ok && iss) ok = issuerFolded[i].includes(iss);
      if (ok && yearSet) {
        if (inf.year === undefined) ok = state.undated;
        else ok = (state.yFrom === null || inf.year >= state.yFrom) && (state.yTo === null || inf.year <= state.yTo);
      }
      if (ok && state.ego) ok = state.ego.has(i);
      if (state.ego && i === state.egoCenter) ok = true;
      visible[i] = ok ? 1 : 0;
    }
    // A body is drawn when a drawn document links to it (or it is the ego centre).
    if (state.bodies) {
      for (let i = 0; i < N; i++) {
        if (!isBody[i]) continue;
        if (state.ego && i === state.egoCenter) { visible[i] = 1; continue; }
        let on = 0;
        for (const j of inE[i]) { const e = EDGES[j]; if (visible[e.from] && !isBody[e.from] && state.rels.has(e.rel)) { on = 1; break; } }
        if (!on) for (const j of outE[i]) { const e = EDGES[j]; if (visible[e.to] && !isBody[e.to] && state.rels.has(e.rel)) { on = 1; break; } }
        visible[i] = on;
      }
    }
  }

  computeVisible();
  const nodeSet = new vis.DataSet(NODES);
  const edgeSet = new vis.DataSet(EDGES);
  const nodeView = new vis.DataView(nodeSet, { filter: (n) => visible[n.id] === 1 });
  const edgeView = new vis.DataView(edgeSet, {
    filter: (e) => visible[e.from] === 1 && visible[e.to] === 1 && state.rels.has(e.rel),
  });

  // ------------------------------------------------------------------ network
  performance.mark("legalkg:data");
  const container = $("mynetwork");
  const network = new vis.Network(container, { nodes: nodeView, edges: edgeView }, OPTIONS);
  performance.mark("legalkg:network");
  const api = (window.legalkg = {
    network, nodes: nodeSet, edges: edgeSet, total: N, ready: false, readyAt: null, errors: [],
    visibleCount: () => nodeView.length,
    visibleEdgeCount: () => edgeView.length,
    search: (q) => search(q).map((i) => INFO[i].key || INFO[i].label),
    select: (i) => focusNode(i),
    info: INFO,
  });

  function markReady() {
    if (api.ready) return;
    api.ready = true;
    api.readyAt = performance.now();
    $("loading").hidden = true;
    document.documentElement.dataset.ready = "1";
    if (META.center !== null && META.center !== undefined) focusNode(META.center, false);
  }

  if (META.physics) {
    network.on("stabilizationProgress", (p) => { $("loading-pct").textContent = Math.round((100 * p.iterations) / p.total) + "%"; });
    network.once("stabilizationIterationsDone", () => {
      // Freeze the polished layout: drifting nodes and later filtering must not set the graph moving again.
      network.setOptions({ physics: { enabled: false } });
      network.storePositions();
      network.once("afterDrawing", markReady);
      network.redraw();
    });
  } else {
    network.once("afterDrawing", markReady);
    network.fit({ animation: false });
  }

  // ------------------------------------------------------------------ filters and legend
  function updateCount() {
    $("count").textContent = `${nodeView.length.toLocaleString("vi-VN")} / ${N.toLocaleString("vi-VN")} nút · ${edgeView.length.toLocaleString("vi-VN")} liên kết`;
    $("count").dataset.visible = String(nodeView.length);
  }

  function apply() {
    computeVisible();
    nodeView.refresh();
    edgeView.refresh();
    updateCount();
  }

  function checkItem(parent, swatch, name, count, checked, onChange, extraTitle) {
    const label = el("label", null, "check");
    const box = el("input");
    box.type = "checkbox";
    box.checked = checked;
    box.value = name;
    box.addEventListener("change", () => onChange(box.checked));
    label.append(box, swatch, el("span", name), el("span", count, "n"));
    if (extraTitle) label.title = extraTitle;
    parent.append(label);
    return box;
  }

  const typeBoxes = META.types.map((t) => {
    const sw = el("span", null, "swatch");
    sw.style.background = t.color;
    return checkItem($("types"), sw, t.name, t.count, true, (on) => {
      if (on) state.types.add(t.name); else state.types.delete(t.name);
      apply();
    });
  });
  $("body-swatch").style.background = META.bodyColor;
  $("body-count").textContent = META.bodies;
  $("show-bodies").addEventListener("change", (ev) => { state.bodies = ev.target.checked; apply(); });

  const relBoxes = META.relations.map((r) => {
    const sw = el("span", null, "line");
    sw.style.borderTopColor = r.color;
    sw.style.borderTopStyle = r.dashes && META.detailedEdges ? (r.dashes[0] <= 3 ? "dotted" : "dashed") : "solid";
    sw.style.borderTopWidth = Math.max(2, r.width + 1) + "px";
    return checkItem($("relations"), sw, r.label, r.count, true, (on) => {
      if (on) state.rels.add(r.name); else state.rels.delete(r.name);
      apply();
    }, r.name);
  });

  const dl = $("issuer-list");
  for (const name of META.issuers.slice(0, 2000)) { const o = document.createElement("option"); o.value = name; dl.append(o); }
  if (META.years) {
    $("year-from").placeholder = META.years[0]; $("year-to").placeholder = META.years[1];
    $("year-from").min = $("year-to").min = META.years[0]; $("year-from").max = $("year-to").max = META.years[1];
  }
  // Typed filters apply after a pause; whichever input fired, all of them are read again.
  let timer = null;
  const yearVal = (id) => { const v = parseInt($(id).value, 10); return Number.isFinite(v) ? v : null; };
  function typed() {
    clearTimeout(timer);
    timer = setTimeout(() => {
      state.issuer = $("issuer").value;
      state.yFrom = yearVal("year-from");
      state.yTo = yearVal("year-to");
      apply();
    }, 200);
  }
  for (const id of ["issuer", "year-from", "year-to"]) $(id).addEventListener("input", typed);
  $("undated").addEventListener("change", (ev) => { state.undated = ev.target.checked; apply(); });

  // ------------------------------------------------------------------ ego view
  function egoSet(center, radius) {
    const seen = new Set([center]);
    let frontier = [center];
    for (let d = 0; d < radius; d++) {
      const next = [];
      for (const u of frontier) {
        for (const j of outE[u].concat(inE[u])) {
          const e = EDGES[j];
          if (!state.rels.has(e.rel)) continue;
          const v = e.from === u ? e.to : e.from;
          // Hops go through documents only: through a body (the Government) everything is one hop away.
          if (seen.has(v) || isBody[v]) continue;
          seen.add(v); next.push(v);
        }
      }
      frontier = next;
    }
    return seen;
  }

  function showEgo(center) {
    const radius = parseInt($("ego-radius").value, 10) || 1;
    state.ego = egoSet(center, radius);
    state.egoCenter = center;
    $("ego-state").textContent = `${INFO[center].label}: ${radius} bước, ${state.ego.size} văn bản`;
    $("btn-ego-clear").disabled = false;
    apply();
    network.fit({ nodes: nodeView.getIds(), animation: false });
    focusNode(center, false);
  }

  function clearEgo() {
    state.ego = null; state.egoCenter = null;
    $("ego-state").textContent = "Chọn một văn bản rồi bấm “Ego view”.";
    $("btn-ego-clear").disabled = true;
    apply();
  }
  $("btn-ego-clear").addEventListener("click", () => { clearEgo(); network.fit({ animation: false }); });

  // ------------------------------------------------------------------ details panel
  function link(i) {
    const a = el("a", INFO[i].label);
    a.title = INFO[i].title || "";
    a.addEventListener("click", () => focusNode(i));
    return a;
  }

  function neighbourList(title, edgeIds, other) {
    const frag = document.createDocumentFragment();
    if (!edgeIds.length) return frag;
    frag.append(el("h4", `${title} (${edgeIds.length})`));
    const ul = el("ul");
    for (const j of edgeIds.slice(0, 100)) {
      const e = EDGES[j];
      const li = el("li");
      li.append(el("span", relLabel(e.rel) + " ", "rel"), link(other(e)));
      ul.append(li);
    }
    if (edgeIds.length > 100) ul.append(el("li", `… ${edgeIds.length - 100} more`));
    frag.append(ul);
    return frag;
  }

  function showDetails(i) {
    const inf = INFO[i];
    const body = $("details-body");
    body.replaceChildren();
    body.append(el("h3", inf.label));
    const d = el("dl");
    const row = (k, v) => { if (v !== null && v !== undefined && v !== "") d.append(el("dt", k), el("dd", v)); };
    if (inf.kind === "body") {
      row("Loại", "Cơ quan");
      row("Tên", inf.title);
    } else {
      row("Số", inf.key);
      row("Loại", inf.type);
      row("Ngày", inf.date || inf.year);
      row("Cơ quan", inf.issuer);
      row("Trích yếu", inf.title);
      row("Trạng thái", inf.kind === "unresolved" ? "chỉ biết qua trích dẫn (unresolved)" : "có văn bản (in corpus)");
      row("Tệp", (inf.files || []).join(", "));
      row("Được dẫn", citedBy[i]);
    }
    row("IRI", inf.iri);
    body.append(d);
    if (inf.excerpt) {
      body.append(el("h4", "Trích đoạn nguồn (source excerpt)"), el("div", inf.excerpt, "excerpt"));
    }
    const egoBtn = el("button", "Ego view");
    egoBtn.type = "button";
    egoBtn.id = "btn-ego";
    egoBtn.addEventListener("click", () => showEgo(i));
    body.append(egoBtn);
    body.append(neighbourList("Dẫn tới (out)", outE[i], (e) => e.to));
    body.append(neighbourList("Được dẫn bởi (in)", inE[i], (e) => e.from));
    $("details").hidden = false;
  }

  function showEdge(j) {
    const e = EDGES[j];
    const info = EINFO[j];
    const body = $("details-body");
    body.replaceChildren();
    body.append(el("h3", `${relLabel(e.rel)} (${e.rel})`));
    const p = el("p");
    p.append(link(e.from), document.createTextNode(" → "), link(e.to));
    body.append(p);
    if (info.n > 1) body.append(el("p", `${info.n} lần (mentions)`, "hint"));
    for (const [file, line, surface, evidence, method] of info.ev) {
      if (evidence || surface) body.append(el("div", evidence || surface, "evidence"));
      const where = [file, line].filter((x) => x !== null && x !== undefined && x !== "").join(":");
      body.append(el("div", [where, method, surface ? `“${surface}”` : ""].filter(Boolean).join(" · "), "hint"));
    }
    $("details").hidden = false;
  }
  $("btn-close").addEventListener("click", () => { $("details").hidden = true; network.unselectAll(); });

  network.on("click", (p) => {
    if (p.nodes.length) showDetails(p.nodes[0]);
    else if (p.edges.length) showEdge(p.edges[0]);
  });

  function focusNode(i, animate = true) {
    if (!visible[i]) { reset(false); }
    network.selectNodes([i]);
    const scale = Math.max(network.getScale(), 1.0);
    network.focus(i, { scale, animation: animate ? { duration: 350, easingFunction: "easeInOutQuad" } : false });
    showDetails(i);
  }

  // ------------------------------------------------------------------ search
  let hay = null; // folded number, type name and code, title and issuer; built on first use
  function search(q) {
    const f = fold(q);
    if (!f) return [];
    if (!hay) hay = INFO.map((i) => fold([i.key, i.label, i.type, i.code, i.title, i.issuer].filter(Boolean).join(" ")));
    const toks = f.split(" ");
    const hits = [];
    for (let i = 0; i < N; i++) {
      const h = hay[i];
      let all = true;
      for (const t of toks) if (!h.includes(t)) { all = false; break; }
      if (!all) continue;
      // Rank: query tokens that are whole parts of the number first, then whole words of the label (a body's
      // name), then resolved documents, then most cited.
      let inKey = 0;
      let inLabel = 0;
      for (const t of toks) {
        if (keyTokens[i].includes(t)) inKey++;
        if (labelTokens[i].includes(t)) inLabel++;
      }
      hits.push([inKey, inLabel, INFO[i].kind === "document" ? 1 : 0, citedBy[i], i]);
    }
    hits.sort((a, b) => b[0] - a[0] || b[1] - a[1] || b[2] - a[2] || b[3] - a[3] || a[4] - b[4]);
    return hits.slice(0, 30).map((h) => h[4]);
  }

  let results = [];
  let active = 0;
  function showResults() {
    const ol = $("results");
    ol.replaceChildren();
    if (!$("search").value.trim()) { ol.hidden = true; return; }
    if (!results.length) { ol.append(el("li", "Không tìm thấy (no match)", "none")); ol.hidden = false; return; }
    results.forEach((i, r) => {
      const li = el("li");
      if (r === active) li.className = "active";
      const inf = INFO[i];
      li.append(el("span", inf.label, "k"), document.createTextNode(" " + [inf.type, inf.date || inf.year].filter(Boolean).join(" · ")));
      li.append(el("span", [inf.issuer, inf.title].filter(Boolean).join(" — "), "t"));
      li.addEventListener("mousedown", (ev) => { ev.preventDefault(); choose(r); });
      ol.append(li);
    });
    ol.hidden = false;
  }
  function choose(r) {
    if (!results.length) return;
    const i = results[r];
    $("results").hidden = true;
    focusNode(i);
  }
  $("search").addEventListener("input", () => { results = search($("search").value); active = 0; showResults(); });
  $("search").addEventListener("keydown", (ev) => {
    if (ev.key === "ArrowDown") { active = Math.min(active + 1, results.length - 1); showResults(); ev.preventDefault(); }
    else if (ev.key === "ArrowUp") { active = Math.max(active - 1, 0); showResults(); ev.preventDefault(); }
    else if (ev.key === "Enter") { choose(active); ev.preventDefault(); }
    else if (ev.key === "Escape") { $("results").hidden = true; }
  });
  $("search").addEventListener("blur", () => { $("results").hidden = true; });
  $("search").addEventListener("focus", () => { if ($("search").value.trim()) showResults(); });

  // ------------------------------------------------------------------ buttons
  function reset(refit = true) {
    state.types = new Set(META.types.map((t) => t.name));
    state.rels = new Set(META.relations.map((r) => r.name));
    state.bodies = true; state.issuer = ""; state.yFrom = state.yTo = null; state.undated = true;
    state.ego = null; state.egoCenter = null;
    for (const b of typeBoxes.concat(relBoxes)) b.checked = true;
    $("show-bodies").checked = true; $("undated").checked = true;
    $("issuer").value = ""; $("year-from").value = ""; $("year-to").value = "";
    $("ego-state").textContent = "Chọn một văn bản rồi bấm “Ego view”.";
    $("btn-ego-clear").disabled = true;
    apply();
    if (refit) network.fit({ animation: false });
  }
  $("btn-reset").addEventListener("click", () => { $("search").value = ""; $("results").hidden = true; reset(); });
  $("btn-fit").addEventListener("click", () => network.fit({ animation: { duration: 300 } }));
  $("btn-png").addEventListener("click", () => {
    const src = container.querySelector("canvas");
    const out = document.createElement("canvas");
    out.width = src.width; out.height = src.height;
    const ctx = out.getContext("2d");
    ctx.fillStyle = "#ffffff";
    ctx.fillRect(0, 0, out.width, out.height);
    ctx.drawImage(src, 0, 0);
    out.toBlob((blob) => {
      const a = document.createElement("a");
      a.download = "legalkg-graph.png";
      a.href = URL.createObjectURL(blob);
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(a.href), 5000);
    }, "image/png");
  });

  updateCount();
})();
