// The review page: a drafted sheet over its text; accept, edit, reject or add, then save.
// Data comes from /api/review (write token, kept in this tab's sessionStorage only); every
// string from the data is put into the page as text, never as HTML.
"use strict";
(function () {
  const KIND_COLOURS = {
    meeting: "#2b6cb0", agreement: "#2f855a", request: "#c05621", proposal: "#b7791f",
    pledge: "#6b46c1", examination: "#2c7a7b", endorsement: "#b83280", statement: "#4a5568",
    observation: "#975a16", relation: "#718096",
  };
  const TYPE_COLOURS = {
    person: "#e53e3e", country: "#38a169", province: "#38a169", city: "#38a169",
    post: "#dd6b20", programme: "#805ad5", group: "#d69e2e",
  };
  const ORG = "#3182ce";
  const ROLE_FIELDS = ["actors", "addressees", "attendees"];
  const $ = (id) => document.getElementById(id);
  const state = { token: sessionStorage.getItem("bilateral-token") || "", sheets: [], view: null,
                  decisions: {}, adds: [], selection: null, current: null, lastResult: null };

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === "class") node.className = v;
      else if (k === "style") node.setAttribute("style", v);
      else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
      else node.setAttribute(k, v === true ? "" : String(v));
    }
    for (const c of children.flat()) if (c !== null && c !== undefined) {
      node.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return node;
  }

  async function api(path, options) {
    const r = await fetch(path, Object.assign({}, options || {}, {
      headers: Object.assign({ Authorization: "Bearer " + state.token,
                               Accept: "application/json" }, (options || {}).headers || {}),
    }));
    const body = await r.json().catch(() => ({}));
    return { status: r.status, body };
  }

  function typeOf(id) {
    const e = state.view && state.view.entityTypes[id];
    return e || "";
  }
  function entityColour(id) {
    const t = typeOf(id);
    return TYPE_COLOURS[t] || (t ? ORG : "#718096");
  }

  // ---- login and the list of sheets -----------------------------------------------------------

  async function open() {
    const { status, body } = await api("/api/review");
    if (status !== 200) {
      sessionStorage.removeItem("bilateral-token");
      $("login").hidden = false;
      $("login-error").textContent = body.detail || `error ${status}`;
      return;
    }
    sessionStorage.setItem("bilateral-token", state.token);
    $("login").hidden = true;
    $("main").hidden = false;
    state.sheets = body.sheets;
    const select = $("sheet");
    select.replaceChildren(...body.sheets.map((s) =>
      el("option", { value: s.id }, `${s.id} (${s.pending} to review)`)));
    select.disabled = false;
    const wanted = new URLSearchParams(location.search).get("sheet");
    const first = body.sheets.find((s) => s.id === wanted) || body.sheets.find((s) => s.pending)
      || body.sheets[0];
    if (first) { select.value = first.id; await load(first.id); }
  }

  async function load(id) {
    const { status, body } = await api("/api/review/" + encodeURIComponent(id));
    if (status !== 200) { show(body.detail || `error ${status}`, true); return; }
    body.entityTypes = Object.fromEntries(body.entities.map((e) => [e.id, e.type]));
    for (const e of body.new_entities) body.entityTypes[e.id] = e.type;
    state.view = body;
    state.decisions = {};
    state.adds = [];
    state.current = null;
    const url = new URL(location.href);
    url.searchParams.set("sheet", id);
    history.replaceState(null, "", url);
    $("entity-ids").replaceChildren(...body.entities.concat(body.new_entities).map((e) =>
      el("option", { value: e.id }, `${e.name} (${e.type})`)));
    render();
  }

  // ---- decisions ------------------------------------------------------------------------------

  function key(list, index) { return `${list}:${index}`; }
  function decision(list, index) { return state.decisions[key(list, index)]; }
  function decide(list, index, action) {
    const k = key(list, index);
    const d = state.decisions[k] || { set: {} };
    d.action = action;
    state.decisions[k] = d;
    render();
  }
  function edit(list, index, field, value) {
    const k = key(list, index);
    const d = state.decisions[k] || { action: "edit", set: {} };
    d.set[field] = value;
    state.decisions[k] = d;
    $("save").disabled = false;
  }
  function undo(list, index) { delete state.decisions[key(list, index)]; render(); }

  function payload() {
    const out = { facts: [], mentions: [], entities: [], add: state.adds };
    for (const [k, d] of Object.entries(state.decisions)) {
      const [list, index] = k.split(":");
      out[list].push({ index: Number(index), action: d.action, set: d.set });
    }
    return out;
  }

  async function save() {
    const id = state.view.id;
    $("save").disabled = true;
    state.lastResult = null;
    show("Saving, validating and rebuilding…");
    const { status, body } = await api("/api/review/" + encodeURIComponent(id), {
      method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify(payload()),
    });
    if (status === 200) {
      await refreshList(id);
      await load(id);
      const counts = Object.entries(body.counts).map(([k, v]) => `${v} ${k}`).join(", ");
      const rebuilt = body.problems.length ? body.problems.join("; ") : "the graph is rebuilt";
      show(`Saved: ${counts}; ${rebuilt}. ${body.pending} item(s) still await review.`,
           body.problems.length > 0);
      state.lastResult = { status, body };
    } else {
      state.lastResult = { status, body };
      const problems = (body.problems || []).join("\n") || body.detail || `error ${status}`;
      show("Not saved: the seeds would not be sound, so nothing was changed.\n" + problems, true);
      $("save").disabled = false;
    }
  }

  async function refreshList(id) {
    const { body } = await api("/api/review");
    state.sheets = body.sheets || state.sheets;
    const select = $("sheet");
    select.replaceChildren(...state.sheets.map((s) =>
      el("option", { value: s.id }, `${s.id} (${s.pending} to review)`)));
    select.value = id;
  }

  function show(message, bad) {
    const box = $("result");
    box.textContent = message;
    box.className = "show" + (bad ? " bad" : "");
  }

  // ---- the text -------------------------------------------------------------------------------

  function renderText() {
    const v = state.view;
    const text = v.text;
    const factsBySentence = new Map();
    v.facts.forEach((f) => {
      if (f.start === null) return;
      const s = v.sentences.findIndex((x) => x.start <= f.start && f.start < x.end);
      if (!factsBySentence.has(s)) factsBySentence.set(s, []);
      factsBySentence.get(s).push(f);
    });
    const mentions = v.mentions.slice().sort((a, b) => a.start - b.start || b.end - a.end);
    const box = $("text");
    box.replaceChildren();
    let cursor = 0;
    const plain = (a, b) => { if (b > a) box.append(el("span", { "data-start": a }, text.slice(a, b))); };
    v.sentences.forEach((s, i) => {
      plain(cursor, s.start);
      const span = el("span", { class: "sentence" + (factsBySentence.has(i) ? " has-facts" : ""),
                                "data-sentence": i });
      let at = s.start;
      for (const m of mentions) {
        if (m.start < at || m.start >= s.end || m.end > s.end) continue;
        if (m.start > at) span.append(el("span", { "data-start": at }, text.slice(at, m.start)));
        const d = decision("mentions", m.index);
        const cls = [m.review && !(d && d.action === "accept") ? "pending" : "",
                     d && d.action === "reject" ? "rejected" : ""].join(" ").trim();
        span.append(el("mark", {
          class: cls || null, "data-start": m.start, "data-mention": m.index,
          title: `${m.entity}${m.inferred ? " (inferred: " + m.inferred + ")" : ""}`,
          style: `border-bottom-color: ${entityColour(m.entity)}`,
          onclick: () => focus("mentions", m.index),
        }, text.slice(m.start, m.end)));
        at = m.end;
      }
      if (s.end > at) span.append(el("span", { "data-start": at }, text.slice(at, s.end)));
      for (const f of factsBySentence.get(i) || []) {
        const kind = (decision("facts", f.index) || { set: {} }).set.kind || f.fields.kind;
        span.append(el("button", {
          type: "button", class: "badge", "data-fact": f.index, title: `${kind}: ${f.fields.id}`,
          style: `background: ${KIND_COLOURS[kind] || "#718096"}`,
          onclick: () => focus("facts", f.index),
        }, kind));
      }
      box.append(span);
      cursor = s.end;
    });
    plain(cursor, text.length);
    $("legend").replaceChildren(
      ...Object.entries(KIND_COLOURS).map(([k, c]) => el("span", { style: `--c: ${c}` }, k)),
      el("span", { style: `--c: ${TYPE_COLOURS.person}` }, "person (underline)"),
      el("span", { style: `--c: ${ORG}` }, "body"),
      el("span", { style: `--c: ${TYPE_COLOURS.city}` }, "place"),
      el("span", { style: `--c: ${TYPE_COLOURS.post}` }, "post"),
    );
  }

  // ---- the candidates -------------------------------------------------------------------------

  function stateLabel(list, item) {
    const d = decision(list, item.index);
    if (d && d.action === "reject") return ["rejected", "will be rejected"];
    if (d && d.action === "accept") return ["accepted", "will be accepted"];
    if (!item.review) return ["accepted", "accepted"];
    return ["", "awaiting review"];
  }

  function field(list, item, name, value, options) {
    const id = `${list}-${item.index}-${name}`;
    const shown = Array.isArray(value) ? value.join(", ") : value ?? "";
    let input;
    if (options) {
      input = el("select", { id, onchange: (e) => edit(list, item.index, name, e.target.value) },
        el("option", { value: "" }, "—"),
        ...options.map((o) => el("option", { value: o, selected: o === shown }, o)));
    } else {
      input = el("input", { id, value: shown, list: ROLE_FIELDS.includes(name) || ["place", "speaker", "entity", "subject", "object"].includes(name) ? "entity-ids" : null,
                            onchange: (e) => edit(list, item.index, name, e.target.value) });
    }
    return [el("label", { for: id }, name), input];
  }

  function buttons(list, item) {
    const d = decision(list, item.index);
    return el("div", { class: "buttons" },
      el("button", { type: "button", class: "accept", onclick: () => decide(list, item.index, "accept"),
                     disabled: !item.review && !d }, "Accept"),
      el("button", { type: "button", class: "reject", onclick: () => decide(list, item.index, "reject") }, "Reject"),
      d ? el("button", { type: "button", class: "undo", onclick: () => undo(list, item.index) }, "Undo") : null);
  }

  function why(item) {
    if (!item.review) return null;
    const r = item.review;
    const text = typeof r === "object" ? `${r.reason} — score ${r.score}` : String(r);
    return el("p", { class: "why" }, text);
  }

  function factCard(f) {
    const kind = f.fields.kind;
    const [cls, label] = stateLabel("facts", f);
    const set = (decision("facts", f.index) || { set: {} }).set;
    const fields = [];
    fields.push(...field("facts", f, "kind", set.kind ?? kind, state.view.kinds));
    const k = set.kind ?? kind;
    if (["agreement", "request", "proposal", "pledge", "examination", "endorsement"].includes(k)) {
      fields.push(...field("facts", f, "status", set.status ?? f.fields.status, state.view.statuses));
      fields.push(...field("facts", f, "actors", set.actors ?? f.fields.actors));
      fields.push(...field("facts", f, "addressees", set.addressees ?? f.fields.addressees));
      fields.push(...field("facts", f, "summary", set.summary ?? f.fields.summary));
    } else if (k === "meeting") {
      fields.push(...field("facts", f, "attendees", set.attendees ?? f.fields.attendees));
      fields.push(...field("facts", f, "date", set.date ?? f.fields.date));
      fields.push(...field("facts", f, "place", set.place ?? f.fields.place));
    } else if (k === "statement") {
      fields.push(...field("facts", f, "speaker", set.speaker ?? f.fields.speaker));
      fields.push(...field("facts", f, "form", set.form ?? f.fields.form, ["quotation", "paraphrase"]));
    } else if (k === "relation") {
      fields.push(...field("facts", f, "subject", set.subject ?? f.fields.subject));
      fields.push(...field("facts", f, "relation", set.relation ?? f.fields.relation));
      fields.push(...field("facts", f, "object", set.object ?? f.fields.object));
    } else {
      for (const [name, value] of Object.entries(f.fields)) {
        if (!["id", "kind"].includes(name)) fields.push(el("span", {}, name), el("span", {}, JSON.stringify(value)));
      }
    }
    return el("li", { class: `card ${cls}`, id: `card-facts-${f.index}`, "data-fact": f.index,
                      style: `--c: ${KIND_COLOURS[k] || "#718096"}`, tabindex: "-1" },
      el("header", {}, el("strong", {}, k), el("code", {}, f.fields.id),
         el("span", { class: "state" }, label)),
      why(f),
      el("div", { class: "fields" }, ...fields),
      buttons("facts", f));
  }

  function mentionCard(m, seen) {
    if (seen.has(m.index)) return null;
    seen.add(m.index);
    const [cls, label] = stateLabel("mentions", m);
    const set = (decision("mentions", m.index) || { set: {} }).set;
    return el("li", { class: `card ${cls}`, id: `card-mentions-${m.index}`, tabindex: "-1",
                      style: `--c: ${entityColour(m.entity)}` },
      el("header", {}, el("strong", {}, m.text), el("span", { class: "state" }, label)),
      el("div", { class: "fields" }, ...field("mentions", m, "entity", set.entity ?? m.entity)),
      why(m), buttons("mentions", m));
  }

  function entityCard(e) {
    const [cls, label] = stateLabel("entities", e);
    const set = (decision("entities", e.index) || { set: {} }).set;
    return el("li", { class: `card ${cls}`, id: `card-entities-${e.index}`, tabindex: "-1",
                      style: `--c: ${TYPE_COLOURS[e.type] || ORG}` },
      el("header", {}, el("strong", {}, e.name), el("code", {}, e.id),
         el("span", { class: "state" }, label)),
      el("div", { class: "fields" },
        ...field("entities", e, "name", set.name ?? e.name),
        ...field("entities", e, "type", set.type ?? e.type, state.view.types),
        ...field("entities", e, "aliases", set.aliases ?? e.aliases)),
      why(e), buttons("entities", e));
  }

  function render() {
    const v = state.view;
    renderText();
    $("facts").replaceChildren(...v.facts.map(factCard),
      ...state.adds.map((a, i) => el("li", { class: "card accepted", "data-added": i,
                                             style: `--c: ${KIND_COLOURS[a.kind] || "#718096"}` },
        el("header", {}, el("strong", {}, a.kind), el("span", { class: "state" }, "will be added")),
        el("p", { class: "why" }, `“${v.text.slice(a.start, a.end)}”`))));
    const seen = new Set();
    $("mentions").replaceChildren(...v.mentions.map((m) => mentionCard(m, seen)).filter(Boolean));
    $("entities").replaceChildren(...v.new_entities.map(entityCard));
    const waiting = v.facts.filter((f) => f.review).length
      + new Set(v.mentions.filter((m) => m.review).map((m) => m.index)).size
      + v.new_entities.filter((e) => e.review).length;
    $("pending").textContent = `${waiting} item(s) await review`;
    $("fact-count").textContent = `(${v.facts.length})`;
    $("save").disabled = !Object.keys(state.decisions).length && !state.adds.length;
    if (state.current) highlight(state.current[0], state.current[1], false);
  }

  function focus(list, index) {
    state.current = [list, index];
    highlight(list, index, true);
  }

  function highlight(list, index, scroll) {
    document.querySelectorAll(".current").forEach((n) => n.classList.remove("current"));
    const card = $(`card-${list}-${index}`);
    if (card) { card.classList.add("current"); if (scroll) { card.scrollIntoView({ block: "nearest" }); card.focus({ preventScroll: true }); } }
    if (list === "facts") {
      const f = state.view.facts.find((x) => x.index === index);
      if (f && f.start !== null) {
        const s = state.view.sentences.findIndex((x) => x.start <= f.start && f.start < x.end);
        const node = document.querySelector(`[data-sentence="${s}"]`);
        if (node) { node.classList.add("current"); if (scroll) node.scrollIntoView({ block: "nearest" }); }
      }
    }
  }

  // ---- adding a fact from a selection ---------------------------------------------------------

  function offset(node, at) {
    const holder = node.nodeType === Node.TEXT_NODE ? node.parentElement : node;
    const start = holder && holder.closest("[data-start]");
    return start ? Number(start.getAttribute("data-start")) + at : null;
  }

  function selected() {
    const sel = window.getSelection();
    if (!sel || sel.isCollapsed || !$("text").contains(sel.anchorNode)) return null;
    let a = offset(sel.anchorNode, sel.anchorOffset);
    let b = offset(sel.focusNode, sel.focusOffset);
    if (a === null || b === null) return null;
    if (a > b) [a, b] = [b, a];
    return b - a >= 3 ? { start: a, end: b } : null;
  }

  function offerAdd() {
    const range = selected();
    if (!range) return;
    state.selection = range;
    $("add-quote").textContent = `“${state.view.text.slice(range.start, range.end)}”`;
    $("add-kind").replaceChildren(...state.view.kinds.filter((k) => k !== "observation")
      .map((k) => el("option", { value: k }, k)));
    $("add-status").replaceChildren(el("option", { value: "" }, "—"),
      ...state.view.statuses.map((s) => el("option", { value: s }, s)));
    $("add").hidden = false;
  }

  function addFact(event) {
    event.preventDefault();
    const kind = $("add-kind").value;
    const roles = $("add-actors").value;
    const fact = Object.assign({ kind }, state.selection);
    if (kind === "meeting") fact.attendees = roles;
    else if (kind === "statement") { fact.speaker = roles; fact.form = "paraphrase"; }
    else {
      fact.actors = roles;
      fact.status = $("add-status").value;
      fact.summary = $("add-summary").value || state.view.text.slice(fact.start, fact.end);
    }
    state.adds.push(fact);
    $("add").hidden = true;
    $("add").reset();
    render();
  }

  // ---- wiring ---------------------------------------------------------------------------------

  window.reviewState = () => ({
    sheet: state.view && state.view.id,
    facts: state.view ? state.view.facts.length : 0,
    marks: document.querySelectorAll("#text mark").length,
    badges: Array.from(document.querySelectorAll("#text .badge")).map((b) => b.textContent),
    decisions: payload(),
    result: state.lastResult,
  });

  document.addEventListener("DOMContentLoaded", () => {
    const login = $("login");
    if (!login) return;
    login.addEventListener("submit", (e) => { e.preventDefault(); state.token = $("token").value; open(); });
    $("sheet").addEventListener("change", (e) => load(e.target.value));
    $("save").addEventListener("click", save);
    $("text").addEventListener("mouseup", offerAdd);
    $("text").addEventListener("keyup", (e) => { if (e.shiftKey) offerAdd(); });
    $("add").addEventListener("submit", addFact);
    $("add-cancel").addEventListener("click", () => { $("add").hidden = true; });
    if (state.token) { login.hidden = true; open(); }
  });
})();
