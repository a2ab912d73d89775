"""Full-text search on the embedded store: `find` latency over generated documents, and what the
text index adds to load time.

Usage: python -m benchmarks.bench_find [--docs 10000] [--words 500] [--repeat 15] [--seed 7]

Documents are generated from a vocabulary of 30,000 made-up words drawn with Zipf-like weights
(1 / rank), so a few words are in every document and most in a few, plus a rotating cast of
firm and product names; each document also carries five relations with quoted evidence, so a
load writes what a real load writes besides text (spaCy is not run: its cost would hide the
index's). The load is timed twice on fresh stores: as shipped, and with the text index given no
documents (fulltext.index_documents made a no-op), which is the load without the index. Then each query of a mix
(a rare word, a mid-frequency word, a name, a phrase, a prefix, two words, a boolean with NOT,
a word in every document) runs --repeat times through casegraph.queries.find.find in-process;
p50 and p95 are reported per query and over the whole mix. Prints Markdown on stdout.
"""

from __future__ import annotations

import argparse
import itertools
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

FIRMS = ["Vortex Analytics", "Orion Labs", "Zeta Defense", "Tarnish Group", "Redline Systems",
         "Falcon Intel", "Nexa Holdings", "Kestrel Technologies", "Ember Security", "Bright Star"]  # fmt: skip
PRODUCTS = ["Nightjar", "Ghostcall", "Hermit", "Reign", "Moth", "Lantern", "Quill", "Rook"]
SYLLABLES = ["ka", "lo", "mi", "ne", "ru", "sa", "ti", "vo", "ze", "bar", "den", "fol", "gri",
             "hul", "jon", "kre", "lum", "mor", "nik", "pra", "quo", "sel", "tor", "ung"]  # fmt: skip
VOCABULARY = 30_000


def vocabulary(rng: random.Random) -> list[str]:
    """VOCABULARY distinct made-up words of two to four syllables."""
    words: dict[str, None] = {}
    while len(words) < VOCABULARY:
        words["".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4)))] = None
    return list(words)


def documents(n: int, words: int, seed: int) -> Iterator[tuple[str, list[tuple[str, str, str]]]]:
    """(text, relations as (firm, product, quote)) of each generated document."""
    rng = random.Random(seed)
    vocab = vocabulary(rng)
    cumulative = list(itertools.accumulate(1.0 / (rank + 1) for rank in range(len(vocab))))
    for i in range(n):
        body = rng.choices(vocab, cum_weights=cumulative, k=words)
        facts = []
        places = sorted(rng.sample(range(len(body)), 5), reverse=True)  # inserted from the end
        for j, at in enumerate(places):
            firm, product = FIRMS[(i + j) % len(FIRMS)], PRODUCTS[(i * 3 + j) % len(PRODUCTS)]
            quote = f"{firm} developed {product}."
            body[at:at] = quote.split()
            facts.append((firm, product, quote))
        yield " ".join(body), facts


def sources(n: int, words: int, seed: int) -> Iterator[object]:
    from casegraph.graph.model import (
        Document,
        EntityRef,
        Fact,
        Source,
        content_hash,
        make_entity,
        make_evidence,
        make_relation,
    )

    for i, (text, facts) in enumerate(documents(n, words, seed)):
        doc_id = content_hash(text.encode("utf-8"))
        out: list[Fact] = []
        for firm, product, quote in facts:
            start = text.find(quote)
            ev = make_evidence(doc_id, quote, start=start, end=start + len(quote),
                               extractor="bench")  # fmt: skip
            out += [
                make_entity("Company", firm, evidence=ev),
                make_entity("Product", product, evidence=ev),
            ]
            out.append(make_relation(EntityRef(firm, "Company"), "DEVELOPED",
                                     EntityRef(product, "Product"), evidence=ev))  # fmt: skip
        published = f"{2015 + i % 10}-{1 + i % 12:02d}-{1 + i % 28:02d}"
        yield Source(Document(doc_id, f"generated {i}", f"/bench/doc{i}.txt", "text", published,
                              text), out)  # fmt: skip


def timed_load(path: Path, n: int, words: int, seed: int, indexed: bool) -> tuple[float, float]:
    """(wall seconds, CPU seconds of this process) of one load into a fresh store."""
    from casegraph.backends import open_store
    from casegraph.backends.sqlite import fulltext
    from casegraph.config import Config

    real = fulltext.index_documents
    if not indexed:
        fulltext.index_documents = lambda db: None  # type: ignore[assignment]
    try:
        store = open_store(Config(store=path), create=True)
        feed = list(sources(n, words, seed))  # generated before timing (the same each time)
        t0, c0 = time.perf_counter(), time.process_time()
        store.load(feed)  # type: ignore[arg-type]
        elapsed = time.perf_counter() - t0, time.process_time() - c0
        store.close()
    finally:
        fulltext.index_documents = real  # type: ignore[assignment]
    return elapsed


def timed_text_load(
    folder: Path, n: int, words: int, seed: int, indexed: bool
) -> tuple[float, float]:
    """(wall, CPU) seconds of loading n generated .txt articles with text extraction (spaCy and
    the rules), as `casegraph load` does, into a fresh store."""
    from casegraph.backends import open_store
    from casegraph.backends.sqlite import fulltext
    from casegraph.config import Config
    from casegraph.pipeline import load_paths

    files = folder / "articles"
    if not files.exists():
        files.mkdir(parents=True)
        for i, (text, _) in enumerate(documents(n, words, seed)):
            (files / f"a{i:04d}.txt").write_text(text, encoding="utf-8")
    real = fulltext.index_documents
    if not indexed:
        fulltext.index_documents = lambda db: None  # type: ignore[assignment]
    try:
        store = open_store(Config(store=folder / f"text-{indexed}.db"), create=True)
        t0, c0 = time.perf_counter(), time.process_time()
        load_paths(store, [files])
        elapsed = time.perf_counter() - t0, time.process_time() - c0
        store.close()
    finally:
        fulltext.index_documents = real  # type: ignore[assignment]
    return elapsed


def queries(seed: int) -> list[tuple[str, str]]:
    vocab = vocabulary(random.Random(seed))
    return [
        ("rare word", vocab[20_000]),
        ("mid word", vocab[2_000]),
        ("name", "nightjar"),
        ("phrase", '"orion labs developed"'),
        ("prefix", vocab[3_000][:5] + "*"),
        ("two words", f"{vocab[500]} {vocab[900]}"),
        ("boolean", f"({vocab[300]} OR {vocab[400]}) NOT {vocab[50]}"),
        ("word in every document", vocab[0]),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=10_000)
    parser.add_argument("--words", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--store", type=Path, default=None,
        help="keep the indexed store here; if it exists, time only the queries",
    )  # fmt: skip
    parser.add_argument(
        "--text-sample",
        type=int,
        default=40,
        help="articles loaded with text extraction to time the index against",
    )
    args = parser.parse_args()
    from casegraph.backends import open_store
    from casegraph.config import Config
    from casegraph.queries.find import find

    with tempfile.TemporaryDirectory() as tmp:
        case = args.store or Path(tmp) / "case.db"
        loads = not case.exists()
        if loads:
            print(f"loading {args.docs} documents twice ...", file=sys.stderr)
            plain = timed_load(Path(tmp) / "plain.db", args.docs, args.words, args.seed, False)
            indexed = timed_load(case, args.docs, args.words, args.seed, True)
        if args.text_sample and loads:
            print(f"loading {args.text_sample} articles with extraction twice ...", file=sys.stderr)
            timed_text_load(Path(tmp), args.text_sample, args.words, args.seed, True)  # warm-up
            text_plain = timed_text_load(Path(tmp), args.text_sample, args.words, args.seed, False)
            text_indexed = timed_text_load(Path(tmp), args.text_sample, args.words, args.seed, True)
        store = open_store(Config(store=case))
        n, total = store.fulltext().totals()
        print(f"## find over {n:,} documents, {total:,} words (embedded)\n")
        if loads:
            for label, (wall, cpu) in (("without the text index", plain), ("with it", indexed)):
                print(f"- load {label}: {wall:.1f} s wall, {cpu:.1f} s CPU")
            print(
                f"- the index adds {100 * (indexed[0] - plain[0]) / plain[0]:.0f}% wall, "
                f"{100 * (indexed[1] - plain[1]) / plain[1]:.0f}% CPU to the load"
            )
        if args.text_sample and loads:
            tp, ti = text_plain, text_indexed
            print(f"- {args.text_sample} articles loaded with text extraction (spaCy and rules): "
                  f"{tp[0]:.1f} s wall / {tp[1]:.1f} s CPU without the index, {ti[0]:.1f} s / "
                  f"{ti[1]:.1f} s with it ({100 * (ti[0] - tp[0]) / tp[0]:+.0f}% wall, "
                  f"{100 * (ti[1] - tp[1]) / tp[1]:+.0f}% CPU)")  # fmt: skip
        print(f"- load average before the queries: {os.getloadavg()[0]:.1f} (2 cores)\n")
        print("| query | text | matched | ranked | p50 ms | p95 ms | p50 CPU ms |")
        print("| --- | --- | ---: | ---: | ---: | ---: | ---: |")
        every: list[float] = []
        every_cpu: list[float] = []
        for label, text in queries(args.seed):
            times, cpu_times = [], []
            result = None
            for _ in range(args.repeat):
                t0, c0 = time.perf_counter(), time.process_time()
                result = find(store, text, limit=20)
                times.append((time.perf_counter() - t0) * 1000)
                cpu_times.append((time.process_time() - c0) * 1000)
            every += times
            every_cpu += cpu_times
            times.sort()
            p95 = times[min(len(times) - 1, int(0.95 * len(times)))]
            matched, ranked = (result.matched, result.ranked) if result else (0, 0)
            print(f"| {label} | `{text}` | {matched:,} | {ranked:,} | "
                  f"{statistics.median(times):.1f} | {p95:.1f} | "
                  f"{statistics.median(cpu_times):.1f} |")  # fmt: skip
        every.sort()
        p95 = every[min(len(every) - 1, int(0.95 * len(every)))]
        print(
            f"| **all** | | | | **{statistics.median(every):.1f}** | {p95:.1f} | "
            f"{statistics.median(every_cpu):.1f} |"
        )
        print(f"\nload average after: {os.getloadavg()[0]:.1f}")
        store.close()


if __name__ == "__main__":
    main()
