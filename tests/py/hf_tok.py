"""hf_tok.py — the tokenizers of Hugging Face BERT and GPT-2, in plain Python,
and the small synthetic vocabularies the model-parity tests write.

Written from the definitions in Hugging Face `transformers` (BasicTokenizer,
WordpieceTokenizer, GPT-2's bytes_to_unicode / bpe()) and `tokenizers`
(BertNormalizer, BertPreTokenizer, ByteLevel), not from attnviz's C code:

  * bert_basic_tokenize(text, lowercase)  clean text, CJK split, lowercase +
        strip accents (NFD, drop Mn), whitespace and punctuation split;
  * wordpiece(words, vocab, unk)          greedy longest-match-first, "##";
  * bytes_to_unicode(), gpt2_pretokenize(), Bpe(vocab, merges).encode();
  * bert_vocab(), train_bpe(): the synthetic vocabularies (every lowercase
        ASCII word tokenizes without [UNK]; a byte-level BPE trained on a small
        English corpus, so real words become a few pieces).

tests/py/test_hf_parity.py checks this file against the reference ids in
$REFERENCE_DIR/tokenizer-tests (real bert-base-uncased and gpt2 vocabularies)
when that directory is present.
"""
import random
import unicodedata

# ---- BERT: BasicTokenizer + WordPiece -------------------------------------


def _is_whitespace(c):
    return c in " \t\n\r" or unicodedata.category(c) == "Zs"


def _is_control(c):
    if c in "\t\n\r":
        return False
    return unicodedata.category(c).startswith("C")


def _is_punctuation(c):
    cp = ord(c)
    if 33 <= cp <= 47 or 58 <= cp <= 64 or 91 <= cp <= 96 or 123 <= cp <= 126:
        return True
    return unicodedata.category(c).startswith("P")


def _is_cjk(cp):
    return (0x4E00 <= cp <= 0x9FFF or 0x3400 <= cp <= 0x4DBF or 0x20000 <= cp <= 0x2A6DF
            or 0x2A700 <= cp <= 0x2B73F or 0x2B740 <= cp <= 0x2B81F or 0x2B820 <= cp <= 0x2CEAF
            or 0xF900 <= cp <= 0xFAFF or 0x2F800 <= cp <= 0x2FA1F)


def bert_basic_tokenize(text, lowercase=True):
    """BertNormalizer (clean_text, handle_chinese_chars, lowercase, strip_accents
    = lowercase) then BertPreTokenizer: a list of words."""
    cleaned = []
    for c in text:
        cp = ord(c)
        if cp == 0 or cp == 0xFFFD or _is_control(c):
            continue
        cleaned.append(" " if _is_whitespace(c) else c)
    spaced = []
    for c in cleaned:
        spaced.append(" %s " % c if _is_cjk(ord(c)) else c)
    text = "".join(spaced)
    if lowercase:
        text = text.lower()
        text = "".join(c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) != "Mn")
    words = []
    for w in text.split():
        cur = ""
        for c in w:
            if _is_punctuation(c):
                if cur:
                    words.append(cur)
                    cur = ""
                words.append(c)
            else:
                cur += c
        if cur:
            words.append(cur)
    return words


def wordpiece(words, vocab, unk="[UNK]", max_chars=100):
    """Greedy longest-match-first pieces ("##" continuations); vocab: token -> id.
    Returns the list of piece strings."""
    out = []
    for w in words:
        if len(w) > max_chars:
            out.append(unk)
            continue
        pieces, start, bad = [], 0, False
        while start < len(w):
            end = len(w)
            cur = None
            while start < end:
                sub = w[start:end]
                if start > 0:
                    sub = "##" + sub
                if sub in vocab:
                    cur = sub
                    break
                end -= 1
            if cur is None:
                bad = True
                break
            pieces.append(cur)
            start = end
        out.extend([unk] if bad else pieces)
    return out


def bert_tokenize(text, vocab, lowercase=True, unk="[UNK]"):
    """Pieces of text (no specials)."""
    return wordpiece(bert_basic_tokenize(text, lowercase), vocab, unk)


# ---- GPT-2: byte-level BPE ---------------------------------------------------


def bytes_to_unicode():
    """GPT-2's map from each byte to a printable character (dict byte -> str)."""
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + \
        list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return dict(zip(bs, [chr(c) for c in cs]))


def byte_symbols():
    """The 256 byte symbols in GPT-2's vocabulary order (encoder.json ids 0..255)."""
    return list(bytes_to_unicode().values())


def _cat(c):
    return unicodedata.category(c)[0]


def gpt2_pretokenize(text):
    """The GPT-2 pattern
        's|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+
    written out as a scanner (no `regex` module here)."""
    out, i, n = [], 0, len(text)

    def run(j, pred):
        while j < n and pred(text[j]):
            j += 1
        return j

    def other(c):
        return not c.isspace() and _cat(c) not in "LN"

    while i < n:
        c = text[i]
        if c == "'":
            m = next((s for s in ("'s", "'t", "'re", "'ve", "'m", "'ll", "'d") if text.startswith(s, i)), None)
            if m:
                out.append(m)
                i += len(m)
                continue
        j = i + 1 if c == " " and i + 1 < n else i
        d = text[j]
        if _cat(d) == "L" and not d.isspace():
            k = run(j, lambda ch: _cat(ch) == "L")
        elif _cat(d) == "N":
            k = run(j, lambda ch: _cat(ch) == "N")
        elif other(d):
            k = run(j, other)
        else:
            k = None
        if k is not None and k > j:
            out.append(text[i:k])
            i = k
            continue
        # whitespace: \s+(?!\S) leaves the last space before a non-space, \s+ otherwise
        k = run(i, str.isspace)
        if k == n or k - i == 1:
            out.append(text[i:k])
            i = k
        else:
            out.append(text[i:k - 1])
            i = k - 1
    return out


def merge_pair(word, pair):
    """word (a list of symbols) with every occurrence of pair, left to right,
    joined into one symbol."""
    merged, i = [], 0
    while i < len(word):
        if i < len(word) - 1 and (word[i], word[i + 1]) == pair:
            merged.append(word[i] + word[i + 1])
            i += 2
        else:
            merged.append(word[i])
            i += 1
    return merged


class Bpe:
    """vocab: token -> id; merges: list of (a, b), best first."""

    def __init__(self, vocab, merges):
        self.vocab = vocab
        self.ranks = {tuple(m): r for r, m in enumerate(merges)}
        self.b2u = bytes_to_unicode()
        self.cache = {}

    def bpe(self, token):
        if token in self.cache:
            return self.cache[token]
        word = list(token)
        while len(word) > 1:
            pairs = {(word[i], word[i + 1]) for i in range(len(word) - 1)}
            best = min(pairs, key=lambda p: self.ranks.get(p, float("inf")))
            if best not in self.ranks:
                break
            word = merge_pair(word, best)
        self.cache[token] = word
        return word

    def pieces(self, text):
        out = []
        for pre in gpt2_pretokenize(text):
            out.extend(self.bpe("".join(self.b2u[b] for b in pre.encode("utf-8"))))
        return out

    def encode(self, text):
        return [self.vocab[p] for p in self.pieces(text)]


def train_bpe(corpus, n_merges):
    """A byte-level BPE learned from corpus (a list of sentences): the most
    frequent adjacent pair is merged, ties broken by the pair's spelling.
    Returns the merges [(a, b), ...] in rank order."""
    b2u = bytes_to_unicode()
    freq = {}
    for line in corpus:
        for pre in gpt2_pretokenize(line):
            key = tuple(b2u[b] for b in pre.encode("utf-8"))
            freq[key] = freq.get(key, 0) + 1
    words = {k: list(k) for k in freq}
    merges = []
    for _ in range(n_merges):
        counts = {}
        for k, w in words.items():
            for i in range(len(w) - 1):
                p = (w[i], w[i + 1])
                counts[p] = counts.get(p, 0) + freq[k]
        if not counts:
            break
        best = min(counts, key=lambda p: (-counts[p], p))
        if counts[best] < 2:
            break
        merges.append(best)
        for k, w in words.items():
            words[k] = merge_pair(w, best)
    return merges


# ---- the synthetic vocabularies ------------------------------------------------

WORDS = ("the a an and or but of to in on at by for with from about into over under after before "
         "cat dog bird fish horse mouse animal animals street road house river tree forest city car "
         "man woman child people teacher student doctor friend king queen time day night year "
         "sat ran walked crossed jumped played playing looked saw said went came took gave made "
         "is was are were be been being have has had do does did will would can could should "
         "big small old young happy sad tired quick slow lazy brown red green blue bright dark "
         "it he she they we you i him her them this that these those there here because when while "
         "very too not no yes all some many much more most every each other another").split()
# words kept out of the BERT vocabulary: they become pieces ("play ##ing", "un ##believ ##able")
SUBWORD_WORDS = ("unbelievable jumping quickly streets teachers houses walking happiness darkness "
                 "transformers attention visualization tokenizer").split()
BERT_PIECES = ("play walk jump quick street teach house happi dark un transform attent visual token ##believ "
               "##ing ##ed ##s ##ly ##er ##ers ##able ##ness ##ion ##iz ##ation ##izer ##e").split()


def bert_vocab(seed=None, extra=()):
    """A WordPiece vocabulary of a few hundred entries: [PAD] first (pad_token_id
    0), the specials, every ASCII letter, digit and punctuation mark alone and
    as a "##" continuation, WORDS and BERT_PIECES. seed: shuffle every entry
    but [PAD], so that no id is where bert-base-uncased has it."""
    specials = ["[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    chars = [chr(c) for c in range(33, 127) if not chr(c).isupper()]
    body = specials + chars + ["##" + c for c in chars if c.isalnum()]
    for w in list(WORDS) + BERT_PIECES + list(extra):
        if w not in body:
            body.append(w)
    if seed is not None:
        random.Random(seed).shuffle(body)
    return ["[PAD]"] + body


def bpe_corpus():
    """The sentences the synthetic BPE is trained on."""
    rnd = random.Random(7)
    words = list(WORDS) + SUBWORD_WORDS
    lines = []
    for _ in range(600):
        k = rnd.randint(3, 12)
        s = " ".join(rnd.choice(words) for _ in range(k))
        lines.append(s[0].upper() + s[1:] + rnd.choice([".", "!", "?", ",", "'s"]))
    return lines


def bpe_vocab(n_merges=400, specials_first=(), specials_last=("<|endoftext|>",)):
    """(vocab list in id order, merges): GPT-2 style (the 256 byte symbols, the
    merged tokens in rank order, <|endoftext|> last) or, with specials_first
    ("<s>", "<pad>", "</s>", "<unk>"), RoBERTa style."""
    merges = train_bpe(bpe_corpus(), n_merges)
    vocab = list(specials_first) + byte_symbols()
    for a, b in merges:
        vocab.append(a + b)
    vocab.extend(specials_last)
    return vocab, merges


def bpe_display(piece):
    """attnviz's display text of a BPE piece (subword.h): the bytes decoded,
    a leading space shown as U+2423, bytes that are not valid UTF-8 alone as
    \\xNN escapes."""
    u2b = {u: b for b, u in bytes_to_unicode().items()}
    raw = bytes(u2b[c] for c in piece)
    lead = ""
    if raw.startswith(b" "):
        lead, raw = "\u2423", raw[1:]
    try:
        return lead + raw.decode("utf-8")
    except UnicodeDecodeError:
        return lead + "".join(chr(b) if b < 0x80 else "\\x%02X" % b for b in raw)
