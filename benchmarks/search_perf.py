"""Search performance on a large synthetic corpus, both backends, against SQLite FTS5 (trigram) in the
same run.

    python benchmarks/search_perf.py ../shared/seeds [--docs 100000] [--queries 200] [--workers 2]
                                     [--database-url postgresql://...] [--dir /tmp/x]

Corpus: ``--docs`` documents, half Japanese and half English. Japanese documents are made of
sentences drawn at random from the paragraphs of the *.txt files in the folder (real municipal prose,
read here and never stored in the repository), each as long as a paragraph of the folder drawn at
random, with a title cut from another sentence; English ones are generated (benchmarks/search_corpus.py).
One English document in ten is the translation of a Japanese one (same record, two languages).

Measured, for Whoosh and (with --database-url, in the schema bench_perf, created and dropped) for
PostgreSQL: the index build time for the whole corpus as `flask search rebuild` does it (analysis
spread over ``--workers`` processes, documents written in batches); the latency of a mixed query set
(two-kanji words, katakana, longer kanji words, Latin words, mixed queries, quoted phrases, English
words and phrases, sentences and questions, hiragana readings), each timed as the site answers a
request (plan with the synonym table and the index's readings, ranked page of results with one
result per record and the total, the consultation filter's spaces, highlighted titles and
snippets); the time from a commit to the change being searchable (apply one changed record, then
find it); and the same queries on SQLite FTS5 with the trigram tokenizer (bm25 ranking, snippet,
total count), as a ratio.
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


# --- ours ------------------------------------------------------------------------------------------


SENTENCES = ["{a}の{b}について知りたい", "{a}はどこですか", "{a}と{b}について教えてください", "「{a}」の{b}は？"]


def extra_queries(paragraphs: list[str], count: int, seed: int = 9) -> list[str]:
    """Sentences and hiragana readings, drawn from the folder's words."""
    from participation.core import japanese

    rng = random.Random(seed)
    text = "\n".join(paragraphs)
    kanji2 = sorted(set(re.findall(r"(?<![\u4e00-\u9fff])[\u4e00-\u9fff]{2}(?![\u4e00-\u9fff])", text))) or ["公園"]
    found = []
    for n in range(count):
        a, b = rng.choice(kanji2), rng.choice(kanji2)
        if n % 2:
            found.append(rng.choice(SENTENCES).format(a=a, b=b))
        else:
            morphemes = japanese.morphemes(a)
            found.append(japanese.to_hiragana("".join(m.reading for m in morphemes)))
    return found


def _raw(doc: dict) -> tuple:
    return (doc["key"], doc["ref"], doc["type"], int(doc["resource_id"]), doc["locale"], doc["title"], doc["body"],
            doc["space"], None)  # fmt: skip


def build_whoosh(directory: Path, docs: list[dict], workers: int) -> tuple[float, float]:
    """Seconds to analyse and write every document (as a rebuild does), and of that the analysis."""
    from whoosh import index as windex

    from participation.search.rebuilding import analysed
    from participation.search.whoosh_index import fields_of, make_schema

    started = time.perf_counter()
    ix = windex.create_in(str(directory), make_schema())
    writer = ix.writer(limitmb=256)
    analysis = 0.0
    mark = time.perf_counter()
    for doc in analysed((_raw(d) for d in docs), workers):
        analysis += time.perf_counter() - mark
        writer.add_document(**fields_of(doc))
        mark = time.perf_counter()
    writer.commit()
    return time.perf_counter() - started, analysis


class Site:
    """What the site runs per search, on one backend: plan, page, filter's spaces, highlights."""

    def __init__(self, backend, synonyms, context):
        self.backend, self.synonyms, self.context = backend, synonyms, context

    def search(self, text: str) -> int:
        from participation.search.query import QueryError, parse
        from participation.search.results import highlight_title, snippet

        with self.context():
            try:
                plan = parse(text, self.backend, self.synonyms)
            except QueryError:
                return 0
            total, rows, _spaces = self.backend.find_with_spaces(plan, page=1, per_page=PER_PAGE)
            wanted, surfaces = plan.highlight_terms(), plan.surfaces()
            for row in rows:
                highlight_title(row.title, wanted)
                snippet(row.body, wanted, surfaces)
            return total


def time_queries(site: Site, queries: list[str]) -> tuple[list[float], list[int]]:
    timings, totals = [], []
    for text in queries:
        started = time.perf_counter()
        totals.append(site.search(text))
        timings.append(time.perf_counter() - started)
    return timings, totals


def whoosh_site(directory: Path, synonyms) -> Site:
    from contextlib import nullcontext

    from participation.search.whoosh_backend import WhooshBackend
    from participation.search.whoosh_index import searcher_at

    class OnDisk(WhooshBackend):
        def searcher(self):
            return searcher_at(directory)  # kept per thread, refreshed after a commit, as the site does

    return Site(OnDisk(), synonyms, nullcontext)


def whoosh_commit_to_searchable(directory: Path, docs: list[dict], site: Site, repeat: int = 5) -> list[float]:
    """One changed record: delete and re-add its documents, commit, then find it by its new word."""
    from whoosh import index as windex

    from participation.search.documents import analyse
    from participation.search.whoosh_index import fields_of

    timings = []
    for n in range(repeat):
        doc = docs[n * 7919 % len(docs)]
        marker = f"変更確認{n}号"
        started = time.perf_counter()
        writer = windex.open_dir(str(directory)).writer(timeout=10)
        writer.delete_by_term("ref", doc["ref"])
        changed = dict(doc, body=doc["body"] + marker)
        writer.add_document(**fields_of(analyse(*_raw(changed))))
        writer.commit()
        found = site.search(marker)
        timings.append(time.perf_counter() - started)
        assert found >= 1, "the change was not searchable"
    return timings


class Postgres:
    SCHEMA = "bench_perf"

    def __init__(self, database_url: str):
        from sqlalchemy import create_engine, text

        from participation import create_app
        from participation.config import normalise_database_url
        from participation.extensions import db
        from participation.search.models import SearchDocument, SearchTerm

        url = normalise_database_url(database_url)
        self.engine = create_engine(url)
        with self.engine.begin() as conn:
            conn.execute(text(f"DROP SCHEMA IF EXISTS {self.SCHEMA} CASCADE; CREATE SCHEMA {self.SCHEMA}"))
        sep = "&" if "?" in url else "?"
        self.app = create_app(
            {"APP_ENV": "testing", "SECRET_KEY": "bench", "SEARCH_BACKEND": "postgresql",
             "DATABASE_URL": f"{url}{sep}options=-csearch_path%3D{self.SCHEMA}"},
            instance_path=tempfile.mkdtemp(prefix="bench-perf-"),
        )  # fmt: skip
        with self.app.app_context():
            db.metadata.create_all(db.engine, tables=[SearchDocument.__table__, SearchTerm.__table__])

    def build(self, docs: list[dict], workers: int) -> float:
        from sqlalchemy import text
        from sqlalchemy.dialects.postgresql import insert
        from sqlalchemy.orm import Session

        from participation.extensions import db
        from participation.search import vocabulary
        from participation.search.models import SearchDocument
        from participation.search.pg_backend import BATCH, _row
        from participation.search.rebuilding import analysed

        started = time.perf_counter()
        with self.app.app_context(), Session(db.engine) as session, session.begin():
            batch, vocab = [], set()
            for doc in analysed((_raw(d) for d in docs), workers):
                batch.append(_row(doc))
                vocab.update(vocabulary.of(doc))
                if len(batch) >= BATCH:
                    session.execute(insert(SearchDocument.__table__), batch)
                    batch = []
            if batch:
                session.execute(insert(SearchDocument.__table__), batch)
            vocabulary.replace(session, vocab)
        with self.app.app_context(), db.engine.begin() as conn:
            conn.execute(text("ANALYZE search_documents"))
        return time.perf_counter() - started

    def site(self, synonyms) -> Site:
        from participation.search.pg_backend import PostgresBackend

        return Site(PostgresBackend(), synonyms, self.app.app_context)

    def commit_to_searchable(self, docs: list[dict], site: Site, repeat: int = 5) -> list[float]:
        from sqlalchemy.orm import Session

        from participation.extensions import db
        from participation.search.documents import analyse

        timings = []
        for n in range(repeat):
            doc = docs[n * 7919 % len(docs)]
            marker = f"変更確認{n}号"
            started = time.perf_counter()
            with self.app.app_context(), Session(db.engine) as session, session.begin():
                site.backend._write(session, [doc["ref"]], [analyse(*_raw(dict(doc, body=doc["body"] + marker)))])
            found = site.search(marker)
            timings.append(time.perf_counter() - started)
            assert found >= 1, "the change was not searchable"
        return timings

    def close(self):
        from sqlalchemy import text

        from participation.extensions import db

        with self.app.app_context():
            db.session.remove()
            db.engine.dispose()
        with self.engine.begin() as conn:
            conn.execute(text(f"DROP SCHEMA IF EXISTS {self.SCHEMA} CASCADE"))
        self.engine.dispose()


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


def _summary(name: str, timings: list[float]) -> dict[str, float]:
    return {
        f"{name}_median_ms": statistics.median(timings) * 1000,
        f"{name}_p95_ms": percentile(timings, 0.95) * 1000,
        f"{name}_max_ms": max(timings) * 1000,
    }


def main(argv: list[str] | None = None) -> dict[str, float]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("folder", help="a folder of Japanese plain-text files, e.g. ../shared/seeds")
    parser.add_argument("--docs", type=int, default=100_000, help="how many documents (half Japanese)")
    parser.add_argument("--queries", type=int, default=200, help="how many queries to time")
    parser.add_argument("--workers", type=int, default=2, help="processes analysing text during the build")
    parser.add_argument("--database-url", help="PostgreSQL, to measure that backend too (schema bench_perf)")
    parser.add_argument("--dir", help="where to build the indexes (default: a temporary folder, removed)")
    args = parser.parse_args(argv)

    import search_quality

    _sets, synonyms = search_quality.starter_synonyms()
    paragraphs = japanese_paragraphs(args.folder)
    docs = list({d["key"]: d for d in make_corpus(paragraphs, args.docs)}.values())  # one per record and locale
    extra = max(2, args.queries // 5)
    queries = make_queries(paragraphs, args.queries - extra) + extra_queries(paragraphs, extra)
    random.Random(1).shuffle(queries)
    workdir = Path(args.dir) if args.dir else Path(tempfile.mkdtemp(prefix="search-perf-"))
    workdir.mkdir(parents=True, exist_ok=True)
    figures: dict[str, float] = {"docs": len(docs)}
    postgres = None
    try:
        index_dir = workdir / "whoosh"
        fts_path = workdir / "fts5.sqlite"
        shutil.rmtree(index_dir, ignore_errors=True)
        index_dir.mkdir()
        fts_path.unlink(missing_ok=True)
        figures["build_s"], figures["analysis_s"] = build_whoosh(index_dir, docs, args.workers)
        db, figures["fts5_build_s"] = build_fts5(fts_path, docs)
        site = whoosh_site(index_dir, synonyms)
        time_queries(site, queries[:10])  # warm up imports, the dictionary and the OS cache
        ours, totals = time_queries(site, queries)
        figures.update(_summary("whoosh", ours))
        figures["whoosh_commit_ms"] = statistics.median(whoosh_commit_to_searchable(index_dir, docs, site)) * 1000
        if args.database_url:
            postgres = Postgres(args.database_url)
            figures["pg_build_s"] = postgres.build(docs, args.workers)
            pg_site = postgres.site(synonyms)
            time_queries(pg_site, queries[:10])
            figures.update(_summary("pg", time_queries(pg_site, queries)[0]))
            figures["pg_commit_ms"] = statistics.median(postgres.commit_to_searchable(docs, pg_site)) * 1000
        fts = time_fts5(db, queries)
        figures.update(_summary("fts5", fts))
        db.close()
    finally:
        if postgres:
            postgres.close()
        if not args.dir:
            shutil.rmtree(workdir, ignore_errors=True)

    ja = sum(1 for d in docs if d["locale"] == "ja")
    print(f"{len(docs)} documents ({ja} Japanese, {len(docs) - ja} English), {len(queries)} queries")
    print(f"median results per query: {statistics.median(totals):.0f}, largest: {max(totals)}")
    print(f"index build: whoosh {figures['build_s']:.1f} s (analysis {figures['analysis_s']:.1f} s of it,"
          f" {args.workers} workers), FTS5 trigram {figures['fts5_build_s']:.1f} s"
          + (f", postgresql {figures['pg_build_s']:.1f} s" if "pg_build_s" in figures else ""))  # fmt: skip
    print(f"{'latency (ms)':<16}{'median':>10}{'p95':>10}{'max':>10}{'median/FTS5':>14}{'p95/FTS5':>10}")
    for name in ("whoosh", "pg", "fts5"):
        if f"{name}_median_ms" in figures:
            m, p, x = (figures[f"{name}_{k}_ms"] for k in ("median", "p95", "max"))
            print(f"{name:<16}{m:>10.1f}{p:>10.1f}{x:>10.1f}"
                  f"{m / figures['fts5_median_ms']:>14.2f}{p / figures['fts5_p95_ms']:>10.2f}")  # fmt: skip
    print(f"commit to searchable: whoosh median {figures['whoosh_commit_ms']:.1f} ms"
          + (f", postgresql {figures['pg_commit_ms']:.1f} ms" if "pg_commit_ms" in figures else ""))  # fmt: skip
    return figures


if __name__ == "__main__":
    main()
