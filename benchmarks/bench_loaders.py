"""Loader throughput and peak memory: parse-only runs of the CSV, STIX and FtM loaders.

Usage: python benchmarks/bench_loaders.py [--rows 1000000] [--stix-objects 400000]
                                          [--ftm-records 500000] [--keep DIR]

Each case runs in a fresh subprocess that imports the loader, notes its resident set size, then
consumes every fact the loader yields (nothing is stored) and reports rows per second and the
peak resident set size (getrusage ru_maxrss), so one case's memory never pollutes another's.
Cases: a generated CSV of --rows typed relations; the largest real STIX bundle in
../shared/data; a generated STIX bundle of --stix-objects objects (half indicators, half
indicates relationships, hundreds of MB) to show memory staying flat; a generated FtM stream of
--ftm-records records. Generated files go to a temporary folder (or --keep DIR). Prints a
Markdown table on stdout; progress goes to stderr.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"


def generate_csv(path: Path, rows: int) -> None:
    """A relation table: source,source_type,type,target,target_type,quote."""
    with path.open("w", encoding="utf-8", newline="") as fh:
        fh.write("source,source_type,type,target,target_type,quote\n")
        for i in range(rows):
            verb = "DEVELOPED" if i % 2 else "USED"
            fh.write(f"Company {i % 50_000},Company,{verb},Product {i % 20_000},Product,"
                     f'"Company {i % 50_000} and Product {i % 20_000}, row {i}"\n')  # fmt: skip


def generate_stix(path: Path, objects: int) -> None:
    """A bundle of one malware, objects/2 indicators and as many indicates relationships."""
    malware = f"malware--{uuid.UUID(int=1)}"
    with path.open("w", encoding="utf-8") as fh:
        fh.write(f'{{"type": "bundle", "id": "bundle--{uuid.UUID(int=0)}", "objects": [\n')
        fh.write(json.dumps({"type": "malware", "spec_version": "2.1", "id": malware,
                             "name": "Benchmark", "is_family": True}))  # fmt: skip
        for i in range(objects // 2):
            ind = f"indicator--{uuid.UUID(int=10**9 + i)}"
            fh.write(",\n" + json.dumps({
                "type": "indicator", "spec_version": "2.1", "id": ind,
                "created": "2024-01-01T00:00:00Z", "modified": "2024-01-01T00:00:00Z",
                "indicator_types": ["malicious-activity"], "pattern_type": "stix",
                "pattern": f"[domain-name:value='host{i}.example.com']",
                "valid_from": "2024-01-01T00:00:00Z",
            }))  # fmt: skip
            fh.write(",\n" + json.dumps({
                "type": "relationship", "spec_version": "2.1",
                "id": f"relationship--{uuid.UUID(int=2 * 10**9 + i)}",
                "created": "2024-01-01T00:00:00Z", "modified": "2024-01-01T00:00:00Z",
                "relationship_type": "indicates", "source_ref": ind, "target_ref": malware,
            }))  # fmt: skip
        fh.write("\n]}\n")


def generate_ftm(path: Path, records: int) -> None:
    """People, companies and ownerships, each ownership written before the entities it names."""
    with path.open("w", encoding="utf-8") as fh:
        for i in range(records // 3):
            props = {"owner": [f"p-{i}"], "asset": [f"c-{i}"], "startDate": ["2020-01-01"]}
            person = {"name": [f"Person {i}"], "country": ["ru"]}
            company = {"name": [f"Company {i}"], "jurisdiction": ["cy"]}
            for fid, schema, values in (
                (f"own-{i}", "Ownership", props),
                (f"p-{i}", "Person", person),
                (f"c-{i}", "Company", company),
            ):
                fh.write(json.dumps({"id": fid, "schema": schema, "properties": values}) + "\n")


def run_case(loader_name: str, *paths: str) -> dict[str, float]:
    """In this process: load the files with the named loader, consume their facts, measure."""
    sys.path.insert(0, str(ROOT))
    from casegraph.loaders import get_loader
    from casegraph.loaders.base import LoadOptions

    loader = get_loader(loader_name)
    base_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    facts = 0
    rows = 0
    sources = (source for path in paths for source in loader.read(Path(path), LoadOptions()))
    for source in sources:
        for _ in source.facts:
            facts += 1
        counts = source.document.properties
        rows += int(counts.get("rows") or counts.get("counts", {}).get("objects")
                    or counts.get("counts", {}).get("records") or 0)  # fmt: skip
    seconds = time.perf_counter() - start
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {
        "rows": rows,
        "facts": facts,
        "seconds": seconds,
        "base_kb": base_kb,
        "peak_kb": peak_kb,
    }


def measure(loader_name: str, paths: list[Path]) -> dict[str, float]:
    """Run one case in a fresh interpreter and return its measurements."""
    out = subprocess.run(
        [sys.executable, __file__, "--case", loader_name, *map(str, paths)],
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    result: dict[str, float] = json.loads(out.stdout)
    return result


def real_stix() -> list[Path]:
    """Every real STIX file in ../shared/data, largest first."""
    found = [*DATA.glob("**/*.stix2"), *DATA.glob("mitre_attack_stix21/**/*.json")]
    return sorted(found, key=lambda p: -p.stat().st_size)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--stix-objects", type=int, default=400_000)
    parser.add_argument("--ftm-records", type=int, default=300_000)
    parser.add_argument("--keep", type=Path, help="write generated files here and keep them")
    parser.add_argument("--case", nargs="+", metavar="LOADER PATH", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.case:
        print(json.dumps(run_case(*args.case)))
        return
    with tempfile.TemporaryDirectory(prefix="casegraph-bench-") as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        cases: list[tuple[str, str, list[Path]]] = []
        generated = (
            ("csv", f"generated CSV, {args.rows:,} relations", "relations.csv", generate_csv,
             args.rows),
            ("stix", f"generated STIX bundle, {args.stix_objects:,} objects", "big.json",
             generate_stix, args.stix_objects),
            ("ftm", f"generated FtM stream, {args.ftm_records:,} records", "stream.ftm.json",
             generate_ftm, args.ftm_records),
        )  # fmt: skip
        for loader_name, label, filename, make, size in generated:
            path = folder / filename
            print(f"generating {path} ...", file=sys.stderr)
            make(path, size)
            cases.append((loader_name, label, [path]))
        real = real_stix()
        cases[1:1] = [
            ("stix", f"largest real STIX: {real[0].name}", real[:1]),
            ("stix", f"all {len(real)} real STIX files", real),
        ]
        print("| case | MB | rows | facts | seconds | rows/s | base RSS MB | peak RSS MB |")
        print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
        for loader_name, label, paths in cases:
            print(f"running {label} ...", file=sys.stderr)
            r = measure(loader_name, paths)
            size_mb = sum(p.stat().st_size for p in paths) / 2**20
            cells = [
                label, f"{size_mb:,.1f}", f"{r['rows']:,.0f}", f"{r['facts']:,.0f}",
                f"{r['seconds']:,.2f}", f"{r['rows'] / r['seconds']:,.0f}",
                f"{r['base_kb'] / 1024:,.0f}", f"{r['peak_kb'] / 1024:,.0f}",
            ]  # fmt: skip
            print("| " + " | ".join(cells) + " |", flush=True)


if __name__ == "__main__":
    main()
