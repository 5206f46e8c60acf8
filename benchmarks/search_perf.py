"""Search performance on a large synthetic corpus, against SQLite FTS5 (trigram) in the same run.

    python benchmarks/search_perf.py ../shared/seeds [--docs 100000] [--queries 200] [--dir /tmp/x]

Corpus: ``--docs`` documents, half Japanese and half English. Japanese documents are made of
sentences drawn at random from the paragraphs of the *.txt files in the folder (real municipal prose,
read here and never stored in the repository), each as long as a paragraph of the folder drawn at
random, with a title cut from another sentence; English ones are generated (benchmarks/search_corpus.py).
One English document in ten is the translation of a Japanese one (same record, two languages).

Measured: the index build time for the whole corpus (one writer, as `flask search rebuild`); the
latency of a mixed query set (two-kanji words, katakana, longer kanji words, Latin words in Japanese
text, mixed Japanese queries, quoted phrases, English words in another inflection), each timed as
the site answers a request: open the index, parse the text, run ``participation.search.results.find``
(ranked, one result per record, the total, highlighted title and snippet of the first page); the time
to apply one change (what applying one outbox row does: delete and re-add a record's documents, commit);
and the same queries on SQLite FTS5 with the trigram tokenizer (bm25 ranking, snippet, total count).
"""

from __future__ import annotations

import argparse
import random
import re
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from search_corpus import ENGLISH_FORMS, english_document, japanese_paragraphs  # noqa: E402

PER_PAGE = 20


def sentences_of(paragraphs: list[str]) -> list[str]:
    return [s + "。" for p in paragraphs for s in p.split("。") if len(s) >= 8]


def make_corpus(paragraphs: list[str], count: int, seed: int = 3) -> list[dict]:
    """Index documents (the fields ``participation.search.index.documents_for`` produces)."""
    rng = random.Random(seed)
    sentences = sentences_of(paragraphs)
    lengths = [len(p) for p in paragraphs]
    docs = []
    half = count // 2
    for n in range(half):
        target, text = rng.choice(lengths), ""
        while len(text) < target:
            text += rng.choice(sentences)
        docs.append(_doc(n, "ja", rng.choice(sentences)[:30], text))
    for n in range(count - half):
        # one in ten: the English version of a Japanese record
        ident = rng.randrange(half) if n % 10 == 0 and half else half + n
        body = english_document(rng, rng.randint(2, 8))
        docs.append(_doc(ident, "en", " ".join(body.split()[:6]), body))
    return docs


def _doc(ident: int, locale: str, title: str, body: str) -> dict:
    from participation.search.analysis import normalize

    return {
        "key": f"doc:{ident}:{locale}",
        "ref": f"doc:{ident}",
        "type": "doc",
        "resource_id": str(ident),
        "locale": locale,
        "title": normalize(title),
        "body": normalize(body),
        "space": f"process:{ident % 50}",
        "public": True,
    }


def make_queries(paragraphs: list[str], count: int, seed: int = 5) -> list[str]:
    """A mixed set drawn from the folder's text and the English vocabulary."""
    rng = random.Random(seed)
    text = "\n".join(paragraphs)
    kanji2 = sorted(set(re.findall(r"(?<![\u4e00-\u9fff])[\u4e00-\u9fff]{2}(?![\u4e00-\u9fff])", text)))
    # a small folder may lack a kind: fall back to two-kanji words
    kanji_long = sorted(set(re.findall(r"[\u4e00-\u9fff]{3,5}", text))) or kanji2
    katakana = sorted(set(re.findall(r"[\u30a1-\u30ffー]{3,}", text))) or kanji2
    latin = sorted(set(re.findall(r"[A-Za-z]{2,}", text))) or kanji2
    lemmas = sorted(ENGLISH_FORMS)
    makers = [
        lambda: rng.choice(kanji2),
        lambda: rng.choice(katakana),
        lambda: rng.choice(kanji_long),
        lambda: rng.choice(latin),
        lambda: f"{rng.choice(katakana)} {rng.choice(kanji2)}",
        lambda: f"「{rng.choice(kanji_long)}」",
        lambda: rng.choice(ENGLISH_FORMS[rng.choice(lemmas)]),
        lambda: f'"{rng.choice(ENGLISH_FORMS[rng.choice(lemmas)])} {rng.choice(ENGLISH_FORMS[rng.choice(lemmas)])}"',
        lambda: f"{rng.choice(ENGLISH_FORMS[rng.choice(lemmas)])} {rng.choice(ENGLISH_FORMS[rng.choice(lemmas)])}",
    ]
    return [makers[n % len(makers)]() for n in range(count)]


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


# --- ours -------------------------------------------------------------------------------------------


def build_ours(directory: Path, docs: list[dict]) -> float:
    from whoosh import index as windex

    from participation.search.index import make_schema

    started = time.perf_counter()
    ix = windex.create_in(str(directory), make_schema())
    writer = ix.writer(limitmb=256)
    for doc in docs:
        writer.add_document(**doc)
    writer.commit()
    return time.perf_counter() - started


def time_ours(directory: Path, queries: list[str]) -> tuple[list[float], list[int]]:
    from participation.search.index import searcher_at
    from participation.search.query import QueryError, parse
    from participation.search.results import find

    timings, totals = [], []
    for text in queries:
        started = time.perf_counter()
        searcher = searcher_at(directory)  # per request, as the site does (kept, refreshed if changed)
        try:
            total, _rows = find(searcher, parse(text), page=1, per_page=PER_PAGE)
        except QueryError:
            total = 0
        timings.append(time.perf_counter() - started)
        totals.append(total)
    return timings, totals


def time_one_change(directory: Path, docs: list[dict], repeat: int = 5) -> list[float]:
    from whoosh import index as windex

    timings = []
    for n in range(repeat):
        doc = dict(docs[n * 7919 % len(docs)], body=docs[n * 7919 % len(docs)]["body"] + " 変更")
        started = time.perf_counter()
        writer = windex.open_dir(str(directory)).writer(timeout=10)
        writer.delete_by_term("ref", doc["ref"])
        writer.add_document(**doc)
        writer.commit()
        timings.append(time.perf_counter() - started)
    return timings


# --- SQLite FTS5 trigram ----------------------------------------------------------------------------


def build_fts5(path: Path, docs: list[dict]) -> tuple[sqlite3.Connection, float]:
    started = time.perf_counter()
    db = sqlite3.connect(path)
    db.execute("create virtual table docs using fts5(ref unindexed, title, body, tokenize='trigram case_sensitive 0')")
    db.executemany(
        "insert into docs(ref, title, body) values (?, ?, ?)", [(d["ref"], d["title"], d["body"]) for d in docs]
    )
    db.commit()
    return db, time.perf_counter() - started


def fts5_match(text: str) -> str:
    text = text.replace("「", '"').replace("」", '"')
    return " ".join('"' + (a or b).replace('"', "") + '"' for a, b in re.findall(r'"([^"]+)"|(\S+)', text))


def time_fts5(db: sqlite3.Connection, queries: list[str]) -> list[float]:
    timings = []
    for text in queries:
        started = time.perf_counter()
        match = fts5_match(text)
        try:
            db.execute(
                "select ref, highlight(docs, 1, '<mark>', '</mark>'), snippet(docs, 2, '<mark>', '</mark>', '…', 20)"
                " from docs where docs match ? order by bm25(docs) limit ?",
                (match, PER_PAGE),
            ).fetchall()
            db.execute("select count(distinct ref) from docs where docs match ?", (match,)).fetchone()
        except sqlite3.OperationalError:
            pass
        timings.append(time.perf_counter() - started)
    return timings


def main(argv: list[str] | None = None) -> dict[str, float]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("folder", help="a folder of Japanese plain-text files, e.g. ../shared/seeds")
    parser.add_argument("--docs", type=int, default=100_000, help="how many documents (half Japanese)")
    parser.add_argument("--queries", type=int, default=200, help="how many queries to time")
    parser.add_argument("--dir", help="where to build the indexes (default: a temporary folder, removed)")
    parser.add_argument(
        "--skip-build", action="store_true", help="time queries on the indexes a previous run left in --dir"
    )
    args = parser.parse_args(argv)

    paragraphs = japanese_paragraphs(args.folder)
    docs = make_corpus(paragraphs, args.docs)
    queries = make_queries(paragraphs, args.queries)
    workdir = Path(args.dir) if args.dir else Path(tempfile.mkdtemp(prefix="search-perf-"))
    workdir.mkdir(parents=True, exist_ok=True)
    try:
        index_dir = workdir / "whoosh"
        fts_path = workdir / "fts5.sqlite"
        if args.skip_build and args.dir:
            build = fts_build = float("nan")
            db = sqlite3.connect(fts_path)
        else:
            shutil.rmtree(index_dir, ignore_errors=True)
            index_dir.mkdir()
            fts_path.unlink(missing_ok=True)
            build = build_ours(index_dir, docs)
            db, fts_build = build_fts5(fts_path, docs)
        time_ours(index_dir, queries[:10])  # warm up imports and the OS cache
        ours, totals = time_ours(index_dir, queries)
        fts = time_fts5(db, queries)
        change = time_one_change(index_dir, docs)
        db.close()
    finally:
        if not args.dir:
            shutil.rmtree(workdir, ignore_errors=True)

    ja = sum(1 for d in docs if d["locale"] == "ja")
    figures = {
        "docs": len(docs),
        "build_s": build,
        "fts5_build_s": fts_build,
        "median_ms": statistics.median(ours) * 1000,
        "p95_ms": percentile(ours, 0.95) * 1000,
        "max_ms": max(ours) * 1000,
        "fts5_median_ms": statistics.median(fts) * 1000,
        "fts5_p95_ms": percentile(fts, 0.95) * 1000,
        "change_ms": statistics.median(change) * 1000,
    }
    print(f"{len(docs)} documents ({ja} Japanese, {len(docs) - ja} English), {len(queries)} queries")
    print(f"median results per query: {statistics.median(totals):.0f}, largest: {max(totals)}")
    print(f"index build: ours {build:.1f} s, FTS5 trigram {fts_build:.1f} s")
    print(
        f"query latency: ours median {figures['median_ms']:.1f} ms, p95 {figures['p95_ms']:.1f} ms,"
        f" max {figures['max_ms']:.1f} ms"
    )
    print(f"               FTS5 trigram median {figures['fts5_median_ms']:.1f} ms, p95 {figures['fts5_p95_ms']:.1f} ms")
    print(
        f"ratio ours / FTS5: median {figures['median_ms'] / figures['fts5_median_ms']:.2f},"
        f" p95 {figures['p95_ms'] / figures['fts5_p95_ms']:.2f}"
    )
    print(f"apply one change (delete + add + commit): median {figures['change_ms']:.1f} ms")
    return figures


if __name__ == "__main__":
    main()
