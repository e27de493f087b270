/* parkgeo web map: draws the data written by geo/render/webmap/ on a Leaflet map.
 * Every attribute value is untrusted text: it reaches the page only through esc() or
 * textContent. Features are styled by a lookup on their stage, never per feature. */

// The model and each layer come in their own <script type="application/json"> element:
// data is parsed as JSON, never read as part of the page or of this script.
function parkgeoStart() {
  var D = JSON.parse(document.getElementById("pg-model").textContent);
  D.layers.forEach(function (spec, i) {
    spec.data = JSON.parse(document.getElementById("pg-layer-" + i).textContent);
  });
  var map = L.map("pg-map", { center: [0, 0], zoom: 2, preferCanvas: true,
                              zoomControl: !D.snapshot, attributionControl: D.basemap.name !== "none" });
  parkgeoInit(map, D);
}

function parkgeoInit(map, D) {
  "use strict";
  var T = D.labels, lang = D.lang;
  var state = { counts: {}, layers: {}, legends: {}, drawn: false, date: D.as_of, developed: null };
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
  function stageLabel(vocab, code) {
    var s = (D.styles[vocab] || {})[code];
    return s ? s[lang] : code;
  }
  function firstStage(vocab) {
    var codes = Object.keys(D.styles[vocab] || {});
    codes.sort(function (a, b) { return D.styles[vocab][a].order - D.styles[vocab][b].order; });
    return codes[0];
  }
  var byOrder = {};
  Object.keys(D.styles).forEach(function (vocab) {
    byOrder[vocab] = [];
    Object.keys(D.styles[vocab]).forEach(function (code) { byOrder[vocab][D.styles[vocab][code].order] = code; });
  });
  var timeIndex = {};
  (D.timeline || []).forEach(function (t, i) { timeIndex[t.date] = i; });
  // stage on a date of the time control: `ts` holds one stage-order digit per date
  function stageAt(props, vocab, date) {
    if (date === D.as_of || !props.ts || timeIndex[date] === undefined) return props.stage || firstStage(vocab);
    return byOrder[vocab][props.ts.charCodeAt(timeIndex[date]) - 48];
  }

  // layers come as GeoJSON or in the compact form of geo/render/webmap.py (columns, and
  // coordinates as integer steps of 1e-6 degrees): rebuild GeoJSON features from it
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
    // tiles exist for some zoom levels only: Leaflet scales the nearest ones
    var zmin = Math.min.apply(null, zooms), zmax = Math.max.apply(null, zooms);
    // tiles exist for some zoom levels only: Leaflet scales the nearest ones, but never
    // far out, where one native tile would be drawn as millions
    tileLayer = new LocalTiles({ maxZoom: 20, minZoom: Math.max(0, zmin - 3),
                                 minNativeZoom: zmin, maxNativeZoom: zmax });
  } else {
    map.getContainer().classList.add("pg-nobase");
  }

  // ---------------------------------------------------------------- popups
  var F = D.fields;
  function row(name, value) {
    return value === "" || value === null || value === undefined ? "" :
      "<tr><th>" + esc(name) + "</th><td>" + esc(value) + "</td></tr>";
  }
  function fieldLabel(kind, name) { return ((F[kind] || {})[name] || {})[lang] || T[name] || name; }
  function popupFor(key, vocab, p) {
    var rows = "";
    if (key === "zones") {
      rows += row(T.id, p.id) + row(T.name, lang === "en" && p.name_en ? p.name_en : p.name);
      rows += row(T.area, num(p.area_mu, 1) + " 亩 / " + num(p.area_m2, 0) + " m²");
    } else if (key === "parcels" || key === "factories" || key === "housing") {
      var code = stageAt(p, vocab, state.date);
      rows += row(T.id, p.id) + row(T.name, p.name) + row(T.project, p.project);
      rows += row(T.enterprise, p.enterprise) + row(T.industry, p.industry);
      rows += row(T.zone, p.zone) + row(T.parcel, p.parcel) + row(T.land_use, p.land_use);
      rows += row(T.stage, stageLabel(vocab, code) + (code === p.stage && p.stage_since ? " (" + T.since + " " + p.stage_since + ")" : ""));
      rows += row(T.percent, p.percent === null || p.percent === undefined ? "" : num(p.percent, 0) + "%");
      rows += row(T.area, num(p.area_mu, 2) + " 亩 / " + num(p.area_m2, 0) + " m²");
      if (p.declared_area_mu !== null && p.declared_area_mu !== undefined) rows += row(fieldLabel(key, "declared_area_mu"), num(p.declared_area_mu, 2) + " 亩");
      if (p.floor_area_m2) rows += row(T.floor_area, num(p.floor_area_m2, 0) + " m²");
      rows += row(fieldLabel(key, "allocated_on"), p.allocated_on) + row(fieldLabel(key, "agreed_start_on"), p.agreed_start_on);
      rows += row(T.note, p.last_note);
    } else if (key === "roads") {
      rows += row(T.name, p.road_name || p.road_id) + row(T.item, p.item_label || p.item);
      rows += row(T.chainage, (p.from_label || "") + " – " + (p.to_label || ""));
      rows += row(T.stage, stageLabel("road", p.stage)) + row(T.percent, p.percent === null || p.percent === undefined ? "" : num(p.percent, 0) + "%");
      rows += row(T.date, p.date) + row(T.section, p.contract_section) + row(T.note, p.note);
    } else if (key === "findings") {
      rows += row(T.rule, p.rule) + row(T.severity, p.severity) + row(T.id, p.ids);
      rows += row(T.message, lang === "en" ? p.message_en : p.message_zh);
    } else {
      for (var k in p) if (k !== "h") rows += row(k, p[k]);
    }
    return "<table class=\"pg-popup\">" + rows + "</table>";
  }
  function tooltipFor(key, vocab, p) {
    var name = p.project || p.name || p.road_name || p.rule || "";
    var text = esc(p.id || p.road_id || "") + (name ? " " + esc(name) : "");
    if (vocab) text += " · " + esc(stageLabel(vocab, key === "roads" ? p.stage : stageAt(p, vocab, state.date)));
    if (key === "roads") text = esc(p.item_label || p.item) + " " + esc(p.from_label) + "–" + esc(p.to_label) + " · " + esc(stageLabel("road", p.stage));
    return text;
  }

  // ---------------------------------------------------------------- layers
  var renderer = L.canvas({ padding: 0.5 });
  var overlays = {}, searchable = [];
  function styleFor(key, vocab) {
    return function (f) {
      var p = f.properties;
      if (key === "zones") return { color: "#4d4d4d", weight: 2, dashArray: "6 4", fillColor: "#ffffff", fillOpacity: 0.04 };
      if (key === "findings") return { color: p.severity === "error" ? "#d7191c" : "#ff7f00", weight: 2, fillColor: "#d7191c", fillOpacity: 0.35 };
      if (key === "roads") return { color: D.styles.road[p.stage] ? D.styles.road[p.stage].color : "#888", weight: 6, opacity: 0.9, lineCap: "butt" };
      if (!vocab) return {};
      var code = stageAt(p, vocab, state.date);
      return { color: key === "parcels" ? "#555555" : "#222222", weight: key === "parcels" ? 0.8 : 1,
               fillColor: D.styles[vocab][code].color, fillOpacity: key === "parcels" ? 0.7 : 0.9 };
    };
  }
  function addLayer(spec, name, features, vocab, visible) {
    var key = spec.key;
    var layer = L.geoJSON({ type: "FeatureCollection", features: features }, {
      renderer: renderer,
      style: styleFor(spec.key, vocab),
      pointToLayer: function (f, latlng) {
        var station = f.properties.kind === "station";
        var marker = L.circleMarker(latlng, { renderer: renderer, radius: station ? 4 : 2, color: "#000", weight: 1, fillColor: station ? "#fff" : "#000", fillOpacity: 1 });
        marker.bindTooltip(esc(f.properties.label), { permanent: true, direction: "right", offset: [4, 0], className: station ? "pg-station-label" : "pg-tick-label" });
        return marker;
      },
      onEachFeature: function (f, lyr) {
        if (spec.key === "ticks") return;
        if (spec.key === "zones") {
          lyr.bindTooltip(esc(lang === "en" && f.properties.name_en ? f.properties.name_en : f.properties.name), { permanent: true, direction: "center", className: "pg-zone-label" });
        } else if (!D.snapshot) {
          lyr.bindTooltip(function () { return tooltipFor(spec.key, vocab, f.properties); }, { sticky: true });
        }
        if (!D.snapshot) lyr.bindPopup(function () { return popupFor(spec.key, vocab, f.properties); }, { maxWidth: 360 });
        if (spec.key === "parcels" || spec.key === "factories" || spec.key === "housing") {
          searchable.push({ layer: lyr, p: f.properties, key: spec.key });
        }
      }
    });
    state.layers[name] = layer;
    state.counts[name] = layer.getLayers().length;
    overlays[name] = { layer: layer, key: key, vocab: vocab, title: D.layer_labels[key] || key };
    if (visible) layer.addTo(map);
    return layer;
  }

  var order = ["zones", "parcels", "housing", "factories", "roads", "ticks", "findings"];
  var specs = D.layers.slice().sort(function (a, b) { return order.indexOf(a.key) - order.indexOf(b.key); });
  specs.forEach(function (spec) {
    var features = decode(spec.data, spec.geometry);
    if (spec.key === "roads") {
      // one toggleable layer per work item, coloured by stage; pavement shown first
      var items = {};
      features.forEach(function (f) { (items[f.properties.item] = items[f.properties.item] || []).push(f); });
      var itemCodes = Object.keys(D.styles.item).filter(function (c) { return items[c]; });
      // a snapshot of one road may show every work item (D.items_visible, drawn side by side)
      var shown = D.items_visible || null;
      itemCodes.forEach(function (code, i) {
        var name = "roads:" + code;
        addLayer(spec, name, items[code], "road", shown ? shown.indexOf(code) >= 0 : code === "pavement" || (i === 0 && !items.pavement));
        overlays[name].title = D.layer_labels.roads + " · " + D.styles.item[code][lang];
      });
      state.counts.roads = features.length;
    } else {
      addLayer(spec, spec.key, features, spec.vocab || null, true);
    }
  });

  // ---------------------------------------------------------------- legends
  var legendBox = el("div", "pg-legends");
  var legendVocab = { parcels: "land", factories: "building", housing: "building" };
  var roadLegendDone = false;
  Object.keys(overlays).forEach(function (name) {
    var o = overlays[name], vocab = o.key === "roads" ? "road" : legendVocab[o.key];
    var box = el("div", "pg-legend");
    box.setAttribute("data-layer", name);
    // every work item shown side by side: one legend of road stages for all of them
    var merged = D.items_visible && o.key === "roads";
    if (merged && roadLegendDone) box.classList.add("pg-legend-merged");
    if (merged) roadLegendDone = true;
    box.appendChild(el("div", "pg-legend-title", merged ? D.layer_labels.roads : o.title));
    if (vocab) {
      var codes = Object.keys(D.styles[vocab]).sort(function (a, b) { return D.styles[vocab][a].order - D.styles[vocab][b].order; });
      codes.forEach(function (code) {
        var item = el("div", "pg-legend-item");
        var sw = el("span", o.key === "roads" ? "pg-swatch pg-swatch-line" : "pg-swatch");
        sw.style.background = D.styles[vocab][code].color;
        item.appendChild(sw);
        item.appendChild(el("span", "", D.styles[vocab][code][lang]));
        box.appendChild(item);
      });
    } else {
      var item = el("div", "pg-legend-item");
      var sw = el("span", o.key === "findings" ? "pg-swatch pg-swatch-finding" : (o.key === "ticks" ? "pg-swatch pg-swatch-tick" : "pg-swatch pg-swatch-zone"));
      item.appendChild(sw);
      item.appendChild(el("span", "", o.title));
      box.appendChild(item);
    }
    box.style.display = map.hasLayer(o.layer) && !box.classList.contains("pg-legend-merged") ? "" : "none";
    state.legends[name] = box;
    legendBox.appendChild(box);
  });
  var LegendControl = L.Control.extend({ onAdd: function () { L.DomEvent.disableClickPropagation(legendBox); return legendBox; } });
  new LegendControl({ position: "bottomright" }).addTo(map);
  map.on("overlayadd overlayremove layeradd layerremove", function () {
    Object.keys(overlays).forEach(function (name) {
      var hidden = state.legends[name].classList.contains("pg-legend-merged");
      state.legends[name].style.display = map.hasLayer(overlays[name].layer) && !hidden ? "" : "none";
    });
  });

  // ---------------------------------------------------------------- title
  var titleBox = el("div", "pg-title");
  titleBox.appendChild(el("div", "pg-title-main", D.title + " " + T.title_suffix));
  var dateLine = el("div", "pg-title-date", T.as_of + " " + D.as_of);
  titleBox.appendChild(dateLine);
  if (D.shifted) titleBox.appendChild(el("div", "pg-title-note", T.gcj_note));
  var TitleControl = L.Control.extend({ onAdd: function () { return titleBox; } });
  new TitleControl({ position: "topleft" }).addTo(map);

  L.control.scale({ imperial: false, position: "bottomleft", maxWidth: 160 }).addTo(map);
  if (D.snapshot) {
    var north = el("div", "pg-north");
    north.appendChild(el("div", "pg-north-arrow", "▲"));
    north.appendChild(el("div", "pg-north-label", T.north));
    var NorthControl = L.Control.extend({ onAdd: function () { return north; } });
    new NorthControl({ position: "topright" }).addTo(map);
    var foot = el("div", "pg-footer");
    var review = String(D.review_number || "");
    if (review.indexOf(T.review_number) === 0) review = review.slice(T.review_number.length).replace(/^[：:]\s*/, "");
    foot.appendChild(el("span", "", T.source + "：" + (D.data_source || "") + "　" + T.review_number + "：" + review));
    var FootControl = L.Control.extend({ onAdd: function () { return foot; } });
    new FootControl({ position: "bottomleft" }).addTo(map);
  } else {
    var control = {};
    Object.keys(overlays).forEach(function (name) {
      control["<span class=\"pg-layer-name\">" + esc(overlays[name].title) + "</span>"] = overlays[name].layer;
    });
    L.control.layers(null, control, { collapsed: false, position: "topright" }).addTo(map);
    buildGoals();
    buildTimeline();
    buildSearch();
  }

  // ---------------------------------------------------------------- goals
  function buildGoals() {
    if (!D.goals || !D.goals.length) return;
    var box = el("div", "pg-goals");
    // the title folds the panel away, so it never hides the parcels for good
    var goalsTitle = el("div", "pg-goals-title", T.goals + " · " + T.as_of + " " + D.as_of);
    goalsTitle.addEventListener("click", function () { box.classList.toggle("pg-folded"); });
    box.appendChild(goalsTitle);
    var current = D.goals.filter(function (g) { return g.period_start <= D.as_of && D.as_of <= g.period_end; });
    current.forEach(function (g) {
      var item = el("div", "pg-goal");
      item.setAttribute("data-goal-id", g.id);
      item.setAttribute("data-achieved", g.achieved === null ? "" : String(g.achieved));
      item.setAttribute("data-target", String(g.target));
      item.setAttribute("data-to-date", g.achieved_to_date === null || g.achieved_to_date === undefined ? "" : String(g.achieved_to_date));
      var name = lang === "en" && g.metric_en ? g.metric_en : g.metric;
      item.appendChild(el("div", "pg-goal-name", name + " (" + g.unit + ")"));
      if (g.achieved === null) {
        item.appendChild(el("div", "pg-goal-figures", T.no_data));
      } else {
        var bar = el("div", "pg-bar"), fill = el("div", "pg-bar-fill");
        fill.style.width = Math.min(100, Math.max(0, g.percent || 0)) + "%";
        bar.appendChild(fill);
        item.appendChild(bar);
        var fig = T.this_year + " " + num(g.achieved, 2) + " / " + T.target + " " + num(g.target, 2) + " (" + num(g.percent, 1) + "%)";
        if (g.achieved_to_date !== null && g.achieved_to_date !== undefined) fig += "　" + T.to_date + " " + num(g.achieved_to_date, 2);
        item.appendChild(el("div", "pg-goal-figures", fig));
      }
      box.appendChild(item);
    });
    L.DomEvent.disableClickPropagation(box);
    L.DomEvent.disableScrollPropagation(box);
    var GoalControl = L.Control.extend({ onAdd: function () { return box; } });
    new GoalControl({ position: "bottomleft" }).addTo(map);
  }

  // ---------------------------------------------------------------- time control
  function restyle() {
    Object.keys(overlays).forEach(function (name) {
      var o = overlays[name];
      if (o.key === "parcels" || o.key === "factories" || o.key === "housing") o.layer.setStyle(styleFor(o.key, o.vocab));
    });
  }
  function buildTimeline() {
    if (!D.timeline || !D.timeline.length) return;
    var box = el("div", "pg-time");
    var slider = el("input");
    slider.type = "range"; slider.min = 0; slider.max = D.timeline.length - 1; slider.step = 1;
    slider.value = D.timeline.length - 1; slider.className = "pg-time-slider";
    var text = el("div", "pg-time-text");
    function show(i) {
      var t = D.timeline[i];
      state.date = t.date;
      state.developed = t.km2;
      text.textContent = T.timeline + " " + t.date + (t.km2 === null ? "" : "　" + T.developed + " " + num(t.km2, 3) + " km² (" + num(t.mu, 0) + " 亩)");
      text.setAttribute("data-developed-km2", t.km2 === null ? "" : String(t.km2));
      dateLine.textContent = T.as_of + " " + t.date;
      restyle();
    }
    slider.addEventListener("input", function () { show(Number(slider.value)); });
    box.appendChild(slider);
    box.appendChild(text);
    L.DomEvent.disableClickPropagation(box);
    var TimeControl = L.Control.extend({ onAdd: function () { return box; } });
    new TimeControl({ position: "bottomleft" }).addTo(map);
    state.setTime = function (i) { slider.value = i; show(i); };
    show(D.timeline.length - 1);
  }

  // ---------------------------------------------------------------- search
  function buildSearch() {
    var box = el("div", "pg-search");
    var input = el("input");
    input.type = "search"; input.placeholder = T.search; input.className = "pg-search-input";
    var list = el("div", "pg-search-results");
    box.appendChild(input); box.appendChild(list);
    function go(hit) {
      map.fitBounds(hit.layer.getBounds(), { maxZoom: 17 });
      if (!map.hasLayer(hit.layer)) state.layers[hit.key].addTo(map);
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
        var item = el("div", "pg-search-hit", hit.p.id + " " + (hit.p.project || hit.p.name || ""));
        item.addEventListener("click", function () { go(hit); });
        list.appendChild(item);
      });
    });
    input.addEventListener("keydown", function (e) { if (e.key === "Enter") { var hits = find(input.value); if (hits.length) go(hits[0]); } });
    L.DomEvent.disableClickPropagation(box);
    var SearchControl = L.Control.extend({ onAdd: function () { return box; } });
    new SearchControl({ position: "topleft" }).addTo(map);
    state.search = function (q) { var hits = find(q); if (hits.length) go(hits[0]); return hits.map(function (h) { return h.p.id; }); };
  }

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
      paddingBottomRight: [legendBox.offsetWidth + 40, 60]
    });
  } else {
    map.fitBounds(D.bounds, { padding: [20, 20] });
  }
  if (tileLayer) tileLayer.addTo(map).bringToBack();  // after fitting: no world-wide tile grid
  map.on("zoomend", function () { map.getContainer().classList.toggle("pg-zoom-lo", map.getZoom() < 16); });
  map.getContainer().classList.toggle("pg-zoom-lo", map.getZoom() < 16);
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
