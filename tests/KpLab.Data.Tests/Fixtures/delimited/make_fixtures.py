"""Delimited-text fixtures for DelimitedTextTests, with the fields Python's csv module reads from each (expected.json).

Run with Debian's Python: /usr/bin/python3 make_fixtures.py (writes the files beside this script).
- answers.tsv: written by csv.writer(delimiter='\t') (minimal quoting: fields with a tab, a quote or a line break are
  quoted, as pandas' to_csv(sep='\t') does), plus a hand-written line with a quote inside an unquoted field, which
  csv.reader (like KpLab) takes as text.
- answers.psv: the same rows separated by '|'.
- literal.tsv: IANA-style TSV whose quotes are ordinary characters (an odd count: 5" tall), read with QUOTE_NONE.
"""
import csv, io, json, os

here = os.path.dirname(os.path.abspath(__file__))
rows = [
    ["id", "question_id", "answer", "label"],
    ["1", "Q1", "It has a\ttab", "correct"],
    ["2", "Q1", 'She said "no"', "contradictory"],
    ["3", "Q2", "two\nlines", "correct"],
    ["4", "Q2", "plain, with a comma", "irrelevant"],
]

def write(name, delimiter, extra_line=None):
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\n").writerows(rows)
    text = buffer.getvalue() + (extra_line or "")
    with open(os.path.join(here, name), "w", encoding="utf-8", newline="") as f:
        f.write(text)
    with open(os.path.join(here, name), encoding="utf-8", newline="") as f:
        return list(csv.reader(f, delimiter=delimiter))

expected = {
    "answers.tsv": write("answers.tsv", "\t", '5\tQ3\tthe "jumping" frog\tcorrect\n'),
    "answers.psv": write("answers.psv", "|"),
}
literal = 'id\tquestion_id\tanswer\tlabel\n1\tQ1\t5" tall\tcorrect\n2\tQ1\t"quoted" start\tcontradictory\n'
with open(os.path.join(here, "literal.tsv"), "w", encoding="utf-8", newline="") as f:
    f.write(literal)
with open(os.path.join(here, "literal.tsv"), encoding="utf-8", newline="") as f:
    expected["literal.tsv"] = list(csv.reader(f, delimiter="\t", quoting=csv.QUOTE_NONE))
with open(os.path.join(here, "expected.json"), "w", encoding="utf-8") as f:
    json.dump(expected, f, indent=1, ensure_ascii=False)
    f.write("\n")
