"""How long the policy difference page's comparison takes, before (difflib) and after
(diff-match-patch), on real text read at run time from the seed documents (never copied here).

    .venv/bin/python benchmarks/policy_diff_bench.py ../shared/seeds
    .venv/bin/python benchmarks/policy_diff_bench.py ../shared/seeds --chars 20000 --repeat 5 --no-difflib

Pairs compared (character by character, as the page does for Japanese):
- "revised": ``--chars`` characters of one seed's paragraphs, and the same text revised as a city
  would (about one sentence in twelve removed, one in eight extended, a few new sentences);
- "revised, one block": the same without line breaks (a text pasted as one paragraph);
- "unrelated": two different seeds of that length (the worst case a visitor can ask for, e.g. a
  version rewritten from scratch).
And word by word (as for English): the English requirement digests in ``--english`` (by default the
``requirements`` folder next to the seeds), revised the same way.

Candidates, each when installed: difflib.SequenceMatcher (what the page used), cydifflib (difflib
in C), diff-match-patch (Google's algorithm in Python: what the page uses now), fast-diff-match-patch
(its C++ build; both with ``--limit``), and the page's own ``diff_text`` (with its time budget; then
again from its cache). Install the ones missing with pip to compare them.
Figures: median milliseconds over ``--repeat`` runs (difflib runs once: it takes seconds).
"""

from __future__ import annotations

import argparse
import difflib
import random
import re
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask import Flask  # noqa: E402

from participation.policies import diff as page_diff  # noqa: E402


def _paragraphs(path: Path, spaceless: bool) -> list[str]:
    text = path.read_text(encoding="utf-8", errors="replace")
    found = []
    for block in re.split(r"\n\s*\n", text):
        block = re.sub(r"\s+", "" if spaceless else " ", block).strip()
        if len(block) > 20:
            found.append(block)
    return found


def _take(paragraphs: list[str], chars: int) -> str:
    out, size, n = [], 0, 0
    while size < chars and paragraphs:
        piece = paragraphs[n % len(paragraphs)]
        out.append(piece)
        size += len(piece) + 1
        n += 1
    return "\n".join(out)[:chars]


def revise(text: str, stop: str, seed: int = 1) -> str:
    """The text as a city would revise it: some sentences removed, extended or added."""
    rnd = random.Random(seed)
    out = []
    for sentence in text.split(stop):
        roll = rnd.random()
        if roll < 0.08:
            continue
        if roll < 0.2:
            middle = len(sentence) // 2
            sentence = (
                sentence[:middle]
                + ("（改定により追記）" if stop == "。" else " (added in this revision)")
                + sentence[middle:]
            )
        if roll > 0.95:
            out.append("新たに市民の同意を得て利用します" if stop == "。" else "Residents are asked for consent first")
        out.append(sentence)
    return stop.join(out)


def _tokens(text: str) -> list[str]:
    return page_diff._WORDS.findall(text)


def candidates(word_level: bool, limit: float):
    """(name, function(old, new)) for each installed library."""
    split = _tokens if word_level else list
    found = [
        (
            "difflib (before)",
            lambda a, b: difflib.SequenceMatcher(None, split(a), split(b), autojunk=False).get_opcodes(),
        )
    ]
    try:
        import cydifflib

        found.append(
            (
                "cydifflib",
                lambda a, b: cydifflib.SequenceMatcher(None, split(a), split(b), autojunk=False).get_opcodes(),
            )
        )
    except ImportError:
        pass
    try:
        import diff_match_patch

        def python_dmp(a, b):
            engine = diff_match_patch.diff_match_patch()
            engine.Diff_Timeout = limit  # past it the rest is one replacement
            ops = engine.diff_main(a, b, True)
            engine.diff_cleanupSemantic(ops)
            return ops

        found.append(("diff-match-patch (Python)", python_dmp))
    except ImportError:
        pass
    try:
        import fast_diff_match_patch

        found.append(
            (
                "fast-diff-match-patch (C++)",
                lambda a, b: fast_diff_match_patch.diff(
                    a, b, timelimit=limit, checklines=True, cleanup="Semantic", counts_only=False
                ),
            )
        )
    except ImportError:
        pass
    return found


def _time(function, a, b, repeat: int) -> float:
    runs = []
    for _ in range(repeat):
        started = time.perf_counter()
        function(a, b)
        runs.append((time.perf_counter() - started) * 1000)
    return statistics.median(runs)


def run(
    seeds: Path, english: Path | None, chars: int, repeat: int, with_difflib: bool, limit: float = 2.0, out=print
) -> dict:
    files = sorted(seeds.glob("*.txt"))
    if len(files) < 2:
        raise SystemExit(f"{seeds}: needs two or more .txt seed documents")
    japanese = _take(_paragraphs(files[0], spaceless=True), chars)
    revised = revise(japanese, "。")
    pairs = [
        ("revised (ja, characters)", japanese, revised, "ja"),
        ("revised, one block (ja)", japanese.replace("\n", ""), revised.replace("\n", ""), "ja"),
        ("unrelated (ja, characters)", japanese, _take(_paragraphs(files[-1], spaceless=True), chars), "ja"),
    ]
    english_files = sorted(english.glob("*.md")) if english and english.is_dir() else []
    if english_files:
        text = _take([p for f in english_files for p in _paragraphs(f, spaceless=False)], chars)
        pairs.append(("revised (en, words)", text, revise(text, ". "), "en"))
    app = Flask(__name__)
    figures: dict = {}
    out(f"{'pair':28} {'candidate':30} {'ms':>10}")
    for label, old, new, locale in pairs:
        for name, function in candidates(word_level=locale == "en", limit=limit):
            if name.startswith("difflib") and not with_difflib:
                continue
            if locale == "en" and "match-patch" in name:
                continue  # they compare characters; the page codes words as characters first (below)
            ms = _time(function, old, new, 1 if name.startswith("difflib") else repeat)
            figures[(label, name)] = ms
            out(f"{label:28} {name:30} {ms:10.1f}")
        with app.app_context():
            started = time.perf_counter()
            result = page_diff.diff_text(old, new, locale)
            cold = (time.perf_counter() - started) * 1000
            warm = _time(lambda a, b, loc=locale: page_diff.diff_text(a, b, loc), old, new, repeat)
        figures[(label, "page")] = cold
        figures[(label, "page, cached")] = warm
        note = " (simplified: time budget reached)" if result.simplified else ""
        out(f"{label:28} {'page diff_text, first time':30} {cold:10.1f}{note}")
        out(f"{label:28} {'page diff_text, cached':30} {warm:10.3f}")
    out(f"{len(japanese)} characters per text; median of {repeat} runs (difflib: one run);")
    out(f"diff-match-patch builds stop at {limit} s (then the rest is one replacement); the page at its own budget")
    return figures


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("seeds", type=Path, help="folder of the seed .txt documents")
    parser.add_argument("--english", type=Path, help="folder of English .md texts (default: ../requirements)")
    parser.add_argument("--chars", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--no-difflib", action="store_true", help="skip difflib (about 20 s per pair)")
    parser.add_argument("--limit", type=float, default=2.0, help="time limit of the diff-match-patch builds (s)")
    args = parser.parse_args(argv)
    english = args.english or args.seeds.resolve().parent / "requirements"
    return run(args.seeds, english, args.chars, args.repeat, not args.no_difflib, args.limit)


if __name__ == "__main__":
    main()
