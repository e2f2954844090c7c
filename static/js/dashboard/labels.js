// Street labels that never overlap: each street's label shows its number and name where there
// is room, its number alone where names would pile up (the numbered list beside the map names
// it), and nothing where it would fall outside the map. Recomputed after every move and zoom,
// so zooming in turns numbers into names.
(function () {
  "use strict";
  // Where a label may sit, best first: its full name above or below the street, then its number.
  var TRIES = [["name", "top"], ["name", "bottom"], ["number", "top"], ["number", "bottom"], ["number", "center"]];
  var MARGIN = 2;

  function overlaps(a, b) {
    return a.left < b.right + MARGIN && b.left < a.right + MARGIN && a.top < b.bottom + MARGIN && b.top < a.bottom + MARGIN;
  }

  function inside(r, box) {
    return r.left >= box.left && r.right <= box.right && r.top >= box.top && r.bottom <= box.bottom;
  }

  function show(item, form, direction) {
    var tooltip = item.tooltip;
    var el = tooltip.getElement();
    el.classList.toggle("label-short", form === "number");
    el.classList.remove("label-hidden");
    tooltip.options.direction = direction;
    tooltip.options.offset = direction === "bottom" ? [0, item.offset] : direction === "top" ? [0, -item.offset] : [0, 0];
    tooltip.update();
    return el.getBoundingClientRect();
  }

  // items: [{tooltip, priority, offset}] with permanent tooltips open on the map.
  function place(map, items) {
    var box = map.getContainer().getBoundingClientRect();
    var order = items.filter(function (item) { return item.tooltip.getElement(); });
    // Every street's number first, so a name is never laid over a neighbour's only label.
    order.forEach(function (item) { item.numberBox = show(item, "number", "top"); item.done = false; });
    order.sort(function (a, b) { return b.priority - a.priority; });
    var placed = [];
    order.forEach(function (item) {
      var chosen = null;
      for (var i = 0; i < TRIES.length && !chosen; i++) {
        var r = show(item, TRIES[i][0], TRIES[i][1]);
        var clash = !inside(r, box) || placed.some(function (p) { return overlaps(r, p); }) ||
          (TRIES[i][0] === "name" && order.some(function (other) {
            return other !== item && !other.done && overlaps(r, other.numberBox);
          }));
        if (!clash) { chosen = r; }
      }
      item.done = true;
      if (chosen) {
        placed.push(chosen);
      } else {
        item.tooltip.getElement().classList.add("label-hidden");
      }
    });
  }

  window.fieldappDashboard = window.fieldappDashboard || {};
  window.fieldappDashboard.placeLabels = place;
})();
