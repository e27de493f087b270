#!/usr/bin/env python
"""Benchmark the parcels map: parkgeo's map code against geopandas' ``explore()``.

For N synthetic parcels carrying the demo's attributes, written once to a project's store
(as `parkgeo import` would), each tool builds a map of the parcels showing the same fields
from that same GeoPackage; each build runs in a fresh process so its peak memory (max RSS)
is its own. parkgeo's build time includes reading the store; explore()'s starts from the
GeoDataFrame already read. Then headless Chromium opens each page and we time until it is
drawn (page load plus two animation frames; parkgeo's own "drawn" signal for ours).
explore()'s page links Leaflet and friends on CDNs, which this machine cannot reach: the
benchmark answers those requests from local copies (Leaflet from xstatic-leaflet, empty
bodies for the rest) so both pages draw offline.

The record store section (``--only records``): for P parcels with R progress records
(10k/100k by default, ``--records-large`` for 100k/1M) it times the first `parkgeo import`
(and its peak memory), reading the sheet alone, re-importing the unchanged sheet, the
park's state on a date, and `history` of one feature.

With ``--stores`` the record section runs on both stores side by side, a GeoPackage and a
PostGIS database (a throwaway cluster from tests/pgcluster.py, or ``--pg URL`` naming an empty
database), adds the map build from the store, and times 8 `parkgeo import` processes started
together, each adding 500 records to the same store (throughput in records/s).

The checks section (``--only checks``): every rule of `parkgeo check` (the control
indicators included) over N synthetic parcels with realistic attributes (zones, agreed start
dates, industry codes, declared floor areas, a projects table naming two parcels each, a
factory on every tenth parcel, economic figures, the seed's goals), timed rule by rule after
the shared layers and states are read, then check_project, check_dates over four dates and
each goal (``--check-sizes``, default 10k and 100k; keep 1M for a machine of its own).

Usage: python scripts/bench.py [--sizes 1000,10000,100000] [--skip-explore-above N] [--json]
       python scripts/bench.py --only records [--records-large] [--stores [--pg URL]]
       python scripts/bench.py --only checks [--check-sizes 10000,100000]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FIELDS = ["id", "zone", "land_use", "project", "stage", "stage_since", "area_mu"]


def synthetic_parcels(n: int):
    """N rectangular parcels on a grid near the demo park, with the demo's attributes."""
    import geopandas as gpd
    import numpy as np
    import shapely

    from geo.domain.tables import stages_for_kind

    side = int(np.ceil(np.sqrt(n)))
    i = np.arange(n)
    x0 = 500_000.0 + (i % side) * 90.0
    y0 = 3_430_000.0 + (i // side) * 90.0
    geoms = shapely.box(x0, y0, x0 + 80.0, y0 + 80.0)
    stages = [s.code for s in stages_for_kind("parcels")]
    rng = np.random.default_rng(20230901)
    zones = ["Z01", "Z02", "Z03", "Z04", "Z05", "Z06", "Z07"]
    projects = [
        "臻秦食品精深加工项目",
        "鑫鸣灏纺织项目",
        "亿鸿展盛鞋服项目",
        "杭起华盛新能源电池项目",
        "安吉纳食品项目",
        "锦鑫泰项目",
        "优利克项目",
        "领旗食品一期",
    ]
    years = rng.integers(2021, 2025, n)
    return gpd.GeoDataFrame(
        {
            "id": [f"P{k:06d}" for k in i],
            "zone": [zones[k % 7] for k in i],
            "land_use": np.where(i % 10 == 0, "0604", "0601"),
            "project": [projects[k % len(projects)] for k in i],
            "allocated_on": [f"{y}-03-01" for y in years],
            "started_on": [f"{y}-09-01" if k % 3 else None for k, y in zip(i, years, strict=True)],
            "stage": [stages[k % len(stages)] for k in rng.integers(0, len(stages), n)],
        },
        geometry=geoms,
        crs="EPSG:4544",
    )


def prepare(n: int, root: Path) -> Path:
    """A park project holding N synthetic parcels in its store (what `parkgeo import` leaves)."""
    from geo.store import GpkgStore

    project = root / f"project-{n}"
    project.mkdir(parents=True, exist_ok=True)
    (project / "park.toml").write_text(
        '[park]\nname = "基准园区"\nas_of = 2024-09-30\ncrs = "EPSG:4544"\n', encoding="utf-8"
    )
    gdf = synthetic_parcels(n)
    gdf["stage_since"] = gdf["allocated_on"]
    gdf["area_mu"] = gdf.geometry.area / (10000 / 15)
    with GpkgStore(project / "park.gpkg").transaction() as tx:
        tx.write_layer("parcels", gdf, kind="parcels")
    return project


def _child(tool: str, project: Path, out: Path) -> dict:
    """Build one map in this (fresh) process from the project's store; report build time,
    HTML size and peak RSS. Both tools start from the same GeoPackage."""
    if tool == "parkgeo":
        import datetime as dt

        from geo.io.manifest import load_manifest
        from geo.render.webmap import MapOptions, build_map
        from geo.store import open_store

        manifest = load_manifest(project)
        store = open_store(manifest)
        start = time.perf_counter()
        html = build_map(store, manifest, MapOptions(as_of=dt.date(2024, 9, 30)))
        out.write_text(html, encoding="utf-8")
        build = time.perf_counter() - start
    else:
        import folium  # noqa: F401 - explore() imports these itself; keep imports untimed
        import geopandas as gpd
        import mapclassify  # noqa: F401
        import matplotlib  # noqa: F401

        gdf = gpd.read_file(project / "park.gpkg", layer="parcels")
        start = time.perf_counter()
        m = gdf[[*FIELDS, "geometry"]].explore(column="stage", tooltip=FIELDS, popup=FIELDS)
        m.save(str(out))
        build = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB → MiB on Linux
    return {"build_s": build, "html_mb": out.stat().st_size / 1e6, "peak_mb": peak}


def _draw_time(path: Path, *, parkgeo: bool, timeout_s: float = 600) -> float:
    import xstatic.pkg.leaflet as xleaflet

    from geo.render.browser import find_browser, launch

    base = Path(xleaflet.BASE_DIR)
    local = {
        "leaflet.js": (base / "leaflet.js").read_bytes(),
        "leaflet.css": (base / "leaflet.css").read_bytes(),
    }

    def route(r):
        url = r.request.url
        if url.startswith(("file:", "data:")):
            return r.continue_()
        name = url.rsplit("/", 1)[-1].split("?")[0]
        body = local.get(name, b"")
        ctype = "text/css" if name.endswith(".css") else "application/javascript"
        return r.fulfill(status=200, body=body, content_type=ctype)

    browser_path = find_browser()
    if browser_path is None:
        return float("nan")
    with launch(browser_path) as browser:
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        page.route("**/*", route)
        start = time.perf_counter()
        page.goto(path.as_uri(), timeout=timeout_s * 1000, wait_until="load")
        if parkgeo:
            page.wait_for_function(
                "window.parkgeo && window.parkgeo.drawn", timeout=timeout_s * 1000, polling=50
            )
        else:
            page.evaluate("new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
        return time.perf_counter() - start


PROGRESS_SPEC = """
[layers.parcels]
kind = "parcels"
source = "layers/parcels.gpkg"

[progress.weekly]
source = "layers/progress.csv"
[progress.weekly.fields]
"图层" = "kind"
"编号" = "feature_id"
"日期" = "date"
"阶段" = "stage"
"备注" = "note"
"""


def prepare_records(parcels: int, records: int, root: Path, *, store: str = "park.gpkg") -> Path:
    """A project with *parcels* parcels and a progress sheet of *records* rows (stages in
    date order per parcel, so none goes backwards), its store at *store*."""
    import numpy as np
    import pandas as pd
    import pyogrio

    from geo.domain.tables import stages_for_kind

    project = root / f"records-{parcels}-{records}-{'pg' if '://' in store else 'gpkg'}"
    (project / "layers").mkdir(parents=True, exist_ok=True)
    gdf = synthetic_parcels(parcels)[["id", "zone", "land_use", "geometry"]]
    pyogrio.write_dataframe(gdf, project / "layers" / "parcels.gpkg", driver="GPKG")
    stages = [s.zh for s in stages_for_kind("parcels")]
    k = np.arange(records)
    per = max(1, records // parcels)
    step = k // parcels  # the n-th record of each parcel
    start = pd.Timestamp("2015-01-01")
    dates = (start + pd.to_timedelta(step * 7, unit="D")).strftime("%Y-%m-%d")
    pd.DataFrame(
        {
            "图层": "地块",
            "编号": [f"P{i:06d}" for i in k % parcels],
            "日期": dates,
            "阶段": [stages[min(len(stages) - 1, int(s * len(stages) / per))] for s in step],
            "备注": [f"周报 {s}" for s in step],
        }
    ).to_csv(project / "layers" / "progress.csv", index=False)
    (project / "park.toml").write_text(
        f'[park]\nname = "基准园区"\nas_of = 2024-09-30\ncrs = "EPSG:4544"\nstore = "{store}"\n'
        + PROGRESS_SPEC,
        encoding="utf-8",
    )
    return project


def _timed_cli(args: list[str]) -> tuple[float, float]:
    """Run `parkgeo ARGS` in a fresh process: (wall s, peak MB)."""
    code = (
        "import resource, sys; from geo.cli import main; rc = main(sys.argv[1:]); "
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr); "
        "sys.exit(rc)"
    )
    t = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, check=False
    )
    wall = time.perf_counter() - t
    if proc.returncode:
        raise SystemExit(proc.stderr)
    return wall, int(proc.stderr.strip().splitlines()[-1]) / 1024


def bench_records(
    parcels: int, records: int, root: Path, *, store: str = "park.gpkg", map_build: bool = False
) -> list[tuple[str, float, str]]:
    """(step, seconds, note) for the record store at *parcels* / *records* (in *store*)."""
    import datetime as dt

    from geo.analysis.progress import status
    from geo.cli.records import feature_history
    from geo.io.manifest import load_manifest
    from geo.io.sources import read_source
    from geo.store import open_store

    project = prepare_records(parcels, records, root, store=store)
    out = []
    wall, peak = _timed_cli(["import", "-p", str(project), "--json"])
    out.append(("first import (process)", wall, f"peak {peak:.0f} MB"))
    t = time.perf_counter()
    read_source(project / "layers" / "progress.csv")
    out.append(("read the sheet alone", time.perf_counter() - t, ""))
    wall, peak = _timed_cli(["import", "-p", str(project), "--json"])
    out.append(("re-import unchanged (process)", wall, f"peak {peak:.0f} MB"))
    manifest = load_manifest(project)
    store = open_store(manifest)
    t = time.perf_counter()
    status(store, as_of=dt.date(2016, 6, 30), crs=manifest.crs)
    out.append(("state on a date (status)", time.perf_counter() - t, "in process"))
    t = time.perf_counter()
    n = len(feature_history(store, f"P{parcels // 2:06d}")["records"])
    out.append(("history of one feature", time.perf_counter() - t, f"{n} records, in process"))
    wall, _ = _timed_cli(["history", "-p", str(project), f"P{parcels // 2:06d}", "--json"])
    out.append(("history of one feature (process)", wall, "incl. Python start-up"))
    if map_build:
        wall, peak = _timed_cli(["map", "-p", str(project), "--out", str(project / "map.html")])
        out.append(("map build from the store (process)", wall, f"peak {peak:.0f} MB"))
    return out


def bench_writers(store: str, root: Path, *, writers: int = 8, each: int = 500) -> tuple:
    """*writers* `parkgeo import` processes started together, each adding *each* records of
    its own sheet to *store*: (wall s, records stored)."""
    import pandas as pd

    from geo.store import store_at

    base = prepare_records(1000, 0, root / "writers", store=store)
    _timed_cli(["import", "-p", str(base)])  # the parcels, no records yet
    desks = []
    for k in range(writers):
        desk = root / f"desk{k}"
        (desk / "layers").mkdir(parents=True)
        (desk / "layers" / "parcels.gpkg").write_bytes((base / "layers/parcels.gpkg").read_bytes())
        pd.DataFrame(
            {
                "图层": "地块",
                "编号": [f"P{(k * each + i) % 1000:06d}" for i in range(each)],
                "日期": "2016-01-04",
                "阶段": "已供地",
                "备注": [f"desk {k} row {i}" for i in range(each)],
            }
        ).to_csv(desk / "layers" / f"desk{k}.csv", index=False)  # each desk its own file
        text = (base / "park.toml").read_text(encoding="utf-8")
        for old, new in (
            ("progress.weekly", f"progress.desk{k}"),
            ("progress.csv", f"desk{k}.csv"),
        ):
            text = text.replace(old, new)
        (desk / "park.toml").write_text(text, encoding="utf-8")
        desks.append(desk)
    start = time.perf_counter()
    procs = [
        subprocess.Popen(
            [str(Path(sys.executable).parent / "parkgeo"), "import", "-p", str(d)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        for d in desks
    ]
    errors = [p.communicate()[1] for p in procs if p.wait() != 0]
    wall = time.perf_counter() - start
    if errors:
        raise SystemExit(errors[0])
    stored = store_at(store, root=base).records()
    return wall, 0 if stored is None else len(stored)


def bench_stores(parcels: int, records: int, root: Path, pg_url: str | None) -> dict:
    """The record benchmark on a GeoPackage and on PostGIS, and 8 writers on each."""
    sys.path.insert(0, str(ROOT))
    from tests.pgcluster import Cluster

    cluster = None if pg_url else Cluster().start()
    try:
        fresh = (lambda: pg_url) if pg_url else cluster.database
        stores = {"GeoPackage": "park.gpkg", "PostGIS": fresh()}
        steps = {
            label: bench_records(parcels, records, root / label, store=url, map_build=True)
            for label, url in stores.items()
        }
        # the writers share one new store (the GeoPackage by its full path)
        stores = {"GeoPackage": str(root / "GeoPackage-writers" / "shared.gpkg")}
        if pg_url is None:
            stores["PostGIS"] = fresh()
        for label, url in stores.items():
            wall, stored = bench_writers(url, root / f"{label}-writers")
            note = f"{stored:,} records stored, {stored / wall:,.0f} records/s"
            steps[label].append(("8 imports x 500 records at once", wall, note))
        return steps
    finally:
        if cluster is not None:
            cluster.stop()


def prepare_checks(n: int, root: Path) -> Path:
    """A store of N parcels as a county's land ledger holds them, for the checks."""
    import geopandas as gpd
    import numpy as np
    import pandas as pd
    import shapely

    from geo.store import GpkgStore

    project = root / f"checks-{n}"
    project.mkdir(parents=True, exist_ok=True)
    parcels = synthetic_parcels(n).drop(columns=["project", "stage"])
    i = np.arange(n)
    years = np.array([int(d[:4]) for d in parcels["allocated_on"]])
    parcels["agreed_start_on"] = [f"{y}-06-01" for y in years]
    parcels["completed_on"] = [
        f"{y + 1}-12-01" if k % 3 == 1 else None for k, y in zip(i, years, strict=True)
    ]
    parcels["declared_area_mu"] = np.round(6400 / (10000 / 15) * (1 + (i % 7) / 1000), 2)
    parcels["industry_code"] = [("C13", "C26", "C35", "C39")[k % 4] for k in i]
    parcels["far_floor_area_m2"] = 6400 * (0.5 + (i % 10) / 10)
    side = int(np.ceil(np.sqrt(n)))
    rows = np.array_split(np.arange(side), 7)
    zones = gpd.GeoDataFrame(
        {"id": [f"Z{k + 1:02d}" for k in range(7)], "name": [f"片区{k + 1}" for k in range(7)]},
        geometry=[
            shapely.box(
                499_990.0,
                3_430_000 + r[0] * 90.0 - 10,
                500_000 + side * 90.0,
                3_430_000 + (r[-1] + 1) * 90.0,
            )
            for r in rows
        ],
        crs="EPSG:4544",
    )
    parcels["zone"] = [f"Z{np.searchsorted([r[-1] for r in rows], k // side) + 1:02d}" for k in i]
    # a drawing flaw now and then: every 50th parcel 9 m wider, 1 m short of its neighbour
    wide = (i % 50 == 7) & (i % side < side - 1)
    x0, y0 = parcels.geometry.bounds["minx"], parcels.geometry.bounds["miny"]
    parcels.loc[wide, "geometry"] = shapely.box(
        x0[wide], y0[wide], x0[wide] + 89.0, y0[wide] + 80.0
    )
    pairs = [";".join(parcels["id"].iloc[k : k + 2]) for k in range(0, n, 2)]
    projects = pd.DataFrame(
        {
            "id": [f"XM{k:06d}" for k in range(len(pairs))],
            "name": [f"项目{k}" for k in range(len(pairs))],
            "industry": [("健康食品", "新材料", "装备制造")[k % 3] for k in range(len(pairs))],
            "investment_yi": [0.5 + (k % 9) / 10 for k in range(len(pairs))],
            "parcels": [p.split(";") for p in pairs],
            "enterprise": [f"企业{k}" for k in range(len(pairs))],
            "signed_on": [f"{2021 + k % 4}-0{1 + k % 9}-15" for k in range(len(pairs))],
        }
    )
    # each project's enterprise reports 2022 and 2023 whole years and 2024 January–August
    years = [(2022, 12, 0.8), (2023, 12, 0.9), (2024, 8, 0.6)]
    economy = pd.DataFrame(
        [
            {
                "id": f"E{k:06d}-{y}",
                "enterprise": f"企业{k}",
                "year": y,
                "months": m,
                "project": f"XM{k:06d}",
                "leading": "是" if k % 3 else "否",
                "output_wan": round((2000 + (k % 97) * 1100) * f, 1),
                "tax_wan": round((60 + (k % 97) * 30) * f, 1),
            }
            for k in range(len(pairs))
            for y, m, f in years
        ]
    )
    tenth = parcels.iloc[::10]
    factories = gpd.GeoDataFrame(
        {
            "id": [f"F{k:06d}" for k in range(len(tenth))],
            "parcel": tenth["id"].to_numpy(),
            "floor_area_m2": 3000.0,
            "storeys": 2,
            "storey_height_m": np.where(np.arange(len(tenth)) % 4 == 0, 9.0, 4.5),
            "use": np.where(np.arange(len(tenth)) % 5 == 0, "办公", "生产"),
            "stage": "completed",
            "completed_on": "2023-12-01",
        },
        geometry=tenth.geometry.buffer(-20).to_numpy(),
        crs="EPSG:4544",
    )
    (project / "park.toml").write_text(
        '[park]\nname = "基准园区"\nas_of = 2024-09-30\ncrs = "EPSG:4544"\n', encoding="utf-8"
    )
    with GpkgStore(project / "park.gpkg").transaction() as tx:
        tx.write_layer("zones", zones, kind="zones")
        tx.write_layer("parcels", parcels, kind="parcels")
        tx.write_layer("factories", factories, kind="factories")
        tx.write_layer("projects", projects, kind="projects")
        tx.write_layer("economy", economy, kind="economy")
        tx.write_layer("goals", _bench_goals(), kind="goals")
    return project


def _bench_goals():
    """The demo seed's goals table (every measure: area, sums, counts, economy)."""
    import tomllib

    import pandas as pd

    seed = tomllib.loads((ROOT / "geo" / "demo" / "seed.toml").read_text(encoding="utf-8"))
    rows = []
    for goal in seed["goals"]:
        for target in goal["targets"]:
            y = target["year"]
            rows.append(
                {
                    "id": f"G{len(rows) + 1:02d}",
                    "metric_zh": goal["metric"],
                    "metric_en": goal["metric_en"],
                    "period_start": f"{y}-01-01",
                    "period_end": f"{y}-12-31",
                    "target": float(target["target"]),
                    "unit": goal["unit"],
                    "layer": goal["layer"],
                    "stage": goal["stage"],
                    "measure": goal["measure"],
                }
            )
    return pd.DataFrame(rows)


def bench_checks(n: int, root: Path, bar=None) -> list[tuple[str, float, int]]:
    """(step, seconds, findings) of each rule over N parcels, after the shared reads."""
    import datetime as dt

    from geo.analysis.checks import check_thresholds, registered_rules, rule_table
    from geo.analysis.checks.context import Context
    from geo.store import GpkgStore

    project = prepare_checks(n, root)
    store = GpkgStore(project / "park.gpkg")
    start = time.perf_counter()
    ctx = Context(
        store,
        as_of=dt.date(2024, 9, 30),
        crs="EPSG:4544",
        thresholds=check_thresholds(None),
        quotas={2023: 1000.0},
    )
    _ = ctx.layers, ctx.good_masks, ctx.states, ctx.projects
    out = [("read layers and states", time.perf_counter() - start, 0)]
    table = rule_table()
    for rule_id, func in registered_rules().items():
        if bar is not None:
            bar(f"{n:,} parcels: {rule_id}")
        start = time.perf_counter()
        found = list(func(ctx, table[rule_id]))
        out.append((rule_id, time.perf_counter() - start, len(found)))
    if bar is not None:
        bar(f"{n:,} parcels: parkgeo check (all rules, from the store)")
    from geo.analysis.checks import check_dates, check_project
    from geo.io.manifest import load_manifest

    manifest = load_manifest(project)
    start = time.perf_counter()
    result = check_project(store, manifest, as_of=dt.date(2024, 9, 30))
    out.append(("all rules (check_project)", time.perf_counter() - start, len(result.findings)))
    if bar is not None:
        bar(f"{n:,} parcels: check_dates, 4 quarter ends")
    dates = [
        dt.date(2023, 12, 31),
        dt.date(2024, 3, 31),
        dt.date(2024, 6, 30),
        dt.date(2024, 9, 30),
    ]
    start = time.perf_counter()
    results = check_dates(store, manifest, dates, summary=False)
    found = sum(len(r.findings) for r in results.values())
    out.append(("check_dates, 4 dates", time.perf_counter() - start, found))
    out.extend(bench_goals(store, manifest, bar=bar, n=n))
    return out


def bench_goals(store, manifest, *, bar=None, n=0) -> list[tuple[str, float, int]]:
    """(goal, seconds, features counted) of each goal of the store's goals table, after the
    goals table and the progress records are read (each layer's read is in its first goal)."""
    import datetime as dt
    import warnings

    from geo.analysis import goals as goals_module

    start = time.perf_counter()
    table = store.read_kind("goals")
    records = store.read_kind("progress")
    out = [("goals: read table and records", time.perf_counter() - start, 0)]
    layers, reached = {}, {}
    for row in table.to_dict("records"):
        label = f"goal {row['id']} {row['layer']} {row['measure']} {row['period_start'][:4]}"
        if bar is not None:
            bar(f"{n:,} parcels: {label}")
        goal = goals_module._Goal(row, f"goal {row['id']!r}")
        start = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", goals_module.GoalWarning)
            result = goals_module._measure(
                goal, store, records, layers, reached, as_of=dt.date(2024, 9, 30), crs=manifest.crs
            )
        out.append((label, time.perf_counter() - start, len(result.feature_ids)))
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument(
        "--skip-explore-above",
        type=int,
        default=None,
        help="Do not run explore() above this many parcels (it is slow).",
    )
    parser.add_argument("--json", action="store_true", help="Print the results as JSON.")
    parser.add_argument(
        "--only", choices=["map", "records", "checks"], default=None, help="Run one section only."
    )
    parser.add_argument("--check-sizes", default="10000,100000", help="Parcels for --only checks.")
    parser.add_argument(
        "--records-large",
        action="store_true",
        help="Record store at 100k parcels / 1M records (default 10k / 100k).",
    )
    parser.add_argument(
        "--stores",
        action="store_true",
        help="Record store on a GeoPackage and on PostGIS side by side, plus 8 writers.",
    )
    parser.add_argument("--pg", default=None, help="With --stores: an empty PostGIS database.")
    parser.add_argument(
        "--child", nargs=3, metavar=("TOOL", "PROJECT", "OUT"), help=argparse.SUPPRESS
    )
    args = parser.parse_args()
    if args.child:
        tool, project, out = args.child
        print(json.dumps(_child(tool, Path(project), Path(out))))
        return 0

    from rich.console import Console
    from rich.progress import Progress
    from rich.table import Table

    if args.stores:
        parcels, records = (100_000, 1_000_000) if args.records_large else (10_000, 100_000)
        tmp = Path(tempfile.mkdtemp(prefix="parkgeo-bench-"))
        return _print_stores(bench_stores(parcels, records, tmp, args.pg), parcels, records, args)
    if args.only == "checks":
        sizes = [int(x) for x in args.check_sizes.split(",")]
        results = {}
        with Progress(console=Console(stderr=True), transient=True) as bar:
            task = bar.add_task("checks", total=len(sizes))
            for n in sizes:
                tmp = Path(tempfile.mkdtemp(prefix="parkgeo-bench-"))
                results[n] = bench_checks(
                    n, tmp, bar=lambda text: bar.update(task, description=text)
                )
                bar.advance(task)
        if args.json:
            print(
                json.dumps(
                    {
                        n: [{"step": a, "s": b, "findings": c} for a, b, c in r]
                        for n, r in results.items()
                    },
                    indent=2,
                )
            )
            return 0
        table = Table(title="parkgeo check, rule by rule (s; findings)")
        table.add_column("rule")
        for n in sizes:
            table.add_column(f"{n:,}", justify="right")
        for k, (step, _, _) in enumerate(results[sizes[0]]):
            table.add_row(step, *(f"{results[n][k][1]:.2f} ({results[n][k][2]:,})" for n in sizes))
        Console().print(table)
        return 0
    if args.only != "map":
        parcels, records = (100_000, 1_000_000) if args.records_large else (10_000, 100_000)
        steps = bench_records(parcels, records, Path(tempfile.mkdtemp(prefix="parkgeo-bench-")))
        if args.json:
            print(json.dumps([{"step": a, "s": b, "note": c} for a, b, c in steps], indent=2))
        else:
            table = Table(title=f"record store: {parcels:,} parcels, {records:,} records")
            for col in ("step", "s", "note"):
                table.add_column(col, justify="right" if col == "s" else "left")
            for step, secs, note in steps:
                table.add_row(step, f"{secs:.2f}", note)
            Console().print(table)
        if args.only == "records":
            return 0

    sizes = [int(s) for s in args.sizes.split(",")]
    rows = []
    tmp = Path(tempfile.mkdtemp(prefix="parkgeo-bench-"))
    runs = [
        (n, tool)
        for n in sizes
        for tool in ("parkgeo", "explore")
        if not (tool == "explore" and args.skip_explore_above and n > args.skip_explore_above)
    ]
    with Progress(console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("benchmark", total=len(runs))
        projects = {}
        for n, tool in runs:
            if n not in projects:
                bar.update(task, description=f"{n:,} parcels: writing the store")
                projects[n] = prepare(n, tmp)
            bar.update(task, description=f"{tool} {n:,} parcels: build")
            out = tmp / f"{tool}-{n}.html"
            proc = subprocess.run(
                [sys.executable, __file__, "--child", tool, str(projects[n]), str(out)],
                capture_output=True,
                text=True,
                check=False,
            )
            if proc.returncode:
                print(proc.stderr, file=sys.stderr)
                return 1
            result = json.loads(proc.stdout.strip().splitlines()[-1])
            bar.update(task, description=f"{tool} {n:,} parcels: draw in Chromium")
            result["draw_s"] = _draw_time(out, parkgeo=tool == "parkgeo")
            rows.append({"n": n, "tool": tool, **result})
            bar.advance(task)
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    table = Table(title="parcels map: parkgeo vs geopandas explore()")
    for col in ("parcels", "tool", "build s", "peak MB", "HTML MB", "drawn s"):
        table.add_column(col, justify="left" if col == "tool" else "right")
    for r in rows:
        table.add_row(
            f"{r['n']:,}",
            r["tool"],
            f"{r['build_s']:.2f}",
            f"{r['peak_mb']:.0f}",
            f"{r['html_mb']:.1f}",
            f"{r['draw_s']:.2f}",
        )
    Console().print(table)
    by = {(r["n"], r["tool"]): r for r in rows}
    for n in sizes:
        a, b = by.get((n, "parkgeo")), by.get((n, "explore"))
        if a and b:
            Console().print(
                f"{n:,}: build {b['build_s'] / a['build_s']:.1f}× faster, HTML "
                f"{a['html_mb'] / b['html_mb']:.0%} of explore's, peak memory "
                f"{a['peak_mb'] / b['peak_mb']:.0%}, drawn {b['draw_s'] / a['draw_s']:.1f}× faster"
            )
    return 0


def _print_stores(steps: dict, parcels: int, records: int, args) -> int:
    if args.json:
        print(json.dumps({k: [{"step": a, "s": b, "note": c} for a, b, c in v]
                          for k, v in steps.items()}, indent=2))  # fmt: skip
        return 0
    from rich.console import Console
    from rich.table import Table

    labels = list(steps)
    table = Table(title=f"both stores: {parcels:,} parcels, {records:,} records")
    table.add_column("step")
    for label in labels:
        table.add_column(f"{label} s", justify="right")
        table.add_column(f"{label} note")
    for i, (step, *_) in enumerate(steps[labels[0]]):
        cells = [c for label in labels for c in (f"{steps[label][i][1]:.2f}", steps[label][i][2])]
        table.add_row(step, *cells)
    Console().print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
