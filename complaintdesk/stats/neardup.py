"""Near-duplicate texts, for the mass-incident warning (pure; no word segmenter needed).

1. Normalise: NFKC (full-width → half-width), lower case, every run of digits → "0" (order numbers and
   amounts differ between otherwise identical complaints).
2. Shingle: Chinese (CJK) runs become overlapping character bigrams — the unit a segmenter would mostly
   produce, without the dictionary; Latin text becomes overlapping word bigrams. Mixed text gets both.
3. Candidates: each text's `SKETCH` shingles with the smallest stable hash (a bottom-k sketch, a single
   MinHash); two texts are compared only if they share one, which texts of Jaccard ≥ 0.5 almost always do.
4. Compare candidates exactly (Jaccard of the shingle sets) and join the similar ones into clusters.
"""

import re
import unicodedata
import zlib
from collections import defaultdict

SKETCH = 6
MIN_SHINGLES = 3

_CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_TOKENS = re.compile(rf"[{_CJK}]+|[a-z0]+(?:'[a-z]+)?")


def shingles(text: str) -> frozenset[str]:
    text = re.sub(r"\d+", "0", unicodedata.normalize("NFKC", text or "").lower())
    out, words = set(), []
    for token in _TOKENS.findall(text):
        if re.match(rf"[{_CJK}]", token):
            out.update(token[i : i + 2] for i in range(max(1, len(token) - 1)))
        else:
            words.append(token)
    out.update(f"{a} {b}" for a, b in zip(words, words[1:], strict=False))
    if len(words) == 1:
        out.add(words[0])
    return frozenset(out)


def jaccard(a: frozenset, b: frozenset) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


def _sketch(s: frozenset[str]) -> list[int]:
    return sorted(zlib.crc32(x.encode()) for x in s)[:SKETCH]


def clusters(texts: dict[int, str], threshold: float = 0.5) -> list[list[int]]:
    """Groups of ids whose texts are near-duplicates (each linked to another at Jaccard ≥ threshold),
    largest first; texts too short to judge are left out."""
    sets = {i: s for i, t in texts.items() if len(s := shingles(t)) >= MIN_SHINGLES}
    by_hash = defaultdict(list)
    for i, s in sets.items():
        for h in _sketch(s):
            by_hash[h].append(i)
    parent = {i: i for i in sets}

    def find(i):
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    checked = set()
    for ids in by_hash.values():
        for x, a in enumerate(ids):
            for b in ids[x + 1 :]:
                pair = (a, b) if a < b else (b, a)
                if pair in checked or find(a) == find(b):
                    continue
                checked.add(pair)
                if jaccard(sets[a], sets[b]) >= threshold:
                    parent[find(a)] = find(b)
    groups = defaultdict(list)
    for i in sets:
        groups[find(i)].append(i)
    return sorted((sorted(g) for g in groups.values() if len(g) > 1), key=lambda g: (-len(g), g[0]))
