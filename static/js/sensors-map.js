// The register's map: markers from the GeoJSON endpoint with the list's current filters. The
// table on the same page stays the full, accessible view; this only adds the map when Leaflet
// and a tile server are available.
(function () {
  "use strict";

  function start() {
    var element = document.getElementById("sensor-map");
    if (!element || typeof L === "undefined") return;
    var lang = document.documentElement.lang || "ja";
    var map = L.map(element, { scrollWheelZoom: false });
    L.tileLayer(element.dataset.tiles, { attribution: element.dataset.attribution, maxZoom: 19 }).addTo(map);
    var layer = L.layerGroup().addTo(map);
    map.setView([35.0, 135.0], 5);

    function text(value) {
      if (!value) return "";
      return value[lang] || value.ja || value.en || Object.values(value)[0] || "";
    }

    function load(query) {
      fetch(element.dataset.geojson + (query ? "?" + query : ""), { headers: { Accept: "application/geo+json" } })
        .then(function (response) { return response.json(); })
        .then(function (data) {
          layer.clearLayers();
          var bounds = [];
          data.features.forEach(function (feature) {
            var point = [feature.geometry.coordinates[1], feature.geometry.coordinates[0]];
            bounds.push(point);
            var link = document.createElement("a");
            link.href = feature.properties.url;
            link.textContent = text(feature.properties.name);
            var popup = document.createElement("div");
            popup.appendChild(link);
            var kind = document.createElement("p");
            kind.textContent = feature.properties.kind_label;
            popup.appendChild(kind);
            L.marker(point, { title: text(feature.properties.name), alt: text(feature.properties.name) })
              .bindPopup(popup)
              .addTo(layer);
          });
          if (bounds.length) map.fitBounds(bounds, { padding: [24, 24], maxZoom: 17 });
        })
        .catch(function () { /* the table still lists every device */ });
    }

    load(window.location.search.replace(/^\?/, ""));
    document.addEventListener("htmx:afterSwap", function (event) {
      var list = document.getElementById("sensor-list");
      if (list && event.detail.target && event.detail.target.id === "sensor-list") {
        load(list.dataset.geojsonQuery || "");
      }
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
