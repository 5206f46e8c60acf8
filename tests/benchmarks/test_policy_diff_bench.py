"""The policy difference benchmark still runs, on a tiny text written here."""

import importlib.util
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "policy_diff_bench.py"
TEXT = "市は駅前の公園に防犯カメラを設置します。映像は十四日間で消去します。\n住民の皆さまのご意見を募集します。"


def test_quick_run_reports_every_pair(tmp_path):
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "000_a.txt").write_text((TEXT + "\n\n") * 30, encoding="utf-8")
    (seeds / "001_b.txt").write_text("まったく別の文書です。内容は異なります。\n\n" * 30, encoding="utf-8")
    english = tmp_path / "requirements"
    english.mkdir()
    (english / "a.md").write_text("The city keeps data for thirty days. Residents may ask.\n\n" * 30, encoding="utf-8")
    spec = importlib.util.spec_from_file_location("policy_diff_bench", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    try:
        spec.loader.exec_module(module)
        lines = []
        figures = module.run(seeds, english, chars=600, repeat=1, with_difflib=True, out=lines.append)
    finally:
        sys.modules.pop(spec.name, None)
    pairs = {pair for pair, _candidate in figures}
    assert pairs == {
        "revised (ja, characters)",
        "revised, one block (ja)",
        "unrelated (ja, characters)",
        "revised (en, words)",
    }
    assert all(ms >= 0 for ms in figures.values())
    assert any("difflib (before)" in line for line in lines)
