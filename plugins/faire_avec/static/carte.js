// The access points on a Leaflet map: the tile server and the GeoJSON address come from
// the map's data- attributes (no inline script under the page's policy).
(function () {
  "use strict";
  var box = document.getElementById("faire-avec-map");
  if (!box || typeof L === "undefined") {
    return;
  }
  var map = L.map(box);
  L.tileLayer(box.getAttribute("data-tiles"), {
    maxZoom: 19,
    attribution: box.getAttribute("data-attribution") || ""
  }).addTo(map);
  map.setView([48.39, -4.49], 13);
  fetch(box.getAttribute("data-geojson"), { headers: { Accept: "application/geo+json" } })
    .then(function (response) { return response.json(); })
    .then(function (collection) {
      var layer = L.geoJSON(collection, {
        filter: function (feature) { return feature.geometry !== null; },
        pointToLayer: function (feature, latlng) {
          return L.circleMarker(latlng, { radius: 8, color: "#fff", weight: 2, fillColor: "#1d5f8a", fillOpacity: 1 });
        },
        onEachFeature: function (feature, marker) {
          // built as nodes, never as HTML text: titles are residents' words
          var link = document.createElement("a");
          link.href = feature.properties.url;
          link.textContent = feature.properties.title;
          marker.bindPopup(link);
        }
      }).addTo(map);
      if (layer.getLayers().length) {
        map.fitBounds(layer.getBounds(), { padding: [24, 24], maxZoom: 16 });
      }
    });
})();
