"""Search quality: recall@10 and precision@10 of our analyzer against two baselines, same corpus, same run.

    python benchmarks/search_quality.py ../shared/seeds [--max-paragraphs N] [--english N]

Corpus: the paragraphs of every *.txt file in the folder (real Japanese prose, read here, never stored
in the repository) plus generated English documents (benchmarks/search_corpus.py).

Queries and their relevant documents (the transparent rule):
- Japanese terms are picked from the corpus by a reference segmentation (Janome, a morphological
  analyser independent of our bigram index): two-kanji nouns (公園, 防犯), katakana nouns (カメラ),
  and other nouns, each found in 1–15 paragraphs. A document is relevant to a term when, in the
  Janome segmentation of its NFKC-normalised text, the term is one token or a run of consecutive whole
  tokens: 京都 is not relevant to a paragraph that says 東京都 (東京 | 都).
- Width variants (ｶﾒﾗ, ＡＩ) have the relevant documents of their normalised form.
- Mixed queries "A B" (two terms sharing a paragraph, e.g. a Latin and a Japanese one) need both.
- Quoted phrases "A B" / 「AB」: the terms adjacent, in that order.
- English queries are a word form of a vocabulary lemma (search_corpus.ENGLISH_FORMS) found in 1–15
  documents, often a different form from the one written: a document is relevant when it has any
  form of that lemma. English phrases need both lemmas adjacent in that order. A Latin word taken
  from the Japanese text (AI, IoT) is also relevant in English documents having a form of it.

Systems: ours (participation.search: the index schema and the query parser the site uses), Whoosh's
StandardAnalyzer with Whoosh's QueryParser (AND of the words, its phrase syntax), SQLite FTS5 with
the trigram tokenizer (case-insensitive; each word a quoted string, words ANDed, ranked by bm25).

Per query: recall@10 = relevant found in the top 10 / min(10, relevant); precision@10 = relevant
in the top 10 / results in the top 10 (a query a system answers with nothing counts 0 for recall and
is left out of its precision, shown as "empty"). Means over queries, overall and per query kind.
"""

from __future__ import annotations

import argparse
import random
import re
import sqlite3
import sys
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
    for kind, terms in (("ja 2-kanji", kanji2), ("ja katakana", katakana), ("ja kanji 3+", longer)):
        queries += [Query(kind, t, relevant_ja(t)) for t in terms]
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
    queries += [Query("half-width kana", half_width(t), relevant_ja(t)) for t in katakana[:15]]
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


class Ours:
    name = "ours"

    def __init__(self, docs: list[Document]):
        from whoosh.filedb.filestore import RamStorage

        from participation.search.analysis import normalize
        from participation.search.index import make_schema

        self.ix = RamStorage().create_index(make_schema())
        with self.ix.writer() as writer:
            for doc in docs:
                writer.add_document(
                    key=f"doc:{doc.id}:{doc.locale}",
                    ref=f"doc:{doc.id}",
                    type="doc",
                    resource_id=str(doc.id),
                    locale=doc.locale,
                    title="",
                    body=normalize(doc.text),
                    space="",
                    public=True,
                )

    def search(self, text: str) -> list[int]:
        from participation.search.query import QueryError, parse

        try:
            parsed = parse(text)
        except QueryError:
            return []
        with self.ix.searcher() as searcher:
            return [int(hit["resource_id"]) for hit in searcher.search(parsed.query, limit=K)]


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
        top = system.search(query.text)[:K]
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


def main(argv: list[str] | None = None) -> dict[str, dict[str, dict[str, float]]]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("folder", help="a folder of Japanese plain-text files, e.g. ../shared/seeds")
    parser.add_argument("--max-paragraphs", type=int, default=0, help="use only the first N paragraphs")
    parser.add_argument("--english", type=int, default=300, help="how many English documents to generate")
    args = parser.parse_args(argv)

    paragraphs = japanese_paragraphs(args.folder)
    if args.max_paragraphs:
        paragraphs = paragraphs[: args.max_paragraphs]
    docs = [Document(n, "ja", text) for n, text in enumerate(paragraphs)]
    docs += english_documents(args.english, start_id=len(docs))
    queries = build_queries(docs)
    print(f"{len(paragraphs)} Japanese paragraphs, {args.english} English documents, {len(queries)} queries")

    systems = [Ours(docs), WhooshStandard(docs), Fts5Trigram(docs)]
    reports = {system.name: evaluate(system, queries) for system in systems}
    kinds = ["ALL"] + sorted(k for k in reports["ours"] if k != "ALL")
    print(f"\n{'query kind':<18}{'n':>4}  " + "".join(f"{s.name:>26}" for s in systems))
    print(f"{'':<18}{'':>4}  " + "".join(f"{'R@10   P@10  empty':>26}" for _ in systems))
    for kind in kinds:
        row = f"{kind:<18}{reports['ours'][kind]['queries']:>4}  "
        for system in systems:
            r = reports[system.name][kind]
            row += f"{r['recall']:>14.3f}{r['precision']:>7.3f}{r['empty']:>5}"
        print(row)
    return reports


if __name__ == "__main__":
    main()
