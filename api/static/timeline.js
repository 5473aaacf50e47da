// /timeline: the items and groups the server gives, wired to vis-timeline (npm, served by this
// app); the kind and status boxes filter the axis and the table alike.
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("timeline-config").textContent);
  var form = document.getElementById("filters");
  var rows = Array.prototype.slice.call(document.querySelectorAll("#items tr[data-id]"));

  function boxes(name, wanted) {
    Array.prototype.forEach.call(form.querySelectorAll("input[name=" + name + "]"), function (i) {
      if (wanted) i.checked = wanted.indexOf(i.value) >= 0;
    });
  }
  // A link that asks for acts of a status ("requested: 3") shows those acts alone.
  boxes("kind", config.kinds || (config.statuses ? config.groups.map(function (g) { return g.id; }).filter(function (k) { return k !== "meeting"; }) : null));
  boxes("status", config.statuses);

  function chosen(name) {
    return Array.prototype.filter.call(form.querySelectorAll("input[name=" + name + "]"), function (i) { return i.checked; }).map(function (i) { return i.value; });
  }

  function keep(kind, status, participants) {
    if (chosen("kind").indexOf(kind) < 0) return false;
    if (status && chosen("status").indexOf(status) < 0) return false;
    if (config.participant && participants.indexOf(config.participant) < 0) return false;
    return true;
  }

  var participantsOf = {};
  rows.forEach(function (r) { participantsOf[r.dataset.id] = r.dataset.participants.split(" "); });

  var timeline = null;
  var data = null;
  if (window.vis && window.vis.Timeline && config.items.length) {
    data = new window.vis.DataSet([]);
    timeline = new window.vis.Timeline(document.getElementById("tl"), data, new window.vis.DataSet(config.groups), {
      stack: true,
      zoomable: true,
      margin: { item: 6 },
      orientation: "top",
      tooltip: { followMouse: true },
    });
    timeline.on("select", function (props) {
      if (props.items.length) window.location.href = "/id/" + props.items[0];
    });
  }

  function apply() {
    var shown = 0;
    rows.forEach(function (r) {
      var ok = keep(r.dataset.kind, r.dataset.status, r.dataset.participants.split(" "));
      r.hidden = !ok;
      if (ok) shown += 1;
    });
    if (data) {
      var items = config.items.filter(function (i) { return keep(i.group, i.status, participantsOf[i.id] || []); }).map(function (i) {
        var copy = Object.assign({}, i);
        if (i.history) copy.content = i.content + " · " + i.history;
        else if (i.status) copy.content = i.content + " · " + i.status;
        return copy;
      });
      data.clear();
      data.add(items);
      if (items.length) timeline.fit({ animation: false });
    }
    document.getElementById("shown").textContent = shown + " of " + rows.length + " shown" + (config.participant ? " (only those " + config.participant + " takes part in)" : "");
  }
  form.addEventListener("change", apply);
  apply();
  window.timelineView = { timeline: timeline, shown: function () { return data ? data.getIds() : []; } };
})();
