"""train_dates_data.py — the text side of the seq2seq demo (data/dates/):
human-written dates, their ISO form, the tokenizer, and which source tokens
say the year, the month and the day.

Training tooling only (scripts/train_dates.py imports it; so do the tests).

  * render(date, form, rng) -> Example: one date written in one surface form
        ("Saturday the 9th of May 2018", "May 9th, 2018", "2018/5/9", ...),
        with the character span of each field (weekday, day, month, year);
  * FORMS / HELDOUT_FORMS: the surface forms; the held-out ones are never
        trained on; heldout_dates(): dates never trained on (2018-05-09 is
        one of them, so the README's example is not a training sentence);
  * Tokenizer: the Python twin of the shipped tokenizer.json (Lowercase
        normalizer; Whitespace then Digits(individual_digits) pre-tokenizers;
        WordLevel; "<s> $A </s>" template; Fuse decoder): encode() gives the
        ids and each token's character span; tokenizer_json() writes the file;
  * alignment(example, tokenizer): for every output digit of the ISO date,
        the source tokens of its field (year digits -> the year's tokens,
        month digits -> the month's, day digits -> the day's) and the single
        token it copies from where there is one.
"""
import datetime
import random
import re

SPECIALS = ["<s>", "<pad>", "</s>", "<unk>"]  # ids 0-3, BART's order
BOS, PAD, EOS, UNK = 0, 1, 2, 3
MONTHS = ["january", "february", "march", "april", "may", "june", "july", "august", "september",
          "october", "november", "december"]
MONTH_ABBR = [["jan"], ["feb"], ["mar"], ["apr"], [], ["jun"], ["jul"], ["aug"], ["sep", "sept"], ["oct"],
              ["nov"], ["dec"]]
WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
WEEKDAY_ABBR = [["mon"], ["tue", "tues"], ["wed"], ["thu", "thur", "thurs"], ["fri"], ["sat"], ["sun"]]
ORDINALS = ["first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth",
            "eleventh", "twelfth", "thirteenth", "fourteenth", "fifteenth", "sixteenth", "seventeenth",
            "eighteenth", "nineteenth", "twentieth"]
TENS = {2: "twenty", 3: "thirty"}
WORDS = (WEEKDAYS + [a for w in WEEKDAY_ABBR for a in w] + MONTHS + [a for m in MONTH_ABBR for a in m]
         + ORDINALS + ["twenty", "thirty", "thirtieth", "the", "of", "on", "st", "nd", "rd", "th"])
VOCAB = SPECIALS + [str(i) for i in range(10)] + ["-", "/", ".", ",", "(", ")"] + WORDS
YEARS = (1000, 2999)  # every year written with four digits
EXAMPLE = "Saturday the 9th of May 2018"  # the README's sentence (2018-05-09 was a Wednesday)


# ---------------------------------------------------------------- surface forms
# A form is a template: {D} day as a number ("9" or "09"), {O} day as an
# ordinal ("9th" or "ninth"), {M} month as a word ("may", "sept."), {N} month
# as a number, {Y} the year, {P}/{Q} zero-padded month/day; a weekday may go
# before it. Every other character is literal.

FORMS = [
    "{D} {M} {Y}", "{D} {M}, {Y}", "{O} {M} {Y}", "{O} of {M} {Y}", "the {O} of {M} {Y}",
    "the {O} of {M}, {Y}", "{M} {D} {Y}", "{M} {D}, {Y}", "{M} {O}, {Y}", "{M} {O} {Y}",
    "{D}-{M}-{Y}", "{D}. {M} {Y}", "{Y} {M} {D}", "{Y}-{P}-{Q}", "{Y}/{N}/{D}", "{Y}.{P}.{Q}", "{Y}{P}{Q}",
]
# Never trained, each a new combination of trained parts: "the {O}" after the
# month; dots between unpadded numbers (trained: dots between padded ones,
# slashes between unpadded ones).
HELDOUT_FORMS = ["{M} the {O}, {Y}", "{Y}.{N}.{D}"]
WEEKDAY_STYLES = ["", "", "{W} ", "{W}, ", "on {W} "]  # "" twice: half the dates have no weekday


def day_ordinal_word(d):
    if d <= 20:
        return ORDINALS[d - 1]
    if d % 10 == 0:
        return "thirtieth" if d == 30 else ORDINALS[19]
    return "%s-%s" % (TENS[d // 10], ORDINALS[d % 10 - 1])


def day_suffix(d):
    if d % 100 in (11, 12, 13):
        return "th"
    return {1: "st", 2: "nd", 3: "rd"}.get(d % 10, "th")


class Example:
    """text, its ISO date, and spans {field: (start, end)} of "W", "D", "M", "Y"
    (character offsets into text)."""

    def __init__(self, text, iso, spans, form):
        self.text, self.iso, self.spans, self.form = text, iso, spans, form


def render(date, form, rng, weekday_style=None, weekday=None):
    """Writes date in form; the weekday (style drawn unless given) is the true
    one 70 % of the time and a random one otherwise (people get it wrong, and
    the ISO date must not depend on it), unless weekday (0-6) is given. Casing
    is drawn: as written, Title Case or UPPER CASE."""
    y, m, d = date.year, date.month, date.day
    style = rng.choice(WEEKDAY_STYLES) if weekday_style is None else weekday_style
    if weekday is None:
        weekday = date.weekday() if rng.random() < 0.7 else rng.randrange(7)
    wd = WEEKDAYS[weekday] if rng.random() < 0.6 else rng.choice(WEEKDAY_ABBR[weekday])
    fields = {
        "W": wd,
        "D": str(d) if rng.random() < 0.7 else "%02d" % d,
        "O": str(d) + day_suffix(d) if rng.random() < 0.75 else day_ordinal_word(d),
        "M": MONTHS[m - 1] if (rng.random() < 0.55 or not MONTH_ABBR[m - 1])
        else rng.choice(MONTH_ABBR[m - 1]) + ("." if rng.random() < 0.3 else ""),
        "N": str(m) if rng.random() < 0.5 else "%02d" % m,
        "P": "%02d" % m, "Q": "%02d" % d, "Y": "%04d" % y,
    }
    field_of = {"W": "W", "D": "D", "O": "D", "Q": "D", "M": "M", "N": "M", "P": "M", "Y": "Y"}
    text, spans = "", {}
    for part in re.split(r"(\{[A-Z]\})", style + form):
        if re.fullmatch(r"\{[A-Z]\}", part):
            key = part[1]
            value = fields[key]
            start = len(text)
            end = start + len(value.rstrip("."))  # "sept." : the period is not the month
            spans[field_of[key]] = (start, end)
            text += value
        else:
            text += part
    case = rng.random()
    if case < 0.2:
        text = text.upper()
    elif case < 0.6:
        text = " ".join(w[:1].upper() + w[1:] for w in text.split(" "))
    return Example(text, date.isoformat(), spans, style + form)


def all_dates():
    d, end, one = datetime.date(YEARS[0], 1, 1), datetime.date(YEARS[1], 12, 31), datetime.timedelta(days=1)
    while d <= end:
        yield d
        d += one


def heldout_dates(seed, share=0.01):
    """A seeded share of all dates, plus the README's date: never trained on."""
    rng = random.Random("heldout-%d" % seed)
    out = {d for d in all_dates() if rng.random() < share}
    out.add(datetime.date(2018, 5, 9))
    return out


def random_date(rng):
    start = datetime.date(YEARS[0], 1, 1).toordinal()
    end = datetime.date(YEARS[1], 12, 31).toordinal()
    return datetime.date.fromordinal(rng.randint(start, end))


def training_example(rng, held):
    while True:
        date = random_date(rng)
        if date not in held:
            return render(date, rng.choice(FORMS), rng)


def heldout_set(seed, n_per_group):
    """[(group, Example)]: "dates" = trained forms on held-out dates, "forms" =
    held-out forms on held-out dates; the README's example first."""
    rng = random.Random("heldout-set-%d" % seed)
    held = sorted(heldout_dates(seed))
    spans = {f: (EXAMPLE.index(w), EXAMPLE.index(w) + len(w))
             for f, w in (("W", "Saturday"), ("D", "9th"), ("M", "May"), ("Y", "2018"))}
    out = [("dates", Example(EXAMPLE, "2018-05-09", spans, "{W} the {O} of {M} {Y}"))]
    for group, forms in (("dates", FORMS), ("forms", HELDOUT_FORMS)):
        while sum(g == group for g, _ in out) < n_per_group:
            out.append((group, render(rng.choice(held), rng.choice(forms), rng)))
    return out


# ---------------------------------------------------------------- tokenizer

WORD_RE = re.compile(r"\w+|[^\w\s]+")  # tokenizers' Whitespace pre-tokenizer
DIGIT_RE = re.compile(r"\d|\D+")        # Digits(individual_digits=True) inside a word


class Tokenizer:
    """The shipped tokenizer.json, in Python (ASCII input)."""

    def __init__(self, vocab=VOCAB):
        self.tokens = list(vocab)
        self.ids = {t: i for i, t in enumerate(self.tokens)}

    def pieces(self, text):
        """[(piece, start, end)] without the specials."""
        out = []
        for w in WORD_RE.finditer(text.lower()):
            for p in DIGIT_RE.finditer(w.group()):
                out.append((p.group(), w.start() + p.start(), w.start() + p.end()))
        return out

    def encode(self, text):
        """ids with <s> ... </s>, and each token's (start, end) ((0, 0) for the specials)."""
        ps = self.pieces(text)
        ids = [BOS] + [self.ids.get(p, UNK) for p, _, _ in ps] + [EOS]
        return ids, [(0, 0)] + [(s, e) for _, s, e in ps] + [(0, 0)]

    def encode_target(self, iso):
        """The decoder's labels: the ISO date's tokens and </s> (no <s>)."""
        return [self.ids[p] for p, _, _ in self.pieces(iso)] + [EOS]

    def decode(self, ids):
        """The Fuse decoder, specials skipped."""
        return "".join(self.tokens[i] for i in ids if i >= len(SPECIALS))


def tokenizer_json(tok):
    """tokenizer.json as Hugging Face tokenizers writes it (key order as in its files)."""
    added = [{"id": i, "content": t, "single_word": False, "lstrip": False, "rstrip": False,
              "normalized": False, "special": True} for i, t in enumerate(SPECIALS)]

    def special(t, type_id=0):
        return {"SpecialToken": {"id": t, "type_id": type_id}}

    def seq(s, type_id):
        return {"Sequence": {"id": s, "type_id": type_id}}
    return {
        "version": "1.0", "truncation": None, "padding": None, "added_tokens": added,
        "normalizer": {"type": "Lowercase"},
        "pre_tokenizer": {"type": "Sequence", "pretokenizers": [
            {"type": "Whitespace"}, {"type": "Digits", "individual_digits": True}]},
        "post_processor": {
            "type": "TemplateProcessing",
            "single": [special("<s>"), seq("A", 0), special("</s>")],
            "pair": [special("<s>"), seq("A", 0), special("</s>"), special("</s>", 1), seq("B", 1),
                     special("</s>", 1)],
            "special_tokens": {t: {"id": t, "ids": [tok.ids[t]], "tokens": [t]} for t in ("<s>", "</s>")}},
        "decoder": {"type": "Fuse"},
        "model": {"type": "WordLevel", "vocab": tok.ids, "unk_token": "<unk>"},
    }


def tokenizer_config_json(max_len):
    """tokenizer_config.json as PreTrainedTokenizerFast.save_pretrained writes it."""
    return {
        "added_tokens_decoder": {str(i): {"content": t, "lstrip": False, "normalized": False, "rstrip": False,
                                          "single_word": False, "special": True} for i, t in enumerate(SPECIALS)},
        "bos_token": "<s>", "clean_up_tokenization_spaces": False, "eos_token": "</s>",
        "model_max_length": max_len, "pad_token": "<pad>", "tokenizer_class": "PreTrainedTokenizerFast",
        "unk_token": "<unk>",
    }


SPECIAL_TOKENS_MAP = {"bos_token": "<s>", "eos_token": "</s>", "pad_token": "<pad>", "unk_token": "<unk>"}


# ---------------------------------------------------------------- alignment

FIELD_OF_OUTPUT = "YYYY-MM-DD"  # the field of each character of the ISO date ("-": none)


def alignment(ex, tok):
    """For each output position i (0-9; the ISO date's characters, then </s>):
    (field, source token indices of that field, source token indices it
    copies from) — (None, [], []) for "-" and </s>. Indices count <s> as 0."""
    _, spans = tok.encode(ex.text)
    by_field = {}
    for f, (a, b) in ex.spans.items():
        by_field[f] = [j for j, (s, e) in enumerate(spans) if e > s and s >= a and e <= b]
    pieces = tok.pieces(ex.text)
    out = []
    for i, f in enumerate(FIELD_OF_OUTPUT + "$"):
        if f not in "YMD":
            out.append((None, [], []))
            continue
        field = by_field[f]
        k = i - FIELD_OF_OUTPUT.index(f)  # digit 0.. of the field in the output
        digits = [j for j in field if pieces[j - 1][0].isdigit()]
        if len(digits) >= 2:  # the year's four digits, "05", "21st": digit for digit
            copy = [digits[k]]
        elif len(digits) == 1:
            copy = digits
        else:  # words: the month's word, "ninth", "twenty - first"
            words = [j for j in field if pieces[j - 1][0].isalpha()]
            copy = [words[0]] if len(words) == 1 else [words[0] if k == 0 else words[-1]]
        out.append((f, field, copy))
    return out
