#!/usr/bin/python3
"""Reference tokens (tokens.json) from scikit-learn's default CountVectorizer analyzer: str.lower() then
(?u)\\b\\w\\w+\\b, and the same with lowercase=False;
and sklearn's ENGLISH_STOP_WORDS, sorted.
(No lone surrogate: JSON readers reject one; PythonTextTests covers it.) Run: /usr/bin/python3 make_tokens.py (sklearn 1.2.1)."""
import json
import os

import sklearn
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, CountVectorizer

HERE = os.path.dirname(os.path.abspath(__file__))
TEXTS = [
    "",
    "a I x",
    "Cells' energy: ATP->ADP, don't re-use 2nd x2 ²3",
    "ΟΔΟΣ Σ. İstanbul STRASSE ß \u212Aelvin",
    "caf\u00e9 cafe\u0301 na\u00efve \u2162 \u203fab_cd snake_case",
    "emoji\U0001F600emoji \U0001D401\U0001D402 tab\tnew\nline\x1cx\u3000full\uff01width",
]


def main():
    lower = CountVectorizer().build_analyzer()
    keep = CountVectorizer(lowercase=False).build_analyzer()
    cases = [{"text": t, "lower": lower(t), "keep": keep(t)} for t in TEXTS]
    with open(os.path.join(HERE, "tokens.json"), "w", encoding="utf-8") as f:
        json.dump({"sklearn": sklearn.__version__, "cases": cases, "englishStopWords": sorted(ENGLISH_STOP_WORDS)}, f, ensure_ascii=True, indent=1)


if __name__ == "__main__":
    main()
