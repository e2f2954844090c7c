// Coverage map: streets from our own GeoJSON, coloured by band, each with a numbered label and a
// line in the list beside the map; tiles only when configured.
(function () {
  "use strict";
  var el = document.getElementById("map");
  var dash = window.fieldappDashboard;
  if (!el || !window.L || !dash) { return; }
  var config = JSON.parse(el.getAttribute("data-config"));
  var labels = config.labels;
  var format = dash.format;
  var list = document.getElementById("map-list");
  var map = L.map(el, { preferCanvas: false, attributionControl: Boolean(config.tiles), zoomSnap: 0.5 });
  if (config.tiles) {
    L.tileLayer(config.tiles, { attribution: config.attribution, maxZoom: 19 }).addTo(map);
  }

  // Keep in step with legend_bands() in fieldapp/dashboard/views.py.
  function band(value) {
    if (value === null || value === undefined) { return "band-none"; }
    // Savings: a band per config.savings_band euros a year per home, the fifth open-ended.
    var share = config.metric === "coverage" ? value
      : config.metric === "savings_per_home" ? value / (5 * config.savings_band) : value / 100;
    return "band-" + Math.min(4, Math.max(0, Math.floor(share * 5)));
  }

  function shown(props) {
    if (config.metric === "savings_per_home") { return euroRange(props.savings_per_home); }
    return config.metric === "coverage" ? format.percent(props.coverage) : format.number(props.trust_index);
  }

  // Never one precise number: low to high, whole euros.
  function euroRange(range) {
    if (!range) { return labels.no_data; }
    return "€" + format.number(Math.round(range.low)) + "–" + format.number(Math.round(range.high));
  }

  function node(tag, className, text) {
    var n = document.createElement(tag);
    if (className) { n.className = className; }
    if (text !== undefined) { n.appendChild(document.createTextNode(String(text))); }
    return n;
  }

  function popup(props, number) {
    var box = node("div", "street-popup");
    var title = node("p", "popup-title");
    title.appendChild(node("span", "label-no", number));
    title.appendChild(node("strong", "", props.name));
    box.appendChild(title);
    var rows = [
      ["households", format.number(props.households)], ["reached", format.number(props.reached)],
      ["coverage", props.coverage === null ? labels.no_data : format.percent(props.coverage)],
      ["trust_index", props.trust_index === null ? labels.no_data : format.number(props.trust_index)],
      ["refusals", format.number(props.refusals)], ["records", format.number(props.records)],
      ["anonymous_contacts", format.number(props.anonymous_contacts)],
      ["koppelkansen", format.number(props.koppelkansen)]
    ];
    if (config.metric === "savings_per_home") {
      rows.push(["homes_with_measures", format.number(props.homes_with_measures)],
                ["savings_per_home", euroRange(props.savings_per_home)]);
    }
    var dl = node("dl");
    rows.forEach(function (row) {
      dl.appendChild(node("dt", "", labels[row[0]]));
      dl.appendChild(node("dd", "", row[1]));
    });
    box.appendChild(dl);
    var link = node("a", "", labels.open_street);
    link.href = config.street_url.replace(/\/0$/, "/" + props.street_id);
    box.appendChild(link);
    return box;
  }

  // A popup never taller or wider than the map: it scrolls inside instead (a phone's map is short).
  function popupOptions() {
    return {
      maxHeight: Math.max(120, el.clientHeight - 90), maxWidth: Math.max(160, Math.min(300, el.clientWidth - 60)),
      autoPanPadding: [10, 10]
    };
  }

  function listItem(props, number, layer) {
    var button = node("button", "map-list-item");
    button.type = "button";
    button.appendChild(node("span", "label-no", number));
    button.appendChild(node("span", "swatch " + band(props.value)));
    button.appendChild(node("span", "map-list-name", props.name));
    button.appendChild(node("span", "map-list-value", shown(props)));
    button.addEventListener("click", function () {
      el.scrollIntoView({ block: "nearest" });
      layer.openPopup();
    });
    var li = node("li");
    li.appendChild(button);
    return li;
  }

  function labelContent(props, number) {
    var box = node("span");
    box.appendChild(node("span", "label-no", number));
    box.appendChild(node("span", "label-name", props.name));
    return box;
  }

  fetch(config.geojson, { credentials: "same-origin", headers: { "Accept": "application/geo+json" } })
    .then(function (response) { return response.json(); })
    .then(function (data) {
      var items = [];
      var count = 0;
      var layer = L.geoJSON(data, {
        style: function (feature) {
          return { className: "street " + band(feature.properties.value), weight: 6 };
        },
        pointToLayer: function (feature, latlng) {
          return L.circleMarker(latlng, { radius: 9, className: "street " + band(feature.properties.value) });
        },
        onEachFeature: function (feature, item) {
          var props = feature.properties;
          var number = ++count;
          item.bindPopup(function () { return popup(props, number); }, popupOptions());
          item.bindTooltip(labelContent(props, number), {
            permanent: true, direction: "top", className: "street-label", interactive: false, opacity: 1
          });
          items.push({ tooltip: item.getTooltip(), priority: props.households || 0,
                       offset: feature.geometry && feature.geometry.type === "Point" ? 10 : 4 });
          list.appendChild(listItem(props, number, item));
        }
      }).addTo(map);
      var bounds = layer.getBounds();
      if (bounds.isValid()) { map.fitBounds(bounds, { padding: [24, 24] }); } else { map.setView([52.17, 5.29], 15); }
      var relabel = function () { dash.placeLabels(map, items); };
      map.on("moveend resize", relabel);
      map.on("resize", function () {
        layer.eachLayer(function (street) { L.setOptions(street.getPopup(), popupOptions()); });
      });
      relabel();
      el.setAttribute("data-loaded", String(data.features.length));
    });
})();
