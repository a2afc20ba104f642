"""Write ssisim/report/model_sentences.json from docs/model.md (the report's explanations).

Run after editing docs/model.md::

    python benchmarks/model_sentences.py          # write the file
    python benchmarks/model_sentences.py --check  # exit 1 if it is out of date

tests/test_report_sentences.py fails while the shipped file is out of date.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from ssisim.report.sentences import SENTENCES_FILE, extract_sentences

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "model.md"
OUT = ROOT / "ssisim" / "report" / SENTENCES_FILE


def render() -> str:
    """The file's text: sorted keys, one per line, UTF-8."""
    data = extract_sentences(DOC.read_text(encoding="utf-8"))
    return json.dumps(data, indent=1, ensure_ascii=False, sort_keys=True) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only check the file is in sync")
    args = parser.parse_args()
    text = render()
    if args.check:
        if not OUT.is_file() or OUT.read_text(encoding="utf-8") != text:
            print(f"{OUT.relative_to(ROOT)} is out of date: run {Path(__file__).name}")
            return 1
        return 0
    OUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUT.relative_to(ROOT)} ({len(json.loads(text))} keys)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
