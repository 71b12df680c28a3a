#!/usr/bin/python3
"""gen_unicode_tables.py — writes src/text/tokenizer/unicode_tables.c: what
attnviz needs to see characters with the Unicode versions Hugging Face
tokenizers sees them with, from Debian's unicode-data (Unicode 15.0:
/usr/share/unicode/{DerivedAge,UnicodeData,DerivedCoreProperties}.txt).

  * uc_age_table: the code points assigned after Unicode 8.0, as ranges
    with the version that assigned them. tokenizers' BertNormalizer,
    BertPreTokenizer and Punctuation use the unicode_categories crate
    (Unicode 8.0); its NFC/NFD/NFKC/NFKD and StripAccents use
    unicode-normalization-alignments (Unicode 9.0): to them, a later
    character has no category, no decomposition and combining class 0.
  * uc_new15_table: the code points Unicode 15.0 added, with their general
    category and whether they are Alphabetic. PCRE2 10.42 knows Unicode
    14.0, Oniguruma (tokenizers' regexes) and libutf8proc 2.8 know 15.0:
    regex.c adds these to the \\p{...} classes of a pattern.

Deterministic. Run: /usr/bin/python3 scripts/gen_unicode_tables.py
"""
import os

UCD = "/usr/share/unicode"
HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "src", "text", "tokenizer", "unicode_tables.c")
CATS = ["Lu", "Ll", "Lt", "Lm", "Lo", "Mn", "Mc", "Me", "Nd", "Nl", "No", "Pc", "Pd", "Ps", "Pe", "Pi", "Pf", "Po",
        "Sm", "Sc", "Sk", "So", "Zs", "Zl", "Zp", "Cc", "Cf", "Co", "Cs"]


def ranges_of(path):
    """(lo, hi, value) of each line 'XXXX[..YYYY] ; value # ...'."""
    for line in open(path, encoding="utf-8"):
        line = line.split("#")[0].strip()
        if not line:
            continue
        r, v = [x.strip() for x in line.split(";")[:2]]
        lo, _, hi = r.partition("..")
        yield int(lo, 16), int(hi or lo, 16), v


def merged(items):
    """Consecutive code points with the same value as ranges."""
    out = []
    for cp, v in sorted(items):
        if out and out[-1][1] == cp - 1 and out[-1][2] == v:
            out[-1][1] = cp
        else:
            out.append([cp, cp, v])
    return out


def main():
    age = {}
    for lo, hi, v in ranges_of(os.path.join(UCD, "DerivedAge.txt")):
        major, minor = (int(x) for x in v.split("."))
        for cp in range(lo, hi + 1):
            age[cp] = major * 10 + minor
    cat = {}
    first = None
    for line in open(os.path.join(UCD, "UnicodeData.txt"), encoding="utf-8"):
        f = line.split(";")
        cp = int(f[0], 16)
        if f[1].endswith("First>"):
            first = cp
            continue
        lo = first if f[1].endswith("Last>") else cp
        for c in range(lo, cp + 1):
            cat[c] = f[2]
        first = None
    alpha = set()
    for lo, hi, v in ranges_of(os.path.join(UCD, "DerivedCoreProperties.txt")):
        if v == "Alphabetic":
            alpha.update(range(lo, hi + 1))
    after8 = merged((cp, a) for cp, a in age.items() if a > 80)
    new15 = merged((cp, CATS.index(cat[cp]) | (0x80 if cp in alpha else 0))
                   for cp, a in age.items() if a == 150 and cat.get(cp, "Cn") in CATS)
    with open(OUT, "w", encoding="utf-8") as f:
        f.write("/* unicode_tables.c — written by scripts/gen_unicode_tables.py from Unicode 15.0's\n"
                " * DerivedAge.txt, UnicodeData.txt and DerivedCoreProperties.txt (Debian's\n"
                " * unicode-data); do not edit. See unicode.h for their use.\n */\n")
        f.write('#include "text/tokenizer/unicode.h"\n\n')
        f.write("const uc_range uc_age_table[] = {\n")
        for lo, hi, v in after8:
            f.write("    {0x%X, 0x%X, %d},\n" % (lo, hi, v))
        f.write("};\nconst size_t uc_age_count = sizeof uc_age_table / sizeof *uc_age_table;\n\n")
        f.write("/* value: the index of the general category in uc_cat_names, | 0x80 when Alphabetic */\n")
        f.write("const uc_range uc_new15_table[] = {\n")
        for lo, hi, v in new15:
            f.write("    {0x%X, 0x%X, %d},\n" % (lo, hi, v))
        f.write("};\nconst size_t uc_new15_count = sizeof uc_new15_table / sizeof *uc_new15_table;\n\n")
        f.write("const char *const uc_cat_names[] = {%s};\n" % ", ".join('"%s"' % c for c in CATS))
    print("%d ranges after 8.0, %d ranges new in 15.0 -> %s" % (len(after8), len(new15), os.path.relpath(OUT)))


if __name__ == "__main__":
    main()
