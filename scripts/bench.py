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

Usage: python scripts/bench.py [--sizes 1000,10000,100000] [--skip-explore-above N] [--json]

``--stores N`` instead compares the two stores side by side at N parcels (and 10 progress
records a parcel): write, unchanged rewrite, read, and 8 concurrent writers on PostGIS. It
uses a throwaway PostgreSQL cluster (tests/pgcluster.py), or ``--pg URL`` for a server.
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
    with GpkgStore(project / "park.gpkg").transaction(replace=True) as tx:
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


def _timed(func) -> float:
    start = time.perf_counter()
    func()
    return time.perf_counter() - start


def bench_stores(n: int, pg_url: str | None) -> list[dict]:
    """Seconds per store operation at *n* parcels and 10·n progress records."""
    import pandas as pd

    from geo.store import store_at

    sys.path.insert(0, str(ROOT))
    from tests.pgcluster import Cluster

    parcels = synthetic_parcels(n)
    records = pd.DataFrame(
        {
            "kind": "parcels",
            "feature_id": [parcels["id"].iloc[i % n] for i in range(10 * n)],
            "date": [f"2024-{1 + i % 12:02d}-01" for i in range(10 * n)],
            "stage": "started",
            "percent": [float(i % 100) for i in range(10 * n)],
            "note": "",
        }
    )
    tmp = Path(tempfile.mkdtemp(prefix="parkgeo-bench-"))
    cluster = None if pg_url else Cluster().start()
    rows = []
    try:
        locations = {"GeoPackage": str(tmp / "park.gpkg"), "PostGIS": pg_url or cluster.database()}
        for label, url in locations.items():
            store = store_at(url)

            def write(store=store):
                with store.transaction(replace=True) as tx:
                    tx.write_layer("parcels", parcels, kind="parcels")
                    tx.write_layer("progress", records, kind="progress")

            row = {"store": label, "write_s": _timed(write), "rewrite_s": _timed(write)}
            row["read_parcels_s"] = _timed(lambda store=store: store.read("parcels"))
            row["read_progress_s"] = _timed(lambda store=store: store.read("progress"))
            rows.append(row)
        # writers on an empty records table: each of 8 processes adds 500 records in
        # transactions of 25, each one a read-modify-write behind the store's write lock
        url = cluster.database() if cluster else pg_url
        with store_at(url).transaction(replace=True) as tx:
            tx.write_layer("progress", records.iloc[0:0], kind="progress")
        code = (
            "import sys; from tests.store.test_concurrency import writer; writer(sys.argv[1], {})"
        )
        start = time.perf_counter()
        procs = [
            subprocess.Popen([sys.executable, "-c", code.format(w), url], cwd=ROOT)
            for w in range(8)
        ]
        for p in procs:
            p.wait()
        took = time.perf_counter() - start
        rows.append({"store": "PostGIS, 8 writers x 500 records", "concurrent_s": took})
    finally:
        if cluster:
            cluster.stop()
    return rows


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
    parser.add_argument("--stores", type=int, help="Compare the two stores at N parcels.")
    parser.add_argument("--pg", help="PostgreSQL URL for --stores (default: a throwaway one).")
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
        rows = bench_stores(args.stores, args.pg)
        print(json.dumps(rows, indent=2))
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


if __name__ == "__main__":
    sys.exit(main())
