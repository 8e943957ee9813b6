"""Writes nfkc-table.txt, the Unicode data UseLite's NFKC normaliser runs on (run with /usr/bin/python3; Python 3.11
ships Unicode 14.0.0). .NET's string.Normalize is a no-op under InvariantGlobalization, which KpLab runs with, so the
tokenizer carries its own tables. Lines (hex code points):
  U <version>                    Unicode version of the data
  C <cp> <class>                 canonical combining class, for every code point whose class is not 0
  D <cp> <cp> <cp>...            full compatibility decomposition (NFKD of the single code point), Hangul excluded
  P <first> <second> <composite> primary composites: canonical pairs NFC recomposes (exclusions left out)
"""
import sys
import unicodedata

def is_hangul_syllable(cp):
    return 0xAC00 <= cp <= 0xD7A3

lines = [f"U {unicodedata.unidata_version}"]
for cp in range(0x110000):
    if 0xD800 <= cp <= 0xDFFF:
        continue
    c = chr(cp)
    klass = unicodedata.combining(c)
    if klass:
        lines.append(f"C {cp:X} {klass}")
for cp in range(0x110000):
    if 0xD800 <= cp <= 0xDFFF or is_hangul_syllable(cp):
        continue
    c = chr(cp)
    nfkd = unicodedata.normalize("NFKD", c)
    if nfkd != c:
        lines.append("D " + " ".join(f"{ord(x):X}" for x in [c] + list(nfkd)))
for cp in range(0x110000):
    if 0xD800 <= cp <= 0xDFFF or is_hangul_syllable(cp):
        continue
    decomposition = unicodedata.decomposition(chr(cp))
    if not decomposition or decomposition.startswith("<"):
        continue
    parts = [int(x, 16) for x in decomposition.split()]
    if len(parts) == 2 and unicodedata.normalize("NFC", chr(parts[0]) + chr(parts[1])) == chr(cp):
        lines.append(f"P {parts[0]:X} {parts[1]:X} {cp:X}")

out = sys.argv[1] if len(sys.argv) > 1 else "nfkc-table.txt"
with open(out, "w", encoding="ascii", newline="\n") as f:
    f.write("\n".join(lines) + "\n")
print(f"{out}: {len(lines)} lines")
