// Coverage map: streets from our own GeoJSON, coloured by band; tiles only when configured.
(function () {
  "use strict";
  var el = document.getElementById("map");
  if (!el || !window.L) { return; }
  var config = JSON.parse(el.getAttribute("data-config"));
  var labels = config.labels;
  var map = L.map(el, { preferCanvas: false, attributionControl: Boolean(config.tiles) });
  if (config.tiles) {
    L.tileLayer(config.tiles, { attribution: config.attribution, maxZoom: 19 }).addTo(map);
  }

  function band(value) {
    if (value === null || value === undefined) { return "band-none"; }
    var share = config.metric === "coverage" ? value : value / 100;
    return "band-" + Math.min(4, Math.max(0, Math.floor(share * 5)));
  }

  function text(s) { return document.createTextNode(String(s)); }

  function popup(props) {
    var box = document.createElement("div");
    var title = document.createElement("strong");
    title.appendChild(text(props.name));
    box.appendChild(title);
    var list = document.createElement("dl");
    var rows = [
      ["households", props.households], ["reached", props.reached],
      ["coverage", props.coverage === null ? labels.no_data : Math.round(props.coverage * 100) + "%"],
      ["trust_index", props.trust_index === null ? labels.no_data : props.trust_index],
      ["refusals", props.refusals], ["records", props.records],
      ["anonymous_contacts", props.anonymous_contacts], ["koppelkansen", props.koppelkansen]
    ];
    rows.forEach(function (row) {
      var dt = document.createElement("dt"); dt.appendChild(text(labels[row[0]]));
      var dd = document.createElement("dd"); dd.appendChild(text(row[1]));
      list.appendChild(dt); list.appendChild(dd);
    });
    box.appendChild(list);
    var link = document.createElement("a");
    link.href = config.street_url.replace(/\/0$/, "/" + props.street_id);
    link.appendChild(text(labels.open_street));
    box.appendChild(link);
    return box;
  }

  fetch(config.geojson, { credentials: "same-origin", headers: { "Accept": "application/geo+json" } })
    .then(function (response) { return response.json(); })
    .then(function (data) {
      var layer = L.geoJSON(data, {
        style: function (feature) {
          return { className: "street " + band(feature.properties.value), weight: 6 };
        },
        pointToLayer: function (feature, latlng) {
          return L.circleMarker(latlng, { radius: 9, className: "street " + band(feature.properties.value) });
        },
        onEachFeature: function (feature, item) {
          item.bindPopup(function () { return popup(feature.properties); });
        }
      }).addTo(map);
      var bounds = layer.getBounds();
      if (bounds.isValid()) { map.fitBounds(bounds, { padding: [20, 20] }); } else { map.setView([52.17, 5.29], 15); }
      el.setAttribute("data-loaded", String(data.features.length));
    });
})();
