/* parkgeo web map: draws the map model written by geo/render/webmap/ on a Leaflet map.
 * Every attribute value is untrusted text: it reaches the page only through esc() or
 * textContent. Features are styled by a lookup on their stage, never per feature.
 * This script holds no domain vocabulary: layers, their forms and styles, stages, work
 * items, severities and every text come with the model (geo/data). */

// The model and each layer come in their own <script type="application/json"> element:
// data is parsed as JSON, never read as part of the page or of this script.
function parkgeoStart() {
  var D = JSON.parse(document.getElementById("pg-model").textContent);
  D.layers.forEach(function (spec, i) {
    spec.data = JSON.parse(document.getElementById("pg-layer-" + i).textContent);
  });
  var map = L.map("pg-map", { center: [0, 0], zoom: 2, preferCanvas: true, zoomSnap: 0.25,
                              zoomControl: !D.snapshot, attributionControl: D.basemap.name !== "none" });
  parkgeoInit(map, D);
}

function parkgeoInit(map, D) {
  "use strict";
  var T = D.labels, lang = D.lang, U = D.units;
  var last = (D.timeline || []).length - 1;
  var state = { counts: {}, layers: {}, legends: {}, drawn: false, date: D.as_of, t: Math.max(last, 0), developed: null };
  window.parkgeo = state;
  state.map = map;

  function esc(value) {
    return String(value === null || value === undefined ? "" : value).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }
  function num(value, digits) {
    if (value === null || value === undefined || isNaN(value)) return "";
    return Number(value).toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
  }
  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined) node.textContent = text;
    return node;
  }
  function given(v) { return v !== null && v !== undefined && v !== ""; }
  // folded panels are remembered per file (localStorage may be refused: then per visit)
  function recall(key, fallback) {
    try { var v = window.localStorage.getItem("parkgeo:" + location.pathname + ":" + key); return v === null ? fallback : v === "1"; }
    catch (e) { return fallback; }
  }
  function remember(key, value) {
    try { window.localStorage.setItem("parkgeo:" + location.pathname + ":" + key, value ? "1" : "0"); } catch (e) { /* private mode */ }
  }
  function ordered(vocab) {
    var s = D.styles[vocab] || {};
    return Object.keys(s).sort(function (a, b) { return s[a].order - s[b].order; });
  }
  function stageLabel(vocab, code) {
    var s = (D.styles[vocab] || {})[code];
    return s ? s[lang] : "";
  }
  var byOrder = {};
  Object.keys(D.styles).forEach(function (vocab) { byOrder[vocab] = ordered(vocab); });
  // stage on date t of the time control: `ts` holds one stage-order digit per date
  function stageAt(p, vocab) {
    if (!p.ts || p.ts.length <= state.t) return p.stage || byOrder[vocab][0];
    return byOrder[vocab][p.ts.charCodeAt(state.t) - 48];
  }
  function holdsNow(p) { return !p.ts || p.ts.charAt(state.t) === "1"; }

  // layers come as GeoJSON or in the compact form of geo/render/webmap/encoding.py (columns,
  // and coordinates as integer steps of 1e-6 degrees): rebuild GeoJSON features from it
  function decode(data, geometry) {
    if (data.type === "FeatureCollection") return data.features;
    var n = data.n, cols = data.cols, names = Object.keys(cols), g = data.geom;
    var getters = names.map(function (name) {
      var c = cols[name];
      if (c.dict) return function (i) { var k = c.codes[i]; return k < 0 ? null : c.dict[k]; };
      return function (i) { return c.v[i]; };
    });
    var xy = g.xy, pos = 0, x = 0, y = 0, ci = 0, pi = 0;
    function next() { x += xy[pos++]; y += xy[pos++]; return [x / 1e6, y / 1e6]; }
    var features = new Array(n);
    for (var i = 0; i < n; i++) {
      var p = {};
      for (var k = 0; k < names.length; k++) {
        var v = getters[k](i);
        if (v !== null && v !== undefined) p[names[k]] = v;
      }
      var geom;
      if (geometry === "point") {
        geom = { type: "Point", coordinates: next() };
      } else {
        var nparts = g.np ? g.np[i] : 1, parts = [];
        for (var a = 0; a < nparts; a++) {
          if (geometry === "polygon") {
            var nrings = g.nr ? g.nr[pi] : 1, rings = [];
            pi++;
            for (var b = 0; b < nrings; b++) {
              var nc = g.nc[ci++], ring = new Array(nc);
              for (var c = 0; c < nc; c++) ring[c] = next();
              ring.push(ring[0]);
              rings.push(ring);
            }
            parts.push(rings);
          } else {
            var nl = g.nc[ci++], line = new Array(nl);
            for (var d = 0; d < nl; d++) line[d] = next();
            parts.push(line);
          }
        }
        if (geometry === "polygon") geom = nparts === 1 ? { type: "Polygon", coordinates: parts[0] } : { type: "MultiPolygon", coordinates: parts };
        else geom = nparts === 1 ? { type: "LineString", coordinates: parts[0] } : { type: "MultiLineString", coordinates: parts };
      }
      features[i] = { type: "Feature", properties: p, geometry: geom };
    }
    return features;
  }

  // ---------------------------------------------------------------- basemap
  var base = D.basemap, tileLayer = null;
  if (base.url) {
    tileLayer = L.tileLayer(base.url, { subdomains: base.subdomains || "abc", maxZoom: 18, attribution: esc(base.attribution) });
    if (base.labels_url) {
      // place names of a basemap that draws them in a separate tile set (Tianditu cva)
      var namesLayer = L.tileLayer(base.labels_url, { subdomains: base.subdomains || "abc", maxZoom: 18 });
      map.whenReady(function () { namesLayer.addTo(map); });
    }
  } else if (base.name === "local") {
    var LocalTiles = L.GridLayer.extend({
      // asynchronous tiles: the layer's "load" (our drawn signal) waits for the images
      createTile: function (coords, done) {
        var img = document.createElement("img");
        var uri = base.tiles[coords.z + "/" + coords.x + "/" + coords.y];
        if (!uri) { setTimeout(function () { done(null, img); }, 0); return img; }
        img.onload = function () { done(null, img); };
        img.onerror = function () { done(new Error("tile"), img); };
        img.src = uri;
        return img;
      }
    });
    var zooms = Object.keys(base.tiles).map(function (k) { return Number(k.split("/")[0]); });
    var zmin = Math.min.apply(null, zooms), zmax = Math.max.apply(null, zooms);
    // tiles exist for some zoom levels only: Leaflet scales the nearest ones, but never
    // far out, where one native tile would be drawn as millions
    tileLayer = new LocalTiles({ maxZoom: 20, minZoom: Math.max(0, zmin - 3),
                                 minNativeZoom: zmin, maxNativeZoom: zmax });
  } else {
    map.getContainer().classList.add("pg-nobase");
  }

  // ---------------------------------------------------------------- popups and tooltips
  var F = D.fields;
  var findingsOf = {};  // feature id → finding features naming it
  function row(name, value) {
    return given(value) ? "<tr><th>" + esc(name) + "</th><td>" + esc(value) + "</td></tr>" : "";
  }
  function fieldLabel(kind, name) { return ((F[kind] || {})[name] || {})[lang] || T[name] || ""; }
  function areaText(p, digits) {
    return num(p.area_mu, digits) + " " + U.mu + " / " + num(p.area_m2, 0) + " " + U.m2;
  }
  function findingRows(list) {
    return list.map(function (f) {
      var p = f.properties, sev = D.severity[p.severity] || {};
      return "<tr class=\"pg-popup-finding\"><th>" + esc(sev[lang] || "") + "</th><td><b>" +
        esc(lang === "en" ? p.title_en : p.title_zh) + "</b><br>" + esc(lang === "en" ? p.message_en : p.message_zh) + "</td></tr>";
    }).join("");
  }
  function stretchOf(spec, p) {
    if (!p.st) return p;  // a snapshot's strands carry their own fields
    return spec.stretches[Number(p.st.split(",")[state.t])] || {};
  }
  // a road layer names its stage and work-item vocabularies (spec.vocab, spec.items)
  var itemVocab = (D.layers.filter(function (s) { return s.form === "road"; })[0] || {}).items;
  function itemLabel(code) { return stageLabel(itemVocab, code); }
  var popupOf = {
    area: function (spec, p) {
      return row(T.id, p.id) + row(T.name, lang === "en" && p.name_en ? p.name_en : p.name) + row(T.area, areaText(p, 1));
    },
    staged: function (spec, p) {
      var now = state.t === last, code = stageAt(p, spec.vocab);
      var rows = row(T.id, p.id) + row(T.name, p.name) + row(T.project, p.project);
      rows += row(T.enterprise, p.enterprise) + row(T.industry, p.industry);
      rows += row(T.zone, p.zone) + row(T.parcel, p.parcel) + row(T.land_use, p.land_use);
      rows += row(T.stage, stageLabel(spec.vocab, code) + (now && p.stage_since ? " (" + T.since + " " + p.stage_since + ")" : ""));
      if (now && given(p.percent)) rows += row(T.percent, num(p.percent, 0) + "%");
      rows += row(T.area, areaText(p, 2));
      if (given(p.declared_area_mu)) rows += row(fieldLabel(spec.key, "declared_area_mu"), num(p.declared_area_mu, 2) + " " + U.mu);
      if (p.floor_area_m2) rows += row(T.floor_area, num(p.floor_area_m2, 0) + " " + U.m2);
      rows += row(fieldLabel(spec.key, "allocated_on"), p.allocated_on) + row(fieldLabel(spec.key, "agreed_start_on"), p.agreed_start_on);
      if (now) rows += row(T.note, p.last_note);
      var flagged = (findingsOf[p.id] || []).filter(function (f) { return holdsNow(f.properties); });
      if (flagged.length) rows += "<tr><th colspan=\"2\" class=\"pg-popup-head\">" + esc(T.findings_here) + "</th></tr>" + findingRows(flagged);
      return rows;
    },
    road: function (spec, p) {
      var s = stretchOf(spec, p);
      var rows = row(T.road, (p.road_name || "") + " (" + (p.road || "") + ")") + row(T.item, itemLabel(p.item));
      rows += row(T.chainage, s.from + "–" + s.to);
      if (given(s.length_m)) rows += row(T.length, num(s.length_m, 1) + " " + T.metre);
      rows += row(T.stage, stageLabel(spec.vocab, s.stage));
      if (given(s.percent)) rows += row(T.percent, num(s.percent, 0) + "%");
      rows += row(T.date, s.date) + row(T.section, s.contract_section) + row(T.note, s.note);
      return rows;
    },
    findings: function (spec, p) {
      return findingRows([{ properties: p }]) + row(T.id, String(p.ids || "").split(";").join(lang === "en" ? ", " : "、"));
    },
    classed: function (spec, p) {
      var rows = row(T.id, p.id) + row(T.mujun_class, p.cls_label) + row(T.mujun_score, given(p.score) ? num(p.score, 1) : "");
      rows += row(T.tax_per_mu, given(p.tax_wan_per_mu) ? num(p.tax_wan_per_mu, 2) : "");
      rows += row(T.output_per_mu, given(p.output_wan_per_mu) ? num(p.output_wan_per_mu, 1) : "");
      return rows + row(T.low_use, p.low_text) + row(T.low_use_exempt, p.exempt);
    }
  };
  var tooltipOf = {
    area: function (spec, p) { return lang === "en" && p.name_en ? p.name_en : p.name; },
    staged: function (spec, p) {
      var name = p.project || p.name || "";
      return p.id + (name ? " " + name : "") + " · " + stageLabel(spec.vocab, stageAt(p, spec.vocab));
    },
    road: function (spec, p) {
      var s = stretchOf(spec, p);
      return p.road_name + " " + p.road + " · " + itemLabel(p.item) + " " + s.from + "–" + s.to + " · " + stageLabel(spec.vocab, s.stage);
    },
    findings: function (spec, p) { return lang === "en" ? p.title_en : p.title_zh; },
    classed: function (spec, p) { return p.id + " · " + (p.cls_label || "—") + (p.low === "1" ? " · " + T.low_use : ""); }
  };
  function popup(spec, p) { return "<table class=\"pg-popup\">" + popupOf[spec.form](spec, p) + "</table>"; }

  // ---------------------------------------------------------------- styles
  var renderer = L.canvas({ padding: 0.5 });
  function styleOf(spec) {
    var s = spec.style || {};
    if (spec.form === "staged") {
      return function (f) {
        return L.extend({}, s, { fillColor: D.styles[spec.vocab][stageAt(f.properties, spec.vocab)].color });
      };
    }
    if (spec.form === "findings") {
      return function (f) { return L.extend({}, s, { color: (D.severity[f.properties.severity] || {}).color }); };
    }
    if (spec.form === "classed") {  // 亩均 class fill; 低效用地 with its own outline
      return function (f) {
        var p = f.properties, fill = (spec.classes || {})[p.cls] || spec.unclassed;
        return L.extend({}, s, { fillColor: fill }, p.low === "1" ? spec.low_use_style : {});
      };
    }
    if (spec.form === "road") {
      return function (f) {
        var code = f.properties.st ? stageAt(f.properties, spec.vocab) : f.properties.stage;
        return L.extend({}, s, { color: D.styles[spec.vocab][code].color });
      };
    }
    return function () { return s; };
  }

  // A road's work items side by side: each item's strip is moved sideways in screen pixels,
  // so the strips stay apart at every zoom (the line's own vertices, offset along the local
  // direction of the line).
  function offsetPoints(pts, d) {
    var n = pts.length, out = new Array(n);
    for (var i = 0; i < n; i++) {
      var a = pts[Math.max(i - 1, 0)], b = pts[Math.min(i + 1, n - 1)];
      var dx = b.x - a.x, dy = b.y - a.y, len = Math.sqrt(dx * dx + dy * dy) || 1;
      out[i] = L.point(pts[i].x - dy / len * d, pts[i].y + dx / len * d);
    }
    return out;
  }
  var Strip = L.Polyline.extend({
    _clipPoints: function () {
      L.Polyline.prototype._clipPoints.call(this);
      var d = this.options.offsetPx || 0;
      if (d) this._parts = this._parts.map(function (pts) { return offsetPoints(pts, d); });
    }
  });

  // ---------------------------------------------------------------- layers
  var overlays = {}, searchable = [], roadItems = [], findingLayers = [];
  function bind(spec, lyr, f) {
    if (spec.form === "area") {
      lyr.bindTooltip(esc(tooltipOf.area(spec, f.properties)), { permanent: true, direction: "center", className: "pg-zone-label" });
    } else if (!D.snapshot && tooltipOf[spec.form]) {
      lyr.bindTooltip(function () { return esc(tooltipOf[spec.form](spec, f.properties)); }, { sticky: true });
    }
    if (!D.snapshot && popupOf[spec.form]) lyr.bindPopup(function () { return popup(spec, f.properties); }, { maxWidth: 360 });
  }
  function register(name, spec, layer, visible, title) {
    state.layers[name] = layer;
    state.counts[name] = layer.getLayers().length;
    overlays[name] = { layer: layer, spec: spec, title: title || spec.title };
    if (visible) layer.addTo(map);
  }
  var ticks = [];
  function addLayer(spec) {
    var features = decode(spec.data, spec.geometry);
    if (spec.form === "road") return addRoads(spec, features);
    var layer = L.geoJSON({ type: "FeatureCollection", features: features }, {
      renderer: renderer,
      style: styleOf(spec),
      pointToLayer: function (f, latlng) {
        var station = f.properties.kind === spec.end_kind;  // the road's start or end
        var marker = L.circleMarker(latlng, L.extend({ renderer: renderer, interactive: false }, spec.style, station ? spec.end_style : {}));
        marker.bindTooltip(esc(f.properties.label), { permanent: true, direction: "right", offset: [4, 0], className: station ? "pg-station-label" : "pg-tick-label" });
        ticks.push({ marker: marker, p: f.properties, station: station });
        return marker;
      },
      onEachFeature: function (f, lyr) {
        if (spec.form === "ticks") return;
        bind(spec, lyr, f);
        if (spec.form === "staged") searchable.push({ layer: lyr, p: f.properties, key: spec.key });
        if (spec.form === "findings") {
          findingLayers.push(lyr);
          String(f.properties.ids || "").split(";").forEach(function (id) { (findingsOf[id] = findingsOf[id] || []).push(f); });
        }
      }
    });
    register(spec.key, spec, layer, spec.visible !== false);
  }
  var roadSpec = null, nameLayer = null;
  function addRoads(spec, features) {
    roadSpec = spec;
    // one toggleable layer per work item, in the item order of the data; the map shows
    // them all side by side (a snapshot of one road brings its strands already apart)
    var byItem = {};
    features.forEach(function (f) { (byItem[f.properties.item] = byItem[f.properties.item] || []).push(f); });
    var style = styleOf(spec);
    ordered(spec.items).filter(function (code) { return byItem[code]; }).forEach(function (code) {
      var group = L.featureGroup();
      byItem[code].forEach(function (f) {
        var g = f.geometry, lines = g.type === "LineString" ? [g.coordinates] : g.coordinates;
        var latlngs = lines.map(function (line) { return line.map(function (c) { return [c[1], c[0]]; }); });
        var lyr = new Strip(latlngs.length === 1 ? latlngs[0] : latlngs, L.extend({ renderer: renderer }, style(f)));
        lyr.feature = f;
        bind(spec, lyr, f);
        group.addLayer(lyr);
      });
      var name = spec.key + ":" + code;
      register(name, spec, group, !D.items_visible || D.items_visible.indexOf(code) >= 0, spec.title + " · " + itemLabel(code));
      overlays[name].item = code;
      roadItems.push(name);
    });
    state.counts[spec.key] = features.length;
    if (spec.names) addRoadNames(spec);
  }
  function spreadStrips() {
    if (D.items_visible || !roadSpec) return;  // a snapshot's strands are apart already
    var shown = roadItems.filter(function (name) { return map.hasLayer(overlays[name].layer); });
    // strips keep their width in pixels close in, and together never spread wider than the
    // band on the ground far out (the road would hide the parcels beside it)
    var lat = map.getCenter().lat * Math.PI / 180;
    var perPx = 40075016.686 * Math.cos(lat) / Math.pow(2, map.getZoom() + 8);
    var gap = Math.max(roadSpec.min_strip_px, Math.min(roadSpec.strip_px, roadSpec.band_m / perPx / Math.max(shown.length, 1)));
    var weight = Math.max(1, Math.min(roadSpec.style.weight, gap - 1));  // a pixel between strips
    state.stripPx = gap;
    shown.forEach(function (name, k) {
      var d = (k - (shown.length - 1) / 2) * gap;
      overlays[name].layer.eachLayer(function (lyr) { lyr.options.offsetPx = d; lyr.options.weight = weight; lyr.redraw(); });
    });
    if (nameLayer) {
      var any = shown.length > 0;
      if (any && !map.hasLayer(nameLayer)) nameLayer.addTo(map);
      if (!any && map.hasLayer(nameLayer)) map.removeLayer(nameLayer);
      nameLayer.eachLayer(function (m) { m.setIcon(m.pgIcon(shown.length)); });
    }
  }
  // road names written along the line at its middle, beside the strips, kept upright
  function addRoadNames(spec) {
    nameLayer = L.layerGroup();
    spec.names.forEach(function (n) {
      var marker = L.marker(n.a, { interactive: false, keyboard: false });
      marker.pgIcon = function (strips) {
        var a = map.project(n.a, 18), b = map.project(n.b, 18);
        var angle = Math.atan2(b.y - a.y, b.x - a.x) * 180 / Math.PI;
        if (angle > 90) angle -= 180;
        if (angle < -90) angle += 180;
        var away = Math.round(strips * (state.stripPx || spec.strip_px) / 2 + 9);
        return L.divIcon({ className: "pg-road-name-icon", iconSize: [0, 0],
          html: "<span class=\"pg-road-name\" data-road=\"" + esc(n.road) + "\" style=\"transform: translate(-50%, -50%) rotate(" + angle.toFixed(1) +
                "deg) translateY(-" + away + "px)\">" + esc(n.name) + "</span>" });
      };
      marker.setIcon(marker.pgIcon(0));
      nameLayer.addLayer(marker);
    });
    if (D.items_visible) nameLayer.addTo(map);  // a road's snapshot: no strips to spread
  }
  D.layers.forEach(addLayer);
  state.counts.findings = findingLayers.length;
  state.findings = findingLayers;  // every finding of every date; the layer holds the date's

  // chainage labels thin out with zoom: the smallest step whose labels stand far enough apart
  var tickSpec = D.layers.filter(function (s) { return s.form === "ticks"; })[0];
  function thinTicks() {
    if (!tickSpec) return;
    var lat = map.getCenter().lat * Math.PI / 180;
    var perPx = 40075016.686 * Math.cos(lat) / Math.pow(2, map.getZoom() + 8);
    var steps = tickSpec.steps_m, step = steps[steps.length - 1];
    for (var i = 0; i < steps.length; i++) if (steps[i] / perPx >= tickSpec.label_gap_px) { step = steps[i]; break; }
    state.tickStep = step;
    ticks.forEach(function (t) {
      var q = t.p.chainage / step, show = t.station || Math.abs(q - Math.round(q)) < 1e-6;
      var look = L.extend({}, tickSpec.style, t.station ? tickSpec.end_style : {});
      t.marker.setStyle({ opacity: show ? 1 : 0, fillOpacity: show ? look.fillOpacity : 0 });
      var tip = t.marker.getTooltip(), node = tip && tip.getElement();
      if (node) node.style.display = show ? "" : "none";
      t.shown = show;
    });
  }

  // labels avoid each other: in order of importance, a label whose box overlaps one
  // already placed (or a control drawn on the map) is hidden; a parcel's id also only
  // shows when it fits inside the parcel as drawn
  var idLabels = [];
  function declutter() {
    var placed = [], root = map.getContainer().getBoundingClientRect();
    document.querySelectorAll(".pg-title, .pg-north, .leaflet-control-scale").forEach(function (c) {
      if (c.offsetParent) placed.push(c.getBoundingClientRect());
    });
    function overlaps(r) {
      return placed.some(function (q) { return r.left < q.right + 2 && q.left < r.right + 2 && r.top < q.bottom + 2 && q.top < r.bottom + 2; });
    }
    function place(node, inside) {
      if (!node || node.style.display === "none") return;
      node.style.visibility = "";
      var r = node.getBoundingClientRect();
      var off = r.right > root.right || r.left < root.left || r.bottom > root.bottom || r.top < root.top;
      var fits = !inside || (r.left >= inside.left && r.right <= inside.right && r.top >= inside.top && r.bottom <= inside.bottom);
      if (!r.width || off || !fits || overlaps(r)) { node.style.visibility = "hidden"; return; }
      placed.push(r);
    }
    var all = function (sel) { return Array.prototype.slice.call(document.querySelectorAll(sel)); };
    all(".pg-strand-label, .pg-station-label").forEach(function (n) { place(n); });
    // a road's snapshot names its own road first
    var own = function (n) { return n.getAttribute("data-road") === D.focus_road ? 0 : 1; };
    all(".pg-road-name").sort(function (a, b) { return own(a) - own(b); }).forEach(function (n) { place(n); });
    all(".pg-zone-label").forEach(function (n) { place(n); });
    all(".pg-tick-label").forEach(function (n) { place(n); });
    idLabels.forEach(function (t) {
      var b = t.parcel.getBounds(), a = map.latLngToContainerPoint(b.getNorthWest()), z = map.latLngToContainerPoint(b.getSouthEast());
      place(t.tip.getElement(), { left: root.left + a.x, top: root.top + a.y, right: root.left + z.x, bottom: root.top + z.y });
    });
    state.labelsShown = placed.length;
  }
  function addIdLabels() {
    D.layers.forEach(function (spec) {
      if (!spec.id_labels || !state.layers[spec.key]) return;
      state.layers[spec.key].eachLayer(function (lyr) {
        var id = lyr.feature && lyr.feature.properties.id;
        if (!id || !lyr.getBounds) return;
        var tip = L.tooltip({ permanent: true, direction: "center", className: "pg-id-label", interactive: false })
          .setLatLng(lyr.getCenter()).setContent(esc(id)).addTo(map);
        idLabels.push({ tip: tip, parcel: lyr });
      });
    });
  }

  // ---------------------------------------------------------------- panels
  // Each panel folds from its head, and remembers it. On a wide screen the panels sit in the
  // map's corners; on a narrow one they all live behind one button.
  function panel(name, title, foldedByDefault) {
    var box = el("div", "pg-panel pg-" + name);
    var head = el("button", "pg-panel-head", title);
    head.type = "button";
    var body = el("div", "pg-panel-body");
    box.appendChild(head); box.appendChild(body);
    var folded = !D.snapshot && recall("fold:" + name, foldedByDefault);
    box.classList.toggle("pg-folded", folded);
    head.addEventListener("click", function () {
      var now = !box.classList.contains("pg-folded");
      box.classList.toggle("pg-folded", now);
      remember("fold:" + name, now);
    });
    L.DomEvent.disableClickPropagation(box);
    L.DomEvent.disableScrollPropagation(box);
    return { box: box, head: head, body: body };
  }

  // legends: one per visible layer; every road work item shares the road stages' legend
  var legend = panel("legends", T.legend, false);
  var legendBox = legend.box;
  function swatch(cls, css) { var s = el("span", "pg-swatch " + cls); L.extend(s.style, css); return s; }
  function legendItem(box, sw, text) {
    var items = box.querySelector(".pg-legend-items") || box.appendChild(el("div", "pg-legend-items"));
    var item = el("div", "pg-legend-item"); item.appendChild(sw); item.appendChild(el("span", "", text)); items.appendChild(item);
  }
  var legendFor = {}, legendShared = {};
  D.layers.forEach(function (spec) {
    // layers drawn alike (one vocabulary, one style: housing and factories) share a legend
    var same = spec.form + "|" + (spec.vocab || "") + "|" + JSON.stringify(spec.style || {});
    if (spec.form === "staged" && legendShared[same]) {
      var shared = legendShared[same];
      shared.insertBefore(el("div", "pg-legend-title", spec.title), shared.querySelector(".pg-legend-items"));
      legendFor[spec.key] = shared;
      return;
    }
    var box = el("div", "pg-legend");
    legendShared[same] = box;
    box.setAttribute("data-layer", spec.key);
    box.appendChild(el("div", "pg-legend-title", spec.title));
    var s = spec.style || {};
    if (spec.form === "staged" || spec.form === "road") {
      var vocab = spec.vocab;
      ordered(vocab).forEach(function (code) {
        var sw = spec.form === "road" ? swatch("pg-swatch-line", { background: D.styles[vocab][code].color })
                                      : swatch("", { background: D.styles[vocab][code].color, borderColor: s.color, borderWidth: Math.max(1, Math.round(s.weight)) + "px" });
        legendItem(box, sw, D.styles[vocab][code][lang]);
      });
      if (spec.form === "road" && !D.items_visible) box.appendChild(el("div", "pg-legend-note", T.item_order + "：" + ordered(itemVocab).map(itemLabel).join(" · ")));
    } else if (spec.form === "findings") {
      Object.keys(D.severity).forEach(function (sev) {
        legendItem(box, swatch("pg-swatch-finding", { borderColor: D.severity[sev].color }), D.severity[sev][lang]);
      });
    } else if (spec.form === "classed") {
      Object.keys(spec.classes).forEach(function (code) {
        legendItem(box, swatch("", { background: spec.classes[code], borderColor: s.color }), spec.class_labels[code]);
      });
      legendItem(box, swatch("pg-swatch-finding", { borderColor: spec.low_use_style.color }), T.low_use);
    } else if (spec.form === "ticks") {
      legendItem(box, swatch("pg-swatch-tick", {}), spec.title);
    } else {
      legendItem(box, swatch("pg-swatch-zone", { borderColor: s.color }), spec.title);
    }
    state.legends[spec.key] = box;
    legendFor[spec.key] = box;
    legend.body.appendChild(box);
  });
  function showLegends() {
    var boxes = [];
    Object.keys(legendFor).forEach(function (key) { if (boxes.indexOf(legendFor[key]) < 0) boxes.push(legendFor[key]); });
    boxes.forEach(function (box) {
      var on = Object.keys(overlays).some(function (name) { return legendFor[overlays[name].spec.key] === box && map.hasLayer(overlays[name].layer); });
      box.style.display = on ? "" : "none";
    });
    Object.keys(overlays).forEach(function (name) { state.legends[name] = legendFor[overlays[name].spec.key]; });
  }
  map.on("layeradd layerremove", function (e) {
    if (e.layer && Object.keys(overlays).some(function (n) { return overlays[n].layer === e.layer; })) { showLegends(); spreadStrips(); }
  });

  // ---------------------------------------------------------------- title
  var goalsPanel = null, timeText = null, timeNote = null, unplacedPanel = null;
  // findings with no place on the map (a project's): a list of the date's, in a panel
  var unplaced = (D.findings_unplaced || []).map(function (p) { return { properties: p }; });
  unplaced.forEach(function (f) {
    String(f.properties.ids || "").split(";").forEach(function (id) { (findingsOf[id] = findingsOf[id] || []).push(f); });
  });
  function buildUnplaced() {
    if (!unplaced.length) return null;
    var p = panel("unplaced", T.findings_unplaced, false);
    p.fill = function () {
      var now = unplaced.filter(function (f) { return holdsNow(f.properties); });
      p.body.innerHTML = "<table class=\"pg-popup\">" + findingRows(now) + "</table>";
      now.forEach(function (f, k) {
        var cell = p.body.querySelectorAll("td")[k];
        if (cell) cell.appendChild(el("div", "pg-unplaced-ids", T.id + " " + String(f.properties.ids || "").split(";").join(lang === "en" ? ", " : "、")));
      });
      p.box.style.display = now.length ? "" : "none";
    };
    p.fill();
    return p;
  }
  var findingsSpec = D.layers.filter(function (s) { return s.form === "findings"; })[0];
  var titleBox = el("div", "pg-title");
  titleBox.appendChild(el("div", "pg-title-main", D.title + " " + T.title_suffix));
  var dateLine = el("div", "pg-title-date", T.as_of + " " + D.as_of);
  titleBox.appendChild(dateLine);
  if (D.shifted) titleBox.appendChild(el("div", "pg-title-note", T.gcj_note));
  var TitleControl = L.Control.extend({ onAdd: function () { return titleBox; } });
  new TitleControl({ position: "topleft" }).addTo(map);
  L.control.scale({ imperial: false, position: "bottomleft", maxWidth: 160 }).addTo(map);

  function control(node, position) {
    var C = L.Control.extend({ onAdd: function () { return node; } });
    var c = new C({ position: position });
    c.addTo(map);
    return c;
  }

  if (D.snapshot) {
    // the legend and the footer in a band below the map, never on it: the map keeps the
    // viewport's height it was opened at, and the snapshot grows by the band
    var band = el("div", "pg-band"), mapBox = map.getContainer();
    mapBox.style.height = window.innerHeight + "px";
    mapBox.style.bottom = "auto";
    band.style.top = window.innerHeight + "px";
    legendBox.classList.add("pg-legends-static");
    band.appendChild(legendBox);
    document.body.appendChild(band);
    map.invalidateSize();
    var north = el("div", "pg-north");
    north.appendChild(el("div", "pg-north-arrow", "▲"));
    north.appendChild(el("div", "pg-north-label", T.north));
    control(north, "topright");
    var foot = el("div", "pg-footer");
    var review = String(D.review_number || "");
    if (review.indexOf(T.review_number) === 0) review = review.slice(T.review_number.length).replace(/^[：:]\s*/, "");
    var colon = lang === "en" ? ": " : "：", gap = lang === "en" ? "   " : "　";
    foot.appendChild(el("span", "", T.source + colon + (D.data_source || T.placeholder) + gap + T.review_number + colon + (review || T.placeholder)));
    band.appendChild(foot);
  } else {
    buildPanels();
  }

  // ---------------------------------------------------------------- interactive panels
  function buildPanels() {
    var layersPanel = panel("layers", T.layers, true);
    Object.keys(overlays).forEach(function (name) {
      var o = overlays[name];
      var item = el("label", "pg-layer-toggle");
      var box = el("input"); box.type = "checkbox"; box.checked = map.hasLayer(o.layer);
      box.setAttribute("data-layer", name);
      box.addEventListener("change", function () { if (box.checked) o.layer.addTo(map); else map.removeLayer(o.layer); });
      map.on("layeradd layerremove", function () { box.checked = map.hasLayer(o.layer); });
      item.appendChild(box); item.appendChild(el("span", "pg-layer-name", o.title));
      layersPanel.body.appendChild(item);
    });
    var search = buildSearch();
    var time = buildTimeline();
    goalsPanel = buildGoals();
    unplacedPanel = buildUnplaced();
    var unplacedBox = unplacedPanel && unplacedPanel.box;
    var panels = [search, layersPanel.box, unplacedBox, time, goalsPanel && goalsPanel.box, legendBox].filter(Boolean);
    var corners = { topleft: [search], topright: [layersPanel.box, unplacedBox].filter(Boolean), bottomleft: [time, goalsPanel && goalsPanel.box].filter(Boolean), bottomright: [legendBox] };
    var wide = {};
    Object.keys(corners).forEach(function (pos) {
      var holder = el("div", "pg-corner");
      corners[pos].forEach(function (p) { holder.appendChild(p); });
      L.DomEvent.disableClickPropagation(holder);
      wide[pos] = holder;
      control(holder, pos);
    });
    // narrow screens: one button opens a sheet holding every panel
    var menu = el("div", "pg-menu");
    var button = el("button", "pg-menu-button", "☰ " + T.menu);
    button.type = "button";
    button.setAttribute("aria-expanded", "false");
    var sheet = el("div", "pg-sheet");
    menu.appendChild(button);
    L.DomEvent.disableClickPropagation(menu);
    L.DomEvent.disableScrollPropagation(sheet);
    button.addEventListener("click", function () {
      var open = !document.body.classList.contains("pg-sheet-open");
      document.body.classList.toggle("pg-sheet-open", open);
      button.setAttribute("aria-expanded", open ? "true" : "false");
    });
    control(menu, "topright");
    document.body.appendChild(sheet);
    L.DomEvent.disableClickPropagation(sheet);
    var narrow = window.matchMedia("(max-width: 640px)");
    function arrange() {
      if (narrow.matches) {
        panels.forEach(function (p) { sheet.appendChild(p); });
      } else {
        document.body.classList.remove("pg-sheet-open");
        Object.keys(corners).forEach(function (pos) { corners[pos].forEach(function (p) { wide[pos].appendChild(p); }); });
      }
      document.body.classList.toggle("pg-narrow", narrow.matches);
    }
    if (narrow.addEventListener) narrow.addEventListener("change", arrange); else narrow.addListener(arrange);
    arrange();
  }

  // ---------------------------------------------------------------- goals
  function buildGoals() {
    if (!D.goals_on || !D.goals_on.some(function (list) { return list.length; })) return null;
    var p = panel("goals", T.goals, false);
    p.fill = function (t) {
      var date = D.timeline[t].date, goals = D.goals_on[t] || [];
      p.head.textContent = T.goals + " · " + T.as_of + " " + date;
      p.body.textContent = "";
      goals.filter(function (g) { return g.period_start <= date && date <= g.period_end; }).forEach(function (g) {
        var item = el("div", "pg-goal");
        item.setAttribute("data-goal-id", g.id);
        item.setAttribute("data-achieved", g.achieved === null ? "" : String(g.achieved));
        item.setAttribute("data-target", String(g.target));
        item.setAttribute("data-to-date", given(g.achieved_to_date) ? String(g.achieved_to_date) : "");
        var digits = g.whole ? 0 : 2;
        var name = lang === "en" && g.metric_en ? g.metric_en : g.metric;
        item.appendChild(el("div", "pg-goal-name", name + " (" + g.unit_label + ")"));
        if (g.achieved === null) {
          item.appendChild(el("div", "pg-goal-figures", T.no_data));
        } else {
          var bar = el("div", "pg-bar"), fill = el("div", "pg-bar-fill");
          fill.style.width = Math.min(100, Math.max(0, g.percent || 0)) + "%";
          bar.appendChild(fill);
          item.appendChild(bar);
          // the strings every output prints for this goal (geo.domain.quantities)
          var fig = g.texts ? g.texts[lang].figures : T.this_year + " " + num(g.achieved, digits) + " / " + T.target + " " + num(g.target, digits) + " (" + num(g.percent, 1) + "%)";
          if (!g.texts && given(g.achieved_to_date)) fig += "　" + T.to_date + " " + num(g.achieved_to_date, digits);
          item.appendChild(el("div", "pg-goal-figures", fig));
          if (g.texts) item.appendChild(el("div", "pg-goal-status", g.texts[lang].status));
        }
        p.body.appendChild(item);
      });
    };
    p.fill(state.t);
    return p;
  }

  // ---------------------------------------------------------------- time control
  // every layer and panel follows the date: parcels, buildings, road work items, findings,
  // the goal panel and the title
  function restyle() {
    Object.keys(overlays).forEach(function (name) {
      var o = overlays[name];
      if (o.spec.form === "staged" || o.spec.form === "road") {
        var style = styleOf(o.spec);
        o.layer.eachLayer(function (lyr) { lyr.setStyle(style(lyr.feature)); });
      }
      if (o.spec.form === "findings") {
        findingLayers.forEach(function (lyr) {
          var on = holdsNow(lyr.feature.properties);
          if (on && !o.layer.hasLayer(lyr)) o.layer.addLayer(lyr);
          if (!on && o.layer.hasLayer(lyr)) o.layer.removeLayer(lyr);
        });
        state.shownFindings = o.layer.getLayers().length;
      }
    });
  }
  function show(i) {
    var t = D.timeline[i];
    state.t = i;
    state.date = t.date;
    state.developed = t.km2;
    if (timeText) {
      timeText.textContent = T.timeline + " " + t.date + (t.km2 === null ? "" : "　" + T.developed + " " + num(t.km2, 3) + " " + U.km2 + " (" + num(t.mu, 0) + " " + U.mu + ")");
      timeText.setAttribute("data-developed-km2", t.km2 === null ? "" : String(t.km2));
    }
    dateLine.textContent = T.as_of + " " + t.date;
    if (timeNote) timeNote.textContent = findingsSpec && findingsSpec.dates.indexOf(t.date) < 0 ? T.findings_not_on_date : "";
    if (goalsPanel) goalsPanel.fill(i);
    if (unplacedPanel) unplacedPanel.fill();
    restyle();
    map.closePopup();
  }
  state.setTime = function (i) { if (state.slider) state.slider.value = i; show(i); };
  function buildTimeline() {
    if (!D.timeline || !D.timeline.length) return null;
    var p = panel("time", T.timeline, false);
    var slider = el("input");
    slider.type = "range"; slider.min = 0; slider.max = D.timeline.length - 1; slider.step = 1;
    slider.value = D.timeline.length - 1; slider.className = "pg-time-slider";
    slider.setAttribute("aria-label", T.timeline);
    timeText = el("div", "pg-time-text");
    timeNote = el("div", "pg-time-note");
    slider.addEventListener("input", function () { show(Number(slider.value)); });
    p.body.appendChild(slider);
    p.body.appendChild(timeText);
    p.body.appendChild(timeNote);
    state.slider = slider;
    return p.box;
  }

  // ---------------------------------------------------------------- search
  function buildSearch() {
    var box = el("div", "pg-search");
    var input = el("input");
    input.type = "search"; input.placeholder = T.search; input.className = "pg-search-input";
    input.setAttribute("aria-label", T.search);
    var list = el("div", "pg-search-results");
    box.appendChild(input); box.appendChild(list);
    function go(hit) {
      document.body.classList.remove("pg-sheet-open");
      if (!map.hasLayer(state.layers[hit.key])) state.layers[hit.key].addTo(map);
      map.fitBounds(hit.layer.getBounds(), { maxZoom: 17 });
      hit.layer.openPopup();
    }
    function find(q) {
      q = q.trim().toLowerCase();
      if (!q) return [];
      return searchable.filter(function (s) {
        return [s.p.id, s.p.project, s.p.name, s.p.enterprise].some(function (v) { return v && String(v).toLowerCase().indexOf(q) >= 0; });
      }).slice(0, 8);
    }
    input.addEventListener("input", function () {
      list.textContent = "";
      var q = input.value;
      var hits = find(q);
      if (q.trim() && !hits.length) list.appendChild(el("div", "pg-search-none", T.no_match));
      hits.forEach(function (hit) {
        var item = el("button", "pg-search-hit", hit.p.id + " " + (hit.p.project || hit.p.name || "") + " · " + stageLabel(D.layers.filter(function (s) { return s.key === hit.key; })[0].vocab, stageAt(hit.p, D.layers.filter(function (s) { return s.key === hit.key; })[0].vocab)));
        item.type = "button";
        item.addEventListener("click", function () { go(hit); });
        list.appendChild(item);
      });
    });
    input.addEventListener("keydown", function (e) { if (e.key === "Enter") { var hits = find(input.value); if (hits.length) go(hits[0]); } });
    L.DomEvent.disableClickPropagation(box);
    state.search = function (q) { var hits = find(q); if (hits.length) go(hits[0]); return hits.map(function (h) { return h.p.id; }); };
    return box;
  }

  // ---------------------------------------------------------------- probes for tests
  // where a road's work item is drawn at a chainage on the current date (container pixels)
  state.roadPoint = function (road, item, chainage) {
    var o = overlays[roadSpec.key + ":" + item];
    var found = null;
    o.layer.eachLayer(function (lyr) {
      var p = lyr.feature.properties;
      if (found || p.road !== road || chainage < p.cf || chainage > p.ct || !lyr._parts.length) return;
      var pts = lyr._parts[0], f = (chainage - p.cf) / (p.ct - p.cf), total = 0, i, lens = [];
      for (i = 1; i < pts.length; i++) { lens.push(pts[i].distanceTo(pts[i - 1])); total += lens[i - 1]; }
      var want = f * total;
      for (i = 1; i < pts.length; i++) {
        if (want <= lens[i - 1] || i === pts.length - 1) {
          var r = lens[i - 1] ? Math.min(1, want / lens[i - 1]) : 0;
          found = map.layerPointToContainerPoint(L.point(pts[i - 1].x + (pts[i].x - pts[i - 1].x) * r, pts[i - 1].y + (pts[i].y - pts[i - 1].y) * r));
          break;
        }
        want -= lens[i - 1];
      }
    });
    return found && [found.x, found.y];
  };

  // ---------------------------------------------------------------- extent and drawn signal
  // tiles at full opacity at once: embedded tiles need no fade, snapshots must be the same
  // picture every time, and "drawn" must mean the tiles show
  if (D.snapshot || base.name === "local") map._fadeAnimated = false;
  if (D.snapshot) {
    // fit the extent into the space the title, legend and footer leave free, at any zoom
    map.options.zoomSnap = 0;
    (D.strand_labels || []).forEach(function (s) {
      L.tooltip({ permanent: true, direction: s.direction || "left", offset: s.offset || [0, 0], className: "pg-strand-label" })
        .setLatLng([s.lat, s.lon]).setContent(esc(s.text)).addTo(map);
    });
    map.fitBounds(D.bounds, {
      paddingTopLeft: [30, titleBox.offsetHeight + 30],
      paddingBottomRight: [30, 70]
    });
  } else {
    map.fitBounds(D.bounds, { padding: [20, 20] });
  }
  if (tileLayer) tileLayer.addTo(map).bringToBack();  // after fitting: no world-wide tile grid
  showLegends();
  spreadStrips();
  if (last >= 0) show(state.t);
  map.on("zoomend", thinTicks);
  map.on("zoomend", spreadStrips);
  thinTicks();
  if (D.snapshot) addIdLabels();
  declutter();
  var pending = false;
  map.on("zoomend moveend layeradd layerremove", function () {
    if (pending) return;
    pending = true;
    requestAnimationFrame(function () { pending = false; declutter(); });
  });
  function signalDrawn() {
    requestAnimationFrame(function () {
      requestAnimationFrame(function () {
        state.drawn = true;
        document.documentElement.setAttribute("data-parkgeo-drawn", "1");
      });
    });
  }
  if (tileLayer && base.name === "local") {
    tileLayer.once("load", signalDrawn);
  } else {
    map.whenReady(signalDrawn);
  }
}
