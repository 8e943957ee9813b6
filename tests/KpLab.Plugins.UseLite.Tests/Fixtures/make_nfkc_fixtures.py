"""Writes nfkc-cases.json: random strings over characters NFKC changes or reorders (compatibility characters,
precomposed letters, combining marks, Hangul jamo and syllables) with their NFKC form from Python's unicodedata
(Unicode 14.0, the data Unicode/make_nfkc_table.py uses). Run with /usr/bin/python3; seed 2024."""
import json
import random
import unicodedata

rng = random.Random(2024)
interesting = [cp for cp in range(0x110000)
               if not (0xD800 <= cp <= 0xDFFF)
               and (unicodedata.normalize("NFKD", chr(cp)) != chr(cp) or unicodedata.combining(chr(cp)))]
jamo = list(range(0x1100, 0x1113)) + list(range(0x1161, 0x1176)) + list(range(0x11A8, 0x11C3))
plain = [ord(c) for c in "aeiouAEOUcnsyz ,.1"]
cases = []
for _ in range(3000):
    length = rng.randint(1, 8)
    cps = [rng.choice(rng.choice([interesting, interesting, jamo, plain])) for _ in range(length)]
    text = "".join(map(chr, cps))
    cases.append({"text": text, "nfkc": unicodedata.normalize("NFKC", text)})
with open("nfkc-cases.json", "w", encoding="ascii") as f:
    json.dump({"unicode": unicodedata.unidata_version, "cases": cases}, f)
print(len(cases), "cases")
