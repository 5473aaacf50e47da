// The graph explorer of /explore: opens on a country pair, search, expand in place, details
// with evidence, numbered paths drawn as chains, filters, a legend of what is drawn, a
// permalink that replays the view, and export. Talks only to this server's JSON API (/api/...).
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("explorer-config").textContent);
  if (!window.cytoscape) return; // not installed: the page's notice says so
  if (window.cytoscapeFcose) window.cytoscape.use(window.cytoscapeFcose);

  // ---- visual language: every kind its own shape and colour; line pattern by status, line
  // colour by layer. The legend and the PNG draw from these same tables. ----
  // kind, colour, shape, size: one line each.
  var KINDS = {};
  `
    person       #1f6fd1  ellipse         26
    organization #2b9348  round-rectangle 26
    country      #b8860b  hexagon         38
    place        #8c564b  pentagon        26
    meeting      #d6336c  diamond         30
    act          #e8590c  triangle        26
    statement    #15aabf  round-tag       24
    observation  #6c7a00  rectangle       22
    post         #868e96  barrel          22
    programme    #74b816  star            28
    group        #7048e8  octagon         26
    source       #343a40  vee             24
    dataset      #a61e4d  concave-hexagon 24
  `.trim().split("\n").forEach(function (line) {
    var f = line.trim().split(/\s+/);
    KINDS[f[0]] = { color: f[1], shape: f[2], size: Number(f[3]) };
  });
  var NAMES = { observation: "statistic" };
  // Status of the act a line belongs to (by its notation, as the API spells it) -> its
  // pattern; a line of no act is solid. People read a status in words (statusName).
  var PATTERNS = {
    solid: { style: "solid", dash: [], statuses: ["agreed", "done"] },
    dashed: { style: "dashed", dash: [10, 6], statuses: ["pledged", "requested", "proposed"] },
    dotted: { style: "dashed", dash: [2, 5], statuses: ["under-examination"] },
  };
  var LAYER_COLOURS = { stated: "#59616e", inferred: "#9c36b5", derived: "#0c8599", reference: "#adb5bd" };
  var LAYER_NAMES = { stated: "stated by a source", inferred: "inferred (with a reason)", derived: "derived shortcut", reference: "reference data" };
  var PATH_COLOURS = ["#e03131", "#1971c2", "#2f9e44", "#f08c00", "#9c36b5", "#0c8599", "#5c940d", "#c2255c"];
  var FONT = 12;
  var MIN_ZOOM_READABLE = 0.8; // labels stay at least 12 × 0.8 ≈ 10 px on screen

  function kindOf(kind) { return KINDS[kind] || { color: "#999999", shape: "ellipse", size: 24 }; }
  function kindName(kind) { return NAMES[kind] || kind; }
  function statusName(status) { return (config.statusWords || {})[status] || status; }
  function patternOf(status) {
    var found = "solid";
    Object.keys(PATTERNS).forEach(function (p) { if (PATTERNS[p].statuses.indexOf(status) >= 0) found = p; });
    return found;
  }

  var style = [
    {
      selector: "node",
      style: {
        "background-color": function (n) { return kindOf(n.data("kind")).color; },
        shape: function (n) { return kindOf(n.data("kind")).shape; },
        width: function (n) { return kindOf(n.data("kind")).size; },
        height: function (n) { return kindOf(n.data("kind")).size; },
        label: "data(display)",
        "font-size": FONT,
        "min-zoomed-font-size": 0,
        "text-wrap": "wrap",
        "text-max-width": 120,
        "text-valign": "bottom",
        "text-margin-y": 4,
        "text-background-color": "#ffffff",
        "text-background-opacity": 0.9,
        "text-background-padding": 2,
        "border-width": 1,
        "border-color": "#2b2f36",
        "z-index": 5,
      },
    },
    { selector: "node.label-top", style: { "text-valign": "top", "text-margin-y": -4 } },
    // A centre keeps its label's weight: a label that grew would push its neighbours.
    { selector: "node.centre", style: { "border-width": 3 } },
    { selector: "node.more", style: { "border-style": "double", "border-width": 4 } },
    {
      selector: "edge",
      style: {
        width: 2,
        "line-color": function (e) { return LAYER_COLOURS[e.data("layer")] || "#59616e"; },
        "target-arrow-color": function (e) { return LAYER_COLOURS[e.data("layer")] || "#59616e"; },
        "target-arrow-shape": "triangle",
        "arrow-scale": 0.8,
        "curve-style": "bezier",
        "line-style": function (e) { return PATTERNS[e.data("pattern")].style; },
        "line-dash-pattern": function (e) { return PATTERNS[e.data("pattern")].dash.length ? PATTERNS[e.data("pattern")].dash : [1, 0]; },
        "line-cap": "round",
        "font-size": 11,
        "text-background-color": "#ffffff",
        "text-background-opacity": 0.95,
        "text-background-padding": 2,
        "text-border-width": 1,
        "text-border-color": "#ced4da",
        "text-border-opacity": 1,
        "z-index": 1,
      },
    },
    { selector: "edge.hover, edge:selected", style: { label: "data(caption)", width: 3.5, "z-index": 20, "z-compound-depth": "top" } },
    {
      selector: "edge.pathline",
      style: {
        "line-color": "data(colour)", "target-arrow-color": "data(colour)", "target-arrow-shape": "none",
        width: 4, label: "data(number)", "font-size": 12, "font-weight": "bold", color: "data(colour)",
        "text-border-color": "data(colour)", "z-index": 10,
      },
    },
    { selector: "edge.pathline.hover, edge.pathline:selected", style: { label: "data(caption)" } },
    // A chosen or pressed node changes colour, never size: overlays and borders count in a
    // node's size for the layout, and a click must lay out as a permalink's replay does.
    { selector: "node:active, edge:active", style: { "overlay-opacity": 0, "overlay-padding": 0 } },
    { selector: "core", style: { "active-bg-opacity": 0, "active-bg-size": 0 } },
    { selector: "node:selected", style: { "border-color": "#e67700", "text-background-color": "#ffe8a3", "text-background-opacity": 1 } },
    { selector: "edge:selected", style: { "overlay-color": "#f0a500", "overlay-opacity": 0.3, "overlay-padding": 5 } },
    { selector: ".hidden", style: { display: "none" } },
  ];

  var container = document.getElementById("cy");
  var cy = window.cytoscape({
    container: container,
    style: style,
    elements: [],
    minZoom: 0.15,
    maxZoom: 2.5,
    wheelSensitivity: 0.3,
    boxSelectionEnabled: false,
  });

  // ---- the view, as the URL holds it ----
  function emptyView() {
    return { pair: null, focus: null, expand: [], hideKinds: [], hideStatuses: [], stated: false, path: null, sel: null };
  }
  var view = emptyView();
  var drawn = null; // what the canvas shows: {base, expand: [...]} or {path: key}
  var current = null; // the last /api/graph/view answer drawn
  var paths = null; // the /api/paths answer for view.path
  var pathKey = null;
  var busy = 0;
  var pushes = 0;
  var changed = []; // nodes whose label the last answer changed (a "+N" that grew or went)

  function list(s) {
    return s ? s.split(",").filter(Boolean) : [];
  }

  function defaultPair() {
    return config.pair ? config.pair.map(function (c) { return c.id; }) : null;
  }

  function readUrl() {
    var p = new URLSearchParams(window.location.search);
    var v = emptyView();
    v.focus = p.get("focus");
    v.pair = p.get("pair") ? list(p.get("pair")) : null;
    if (!v.focus && !v.pair) v.pair = defaultPair();
    v.expand = list(p.get("expand"));
    v.hideKinds = list(p.get("hide"));
    // Statuses by notation; a permalink of before spelt them in words ("under examination").
    v.hideStatuses = list(p.get("status")).map(function (s) { return s.replace(/ /g, "-"); });
    v.stated = p.get("stated") === "1";
    v.sel = p.get("sel");
    if (p.get("from") && p.get("to")) {
      v.path = {
        from: p.get("from"),
        to: p.get("to"),
        groups: p.get("groups") ? list(p.get("groups")) : config.pathGroups.slice(),
        avoid: p.get("avoid") !== "0",
        max: parseInt(p.get("max") || "8", 10),
        k: parseInt(p.get("k") || "3", 10),
      };
    }
    return v;
  }

  function toQuery(v) {
    var p = new URLSearchParams();
    if (v.focus) p.set("focus", v.focus);
    else if (v.pair) p.set("pair", v.pair.join(","));
    if (v.expand.length) p.set("expand", v.expand.join(","));
    if (v.hideKinds.length) p.set("hide", v.hideKinds.join(","));
    if (v.hideStatuses.length) p.set("status", v.hideStatuses.join(","));
    if (v.stated) p.set("stated", "1");
    if (v.path) {
      p.set("from", v.path.from);
      p.set("to", v.path.to);
      p.set("groups", v.path.groups.join(","));
      if (!v.path.avoid) p.set("avoid", "0");
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

  function viewUrl(base, expand, extra) {
    var p = new URLSearchParams();
    if (base.focus) p.set("focus", base.focus);
    else if (base.pair) p.set("pair", base.pair.join(","));
    if (expand && expand.length) p.set("expand", expand.join(","));
    if (extra) { p.set("nodes", extra.join(",")); p.set("limit", "0"); }
    return "/api/graph/view?" + p.toString();
  }

  function loadPaths(q) {
    var key = JSON.stringify(q);
    if (key === pathKey) return Promise.resolve(paths);
    var p = new URLSearchParams({ from: q.from, to: q.to, k: String(q.k), max_length: String(q.max) });
    if (q.groups.length) p.set("relations", q.groups.join(","));
    if (q.avoid) p.set("avoid_hubs", "true");
    return getJson("/api/paths?" + p.toString()).then(function (answer) {
      paths = answer;
      pathKey = key;
      return answer;
    });
  }

  // ---- a seeded random source, so a view is laid out the same way every time it is built
  // (a permalink replays the picture its author saw) ----
  function seeded(seed) {
    var a = seed >>> 0;
    return function () {
      a = (a + 0x6d2b79f5) >>> 0;
      var t = Math.imul(a ^ (a >>> 15), 1 | a);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }

  function hash(text) {
    var h = 2166136261;
    for (var i = 0; i < text.length; i += 1) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
    return h >>> 0;
  }

  function withSeed(seed, fn) {
    var original = Math.random;
    Math.random = seeded(seed);
    try { return fn(); } finally { Math.random = original; }
  }

  // ---- elements from an answer ----
  function display(n) {
    return n.more > 0 ? n.short + "  +" + n.more : n.short;
  }

  function nodeData(n) {
    return { id: n.id, label: n.label, short: n.short, kind: n.kind, status: n.status, date: n.date, more: n.more, display: display(n) };
  }

  function edgeData(e) {
    var caption = e.words + (e.count > 1 ? " ×" + e.count : "");
    return { id: e.id, source: e.source, target: e.target, relation: e.relation, words: e.words, group: e.group, layer: e.layer, status: e.status, count: e.count, via: e.via, caption: caption, pattern: patternOf(e.status) };
  }

  // Put the answer on the canvas: drop what left, update what stayed, add what is new (at
  // ``place(id)``). Returns the ids of the new nodes.
  function apply(answer, place) {
    var wanted = {};
    answer.nodes.forEach(function (n) { wanted[n.id] = n; });
    var added = [];
    changed = [];
    cy.batch(function () {
      cy.edges().remove();
      cy.nodes().forEach(function (n) { if (!wanted[n.id()]) n.remove(); });
      answer.nodes.forEach(function (n) {
        var existing = cy.getElementById(n.id);
        if (existing.length) {
          if (existing.data("display") !== display(n)) changed.push(n.id);
          existing.data(nodeData(n));
        } else {
          cy.add({ group: "nodes", data: nodeData(n), position: place(n.id) });
          added.push(n.id);
        }
      });
      answer.edges.forEach(function (e) { cy.add({ group: "edges", data: edgeData(e) }); });
      cy.nodes().forEach(function (n) {
        n.toggleClass("centre", answer.centres.indexOf(n.id()) >= 0 || (view.pair && view.pair.indexOf(n.id()) >= 0));
        n.toggleClass("more", n.data("more") > 0);
      });
    });
    current = answer;
    return added;
  }

  // ---- layout: fcose for a fresh view; for an expansion the new nodes start around their
  // parent and fcose moves only them (the others are fixed); then no label may overlap ----
  function visible() {
    return cy.elements().not(".hidden");
  }

  // The fcose options both layouts share (lines of ``length``, labels counted in a node's
  // size, nothing animated or fitted), with those of the one at hand.
  function fcose(length, own) {
    return Object.assign({
      name: "fcose",
      quality: "proof",
      animate: false,
      fit: false,
      nodeDimensionsIncludeLabels: true,
      idealEdgeLength: function () { return length; },
      nodeRepulsion: function () { return 4500; },
      packComponents: false,
    }, own);
  }

  function freshLayout(seedText) {
    var els = visible();
    if (els.nodes().length === 0) return;
    withSeed(hash(seedText), function () {
      els.layout(fcose(60, {
        name: window.cytoscapeFcose ? "fcose" : "cose",
        randomize: true,
        nodeSeparation: 60,
        gravity: 0.9,
        gravityRange: 1.5,
        numIter: 2500,
        tile: true,
      })).run();
    });
    settle(null);
    squeeze();
    rounded();
  }

  // A fresh picture wider or taller than the canvas at a readable zoom is pressed together
  // along that axis (then no label may overlap again), so the whole opening view can be read.
  function squeeze() {
    var W = (container.clientWidth - 60) / MIN_ZOOM_READABLE;
    var H = (container.clientHeight - 60) / MIN_ZOOM_READABLE;
    for (var round = 0; round < 4; round += 1) {
      var bb = visible().nodes().boundingBox({ includeLabels: true, includeOverlays: false });
      var fx = bb.w > W ? Math.max(0.7, W / bb.w) : 1;
      var fy = bb.h > H ? Math.max(0.7, H / bb.h) : 1;
      if (fx === 1 && fy === 1) return;
      var cx = (bb.x1 + bb.x2) / 2;
      var cy0 = (bb.y1 + bb.y2) / 2;
      visible().nodes().forEach(function (n) {
        n.position({ x: cx + (n.position("x") - cx) * fx, y: cy0 + (n.position("y") - cy0) * fy });
      });
      settle(null);
    }
  }

  function aroundParent(parentId, count, index) {
    var p = cy.getElementById(parentId);
    var at = p.length ? p.position() : { x: 0, y: 0 };
    var angle = (2 * Math.PI * index) / Math.max(count, 1) + 0.3;
    var r = 90 + 5 * count;
    return { x: at.x + r * Math.cos(angle), y: at.y + r * Math.sin(angle) };
  }

  // Positions are whole numbers: a click can leave a node a hair's breadth from where it was
  // (the drag logic of a press), and the layout would make that grow; a replay must match.
  function rounded() {
    cy.nodes().forEach(function (n) { n.position({ x: Math.round(n.position("x")), y: Math.round(n.position("y")) }); });
  }

  // fcose lays out only the newcomers and the drawn nodes they link to (those held fixed), so
  // the newcomers settle around their parent and nothing else is touched.
  function incrementalLayout(added, seedText) {
    rounded();
    var fresh = {};
    added.forEach(function (id) { fresh[id] = true; });
    if (!added.length) {
      // Nothing new (a collapse): a label that grew moves off whatever it now covers.
      var grew = {};
      changed.forEach(function (id) { grew[id] = true; });
      settle(grew);
      rounded();
      return;
    }
    var newcomers = cy.collection(added.map(function (id) { return cy.getElementById(id); })).not(".hidden");
    var around = newcomers.union(newcomers.neighborhood().not(".hidden"));
    var fixed = around.nodes().filter(function (n) { return !fresh[n.id()]; });
    if (window.cytoscapeFcose && fixed.length && newcomers.length) {
      var keep = {};
      fixed.forEach(function (n) { keep[n.id()] = { x: n.position("x"), y: n.position("y") }; });
      withSeed(hash(seedText), function () {
        around.layout(fcose(70, {
          randomize: false,
          initialEnergyOnIncremental: 0.3,
          numIter: 1000,
          tile: false,
          fixedNodeConstraint: fixed.map(function (n) { return { nodeId: n.id(), position: keep[n.id()] }; }),
        })).run();
      });
      // Constraints hold the fixed nodes to within rounding; put them back exactly.
      fixed.forEach(function (n) { n.position(keep[n.id()]); });
    }
    // Old nodes whose label changed come after the others, newcomers last: a newcomer
    // never pushes a node that was drawn before.
    var order = {};
    changed.forEach(function (id) { order[id] = 1; });
    added.forEach(function (id) { order[id] = 2; });
    settle(order);
    rounded();
  }

  // Give every node a place where its box (shape and label) meets no other: nodes are taken
  // in order (``movable[id]``: 0 or none first, then 1, then 2; by degree within a rank), and
  // one that meets a node already placed moves to
  // the nearest free spot on a spiral around where it is, leaning away from the middle.
  // Always ends: far enough out every spot is free.
  function settle(movable) {
    var pad = 6;
    var nodes = visible().nodes().toArray();
    var mid = { x: 0, y: 0 };
    nodes.forEach(function (n) { mid.x += n.position("x") / nodes.length; mid.y += n.position("y") / nodes.length; });
    nodes.sort(function (a, b) {
      var ma = movable ? Number(movable[a.id()] || 0) : 0;
      var mb = movable ? Number(movable[b.id()] || 0) : 0;
      return ma - mb || b.degree() - a.degree() || (a.id() < b.id() ? -1 : 1);
    });
    var placed = [];
    function hits(b) {
      for (var i = 0; i < placed.length; i += 1) {
        var o = placed[i];
        if (b.x1 < o.x2 + pad && o.x1 < b.x2 + pad && b.y1 < o.y2 + pad && o.y1 < b.y2 + pad) return true;
      }
      return false;
    }
    function shift(b, dx, dy) { return { x1: b.x1 + dx, x2: b.x2 + dx, y1: b.y1 + dy, y2: b.y2 + dy }; }
    var moved = 0;
    nodes.forEach(function (n) {
      var b = n.boundingBox({ includeLabels: true, includeOverlays: false });
      if (!hits(b)) { placed.push(b); return; }
      var away = Math.atan2(n.position("y") - mid.y, n.position("x") - mid.x);
      for (var k = 1; k < 400; k += 1) {
        var r = 10 * k;
        var m = Math.max(8, Math.round((2 * Math.PI * r) / 20));
        for (var i = 0; i < m; i += 1) {
          // Try the directions nearest to "away from the middle" first.
          var turn = Math.ceil(i / 2) * (i % 2 ? 1 : -1);
          var a = away + (2 * Math.PI * turn) / m;
          var dx = r * Math.cos(a);
          var dy = r * Math.sin(a);
          var nb = shift(b, dx, dy);
          if (!hits(nb)) {
            n.position({ x: n.position("x") + dx, y: n.position("y") + dy });
            placed.push(nb);
            moved += 1;
            return;
          }
        }
      }
      placed.push(b);
    });
    return moved;
  }

  // Fit the view; never so small that labels cannot be read: then show the middle of the
  // drawing, moved just enough to bring ``around`` (what was just added) into view.
  var framed = null; // what frame() last fitted, and the size of the canvas it fitted it to
  function frame(around) {
    framed = { around: around, w: container.clientWidth, h: container.clientHeight };
    cy.resize(); // the canvas may have changed size since Cytoscape last measured it
    var els = visible();
    if (!els.length) return;
    cy.fit(els, 30);
    if (cy.zoom() > 1.4) cy.zoom(1.4);
    cy.center(els);
    if (cy.zoom() >= MIN_ZOOM_READABLE) return;
    cy.zoom(MIN_ZOOM_READABLE);
    cy.center(els);
    if (!around || !around.length) return;
    var box = around.renderedBoundingBox({ includeLabels: true, includeOverlays: false });
    var w = container.clientWidth;
    var h = container.clientHeight;
    var dx = box.x1 < 20 ? 20 - box.x1 : box.x2 > w - 20 ? w - 20 - box.x2 : 0;
    var dy = box.y1 < 20 ? 20 - box.y1 : box.y2 > h - 20 ? h - 20 - box.y2 : 0;
    cy.panBy({ x: dx, y: dy });
  }

  // The title, the legend and the path list are written after the view is framed: where they
  // took room from the canvas (five paths' legend is taller than none), frame it again in the
  // room left, or the last row of a path view lies under the legend.
  function reframe() {
    if (!framed || (container.clientWidth === framed.w && container.clientHeight === framed.h)) return;
    frame(framed.around);
  }

  // ---- the path view: each path a row, its nodes in order from left to right ----
  function pathLayout() {
    var placed = {};
    var longest = Math.max.apply(null, paths.paths.map(function (p) { return p.nodes.length - 1; }).concat([1]));
    // As wide as the canvas allows at a readable zoom; labels of neighbours in a chain take
    // turns above and below their node, so they may be closer than a label is wide.
    var room = (container.clientWidth - 60) / MIN_ZOOM_READABLE - 130; // the ends' labels
    var step = Math.min(200, Math.max(90, room / longest));
    paths.paths.forEach(function (p, i) {
      var steps = p.nodes.length - 1;
      p.nodes.forEach(function (n, j) {
        if (placed[n.id]) return;
        var end = j === 0 || j === steps;
        placed[n.id] = { x: (j / steps) * longest * step, y: end ? 0 : i * 150, top: !end && j % 2 === 1 };
      });
    });
    cy.nodes().forEach(function (n) {
      var at = placed[n.id()];
      if (!at) return;
      n.position({ x: at.x, y: at.y });
      n.toggleClass("label-top", at.top);
    });
    settle(null);
  }

  function pathElements() {
    var edges = [];
    paths.paths.forEach(function (p, i) {
      p.edges.forEach(function (e, j) {
        var link = e.links[0] || { words: "—", relation: "", layer: "stated", group: "", status: null, evidence: [] };
        var forward = p.nodes[j].id === e.source;
        edges.push({
          group: "edges",
          classes: "pathline",
          data: {
            id: "path" + (i + 1) + "|" + j + "|" + e.source + "|" + e.target,
            source: p.nodes[j].id,
            target: p.nodes[j + 1].id,
            relation: link.relation,
            words: link.words,
            group: link.group,
            layer: link.layer,
            status: link.status,
            count: 1,
            links: e.links,
            forward: forward,
            caption: (i + 1) + " · " + link.words,
            number: String(i + 1),
            colour: PATH_COLOURS[i % PATH_COLOURS.length],
            path: i,
            pattern: patternOf(link.status),
          },
        });
      });
    });
    return edges;
  }

  // ---- loading a view ----
  function sameBase(a, b) {
    return a && b && a.focus === b.focus && JSON.stringify(a.pair) === JSON.stringify(b.pair);
  }

  function baseOf(v) {
    return { focus: v.focus, pair: v.focus ? null : v.pair };
  }

  function prefix(a, b) {
    if (a.length > b.length) return false;
    for (var i = 0; i < a.length; i += 1) if (a[i] !== b[i]) return false;
    return true;
  }

  // Draw the base view and its expansions in order, each expansion laid out around the node
  // expanded, as its author built it; a view that only adds or removes expansions from what
  // is drawn changes only those.
  function drawGraph() {
    var base = baseOf(view);
    var steps = [];
    if (drawn && drawn.base && sameBase(drawn.base, base) && prefix(drawn.expand, view.expand)) {
      for (var i = drawn.expand.length; i < view.expand.length; i += 1) steps.push(view.expand.slice(0, i + 1));
    } else if (drawn && drawn.base && sameBase(drawn.base, base)) {
      steps.push(view.expand.slice()); // a collapse, or back in history: keep what stays
    } else {
      cy.elements().remove();
      steps.push([]);
      for (var k = 0; k < view.expand.length; k += 1) steps.push(view.expand.slice(0, k + 1));
    }
    var chain = Promise.resolve();
    var lastAdded = [];
    steps.forEach(function (expand) {
      chain = chain.then(function () { return getJson(viewUrl(base, expand)); }).then(function (answer) {
        var parent = expand.length ? expand[expand.length - 1] : null;
        var fresh = cy.nodes().length === 0;
        var count = answer.nodes.filter(function (n) { return !cy.getElementById(n.id).length; }).length;
        var index = 0;
        var added = apply(answer, function (id) {
          index += 1;
          return parent ? aroundParent(parent, count, index) : { x: 0, y: 0 };
        });
        applyFilters();
        if (fresh) freshLayout(JSON.stringify(base));
        else incrementalLayout(added, JSON.stringify(base) + "|" + expand.join(","));
        lastAdded = added;
        drawn = { base: base, expand: expand.slice() };
      });
    });
    return chain.then(function () {
      var around = lastAdded.length ? cy.collection(lastAdded.map(function (id) { return cy.getElementById(id); })) : null;
      if (around && view.expand.length) around = around.union(cy.getElementById(view.expand[view.expand.length - 1]));
      frame(around);
    });
  }

  function drawPaths() {
    return loadPaths(view.path).then(function () {
      var ids = [];
      paths.paths.forEach(function (p) { p.nodes.forEach(function (n) { if (ids.indexOf(n.id) < 0) ids.push(n.id); }); });
      if (!ids.length) ids = [paths.from.id, paths.to.id];
      return getJson(viewUrl({}, [], ids)).then(function (answer) {
        cy.elements().remove();
        answer.edges = [];
        answer.centres = [];
        apply(answer, function () { return { x: 0, y: 0 }; });
        cy.nodes().forEach(function (n) { n.data("display", n.data("short")); n.removeClass("more"); });
        cy.getElementById(paths.from.id).addClass("centre");
        cy.getElementById(paths.to.id).addClass("centre");
        cy.add(pathElements());
        pathLayout();
        drawn = { path: pathKey };
        frame(null);
      });
    });
  }

  function load() {
    busy += 1;
    say("Loading…");
    // A selection's overlay counts in a node's size for the layout: lay out without it, so a
    // permalink (which selects only at the end) replays the same picture.
    cy.$(":selected").unselect();
    var work = view.path ? drawPaths() : drawGraph();
    return work
      .then(function () {
        applyFilters();
        syncForms();
        renderTitle();
        renderPaths();
        renderLegend();
        listNodes();
        reframe();
        cy.$(":selected").unselect();
        if (view.sel && cy.getElementById(view.sel).length) {
          cy.getElementById(view.sel).select();
          return showDetails(view.sel);
        }
        if (!view.sel) showHint();
        return null;
      })
      .then(function () { say(""); })
      .catch(function (err) { say("Could not load: " + err.message); })
      .then(function () { busy -= 1; });
  }

  function title() {
    if (view.path && paths) return "Paths from " + paths.from.label + " to " + paths.to.label;
    if (!current) return "";
    if (view.focus) return current.title + " and its neighbours";
    return current.title + ": who is most involved, and where they met";
  }

  function renderTitle() {
    document.getElementById("view-title").textContent = title();
    document.title = title() + " · Explore · bilateral-kg";
  }

  function showHint() {
    document.getElementById("details").innerHTML = '<p class="hint">Search for an entity, or click a node or a line to see its facts and the sentences that say so.</p>';
  }

  function focusOn(id) {
    view.focus = id;
    view.pair = null;
    view.expand = [];
    view.path = null;
    view.sel = id;
    commit();
    return load();
  }

  function goHome() {
    view = emptyView();
    view.pair = defaultPair();
    commit();
    return load();
  }

  function toggleExpand(id) {
    var i = view.expand.indexOf(id);
    if (i >= 0) view.expand.splice(i, 1);
    else view.expand.push(id);
    view.sel = id;
    commit();
    return load();
  }

  function isCentre(id) {
    return id === view.focus || view.expand.indexOf(id) >= 0;
  }

  // A click selects a node, shows its facts, and expands it when it has more to show.
  function chooseNode(id) {
    var n = cy.getElementById(id);
    if (!view.path && n.length && n.data("more") > 0 && !isCentre(id)) return track(toggleExpand(id));
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
  // Words on a line when the pointer is on it; the full name of a node as its tooltip.
  cy.on("mouseover", "edge", function (evt) { evt.target.addClass("hover"); });
  cy.on("mouseout", "edge", function (evt) { evt.target.removeClass("hover"); });
  cy.on("mouseover", "node", function (evt) { container.title = evt.target.data("label") + " (" + kindName(evt.target.data("kind")) + ")"; });
  cy.on("mouseout", "node", function () { container.title = ""; });

  window.addEventListener("popstate", function () {
    view = readUrl();
    document.getElementById("undo").disabled = !(window.history.state && window.history.state.n > 0);
    track(load());
  });

  function applyFilters() {
    cy.batch(function () {
      cy.elements().removeClass("hidden");
      // Centres and a found path are always shown whole: filters apply to the rest.
      cy.nodes().forEach(function (n) {
        if (n.hasClass("centre") || view.path) return;
        if (view.hideKinds.indexOf(n.data("kind")) >= 0 || view.hideStatuses.indexOf(n.data("status")) >= 0) n.addClass("hidden");
      });
      cy.edges().forEach(function (e) {
        if (e.hasClass("pathline")) return;
        if ((view.stated && e.data("layer") !== "stated") || view.hideStatuses.indexOf(e.data("status")) >= 0 || e.source().hasClass("hidden") || e.target().hasClass("hidden")) e.addClass("hidden");
      });
      // A node whose every line is filtered out would float unexplained: hide it too.
      cy.nodes().forEach(function (n) {
        if (!n.hasClass("centre") && !view.path && n.connectedEdges().not(".hidden").length === 0) n.addClass("hidden");
      });
    });
  }

  // ---- lists for the keyboard ----
  function listNodes() {
    var ul = document.getElementById("node-list");
    ul.textContent = "";
    var options = document.getElementById("path-options");
    options.textContent = "";
    cy.nodes().not(".hidden").sort(function (a, b) { return a.data("short").localeCompare(b.data("short")); }).forEach(function (n) {
      var b = el("button", { type: "button", "data-id": n.id(), text: n.data("display"), onclick: function () { chooseNode(n.id()); } });
      ul.appendChild(el("li", {}, [b]));
      var o = document.createElement("option");
      o.value = n.data("label");
      options.appendChild(o);
    });
    listEdges();
  }

  function edgeText(e) {
    return e.source().data("short") + " — " + e.data("caption") + " — " + e.target().data("short") + (e.data("status") ? " (" + statusName(e.data("status")) + ")" : "");
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
    if (item.status) out.push(el("span", { class: "tag status", text: statusName(item.status) }));
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
      groups[words] = (groups[words] || 0) + (e.data("count") || 1);
    });
    return el("ul", { class: "counts" }, Object.keys(groups).sort().map(function (w) { return el("li", { text: w + ": " + groups[w] }); }));
  }

  function showDetails(id) {
    var panel = document.getElementById("details");
    var ele = cy.getElementById(id);
    if (!ele.length) return Promise.resolve();
    return ele.isNode() ? nodeDetails(panel, ele) : edgeDetails(panel, ele);
  }

  function humanDate(edtf) {
    if (!edtf) return null;
    var m = /^(\d{4}|X{4})(\??)(?:-(\d{2}|XX))?(?:-(\d{2}|XX))?/.exec(edtf);
    if (!m) return edtf;
    var months = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];
    var parts = [];
    if (m[4] && m[4] !== "XX") parts.push(String(parseInt(m[4], 10)));
    if (m[3] && m[3] !== "XX") parts.push(months[parseInt(m[3], 10) - 1]);
    if (m[1] !== "XXXX") parts.push(m[1]);
    var text = parts.join(" ");
    if (m[1] === "XXXX") text += ", year not given";
    else if (m[2]) text += ", year inferred";
    return text;
  }

  // A fact of an entity passes the filters when its kind, status and layer are shown.
  function factShown(s) {
    var node = cy.getElementById(s.fact);
    var kind = node.length ? node.data("kind") : s.fact.split("/")[0];
    if (view.hideKinds.indexOf(kind) >= 0) return false;
    if (s.status && view.hideStatuses.indexOf(s.status) >= 0) return false;
    if (view.stated && s.layer !== "stated") return false;
    return true;
  }

  function nodeDetails(panel, n) {
    var id = n.id();
    return getJson("/api/entities/" + enc(id)).then(function (entity) {
      panel.textContent = "";
      panel.appendChild(el("h2", { id: "details-title", text: entity.label }));
      var date = humanDate(n.data("date"));
      panel.appendChild(el("p", { class: "meta" }, [kindName(n.data("kind")), n.data("status") ? " · " + statusName(n.data("status")) : "", date ? " · " + date : "", " · ", entityLink(id, "entity page")]));
      var expanded = isCentre(id);
      panel.appendChild(el("div", { class: "row" }, [
        id !== view.focus ? el("button", { type: "button", id: "focus-here", text: "Focus here", onclick: function () { track(focusOn(id)); } }) : null,
        id !== view.focus && !view.path ? el("button", { type: "button", id: "expand-toggle", text: expanded ? "Collapse" : "Expand", onclick: function () { track(toggleExpand(id)); } }) : null,
        el("button", { type: "button", text: "Path from", onclick: function () { document.getElementById("path-from").value = id; } }),
        el("button", { type: "button", text: "Path to", onclick: function () { document.getElementById("path-to").value = id; } }),
      ]));
      if (n.data("more") > 0) panel.appendChild(el("p", { class: "hint", text: "+" + n.data("more") + " more neighbours not shown: expand to see them." }));
      panel.appendChild(el("h3", { text: "In view" }));
      panel.appendChild(neighbourCounts(n));
      panel.appendChild(el("h3", { text: "Facts" }));
      var dl = el("dl", { id: "facts" });
      var first = null;
      var hidden = 0;
      Object.keys(entity.statements).forEach(function (role) {
        var shown = entity.statements[role].filter(function (s) {
          if (factShown(s)) return true;
          hidden += 1;
          return false;
        });
        if (!shown.length) return;
        dl.appendChild(el("dt", { text: role }));
        shown.forEach(function (s) {
          if (!first && s.evidence && s.evidence.length) first = s.evidence[0];
          dl.appendChild(el("dd", { "data-fact": s.fact }, [entityLink(s.fact, s.label), " "].concat(tags(s), [s.reason ? el("div", { class: "reason", text: s.reason }) : null, evidenceList(s.evidence)])));
        });
      });
      panel.appendChild(dl);
      if (hidden) panel.appendChild(el("p", { class: "filtered-note", id: "facts-hidden", text: hidden + (hidden === 1 ? " fact is" : " facts are") + " hidden by the filters on the left." }));
      panel.appendChild(el("div", { id: "source-box" }));
      return first ? showSource(first) : null;
    });
  }

  function edgeDetails(panel, e) {
    var d = e.data();
    panel.textContent = "";
    var from = d.forward === false ? e.target() : e.source();
    var to = d.forward === false ? e.source() : e.target();
    panel.appendChild(el("h2", { id: "details-title" }, [entityLink(from.id(), from.data("short")), " — " + d.words + " — ", entityLink(to.id(), to.data("short"))]));
    panel.appendChild(el("p", { class: "meta" }, [(d.path !== undefined ? "path " + (d.path + 1) + " · " : "") + d.group + " · "].concat(tags(d))));
    var first = null;
    if (d.links) {
      // A step of a path: every link that joins its two nodes, with its evidence.
      d.links.forEach(function (link) {
        panel.appendChild(el("div", { class: "via" }, [el("strong", { text: link.words }), " "].concat(tags(link), [link.via ? el("div", {}, ["for ", entityLink(link.via, link.via)]) : null, evidenceList(link.evidence)])));
        if (!first && link.evidence && link.evidence.length) first = link.evidence[0];
      });
    } else {
      var derived = d.layer === "derived";
      panel.appendChild(el("h3", { text: derived ? "Derived from " + d.via.length + (d.via.length === 1 ? " happening" : " happenings") : d.via.length ? "Stated in" : "No sentence states this fact" }));
      d.via.forEach(function (v) {
        panel.appendChild(el("div", { class: "via" }, [entityLink(v.id, v.short), " ", el("span", { class: "tag", text: kindName(v.kind) }), evidenceList(v.evidence)]));
        if (!first && v.evidence.length) first = v.evidence[0];
      });
    }
    panel.appendChild(el("div", { id: "source-box" }));
    return first ? showSource(first) : Promise.resolve();
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
      parts.push(" ", el("span", { class: "kind", text: kindName(r.kind) }));
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
    var input = el("input", { type: "checkbox", name: "group", value: g });
    input.checked = config.pathGroups.indexOf(g) >= 0;
    groupBox.appendChild(el("label", { class: "check" }, [input, " " + g]));
  });

  // A name typed into From or To becomes one node: an id or a name that only one node has
  // is taken; a name several nodes answer to is asked about.
  function resolveEnd(text) {
    var inView = cy.nodes().filter(function (n) { return n.id() === text || n.data("label") === text; });
    if (inView.length === 1) return Promise.resolve({ id: inView[0].id() });
    if (text.indexOf("/") > 0 && !/\s/.test(text)) return Promise.resolve({ id: text });
    return getJson("/api/search?limit=8&q=" + encodeURIComponent(text)).then(function (answer) {
      var hits = answer.results;
      if (!hits.length) return { error: "Nothing is called “" + text + "”." };
      var exact = hits.filter(function (h) { return h.label.toLowerCase() === text.toLowerCase() || h.matched.toLowerCase() === text.toLowerCase(); });
      if (exact.length === 1) return { id: exact[0].id };
      var close = hits.filter(function (h) { return h.score >= hits[0].score - 5; });
      if (close.length === 1 && hits[0].score >= 80) return { id: hits[0].id };
      return { ask: hits.slice(0, 6), text: text };
    });
  }

  function ask(field, choice) {
    var boxAsk = document.getElementById("path-ask");
    boxAsk.textContent = "";
    boxAsk.appendChild(el("p", { id: "path-ask-question", text: "Which “" + choice.text + "” do you mean?" }));
    choice.ask.forEach(function (h) {
      boxAsk.appendChild(el("button", { type: "button", "data-id": h.id, text: h.label + " — " + kindName(h.kind), onclick: function () {
        document.getElementById(field).value = h.id;
        boxAsk.textContent = "";
        document.getElementById("path-form").requestSubmit();
      } }));
    });
  }

  document.getElementById("path-form").addEventListener("submit", function (evt) {
    evt.preventDefault();
    var from = document.getElementById("path-from").value.trim();
    var to = document.getElementById("path-to").value.trim();
    document.getElementById("path-ask").textContent = "";
    if (!from || !to) { say("Give both ends of the path."); return; }
    var groups = Array.prototype.map.call(groupBox.querySelectorAll("input:checked"), function (i) { return i.value; });
    track(Promise.all([resolveEnd(from), resolveEnd(to)]).then(function (ends) {
      var fields = ["path-from", "path-to"];
      for (var i = 0; i < 2; i += 1) {
        if (ends[i].error) { say(ends[i].error); return null; }
        if (ends[i].ask) { ask(fields[i], ends[i]); return null; }
      }
      view.path = {
        from: ends[0].id,
        to: ends[1].id,
        groups: groups.length ? groups : config.pathGroups.slice(),
        avoid: document.getElementById("path-avoid").checked,
        max: parseInt(document.getElementById("path-max").value, 10) || 8,
        k: parseInt(document.getElementById("path-k").value, 10) || 3,
      };
      view.sel = null;
      commit();
      return load();
    }));
  });
  document.getElementById("path-clear").addEventListener("click", function () {
    view.path = null;
    view.sel = null;
    commit();
    track(load());
  });

  function renderPaths() {
    var ol = document.getElementById("path-results");
    ol.textContent = "";
    if (!view.path || !paths) return;
    if (!paths.paths.length) {
      ol.appendChild(el("li", { text: "No path of at most " + view.path.max + " steps over these relations" + (view.path.avoid ? " that avoids countries" : "") + "." }));
      return;
    }
    paths.paths.forEach(function (p, i) {
      var quotes = [];
      p.edges.forEach(function (e) {
        e.links.forEach(function (l) {
          (l.evidence || []).forEach(function (ev) { if (quotes.indexOf(ev.quote) < 0) quotes.push(ev.quote); });
        });
      });
      var li = el("li", { class: "path", "data-path": String(i + 1) }, [el("span", { class: "number", text: String(i + 1) + "." }), el("span", { class: "explanation", text: p.explanation })].concat(quotes.map(function (q) { return el("div", {}, [el("q", { class: "quote", text: q })]); })));
      li.style.setProperty("--path", PATH_COLOURS[i % PATH_COLOURS.length]);
      ol.appendChild(li);
    });
  }

  // ---- filters ----
  function checkboxes(boxId, values, label) {
    var fs = document.getElementById(boxId);
    values.forEach(function (v) {
      var input = el("input", { type: "checkbox", value: v });
      input.checked = true;
      fs.appendChild(el("label", { class: "check" }, [input, " " + label(v)]));
    });
  }
  checkboxes("filter-kinds", config.kinds, kindName);
  checkboxes("filter-statuses", config.statuses, statusName);

  function syncForms() {
    Array.prototype.forEach.call(document.querySelectorAll("#filter-kinds input"), function (i) { i.checked = view.hideKinds.indexOf(i.value) < 0; });
    Array.prototype.forEach.call(document.querySelectorAll("#filter-statuses input"), function (i) { i.checked = view.hideStatuses.indexOf(i.value) < 0; });
    document.getElementById("stated-only").checked = view.stated;
    var q = view.path;
    if (q) {
      document.getElementById("path-from").value = q.from;
      document.getElementById("path-to").value = q.to;
      document.getElementById("path-max").value = String(q.max);
      document.getElementById("path-k").value = String(q.k);
      document.getElementById("path-avoid").checked = q.avoid;
    }
    Array.prototype.forEach.call(groupBox.querySelectorAll("input"), function (i) { i.checked = (q ? q.groups : config.pathGroups).indexOf(i.value) >= 0; });
  }

  document.getElementById("filters").addEventListener("change", function () {
    view.hideKinds = Array.prototype.filter.call(document.querySelectorAll("#filter-kinds input"), function (i) { return !i.checked; }).map(function (i) { return i.value; });
    view.hideStatuses = Array.prototype.filter.call(document.querySelectorAll("#filter-statuses input"), function (i) { return !i.checked; }).map(function (i) { return i.value; });
    view.stated = document.getElementById("stated-only").checked;
    if (view.sel && cy.getElementById(view.sel).length) {
      // A selection the filters hide is let go; one that stays is shown as filtered.
      applyFilters();
      if (cy.getElementById(view.sel).hasClass("hidden")) { view.sel = null; showHint(); }
    }
    commit();
    applyFilters();
    listNodes();
    renderLegend();
    if (view.sel) track(showDetails(view.sel));
  });

  // ---- legend: what is drawn, drawn the same way ----
  function ngon(sides, rotate) {
    var step = (2 * Math.PI) / sides;
    var start = (sides % 2 === 0 ? Math.PI / 2 + step / 2 : Math.PI / 2) + (rotate || 0);
    var pts = [];
    for (var i = 0; i < sides; i += 1) pts.push([Math.cos(start + i * step), -Math.sin(start + i * step)]);
    return pts;
  }
  var SHAPES = {
    triangle: ngon(3), pentagon: ngon(5), hexagon: ngon(6), octagon: ngon(8),
    diamond: [[0, -1], [1, 0], [0, 1], [-1, 0]],
    rectangle: [[-1, -1], [1, -1], [1, 1], [-1, 1]],
    vee: [[-1, -1], [0, -0.333], [1, -1], [0, 1]],
    rhomboid: [[-1, -1], [0.333, -1], [1, 1], [-0.333, 1]],
    "concave-hexagon": [[-1, -0.95], [-0.75, 0], [-1, 0.95], [1, 0.95], [0.75, 0], [1, -0.95]],
    "round-tag": [[-1, -1], [0.25, -1], [1, 0], [0.25, 1], [-1, 1]],
    star: (function () { var p = []; for (var i = 0; i < 10; i += 1) { var r = i % 2 ? 0.42 : 1; var a = Math.PI / 2 + (i * Math.PI) / 5; p.push([r * Math.cos(a), -r * Math.sin(a)]); } return p; })(),
  };

  function drawShape(ctx, shape, cx, cy0, r, fill) {
    ctx.save();
    ctx.fillStyle = fill;
    ctx.strokeStyle = "#2b2f36";
    ctx.lineWidth = Math.max(1, r / 9);
    ctx.beginPath();
    if (shape === "ellipse") {
      ctx.arc(cx, cy0, r, 0, 2 * Math.PI);
    } else if (shape === "round-rectangle" || shape === "barrel") {
      var rr = shape === "barrel" ? r * 0.6 : r * 0.35;
      ctx.roundRect(cx - r, cy0 - r * (shape === "barrel" ? 0.8 : 1), 2 * r, 2 * r * (shape === "barrel" ? 0.8 : 1), rr);
    } else {
      (SHAPES[shape] || SHAPES.rectangle).forEach(function (p, i) {
        if (i === 0) ctx.moveTo(cx + p[0] * r, cy0 + p[1] * r);
        else ctx.lineTo(cx + p[0] * r, cy0 + p[1] * r);
      });
      ctx.closePath();
    }
    ctx.fill();
    ctx.stroke();
    ctx.restore();
  }

  function drawLine(ctx, x, y, w, colour, dash, width) {
    ctx.save();
    ctx.strokeStyle = colour;
    ctx.lineWidth = width;
    ctx.lineCap = "round";
    ctx.setLineDash(dash);
    ctx.beginPath();
    ctx.moveTo(x, y);
    ctx.lineTo(x + w, y);
    ctx.stroke();
    ctx.restore();
  }

  // What the legend lists: the kinds, patterns, layers and paths in view.
  function legendItems() {
    var shownNodes = cy.nodes().not(".hidden");
    var shownEdges = cy.edges().not(".hidden");
    var kinds = config.kinds.filter(function (k) { return shownNodes.filter(function (n) { return n.data("kind") === k; }).length; });
    var items = kinds.map(function (k) { var s = kindOf(k); return { type: "kind", key: k, text: kindName(k), shape: s.shape, color: s.color }; });
    if (view.path && paths) {
      paths.paths.forEach(function (p, i) { items.push({ type: "path", key: String(i + 1), text: "path " + (i + 1), color: PATH_COLOURS[i % PATH_COLOURS.length], dash: [], width: 4 }); });
    } else {
      Object.keys(PATTERNS).forEach(function (p) {
        var edges = shownEdges.filter(function (e) { return e.data("pattern") === p; });
        if (!edges.length) return;
        var statuses = PATTERNS[p].statuses.filter(function (s) { return edges.filter(function (e) { return e.data("status") === s; }).length; });
        var words = statuses.map(statusName).join(", ");
        var text = p === "solid" ? (statuses.length ? words + "; other links" : "a link") : words;
        items.push({ type: "pattern", key: p, text: text, color: "#59616e", dash: PATTERNS[p].dash, width: 2 });
      });
      Object.keys(LAYER_COLOURS).forEach(function (l) {
        if (!shownEdges.filter(function (e) { return e.data("layer") === l; }).length) return;
        items.push({ type: "layer", key: l, text: LAYER_NAMES[l], color: LAYER_COLOURS[l], dash: [], width: 3 });
      });
    }
    return items;
  }

  function icon(item, scale) {
    var c = document.createElement("canvas");
    var w = item.type === "kind" ? 18 : 34;
    c.width = w * scale;
    c.height = 18 * scale;
    c.style.width = w + "px";
    c.style.height = "18px";
    var ctx = c.getContext("2d");
    ctx.scale(scale, scale);
    if (item.type === "kind") drawShape(ctx, item.shape, 9, 9, 7.5, item.color);
    else drawLine(ctx, 2, 9, 30, item.color, item.dash, item.width);
    return c;
  }

  function renderLegend() {
    var kinds = document.getElementById("legend-kinds");
    var lines = document.getElementById("legend-lines");
    kinds.textContent = "";
    lines.textContent = "";
    var scale = window.devicePixelRatio || 1;
    legendItems().forEach(function (item) {
      var li = el("li", { "data-type": item.type, "data-key": item.key, "data-color": item.color }, [icon(item, scale), item.text]);
      if (item.shape) li.setAttribute("data-shape", item.shape);
      if (item.dash) li.setAttribute("data-dash", item.dash.join(","));
      (item.type === "kind" ? kinds : lines).appendChild(li);
    });
  }

  document.getElementById("legend-toggle").addEventListener("click", function () {
    var button = document.getElementById("legend-toggle");
    var open = button.getAttribute("aria-expanded") !== "true";
    button.setAttribute("aria-expanded", String(open));
    document.getElementById("legend-body").hidden = !open;
    cy.resize();
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

  // The PNG: title, the drawing, the legend beside it, and a line naming the sources.
  function pngParts() {
    var sources = view.path && paths ? [] : (current ? current.sources : []);
    if (view.path && paths) {
      paths.paths.forEach(function (p) { p.edges.forEach(function (e) { e.links.forEach(function (l) { (l.evidence || []).forEach(function (ev) { if (sources.indexOf(ev.source_label) < 0) sources.push(ev.source_label); }); }); }); });
    } else {
      sources = sources.map(function (s) { return s.label; });
    }
    var stamp = new Date().toISOString().slice(0, 10);
    return {
      title: title(),
      legend: legendItems().map(function (i) { return i.text; }),
      source: "Sources: " + (sources.length ? sources.join("; ") : "none in view") + ". Drawn by bilateral-kg from " + window.location.href + " on " + stamp + ".",
    };
  }

  function wrap(ctx, text, width) {
    var words = text.split(" ");
    var lines = [];
    var line = "";
    words.forEach(function (w) {
      var next = line ? line + " " + w : w;
      if (ctx.measureText(next).width > width && line) { lines.push(line); line = w; } else line = next;
    });
    if (line) lines.push(line);
    return lines;
  }

  function composePng() {
    var parts = pngParts();
    var scale = 2;
    var graphUrl = cy.png({ full: true, scale: scale, bg: "#ffffff", maxWidth: 3200, maxHeight: 2400 });
    var img = new Image();
    return new Promise(function (resolve, reject) {
      img.onload = function () {
        var items = legendItems();
        var legendW = 250 * scale;
        var width = Math.max(img.width + legendW + 60 * scale, 900 * scale);
        var canvas = document.createElement("canvas");
        var ctx = canvas.getContext("2d");
        ctx.font = 11 * scale + "px system-ui, sans-serif";
        var footer = wrap(ctx, parts.source, width - 40 * scale);
        var titleH = 50 * scale;
        var legendH = (items.length * 22 + 40) * scale;
        var bodyH = Math.max(img.height, legendH);
        canvas.width = width;
        canvas.height = titleH + bodyH + (footer.length * 15 + 24) * scale;
        ctx.fillStyle = "#ffffff";
        ctx.fillRect(0, 0, canvas.width, canvas.height);
        ctx.fillStyle = "#1d2430";
        ctx.font = "bold " + 20 * scale + "px system-ui, sans-serif";
        ctx.fillText(parts.title, 20 * scale, 32 * scale);
        ctx.drawImage(img, 20 * scale, titleH);
        var lx = width - legendW;
        var ly = titleH + 10 * scale;
        ctx.font = "bold " + 13 * scale + "px system-ui, sans-serif";
        ctx.fillText("Legend", lx, ly + 10 * scale);
        ctx.font = 12 * scale + "px system-ui, sans-serif";
        items.forEach(function (item, i) {
          var y = ly + (34 + i * 22) * scale;
          if (item.type === "kind") drawShape(ctx, item.shape, lx + 9 * scale, y - 4 * scale, 7.5 * scale, item.color);
          else drawLine(ctx, lx, y - 4 * scale, 30 * scale, item.color, item.dash.map(function (d) { return d * scale; }), item.width * scale);
          ctx.fillStyle = "#1d2430";
          ctx.fillText(item.text, lx + 40 * scale, y);
        });
        ctx.fillStyle = "#4a5260";
        ctx.font = 11 * scale + "px system-ui, sans-serif";
        footer.forEach(function (line, i) { ctx.fillText(line, 20 * scale, titleH + bodyH + (20 + i * 15) * scale); });
        canvas.toBlob(function (blob) { resolve(blob); }, "image/png");
      };
      img.onerror = reject;
      img.src = graphUrl;
    });
  }

  document.getElementById("export-png").addEventListener("click", function () {
    track(composePng().then(function (blob) { download(blob, "explorer.png"); }));
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
  document.getElementById("home").addEventListener("click", function () { track(goHome()); });

  // ---- for tests and the console ----
  function state() {
    var nodes = cy.nodes().not(".hidden").map(function (n) {
      return { id: n.id(), label: n.data("label"), short: n.data("short"), display: n.data("display"), kind: n.data("kind"), status: n.data("status"), more: n.data("more"), shape: n.style("shape"), color: n.style("background-color"), centre: n.hasClass("centre"), position: { x: n.position("x"), y: n.position("y") } };
    });
    var edges = cy.edges().not(".hidden").map(function (e) {
      return { id: e.id(), source: e.data("source"), target: e.data("target"), relation: e.data("relation"), words: e.data("words"), layer: e.data("layer"), status: e.data("status"), count: e.data("count"), pattern: e.data("pattern"), lineStyle: e.style("line-style"), dash: e.style("line-dash-pattern"), color: e.style("line-color"), path: e.data("path") === undefined ? null : e.data("path") + 1 };
    });
    var sel = view.sel && cy.getElementById(view.sel);
    return {
      title: title(),
      pair: view.focus ? null : view.pair,
      focus: view.focus,
      expanded: view.expand.slice(),
      filters: { hideKinds: view.hideKinds.slice(), hideStatuses: view.hideStatuses.slice(), stated: view.stated },
      zoom: cy.zoom(),
      fontSize: FONT,
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
    png: composePng,
    pngParts: pngParts,
    graphml: graphml,
    legend: legendItems,
    settle: settle,
  };

  view = readUrl();
  commit(true);
  track(load());
})();
