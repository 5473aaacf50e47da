// The graph explorer of /explore: search, expand, details with evidence, paths, filters,
// a permalink in the URL, and export. Talks only to this server's JSON API (/api/...).
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("explorer-config").textContent);
  if (!window.cytoscape) return; // not installed: the page's notice says so

  // ---- visual language: colour and shape by kind; line style by status; layer by colour ----
  var KINDS = {
    person: ["#2f6fd6", "ellipse"],
    organization: ["#2b9348", "round-rectangle"],
    country: ["#c9a227", "hexagon"],
    place: ["#e0b84a", "hexagon"],
    meeting: ["#d9480f", "diamond"],
    act: ["#c2255c", "triangle"],
    statement: ["#5f3dc4", "round-tag"],
    observation: ["#0b7285", "rectangle"],
    post: ["#868e96", "barrel"],
    programme: ["#74b816", "star"],
    group: ["#495057", "octagon"],
    document: ["#7d8590", "rectangle"],
    source: ["#7d8590", "rectangle"],
    dataset: ["#7d8590", "vee"],
  };
  var LINE = {
    agreed: "solid",
    done: "solid",
    pledged: "dashed",
    requested: "dashed",
    proposed: "dashed",
    "under examination": "dotted",
  };
  var LABELS = { observation: "statistic" };

  function kindStyle(kind) {
    return KINDS[kind] || ["#999999", "ellipse"];
  }

  var style = [
    {
      selector: "node",
      style: {
        "background-color": function (n) { return kindStyle(n.data("kind"))[0]; },
        shape: function (n) { return kindStyle(n.data("kind"))[1]; },
        label: "data(display)",
        "font-size": 12,
        "min-zoomed-font-size": 6,
        "text-wrap": "wrap",
        "text-max-width": 120,
        "text-valign": "bottom",
        "text-margin-y": 3,
        "text-background-color": "#ffffff",
        "text-background-opacity": 0.8,
        "text-background-padding": 1,
        width: 22,
        height: 22,
        "border-width": 1,
        "border-color": "#333333",
      },
    },
    { selector: "node.focus", style: { width: 34, height: 34, "border-width": 3, "font-weight": "bold" } },
    { selector: "node.more", style: { "border-style": "double", "border-width": 4 } },
    {
      selector: "edge",
      style: {
        width: 2,
        "line-color": "#6b7380",
        "target-arrow-color": "#6b7380",
        "target-arrow-shape": "triangle",
        "arrow-scale": 0.8,
        "curve-style": "bezier",
        "line-style": function (e) { return LINE[e.data("status")] || "solid"; },
        "line-dash-pattern": function (e) { return e.data("status") === "under examination" ? [2, 4] : [8, 5]; },
      },
    },
    // Facts that no source states in so many words are another colour, and thinner.
    { selector: "edge.l-inferred, edge.l-derived", style: { "line-color": "#8a4fbf", "target-arrow-color": "#8a4fbf", width: 1.5 } },
    { selector: "edge.l-reference", style: { "line-color": "#b0b6bf", "target-arrow-color": "#b0b6bf" } },
    { selector: ".onpath", style: { "line-color": "#e8590c", "target-arrow-color": "#e8590c", "border-color": "#e8590c", "border-width": 4, width: 5, "z-index": 10 } },
    { selector: "node.onpath", style: { width: 28, height: 28 } },
    { selector: ":selected", style: { "overlay-color": "#f0a500", "overlay-opacity": 0.35, "overlay-padding": 6 } },
    { selector: ".hidden", style: { display: "none" } },
  ];

  var cy = window.cytoscape({
    container: document.getElementById("cy"),
    style: style,
    elements: [],
    minZoom: 0.2,
    maxZoom: 3,
    wheelSensitivity: 0.3,
    boxSelectionEnabled: false,
  });

  // ---- the view, as the URL holds it ----
  function emptyView() {
    return { focus: null, expand: [], hideKinds: [], hideStatuses: [], stated: false, path: null, sel: null };
  }
  var view = emptyView();
  var ego = {}; // id -> the /api/graph/ego answer
  var paths = null; // the /api/paths answer for view.path
  var pathKey = null;
  var busy = 0;
  var pushes = 0;

  function list(s) {
    return s ? s.split(",").filter(Boolean) : [];
  }

  function readUrl() {
    var p = new URLSearchParams(window.location.search);
    var v = emptyView();
    v.focus = p.get("focus");
    v.expand = list(p.get("expand"));
    v.hideKinds = list(p.get("hide"));
    v.hideStatuses = list(p.get("status"));
    v.stated = p.get("stated") === "1";
    v.sel = p.get("sel");
    if (p.get("from") && p.get("to")) {
      v.path = {
        from: p.get("from"),
        to: p.get("to"),
        groups: p.get("groups") ? list(p.get("groups")) : config.defaultGroups.slice(),
        max: parseInt(p.get("max") || "8", 10),
        k: parseInt(p.get("k") || "3", 10),
      };
    }
    return v;
  }

  function toQuery(v) {
    var p = new URLSearchParams();
    if (v.focus) p.set("focus", v.focus);
    if (v.expand.length) p.set("expand", v.expand.join(","));
    if (v.hideKinds.length) p.set("hide", v.hideKinds.join(","));
    if (v.hideStatuses.length) p.set("status", v.hideStatuses.join(","));
    if (v.stated) p.set("stated", "1");
    if (v.path) {
      p.set("from", v.path.from);
      p.set("to", v.path.to);
      p.set("groups", v.path.groups.join(","));
      p.set("max", String(v.path.max));
      p.set("k", String(v.path.k));
    }
    if (v.sel) p.set("sel", v.sel);
    var q = p.toString();
    return window.location.pathname + (q ? "?" + q : "");
  }

  // Each change of the view is a history entry, so Back and Forward (and Undo) walk them.
  function commit(replace) {
    var url = toQuery(view);
    if (replace) {
      window.history.replaceState({ n: pushes }, "", url);
    } else {
      pushes += 1;
      window.history.pushState({ n: pushes }, "", url);
    }
    document.getElementById("undo").disabled = !(window.history.state && window.history.state.n > 0);
  }

  // ---- talking to the API ----
  function say(text) {
    document.getElementById("status").textContent = text || "";
  }

  function getJson(url) {
    return fetch(url, { headers: { accept: "application/json" } }).then(function (r) {
      return r.json().then(function (body) {
        if (!r.ok) throw new Error(body.detail || body.title || "HTTP " + r.status);
        return body;
      });
    });
  }

  function enc(id) {
    return id.split("/").map(encodeURIComponent).join("/");
  }

  function shortId(iri) {
    return iri && iri.indexOf(config.base) === 0 ? iri.slice(config.base.length) : iri;
  }

  function loadEgo(id) {
    if (ego[id]) return Promise.resolve(ego[id]);
    return getJson("/api/graph/ego/" + enc(id) + "?limit=25").then(function (answer) {
      ego[id] = answer;
      return answer;
    });
  }

  function loadPaths(q) {
    var key = JSON.stringify(q);
    if (key === pathKey) return Promise.resolve(paths);
    var p = new URLSearchParams({ from: q.from, to: q.to, k: String(q.k), max_length: String(q.max) });
    if (q.groups.length) p.set("relations", q.groups.join(","));
    return getJson("/api/paths?" + p.toString()).then(function (answer) {
      paths = answer;
      pathKey = key;
      return answer;
    });
  }

  // ---- building the graph from the answers ----
  function display(n) {
    var text = n.label.length > 60 ? n.label.slice(0, 57) + "…" : n.label;
    return n.more > 0 ? text + "  +" + n.more + " more" : text;
  }

  function edgeClasses(e) {
    return "l-" + e.layer;
  }

  function build() {
    var nodes = {};
    var edges = {};
    var centres = [view.focus].concat(view.expand).filter(function (id) { return id && ego[id]; });
    centres.forEach(function (c) {
      ego[c].nodes.forEach(function (n) {
        var known = nodes[n.id];
        // The centre's own answer knows how many of its neighbours it left out.
        var more = n.id === c ? n.more : known && known.centre ? known.more : Math.min(n.more, known ? known.more : n.more);
        nodes[n.id] = { id: n.id, label: n.label, kind: n.kind, status: n.status, more: more, centre: (known && known.centre) || n.id === c };
      });
      ego[c].edges.forEach(function (e) { edges[e.id] = e; });
    });
    var onPath = {};
    if (view.path && paths) {
      paths.paths.forEach(function (p, i) {
        p.nodes.forEach(function (n) {
          if (!nodes[n.id]) nodes[n.id] = { id: n.id, label: n.label, kind: n.kind, status: null, more: 0 };
          onPath[n.id] = true;
        });
        p.edges.forEach(function (e) {
          var between = Object.keys(edges).filter(function (id) {
            var x = edges[id];
            return (x.source === e.source && x.target === e.target) || (x.source === e.target && x.target === e.source);
          });
          between.forEach(function (id) { onPath[id] = true; });
          if (!between.length) {
            var link = e.links[0];
            var id = "path|" + e.source + "|" + e.target;
            edges[id] = { id: id, source: e.source, target: e.target, relation: link.relation, words: link.words, group: link.group, layer: link.layer, status: link.status, evidence: link.evidence, path: i };
            onPath[id] = true;
          }
        });
      });
    }
    var elements = [];
    Object.keys(nodes).forEach(function (id) {
      var n = nodes[id];
      var classes = [];
      if (id === view.focus) classes.push("focus");
      if (n.more > 0) classes.push("more");
      if (onPath[id]) classes.push("onpath");
      elements.push({ group: "nodes", data: { id: id, label: n.label, kind: n.kind, status: n.status, more: n.more, display: display(n) }, classes: classes.join(" ") });
    });
    Object.keys(edges).forEach(function (id) {
      var e = edges[id];
      if (!nodes[e.source] || !nodes[e.target]) return;
      elements.push({ group: "edges", data: e, classes: edgeClasses(e) + (onPath[id] ? " onpath" : "") });
    });
    return elements;
  }

  function render(anchor) {
    var before = {};
    cy.nodes().forEach(function (n) { before[n.id()] = n.position(); });
    var elements = build();
    cy.batch(function () {
      cy.elements().remove();
      cy.add(elements);
      cy.nodes().forEach(function (n) {
        var p = before[n.id()] || (anchor && before[anchor]);
        if (p) n.position({ x: p.x + (before[n.id()] ? 0 : Math.random() * 40 - 20), y: p.y + (before[n.id()] ? 0 : Math.random() * 40 - 20) });
      });
    });
    applyFilters();
    var fresh = Object.keys(before).length === 0;
    // A fresh view is rings around the focus (readable, and the same on every load); an
    // expansion lets the force layout place the newcomers from where they start.
    var layout = fresh
      ? { name: "concentric", animate: false, fit: true, padding: 40, minNodeSpacing: 90, spacingFactor: 1, nodeDimensionsIncludeLabels: false, avoidOverlap: true, concentric: function (n) { return n.id() === view.focus ? 1000 : n.hasClass("onpath") ? 500 : n.degree(); }, levelWidth: function () { return 3; } }
      : { name: "cose", animate: false, randomize: false, fit: true, padding: 30, nodeDimensionsIncludeLabels: true, nodeRepulsion: function () { return 20000; }, idealEdgeLength: function () { return 100; } };
    cy.layout(layout).run();
    listNodes();
    renderPaths();
  }

  function applyFilters() {
    cy.batch(function () {
      cy.elements().removeClass("hidden");
      // The focus and a found path are always shown whole: filters apply to the rest.
      cy.nodes().forEach(function (n) {
        if (n.id() === view.focus || n.hasClass("onpath")) return;
        if (view.hideKinds.indexOf(n.data("kind")) >= 0 || view.hideStatuses.indexOf(n.data("status")) >= 0) n.addClass("hidden");
      });
      cy.edges().forEach(function (e) {
        if (e.hasClass("onpath")) return;
        if ((view.stated && e.data("layer") !== "stated") || view.hideStatuses.indexOf(e.data("status")) >= 0 || e.source().hasClass("hidden") || e.target().hasClass("hidden")) e.addClass("hidden");
      });
      // A node whose every line is filtered out would float unexplained: hide it too.
      cy.nodes().forEach(function (n) {
        if (n.id() !== view.focus && !n.hasClass("onpath") && n.connectedEdges().not(".hidden").length === 0) n.addClass("hidden");
      });
    });
  }

  function listNodes() {
    var ul = document.getElementById("node-list");
    ul.textContent = "";
    var options = document.getElementById("path-options");
    options.textContent = "";
    cy.nodes().not(".hidden").sort(function (a, b) { return a.data("label").localeCompare(b.data("label")); }).forEach(function (n) {
      var li = document.createElement("li");
      var b = document.createElement("button");
      b.type = "button";
      b.setAttribute("data-id", n.id());
      b.textContent = n.data("label") + (n.data("more") > 0 ? "  +" + n.data("more") + " more" : "");
      b.addEventListener("click", function () { chooseNode(n.id()); });
      li.appendChild(b);
      ul.appendChild(li);
      var o = document.createElement("option");
      o.value = n.id();
      o.label = n.data("label");
      options.appendChild(o);
    });
    listEdges();
  }

  // The lines in view, for choosing one by keyboard: the same as tapping it.
  function edgeText(e) {
    return e.source().data("label") + " — " + e.data("words") + " — " + e.target().data("label") + (e.data("status") ? " (" + e.data("status") + ")" : "");
  }

  function listEdges() {
    var ul = document.getElementById("edge-list");
    ul.textContent = "";
    var shown = cy.edges().not(".hidden").map(function (e) { return { id: e.id(), text: edgeText(e) }; });
    shown.sort(function (a, b) { return a.text.localeCompare(b.text); }).forEach(function (x) {
      var b = el("button", { type: "button", "data-id": x.id, text: x.text, onclick: function () { chooseEdge(x.id); } });
      if (x.id === view.sel) b.setAttribute("aria-current", "true");
      ul.appendChild(el("li", {}, [b]));
    });
    document.getElementById("edge-count").textContent = String(shown.length);
  }

  // ---- loading a view ----
  function load(anchor) {
    busy += 1;
    say("Loading…");
    var wanted = [view.focus].concat(view.expand).filter(Boolean);
    return Promise.all(wanted.map(loadEgo))
      .then(function () { return view.path ? loadPaths(view.path) : null; })
      .then(function () {
        if (!view.path) { paths = null; pathKey = null; }
        render(anchor);
        syncForms();
        cy.$(":selected").unselect();
        if (view.sel && cy.getElementById(view.sel).length) {
          cy.getElementById(view.sel).select();
          return showDetails(view.sel);
        }
        if (!view.sel) showHint();
        return null;
      })
      .then(function () {
        var shown = cy.nodes().not(".hidden").length;
        say(view.focus || view.path ? shown + " nodes shown" : "");
      })
      .catch(function (err) { say("Could not load: " + err.message); })
      .then(function () { busy -= 1; });
  }

  function showHint() {
    document.getElementById("details").innerHTML = '<p class="hint">Search for an entity, or click a node or a line to see its facts and the sentences that say so.</p>';
  }

  function focusOn(id) {
    view.focus = id;
    view.expand = [];
    view.sel = id;
    commit();
    return load();
  }

  function toggleExpand(id) {
    var i = view.expand.indexOf(id);
    if (i >= 0) view.expand.splice(i, 1);
    else if (id !== view.focus) view.expand.push(id);
    view.sel = id;
    commit();
    return load(id);
  }

  // A click selects a node, shows its facts, and expands it when it has more to show.
  function chooseNode(id) {
    var n = cy.getElementById(id);
    if (n.length && n.data("more") > 0 && id !== view.focus && view.expand.indexOf(id) < 0) return toggleExpand(id);
    view.sel = id;
    commit();
    cy.$(":selected").unselect();
    n.select();
    return track(showDetails(id));
  }

  function track(promise) {
    busy += 1;
    return Promise.resolve(promise).catch(function (err) { say("Could not load: " + err.message); }).then(function () { busy -= 1; });
  }

  cy.on("tap", "node", function (evt) { chooseNode(evt.target.id()); });
  function chooseEdge(id) {
    var e = cy.getElementById(id);
    if (!e.length) return Promise.resolve();
    view.sel = id;
    commit();
    cy.$(":selected").unselect();
    e.select();
    Array.prototype.forEach.call(document.querySelectorAll("#edge-list button"), function (b) {
      if (b.getAttribute("data-id") === id) b.setAttribute("aria-current", "true");
      else b.removeAttribute("aria-current");
    });
    return track(showDetails(id));
  }

  cy.on("tap", "edge", function (evt) { chooseEdge(evt.target.id()); });

  window.addEventListener("popstate", function () {
    view = readUrl();
    document.getElementById("undo").disabled = !(window.history.state && window.history.state.n > 0);
    load();
  });

  // ---- the details panel ----
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === "text") node.textContent = attrs[k];
      else if (k === "onclick") node.addEventListener("click", attrs[k]);
      else node.setAttribute(k, attrs[k]);
    });
    (children || []).forEach(function (c) { if (c) node.appendChild(typeof c === "string" ? document.createTextNode(c) : c); });
    return node;
  }

  function tags(item) {
    var out = [];
    if (item.layer) out.push(el("span", { class: "tag " + item.layer, text: item.layer }));
    if (item.status) out.push(el("span", { class: "tag status", text: item.status }));
    return out;
  }

  function entityLink(id, label) {
    return el("a", { href: "/id/" + id, text: label || id });
  }

  function evidenceList(evidence) {
    if (!evidence || !evidence.length) return null;
    return el("ul", { class: "evidence" }, evidence.map(function (ev) {
      return el("li", {}, [
        el("q", { class: "quote", text: ev.quote }), " ",
        el("button", { type: "button", class: "in-source", text: "in context", onclick: function () { track(showSource(ev)); } }),
      ]);
    }));
  }

  function showSource(ev) {
    var box = document.getElementById("source-box");
    var id = shortId(ev.source);
    return getJson("/api/sources/" + enc(id)).then(function (src) {
      box.textContent = "";
      // The source's URL comes from the data (a loaded file may say "javascript:..."): only
      // http(s) URLs become links.
      var url = /^https?:\/\//i.test(src.url || "") ? src.url : null;
      box.appendChild(el("h3", {}, ["Source: ", entityLink(id, src.label || ev.source_label), url ? " · " : null, url ? el("a", { href: url, text: "original" }) : null]));
      var text = el("div", { class: "source-text", id: "source-text" });
      text.appendChild(document.createTextNode(src.text.slice(0, ev.start)));
      text.appendChild(el("mark", { class: "evidence", text: src.text.slice(ev.start, ev.end) }));
      text.appendChild(document.createTextNode(src.text.slice(ev.end)));
      box.appendChild(text);
      var mark = text.querySelector("mark");
      text.scrollTop = Math.max(0, mark.offsetTop - text.offsetTop - 40);
    });
  }

  function neighbourCounts(n) {
    var groups = {};
    n.connectedEdges().not(".hidden").forEach(function (e) {
      var words = e.source().id() === n.id() ? e.data("words") : "← " + e.data("words");
      groups[words] = (groups[words] || 0) + 1;
    });
    return el("ul", { class: "counts" }, Object.keys(groups).sort().map(function (w) { return el("li", { text: w + ": " + groups[w] }); }));
  }

  function showDetails(id) {
    var panel = document.getElementById("details");
    var ele = cy.getElementById(id);
    if (!ele.length) return Promise.resolve();
    return ele.isNode() ? nodeDetails(panel, ele) : edgeDetails(panel, ele);
  }

  function nodeDetails(panel, n) {
    var id = n.id();
    return getJson("/api/entities/" + enc(id)).then(function (entity) {
      panel.textContent = "";
      var kind = LABELS[n.data("kind")] || n.data("kind");
      panel.appendChild(el("h2", { id: "details-title", text: entity.label }));
      panel.appendChild(el("p", { class: "meta" }, [kind, n.data("status") ? " · " + n.data("status") : "", " · ", entityLink(id, "entity page")]));
      var expanded = view.expand.indexOf(id) >= 0;
      panel.appendChild(el("div", { class: "row" }, [
        id !== view.focus ? el("button", { type: "button", id: "focus-here", text: "Focus here", onclick: function () { focusOn(id); } }) : null,
        id !== view.focus ? el("button", { type: "button", id: "expand-toggle", text: expanded ? "Collapse" : "Expand", onclick: function () { toggleExpand(id); } }) : null,
        el("button", { type: "button", text: "Path from", onclick: function () { document.getElementById("path-from").value = id; } }),
        el("button", { type: "button", text: "Path to", onclick: function () { document.getElementById("path-to").value = id; } }),
      ]));
      if (n.data("more") > 0) panel.appendChild(el("p", { class: "hint", text: "+" + n.data("more") + " more neighbours not shown: expand to see them." }));
      panel.appendChild(el("h3", { text: "In view" }));
      panel.appendChild(neighbourCounts(n));
      panel.appendChild(el("h3", { text: "Facts" }));
      var dl = el("dl");
      var first = null;
      Object.keys(entity.statements).forEach(function (role) {
        dl.appendChild(el("dt", { text: role }));
        entity.statements[role].forEach(function (s) {
          if (!first && s.evidence && s.evidence.length) first = s.evidence[0];
          dl.appendChild(el("dd", {}, [entityLink(s.fact, s.label), " "].concat(tags(s), [s.reason ? el("div", { class: "reason", text: s.reason }) : null, evidenceList(s.evidence)])));
        });
      });
      panel.appendChild(dl);
      panel.appendChild(el("div", { id: "source-box" }));
      return first ? showSource(first) : null;
    });
  }

  function findStatement(entity, relation, other) {
    var found = (entity.statements[relation] || []).filter(function (s) { return s.fact === other; });
    return found[0] || null;
  }

  function edgeDetails(panel, e) {
    var d = e.data();
    var fetchFact = d.evidence
      ? Promise.resolve({ layer: d.layer, status: d.status, evidence: d.evidence, reason: null })
      : getJson("/api/entities/" + enc(d.source)).then(function (entity) {
          return findStatement(entity, d.relation, d.target) ||
            getJson("/api/entities/" + enc(d.target)).then(function (other) { return findStatement(other, d.relation, d.source) || {}; });
        });
    return fetchFact.then(function (fact) {
      panel.textContent = "";
      panel.appendChild(el("h2", { id: "details-title" }, [entityLink(d.source, e.source().data("label")), " — " + d.words + " — ", entityLink(d.target, e.target().data("label"))]));
      panel.appendChild(el("p", { class: "meta" }, ["relation " + d.relation + " (" + d.group + ") "].concat(tags(d))));
      if (fact.reason) panel.appendChild(el("p", { class: "reason", text: fact.reason }));
      var evidence = fact.evidence || [];
      panel.appendChild(el("h3", { text: evidence.length ? "Evidence" : "No sentence states this fact" }));
      var list = evidenceList(evidence);
      if (list) panel.appendChild(list);
      panel.appendChild(el("div", { id: "source-box" }));
      return evidence.length ? showSource(evidence[0]) : null;
    });
  }

  // ---- search with type-ahead ----
  var search = document.getElementById("search");
  var box = document.getElementById("suggestions");
  var results = [];
  var active = -1;
  var timer = null;
  var asked = 0;

  function closeSuggestions() {
    box.hidden = true;
    search.setAttribute("aria-expanded", "false");
    search.removeAttribute("aria-activedescendant");
    active = -1;
  }

  // A name found in another script (Khmer, Hangul) is shown beside the label, so that the
  // hit explains itself; Latin spellings and aliases are not repeated.
  var OTHER_SCRIPT = /[^\u0000-\u024f\u1e00-\u1eff\u2000-\u206f]/;

  function showSuggestions(q) {
    box.textContent = "";
    results.forEach(function (r, i) {
      var parts = [r.label];
      if (r.matched && r.matched !== r.label && OTHER_SCRIPT.test(r.matched)) {
        parts.push(" ", el("span", { class: "matched", text: r.matched }));
      }
      parts.push(" ", el("span", { class: "kind", text: LABELS[r.kind] || r.kind }));
      var li = el("li", { role: "option", id: "suggestion-" + i, "aria-selected": String(i === active), "data-id": r.id }, parts);
      li.addEventListener("mousedown", function (evt) { evt.preventDefault(); pick(i); });
      box.appendChild(li);
    });
    if (!results.length && q) {
      box.appendChild(el("li", { class: "none", role: "option", "aria-disabled": "true", text: "no match for “" + q + "”" }));
    }
    box.hidden = box.childNodes.length === 0;
    search.setAttribute("aria-expanded", String(!box.hidden));
    if (active >= 0) search.setAttribute("aria-activedescendant", "suggestion-" + active);
  }

  function pick(i) {
    var r = results[i];
    if (!r) return;
    search.value = r.label;
    closeSuggestions();
    track(focusOn(r.id));
  }

  search.addEventListener("input", function () {
    clearTimeout(timer);
    var q = search.value.trim();
    if (!q) { timer = null; results = []; closeSuggestions(); return; }
    timer = setTimeout(function () {
      timer = null;
      busy += 1;
      var n = ++asked;
      getJson("/api/search?limit=10&q=" + encodeURIComponent(q))
        .then(function (answer) {
          if (n !== asked) return; // a later keystroke asked again
          results = answer.results;
          active = -1;
          showSuggestions(q);
        })
        .catch(function (err) { say("Search failed: " + err.message); })
        .then(function () { busy -= 1; });
    }, 150);
  });
  search.addEventListener("keydown", function (evt) {
    if (evt.key === "ArrowDown" || evt.key === "ArrowUp") {
      if (!results.length) return;
      evt.preventDefault();
      active = (active + (evt.key === "ArrowDown" ? 1 : results.length - 1)) % results.length;
      showSuggestions();
    } else if (evt.key === "Enter") {
      evt.preventDefault();
      pick(active >= 0 ? active : 0);
    } else if (evt.key === "Escape") {
      closeSuggestions();
    }
  });
  search.addEventListener("blur", function () { setTimeout(closeSuggestions, 100); });
  document.addEventListener("keydown", function (evt) {
    var typing = /^(INPUT|TEXTAREA|SELECT)$/.test(document.activeElement.tagName);
    if (evt.key === "/" && !typing) { evt.preventDefault(); search.focus(); }
  });

  // ---- path finder ----
  var groupBox = document.getElementById("path-groups");
  config.groups.forEach(function (g) {
    groupBox.appendChild(el("label", { class: "check" }, [el("input", { type: "checkbox", name: "group", value: g }), " " + g]));
  });
  document.getElementById("path-form").addEventListener("submit", function (evt) {
    evt.preventDefault();
    var from = document.getElementById("path-from").value.trim();
    var to = document.getElementById("path-to").value.trim();
    if (!from || !to) { say("Give both ends of the path."); return; }
    var groups = Array.prototype.map.call(groupBox.querySelectorAll("input:checked"), function (i) { return i.value; });
    view.path = {
      from: from,
      to: to,
      groups: groups.length ? groups : config.defaultGroups.slice(),
      max: parseInt(document.getElementById("path-max").value, 10) || 8,
      k: parseInt(document.getElementById("path-k").value, 10) || 3,
    };
    commit();
    track(load());
  });
  document.getElementById("path-clear").addEventListener("click", function () {
    view.path = null;
    commit();
    track(load());
  });

  function renderPaths() {
    var ol = document.getElementById("path-results");
    ol.textContent = "";
    if (!view.path || !paths) return;
    if (!paths.paths.length) {
      ol.appendChild(el("li", { text: "No path of at most " + view.path.max + " steps over these relations." }));
      return;
    }
    paths.paths.forEach(function (p) {
      var quotes = [];
      p.edges.forEach(function (e) {
        e.links.forEach(function (l) {
          (l.evidence || []).forEach(function (ev) { if (quotes.indexOf(ev.quote) < 0) quotes.push(ev.quote); });
        });
      });
      ol.appendChild(el("li", { class: "path" }, [el("div", { class: "explanation", text: p.explanation })].concat(quotes.map(function (q) { return el("div", {}, [el("q", { class: "quote", text: q })]); }))));
    });
  }

  // ---- filters ----
  function checkboxes(boxId, values, hidden, label) {
    var fs = document.getElementById(boxId);
    values.forEach(function (v) {
      var input = el("input", { type: "checkbox", value: v });
      input.checked = hidden.indexOf(v) < 0;
      fs.appendChild(el("label", { class: "check" }, [input, " " + label(v)]));
    });
  }
  checkboxes("filter-kinds", config.kinds, [], function (k) { return LABELS[k] || k; });
  checkboxes("filter-statuses", config.statuses, [], function (s) { return s; });

  function syncForms() {
    Array.prototype.forEach.call(document.querySelectorAll("#filter-kinds input"), function (i) { i.checked = view.hideKinds.indexOf(i.value) < 0; });
    Array.prototype.forEach.call(document.querySelectorAll("#filter-statuses input"), function (i) { i.checked = view.hideStatuses.indexOf(i.value) < 0; });
    document.getElementById("stated-only").checked = view.stated;
    var q = view.path;
    document.getElementById("path-from").value = q ? q.from : "";
    document.getElementById("path-to").value = q ? q.to : "";
    Array.prototype.forEach.call(groupBox.querySelectorAll("input"), function (i) { i.checked = (q ? q.groups : config.defaultGroups).indexOf(i.value) >= 0; });
    if (q) {
      document.getElementById("path-max").value = String(q.max);
      document.getElementById("path-k").value = String(q.k);
    }
  }

  document.getElementById("filters").addEventListener("change", function () {
    view.hideKinds = Array.prototype.filter.call(document.querySelectorAll("#filter-kinds input"), function (i) { return !i.checked; }).map(function (i) { return i.value; });
    view.hideStatuses = Array.prototype.filter.call(document.querySelectorAll("#filter-statuses input"), function (i) { return !i.checked; }).map(function (i) { return i.value; });
    view.stated = document.getElementById("stated-only").checked;
    commit();
    applyFilters();
    listNodes();
    say(cy.nodes().not(".hidden").length + " nodes shown");
  });

  // ---- legend ----
  var legend = document.getElementById("legend-kinds");
  config.kinds.forEach(function (k) {
    var sw = el("span", { class: "swatch", "aria-hidden": "true" });
    sw.style.background = kindStyle(k)[0];
    legend.appendChild(el("li", {}, [sw, " " + (LABELS[k] || k) + " (" + kindStyle(k)[1] + ")"]));
  });

  // ---- export ----
  function download(blob, name) {
    var a = el("a", { href: URL.createObjectURL(blob), download: name });
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(function () { URL.revokeObjectURL(a.href); }, 10000);
  }

  function xml(s) {
    return String(s == null ? "" : s).replace(/[<>&"]/g, function (c) { return { "<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;" }[c]; });
  }

  function graphml() {
    var s = state();
    var out = ['<?xml version="1.0" encoding="UTF-8"?>',
      '<graphml xmlns="http://graphml.graphdrawing.org/xmlns">',
      '<key id="label" for="node" attr.name="label" attr.type="string"/>',
      '<key id="kind" for="node" attr.name="kind" attr.type="string"/>',
      '<key id="relation" for="edge" attr.name="relation" attr.type="string"/>',
      '<key id="layer" for="edge" attr.name="layer" attr.type="string"/>',
      '<key id="status" for="edge" attr.name="status" attr.type="string"/>',
      '<graph id="explore" edgedefault="directed">'];
    s.nodes.forEach(function (n) {
      out.push('<node id="' + xml(n.id) + '"><data key="label">' + xml(n.label) + '</data><data key="kind">' + xml(n.kind) + "</data></node>");
    });
    s.edges.forEach(function (e) {
      out.push('<edge id="' + xml(e.id) + '" source="' + xml(e.source) + '" target="' + xml(e.target) + '"><data key="relation">' + xml(e.relation) + '</data><data key="layer">' + xml(e.layer) + '</data><data key="status">' + xml(e.status) + "</data></edge>");
    });
    out.push("</graph>", "</graphml>");
    return out.join("\n");
  }

  function png() {
    return cy.png({ full: true, scale: 2, bg: "#ffffff" });
  }

  document.getElementById("export-png").addEventListener("click", function () {
    download(cy.png({ full: true, scale: 2, bg: "#ffffff", output: "blob" }), "explorer.png");
  });
  document.getElementById("export-graphml").addEventListener("click", function () {
    download(new Blob([graphml()], { type: "application/graphml+xml" }), "explorer.graphml");
  });
  document.getElementById("export-json").addEventListener("click", function () {
    download(new Blob([JSON.stringify(state(), null, 2)], { type: "application/json" }), "explorer.json");
  });
  document.getElementById("copy-link").addEventListener("click", function () {
    var url = window.location.href;
    if (navigator.clipboard) navigator.clipboard.writeText(url).catch(function () {});
    say("The address bar holds this view: " + url);
  });
  document.getElementById("undo").addEventListener("click", function () { window.history.back(); });

  // ---- for tests and the console ----
  function state() {
    var nodes = cy.nodes().not(".hidden").map(function (n) {
      return { id: n.id(), label: n.data("label"), kind: n.data("kind"), status: n.data("status"), more: n.data("more"), shape: n.style("shape"), color: n.style("background-color"), onPath: n.hasClass("onpath") };
    });
    var edges = cy.edges().not(".hidden").map(function (e) {
      return { id: e.id(), source: e.data("source"), target: e.data("target"), relation: e.data("relation"), layer: e.data("layer"), status: e.data("status"), lineStyle: e.style("line-style"), color: e.style("line-color"), onPath: e.hasClass("onpath") };
    });
    var sel = view.sel && cy.getElementById(view.sel);
    return {
      focus: view.focus,
      expanded: view.expand.slice(),
      filters: { hideKinds: view.hideKinds.slice(), hideStatuses: view.hideStatuses.slice(), stated: view.stated },
      nodes: nodes,
      edges: edges,
      selection: sel && sel.length ? { id: view.sel, group: sel.isNode() ? "node" : "edge", title: (document.getElementById("details-title") || {}).textContent || null } : null,
      path: view.path ? { query: view.path, paths: paths ? paths.paths.map(function (p) { return { nodes: p.nodes.map(function (n) { return n.id; }), explanation: p.explanation }; }) : [] } : null,
    };
  }

  window.explorer = {
    cy: cy,
    state: state,
    idle: function () { return busy === 0 && timer === null; },
    png: png,
    graphml: graphml,
  };

  view = readUrl();
  commit(true);
  if (view.focus || view.path) track(load());
})();
