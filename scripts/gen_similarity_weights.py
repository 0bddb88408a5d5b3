#!/usr/bin/env python3
"""Generates src/text/similarity_weights.inc: the IDF weights of similar-phrase matching.

The weights say how much a shared feature counts when two sentences are
compared (src/text/similarity.hpp): a Chinese character, a pair of adjacent
Chinese characters, or an English word stem. They are inverse document
frequencies over a reference corpus of public text that Debian ships, one
"document" per sentence:

  Chinese  /usr/share/games/fortunes/chinese.u8   (package fortunes-zh; modern prose, not the
                                                    classical tang300 / song100 files)
  English  /usr/share/games/fortunes/*.u8          (package fortunes; every English file)

Only aggregate numbers are written (a feature key and a weight), and only for
features seen in at least MIN_DF sentences; no text is shipped. Features the
table does not hold get the weight of a feature seen in DEFAULT_DF sentences.

The feature extraction here mirrors similarity.cpp (keys, stems, clause
splitting); a unit test checks a few weights through the C++ side.

    apt-get install -y fortunes fortunes-zh
    scripts/gen_similarity_weights.py > src/text/similarity_weights.inc
"""
import glob
import math
import os
import re
import sys
import unicodedata

FORTUNES = "/usr/share/games/fortunes"
ZH_FILES = ["chinese.u8"]
NOT_ENGLISH = {"chinese.u8", "tang300.u8", "song100.u8"}
MIN_DF = {1: 2, 2: 3, 3: 3}  # by feature kind: Han char, Han pair, word
DEFAULT_DF = 2
SCALE = 16  # weights are stored as round(idf * SCALE) in a byte

CLAUSE_BREAKS = set(",.!?;:\n\r\u3002\u3001\uff61\uff64\u2026\u2028\u2029")
SENTENCE_SPLIT = re.compile(r"[\u3002\uff01\uff1f!?;\uff1b\n]+|\.(?=\s|$)")
ANSI = re.compile(r"\x1b\[[0-9;]*m")
MASK60 = (1 << 60) - 1


def fnv1a64(data: bytes) -> int:
    h = 0xCBF29CE484222325
    for b in data:
        h ^= b
        h = (h * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return h


def is_word_char(c: str) -> bool:
    o = ord(c)
    if o < 0x80:
        return c.isalnum()
    if not c.isalnum():
        return False
    return o <= 0x24F or 0x370 <= o <= 0x52F or 0x1E00 <= o <= 0x1EFF


def is_separator(c: str) -> bool:
    cat = unicodedata.category(c)
    return not (cat[0] in "LN" or (cat == "Mn" and not (0xFE00 <= ord(c) <= 0xFE0F)) or cat == "Mc")


def stem(word: str) -> str:
    """The light English stemmer of similarity.cpp (stem_word)."""
    n = len(word)
    if n > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if n > 4 and word.endswith("sses"):
        return word[:-2]
    if n > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
        n -= 1
    if n > 5 and word.endswith("ing"):
        return word[:-3]
    if n > 4 and word.endswith("ed"):
        return word[:-2]
    if n > 4 and word.endswith("ly"):
        return word[:-2]
    return word


def word_key(word: str) -> int:
    return (3 << 60) | (fnv1a64(stem(word).encode()) >> 4)


def features(text: str):
    """The set of feature keys of a sentence (kinds 1, 2, 3 as in similarity.cpp)."""
    text = unicodedata.normalize("NFKC", text).casefold()
    out = set()
    prev_han = None
    word = []

    def end_word():
        if word:
            w = "".join(word)
            if not w.isdigit():
                out.add(word_key(w))
            word.clear()

    for c in text:
        if c in CLAUSE_BREAKS:
            end_word()
            prev_han = None
            continue
        if is_separator(c):
            end_word()
            continue
        if is_word_char(c):
            word.append(c)
            prev_han = None
            continue
        end_word()
        o = ord(c)
        out.add((1 << 60) | o)
        if prev_han is not None:
            out.add((2 << 60) | (prev_han << 21) | o)
        prev_han = o
    end_word()
    return out


def sentences(path: str):
    with open(path, encoding="utf-8", errors="replace") as f:
        text = ANSI.sub("", f.read())
    for fortune in text.split("\n%\n"):
        for s in SENTENCE_SPLIT.split(fortune):
            s = s.strip()
            if len(s) >= 2:
                yield s


def document_frequencies(paths):
    df = {}
    docs = 0
    for p in paths:
        for s in sentences(p):
            docs += 1
            for k in features(s):
                df[k] = df.get(k, 0) + 1
    return df, docs


def idf(df: int, docs: int) -> float:
    return math.log((docs + 1) / (df + 0.5))


def main():
    zh_paths = [os.path.join(FORTUNES, f) for f in ZH_FILES]
    en_paths = sorted(p for p in glob.glob(os.path.join(FORTUNES, "*.u8")) if os.path.basename(p) not in NOT_ENGLISH)
    for p in zh_paths + en_paths:
        if not os.path.exists(p):
            sys.exit(f"gen_similarity_weights: {p} is missing (apt-get install -y fortunes fortunes-zh)")
    zh_df, zh_docs = document_frequencies(zh_paths)
    en_df, en_docs = document_frequencies(en_paths)
    rows = []
    for df_map, docs, kinds in ((zh_df, zh_docs, (1, 2)), (en_df, en_docs, (3,))):
        for key, df in df_map.items():
            kind = key >> 60
            if kind not in kinds or df < MIN_DF[kind]:
                continue
            rows.append((key, max(1, min(255, round(idf(df, docs) * SCALE)))))
    rows.sort()
    default_zh = round(idf(DEFAULT_DF, zh_docs) * SCALE)
    default_en = round(idf(DEFAULT_DF, en_docs) * SCALE)
    out = sys.stdout
    out.write("// Generated by scripts/gen_similarity_weights.py; do not edit. IDF weights (x%d) of\n" % SCALE)
    out.write("// similar-phrase features over Debian's fortunes-zh (%d Chinese sentences) and\n" % zh_docs)
    out.write("// fortunes (%d English sentences); key kinds: 1 Han char, 2 Han pair, 3 word stem.\n" % en_docs)
    out.write("// clang-format off\n")
    out.write("constexpr int kWeightScale = %d;\n" % SCALE)
    out.write("constexpr std::uint8_t kDefaultWeightHan = %d, kDefaultWeightWord = %d;\n" % (default_zh, default_en))
    out.write("constexpr std::size_t kWeightCount = %d;\n" % len(rows))
    out.write("constexpr WeightRow kWeights[kWeightCount] = {\n")
    line = ""
    for key, w in rows:
        item = "{0x%xu,%d}," % (key, w)
        if len(line) + len(item) > 118:
            out.write(line + "\n")
            line = ""
        line += item
    if line:
        out.write(line + "\n")
    out.write("};\n// clang-format on\n")


if __name__ == "__main__":
    main()
