"""Cold-process CLI benchmark on a generated case: loads, questions, and networkx building the same
graph, side by side in one run.

Run: .venv/bin/python -m benchmarks.bench_cli [--entities 200000] [--relations 1000000]
         [--questions 20] [--dir /tmp/casegraph-bench] [--no-csv] [--no-networkx] [--keep]
         [--store STORE]

Generates a power-law case (benchmarks/casegen.py: typed entities, valid relations, the same facts
as JSONL and CSV) under --dir (never in the repository; reused when it was made with the same
sizes), loads each file into a new store through the CLI, then asks every kind of question from a
new process each time (`casegraph path A B --json`, `--all`, `--k 3`, `neighbors A --depth 2`,
`common A B`; casegraph's bytecode compiled first, as an installed wheel has it), wall time with
process start and peak resident set size per process (wait4). In the same run, a separate process
builds `nx.MultiDiGraph` from the JSONL rows (the cost of a whole graph per process). Prints
Markdown tables on stdout and the machine's load averages with each step; progress on stderr.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from benchmarks.bench_paths import percentile
from benchmarks.casegen import write_case

NX_BUILD = r"""
import json, sys, time
import networkx as nx
start = time.perf_counter()
graph = nx.MultiDiGraph()
with open(sys.argv[1], encoding="utf-8") as fh:
    for line in fh:
        row = json.loads(line)
        if "source" in row:
            graph.add_edge(row["source"], row["target"], type=row["type"])
        else:
            graph.add_node(row["name"], type=row["type"])
print(json.dumps({"seconds": time.perf_counter() - start, "nodes": graph.number_of_nodes(),
                  "edges": graph.number_of_edges()}))
"""


@dataclass
class Run:
    """One child process: wall seconds (start included), CPU seconds (user + system), peak RSS
    in MB, exit code, stdout."""

    seconds: float
    cpu: float
    rss_mb: float
    code: int
    stdout: str


def measured(args: list[str], env: dict[str, str] | None = None) -> Run:
    """Run a child and measure it alone: wall time, CPU (wait4's rusage) and its own peak RSS.

    The peak RSS comes from GNU time where it is installed: a child this process starts (vfork,
    then exec) reports at least this process's own peak in wait4's ru_maxrss, which made every
    question look as big as the bench itself; one started by `time` does not."""
    gnu_time = Path("/usr/bin/time")
    wrapped = [str(gnu_time), "-f", "maxrss-kb %M", "--", *args] if gnu_time.exists() else args
    start = time.perf_counter()
    proc = subprocess.Popen(wrapped, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    assert proc.stdout is not None and proc.stderr is not None
    out = proc.stdout.read()
    err = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode not in (0, 1):
        sys.stderr.write(
            f"  exit {proc.returncode}: {' '.join(args[-6:])}\n{err.decode()[-2000:]}\n"
        )
    cpu = usage.ru_utime + usage.ru_stime
    peak = usage.ru_maxrss / 1024
    lines = err.decode("utf-8", "replace").strip().splitlines()
    if wrapped is not args and lines and lines[-1].startswith("maxrss-kb "):
        peak = int(lines[-1].split()[1]) / 1024  # GNU time exits with the child's code
    return Run(seconds, cpu, peak, proc.returncode, out.decode("utf-8", "replace"))


def load_average() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def note(message: str) -> None:
    sys.stderr.write(message + "\n")
    sys.stderr.flush()


def cli() -> list[str]:
    """The casegraph command of this environment, as a user runs it."""
    script = Path(sys.executable).with_name("casegraph")
    return [str(script)] if script.exists() else [sys.executable, "-m", "casegraph"]


def compiled() -> None:
    """casegraph's bytecode written beforehand, as pip writes it when it installs a wheel: with
    PYTHONDONTWRITEBYTECODE set, an editable install has none, and each cold process would
    compile the package again (about 0.15 s), which no installed casegraph does."""
    package = Path(__file__).resolve().parents[1] / "casegraph"
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(package)], check=True)


def env() -> dict[str, str]:
    """This environment without casegraph's own settings (a developer's store never leaks in)."""
    return {k: v for k, v in os.environ.items() if not k.startswith(("CASEGRAPH_", "NEO4J_"))}


def case_in(folder: Path, entities: int, relations: int) -> tuple[Path, Path, list[str]]:
    """The generated case in folder, made once for these sizes."""
    stamp = folder / "case.json"
    wanted = {"entities": entities, "relations": relations, "seed": 7}
    if stamp.exists() and json.loads(stamp.read_text()) == wanted:
        names = json.loads((folder / "names.json").read_text())
        return folder / "case.jsonl", folder / "case.csv", names
    note(f"generating {entities:,} entities, {relations:,} relations in {folder} ...")
    start = time.perf_counter()
    case = write_case(folder, entities, relations)
    (folder / "names.json").write_text(json.dumps(case.names))
    stamp.write_text(json.dumps(wanted))
    note(f"  generated in {time.perf_counter() - start:.0f} s")
    return case.jsonl, case.csv, case.names


def load(store: Path, source: Path) -> tuple[Run, dict[str, object]]:
    for suffix in ("", "-wal", "-shm", ".adjacency"):
        Path(str(store) + suffix).unlink(missing_ok=True)
    note(f"loading {source.name} (load average {load_average()}) ...")
    result = measured([*cli(), "--store", str(store), "load", str(source), "--json"], env())
    summary = json.loads(result.stdout) if result.code == 0 else {}
    note(
        f"  {result.seconds:.1f} s ({result.cpu:.1f} s CPU), {result.rss_mb:.0f} MB, "
        f"{summary.get('relations_new')} relations"
    )
    return result, summary


def questions(store: Path, names: list[str], count: int, seed: int = 11) -> dict[str, list[Run]]:
    rng = random.Random(seed)
    base = [*cli(), "--store", str(store)]
    kinds: dict[str, list[str]] = {
        "path A B": ["path"],
        "path A B --all": ["path", "--all"],
        "path A B --k 3": ["path", "--k", "3"],
        "neighbors A --depth 2": ["neighbors", "--depth", "2"],
        "common A B": ["common"],
    }
    out: dict[str, list[Run]] = {k: [] for k in kinds}
    for kind, args in kinds.items():
        note(f"{count} x {kind} (load average {load_average()}) ...")
        for _ in range(count):
            a, b = rng.choice(names), rng.choice(names)
            ends = [a] if kind.startswith("neighbors") else [a, b]
            out[kind].append(measured([*base, args[0], *ends, *args[1:], "--json"], env()))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--entities", type=int, default=200_000)
    parser.add_argument("--relations", type=int, default=1_000_000)
    parser.add_argument("--questions", type=int, default=20)
    parser.add_argument("--dir", type=Path, default=Path("/tmp/casegraph-bench"))
    parser.add_argument("--no-csv", action="store_true", help="Skip the CSV load.")
    parser.add_argument("--no-networkx", action="store_true", help="Skip the networkx build.")
    parser.add_argument("--keep", action="store_true", help="Keep the stores afterwards.")
    parser.add_argument(
        "--store",
        type=Path,
        help="Ask the questions of this store, already loaded with the same case (no loads).",
    )
    args = parser.parse_args()

    root = Path(__file__).resolve().parents[1]
    folder = args.dir.resolve()
    if folder == root or root in folder.parents:
        raise SystemExit("--dir must be outside the repository")
    folder.mkdir(parents=True, exist_ok=True)
    averages = [f"start: {load_average()}"]
    jsonl, table, names = case_in(folder, args.entities, args.relations)
    size_mb = jsonl.stat().st_size / 1e6

    loads: list[tuple[str, Run, dict[str, object]]] = []
    store = args.store.resolve() if args.store else folder / "jsonl.db"
    if not args.store:
        result, summary = load(store, jsonl)
        loads.append((f"JSONL ({size_mb:.0f} MB)", result, summary))
        averages.append(f"after JSONL load: {load_average()}")
    if not args.no_csv and not args.store:
        result, summary = load(folder / "csv.db", table)
        loads.append((f"CSV ({table.stat().st_size / 1e6:.0f} MB)", result, summary))
        averages.append(f"after CSV load: {load_average()}")

    nx_run: Run | None = None
    nx_seconds = 0.0
    if not args.no_networkx:
        note(f"networkx MultiDiGraph from the JSONL rows (load average {load_average()}) ...")
        nx_run = measured([sys.executable, "-c", NX_BUILD, str(jsonl)], env())
        nx_seconds = json.loads(nx_run.stdout)["seconds"]
        note(f"  {nx_seconds:.1f} s to build, {nx_run.rss_mb:.0f} MB")
        averages.append(f"after networkx: {load_average()}")

    compiled()
    help_run = measured([*cli(), "--help"], env())
    show_run = measured([*cli(), "--store", str(store), "show", names[0], "--json"], env())
    asked = questions(store, names, args.questions)
    averages.append(f"after questions: {load_average()}")

    print(f"Case: {args.entities:,} entities, {args.relations:,} relations generated; "
          f"JSONL {size_mb:.0f} MB.\n")  # fmt: skip
    print("| load | wall s | CPU s | relations | relations/s (wall) | relations/s (CPU) "
          "| peak RSS MB |")  # fmt: skip
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for label, result, summary in loads:
        rels = int(summary.get("relations_new", 0) or 0)  # type: ignore[call-overload]
        print(f"| {label} | {result.seconds:.1f} | {result.cpu:.1f} | {rels:,} | "
              f"{rels / result.seconds:,.0f} | {rels / max(result.cpu, 1e-9):,.0f} | "
              f"{result.rss_mb:.0f} |")  # fmt: skip
    print()
    print("Answered: exit 0 (found) or 1 (nothing links them, a documented answer).\n")
    print("| cold process | n | answered (found) | p50 s | p95 s | max s | CPU p50 s "
          "| peak RSS MB (max) |")  # fmt: skip
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for label, runs in [("casegraph --help", [help_run]), ("show A --json", [show_run]),
                        *asked.items()]:  # fmt: skip
        secs = [r.seconds for r in runs]
        answered = sum(r.code in (0, 1) for r in runs)
        found = sum(r.code == 0 for r in runs)
        print(f"| {label} | {len(runs)} | {answered} ({found}) | {percentile(secs, 50):.2f} | "
              f"{percentile(secs, 95):.2f} | {max(secs):.2f} | "
              f"{percentile([r.cpu for r in runs], 50):.2f} | {max(r.rss_mb for r in runs):.0f} |")  # fmt: skip
    if nx_run is not None:
        print(f"| networkx MultiDiGraph from the JSONL (build only: {nx_seconds:.1f} s) | 1 | | "
              f"{nx_run.seconds:.2f} | | | {nx_run.cpu:.2f} | {nx_run.rss_mb:.0f} |")  # fmt: skip
        slowest = max(statistics.median(r.seconds for r in runs) for runs in asked.values())
        print(f"\nnetworkx build alone / slowest question p50: {nx_seconds / slowest:.1f}x")
    print("\nLoad averages (1, 5, 15 min): " + "; ".join(averages))
    if not args.keep and not args.store:
        for db in folder.glob("*.db*"):
            if db.is_file():
                db.unlink()
        shutil.rmtree(folder / "__pycache__", ignore_errors=True)


if __name__ == "__main__":
    main()
