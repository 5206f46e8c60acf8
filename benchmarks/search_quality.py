"""Search quality: recall@10 and precision@10 per kind of query, for our search on both backends and
two baselines, same corpus, same run.

    python benchmarks/search_quality.py ../shared/seeds [--database-url postgresql://...] [--english N]

Corpus: the paragraphs of every *.txt file in the folder (real Japanese prose, read here, never stored
in the repository) plus generated English documents (benchmarks/search_corpus.py).

Queries and their relevant documents: the word classes of before (two-kanji, katakana and longer
kanji nouns, Latin words, width variants, mixed AND queries, phrases, English inflections and
phrases; relevance by Janome, an analyser independent of ours, see ``build_queries``) and one class
for each thing residents type (benchmarks/search_cases.py: okurigana, long vowels, old kanji,
letters+digits, hiragana readings, katakana word boundaries, sentences and questions, OR,
-exclusion, synonyms, English→Japanese), and typos, scored on the "did you mean" suggestion: a typo
counts as found when the suggestion is the intended word (recall@10 is then that of the suggestion).

Systems: ours on Whoosh and (with --database-url) ours on PostgreSQL, each running the site's own
analyser, planner and backend with the starter synonym table (seeds/demo/search.toml); Whoosh's
StandardAnalyzer with its QueryParser; SQLite FTS5 with the trigram tokenizer (each word a quoted
string, words ANDed, ranked by bm25).

Per query: recall@10 = relevant found in the top 10 / min(10, relevant); precision@10 = relevant in
the top 10 / results in the top 10 (a query a system answers with nothing counts 0 for recall and is
left out of its precision, shown as "empty"). Means over queries, overall and per kind.
"""

from __future__ import annotations

import argparse
import random
import re
import sqlite3
import sys
import tempfile
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from search_corpus import (  # noqa: E402
    ENGLISH_FORMS,
    LEMMA_OF,
    Document,
    english_documents,
    english_lemmas,
    full_width,
    half_width,
    japanese_paragraphs,
)

K = 10
MAX_DF = 15


@dataclass
class Query:
    kind: str
    text: str
    relevant: set[int] = field(default_factory=set)
    expected: str = ""


# --- reference segmentation -------------------------------------------------------------------------


def segment_all(docs: list[Document]) -> dict[int, list[tuple[str, str]]]:
    """(surface, part of speech) per token, for each Japanese document."""
    from janome.tokenizer import Tokenizer

    tokenizer = Tokenizer()
    return {
        doc.id: [(t.surface, t.part_of_speech.split(",")[0]) for t in tokenizer.tokenize(nfkc(doc.text))]
        for doc in docs
        if doc.locale == "ja"
    }


def nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def token_runs(tokens: list[str], max_tokens: int = 4) -> set[str]:
    """Every run of 1..max_tokens consecutive whole tokens, joined (the words a reader can look for)."""
    return {"".join(tokens[i : i + n]) for n in range(1, max_tokens + 1) for i in range(len(tokens) - n + 1)}


KANJI = re.compile(r"^[\u4e00-\u9fff]{2}$")
KATAKANA = re.compile(r"^[\u30a1-\u30ffー]{3,}$")
LATIN = re.compile(r"^[A-Za-z]{2,}$")


def build_queries(docs: list[Document], seed: int = 11) -> list[Query]:
    rng = random.Random(seed)
    segmented = segment_all(docs)
    runs = {doc_id: token_runs([s for s, _pos in tokens]) for doc_id, tokens in segmented.items()}
    nouns: dict[str, set[int]] = defaultdict(set)
    for doc_id, tokens in segmented.items():
        for surface, pos in tokens:
            if pos == "名詞":
                nouns[surface].add(doc_id)

    def relevant_ja(term: str) -> set[int]:
        term = nfkc(term)
        return {doc_id for doc_id, found in runs.items() if term in found}

    def pick(pattern, count: int) -> list[str]:
        terms = sorted(t for t, ids in nouns.items() if pattern.match(t) and 1 <= len(relevant_ja(t)) <= MAX_DF)
        rng.shuffle(terms)
        return terms[:count]

    queries: list[Query] = []
    kanji2 = pick(KANJI, 40)
    katakana = pick(KATAKANA, 25)
    latin = pick(LATIN, 10)
    longer = pick(re.compile(r"^[\u4e00-\u9fff]{3,}$"), 15)

    def relevant_katakana(term: str) -> set[int]:
        """A katakana word with and without its final long vowel is one word (サーバ, サーバー)."""
        return relevant_ja(term) | relevant_ja(term[:-1] if term.endswith("ー") else term + "ー")

    for kind, terms, rule in (
        ("ja 2-kanji", kanji2, relevant_ja),
        ("ja katakana", katakana, relevant_katakana),
        ("ja kanji 3+", longer, relevant_ja),
    ):
        queries += [Query(kind, t, rule(t)) for t in terms]
    english_words = {
        doc.id: set(english_lemmas(doc.text)) | set(re.findall(r"[a-z]+", doc.text.lower()))
        for doc in docs
        if doc.locale == "en"
    }

    def relevant_latin(term: str) -> set[int]:
        word = term.lower()
        lemma = LEMMA_OF.get(word, word)
        return relevant_ja(term) | {i for i, words in english_words.items() if lemma in words or word in words}

    queries += [Query("latin in ja", t, relevant_latin(t)) for t in latin]
    queries += [Query("half-width kana", half_width(t), relevant_katakana(t)) for t in katakana[:15]]
    queries += [Query("full-width latin", full_width(t), relevant_latin(t)) for t in latin[:10]]

    # mixed: two terms of one paragraph (AND); phrases: two adjacent tokens of a paragraph
    ids = sorted(segmented)
    rng.shuffle(ids)
    mixed = phrases = 0
    for doc_id in ids:
        tokens = segmented[doc_id]
        words = [s for s, pos in tokens if pos == "名詞" and (KANJI.match(s) or KATAKANA.match(s) or LATIN.match(s))]
        if mixed < 20 and len(set(words)) >= 2:
            a, b = rng.sample(sorted(set(words)), 2)
            queries.append(Query("mixed AND", f"{a} {b}", relevant_ja(a) & relevant_ja(b)))
            mixed += 1
        pairs = [
            (tokens[i][0], tokens[i + 1][0])
            for i in range(len(tokens) - 1)
            if tokens[i][1] == tokens[i + 1][1] == "名詞" and len(tokens[i][0]) >= 2 and len(tokens[i + 1][0]) >= 2
        ]
        if phrases < 20 and pairs:
            a, b = rng.choice(pairs)
            queries.append(Query("ja phrase", f"「{a}{b}」", relevant_ja(a + b)))
            phrases += 1

    english = [doc for doc in docs if doc.locale == "en"]
    lemmas = {doc.id: english_lemmas(doc.text) for doc in english}
    with_lemma: dict[str, set[int]] = defaultdict(set)
    for doc_id, found in lemmas.items():
        for lemma in found:
            if lemma:
                with_lemma[lemma].add(doc_id)
    rare = sorted(lemma for lemma, ids in with_lemma.items() if len(ids) <= MAX_DF)
    for lemma in rng.sample(rare, min(40, len(rare))):
        form = rng.choice(ENGLISH_FORMS[lemma])
        queries.append(Query("en inflection", form, with_lemma[lemma]))
    adjacent = sorted({(a, b) for found in lemmas.values() for a, b in zip(found, found[1:], strict=False) if a and b})
    for a, b in rng.sample(adjacent, min(15, len(adjacent))):
        text = f'"{ENGLISH_FORMS[a][0]} {ENGLISH_FORMS[b][-1]}"'
        hits = {
            i for i, found in lemmas.items() if any(x == a and y == b for x, y in zip(found, found[1:], strict=False))
        }
        queries.append(Query("en phrase", text, hits))
    return [q for q in queries if q.relevant]


# --- systems ----------------------------------------------------------------------------------------


def _index_documents(docs: list[Document]):
    from participation.search.documents import analyse

    return [analyse(f"doc:{d.id}:{d.locale}", f"doc:{d.id}", "doc", d.id, d.locale, "", d.text, "", None) for d in docs]


def starter_synonyms():
    import tomllib

    from participation.search.synonyms import to_set

    path = Path(__file__).resolve().parent.parent / "seeds" / "demo" / "search.toml"
    sets = [item["terms"] for item in tomllib.loads(path.read_text(encoding="utf-8"))["synonyms"]]
    return sets, [found for terms in sets if (found := to_set(terms))]


class Ours:
    """The site's search: its analyser, planner, synonyms, backend and "did you mean"."""

    name = "ours (whoosh)"

    def __init__(self, docs: list[Document], synonyms):
        from sqlalchemy.orm import Session
        from whoosh.filedb.filestore import RamStorage

        from participation import create_app
        from participation.extensions import db
        from participation.search import vocabulary
        from participation.search.models import SearchTerm
        from participation.search.whoosh_backend import WhooshBackend
        from participation.search.whoosh_index import fields_of, make_schema

        # the vocabulary ("did you mean") is a table: an SQLite database of its own for it
        folder = tempfile.mkdtemp(prefix="bench-quality-")
        self.app = create_app(
            {"APP_ENV": "testing", "SECRET_KEY": "bench", "DATABASE_URL": f"sqlite:///{folder}/vocabulary.sqlite"},
            instance_path=folder,
        )
        ix = RamStorage().create_index(make_schema())
        analysed = _index_documents(docs)
        with ix.writer() as writer:
            for doc in analysed:
                writer.add_document(**fields_of(doc))
        with self.app.app_context():
            db.metadata.create_all(db.engine, tables=[SearchTerm.__table__])
            with Session(db.engine) as session, session.begin():
                vocabulary.replace(session, {t for d in analysed for t in vocabulary.of(d)})
        searcher = ix.searcher()

        class InMemory(WhooshBackend):
            def searcher(self):
                return searcher

        self.backend = InMemory()
        self.synonyms = synonyms

    def context(self):
        return self.app.app_context()

    def search(self, text: str) -> list[int]:
        from participation.search.query import QueryError, parse

        with self.context():
            try:
                plan = parse(text, self.backend, self.synonyms)
            except QueryError:
                return []
            _total, rows = self.backend.find(plan, page=1, per_page=K)
            return [row.ref[1] for row in rows]

    def suggest(self, text: str) -> str | None:
        from participation.search.query import QueryError, parse
        from participation.search.suggest import suggestion

        with self.context():
            try:
                plan = parse(text, self.backend, self.synonyms)
            except QueryError:
                return None
            if self.backend.find(plan, page=1, per_page=1)[0]:
                return None
            return suggestion(self.backend, plan, text)


class OursPostgres(Ours):
    """The same on the PostgreSQL backend, in a schema of its own (created and dropped here)."""

    name = "ours (postgresql)"
    SCHEMA = "bench_quality"

    def __init__(self, docs: list[Document], synonyms, database_url: str):
        from sqlalchemy import create_engine, text
        from sqlalchemy.orm import Session

        from participation import create_app
        from participation.config import normalise_database_url
        from participation.extensions import db
        from participation.search.models import SearchDocument, SearchTerm
        from participation.search.pg_backend import PostgresBackend

        url = normalise_database_url(database_url)
        self.engine = create_engine(url)
        with self.engine.begin() as conn:
            conn.execute(text(f"DROP SCHEMA IF EXISTS {self.SCHEMA} CASCADE; CREATE SCHEMA {self.SCHEMA}"))
        sep = "&" if "?" in url else "?"
        self.app = create_app(
            {"APP_ENV": "testing", "SECRET_KEY": "bench", "SEARCH_BACKEND": "postgresql",
             "DATABASE_URL": f"{url}{sep}options=-csearch_path%3D{self.SCHEMA}"},
            instance_path=tempfile.mkdtemp(prefix="bench-quality-"),
        )  # fmt: skip
        with self.app.app_context():
            db.metadata.create_all(db.engine, tables=[SearchDocument.__table__, SearchTerm.__table__])
            self.backend = PostgresBackend()
            with Session(db.engine) as session, session.begin():
                self.backend._write(session, [], _index_documents(docs))
            with db.engine.begin() as conn:
                conn.execute(text("ANALYZE search_documents"))
        self.synonyms = synonyms

    def context(self):
        return self.app.app_context()

    def close(self):
        from sqlalchemy import text

        from participation.extensions import db

        with self.app.app_context():
            db.session.remove()
            db.engine.dispose()
        with self.engine.begin() as conn:
            conn.execute(text(f"DROP SCHEMA IF EXISTS {self.SCHEMA} CASCADE"))
        self.engine.dispose()


class WhooshStandard:
    name = "whoosh standard"

    def __init__(self, docs: list[Document]):
        from whoosh.analysis import StandardAnalyzer
        from whoosh.fields import ID, TEXT, Schema
        from whoosh.filedb.filestore import RamStorage

        self.ix = RamStorage().create_index(Schema(id=ID(stored=True), body=TEXT(analyzer=StandardAnalyzer())))
        with self.ix.writer() as writer:
            for doc in docs:
                writer.add_document(id=str(doc.id), body=doc.text)

    def search(self, text: str) -> list[int]:
        from whoosh.qparser import QueryParser

        query = QueryParser("body", self.ix.schema).parse(text.replace("「", '"').replace("」", '"'))
        with self.ix.searcher() as searcher:
            return [int(hit["id"]) for hit in searcher.search(query, limit=K)]


class Fts5Trigram:
    name = "fts5 trigram"

    def __init__(self, docs: list[Document]):
        self.db = sqlite3.connect(":memory:")
        self.db.execute("create virtual table docs using fts5(body, tokenize='trigram case_sensitive 0')")
        self.db.executemany("insert into docs(rowid, body) values (?, ?)", [(d.id, d.text) for d in docs])

    @staticmethod
    def match(text: str) -> str:
        """Each word (or quoted phrase) as an FTS5 string, ANDed: no FTS5 syntax reaches SQLite."""
        text = text.replace("「", '"').replace("」", '"')
        parts = re.findall(r'"([^"]+)"|(\S+)', text)
        return " ".join('"' + (a or b).replace('"', "") + '"' for a, b in parts)

    def search(self, text: str) -> list[int]:
        try:
            rows = self.db.execute(
                "select rowid from docs where docs match ? order by bm25(docs) limit ?", (self.match(text), K)
            )
            return [row[0] for row in rows]
        except sqlite3.OperationalError:
            return []


# --- scoring ----------------------------------------------------------------------------------------


def evaluate(system, queries: list[Query]) -> dict[str, dict[str, float]]:
    by_kind: dict[str, list[tuple[float, float | None]]] = defaultdict(list)
    for query in queries:
        text = query.text
        if query.kind == "typo":  # scored on where the suggestion leads
            suggested = system.suggest(text) if hasattr(system, "suggest") else None
            if suggested is None or query.expected not in suggested:
                by_kind[query.kind].append((0.0, None))
                by_kind["ALL"].append((0.0, None))
                continue
            text = suggested
        top = system.search(text)[:K]
        found = len(set(top) & query.relevant)
        recall = found / min(K, len(query.relevant))
        precision = found / len(top) if top else None
        by_kind[query.kind].append((recall, precision))
        by_kind["ALL"].append((recall, precision))
    report = {}
    for kind, scores in by_kind.items():
        precisions = [p for _r, p in scores if p is not None]
        report[kind] = {
            "queries": len(scores),
            "recall": sum(r for r, _p in scores) / len(scores),
            "precision": sum(precisions) / len(precisions) if precisions else 0.0,
            "empty": len(scores) - len(precisions),
        }
    return report


def resident_queries(docs: list[Document], sets: list[list[str]], seed: int = 13) -> list[Query]:
    """The classes of benchmarks/search_cases.py."""
    import search_cases as cases

    rng = random.Random(seed)
    corpus = cases.Corpus(docs)
    found = []
    for make in (cases.okurigana, cases.long_vowels, cases.old_kanji, cases.letters_digits, cases.readings,
                 cases.katakana_boundaries, cases.sentences, cases.operators, cases.typos):  # fmt: skip
        found += make(corpus, rng)
    found += cases.synonyms(corpus, sets, rng)
    return [Query(q.kind, q.text, q.relevant, q.expected) for q in found if q.relevant]


def main(argv: list[str] | None = None) -> dict[str, dict[str, dict[str, float]]]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("folder", help="a folder of Japanese plain-text files, e.g. ../shared/seeds")
    parser.add_argument("--max-paragraphs", type=int, default=0, help="use only the first N paragraphs")
    parser.add_argument("--english", type=int, default=300, help="how many English documents to generate")
    parser.add_argument("--database-url", help="PostgreSQL, to measure that backend too (schema bench_quality)")
    args = parser.parse_args(argv)

    paragraphs = japanese_paragraphs(args.folder)
    if args.max_paragraphs:
        paragraphs = paragraphs[: args.max_paragraphs]
    docs = [Document(n, "ja", text) for n, text in enumerate(paragraphs)]
    docs += english_documents(args.english, start_id=len(docs))
    sets, synonyms = starter_synonyms()
    queries = build_queries(docs) + resident_queries(docs, sets)
    print(f"{len(paragraphs)} Japanese paragraphs, {args.english} English documents, {len(queries)} queries")

    systems = [Ours(docs, synonyms)]
    if args.database_url:
        systems.append(OursPostgres(docs, synonyms, args.database_url))
    systems += [WhooshStandard(docs), Fts5Trigram(docs)]
    try:
        reports = {system.name: evaluate(system, queries) for system in systems}
    finally:
        for system in systems:
            if hasattr(system, "close"):
                system.close()
    first = systems[0].name
    kinds = ["ALL"] + sorted(k for k in reports[first] if k != "ALL")
    print(f"\n{'query kind':<18}{'n':>4}  " + "".join(f"{s.name:>22}" for s in systems))
    print(f"{'':<18}{'':>4}  " + "".join(f"{'R@10   P@10  empty':>22}" for _ in systems))
    for kind in kinds:
        row = f"{kind:<18}{reports[first][kind]['queries']:>4}  "
        for system in systems:
            r = reports[system.name].get(kind, {"recall": 0, "precision": 0, "empty": 0})
            row += f"{r['recall']:>10.3f}{r['precision']:>7.3f}{r['empty']:>5}"
        print(row)
    return reports


if __name__ == "__main__":
    main()
