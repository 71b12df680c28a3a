"""train_demo_text.py — the text side of scripts/train_demo.py: the
WordPiece tokenizer (Hugging Face BertTokenizer's behaviour on ASCII), the
vocabulary builder, WordNet's sentences, and the generated sentences about an
agent, a place and a pronoun, with the held-out (noun, adjective) pairs.
Deterministic: every choice comes from a random.Random seeded by the caller, and
nothing depends on set or hash order."""
import collections
import os
import random
import re

WORDNET = "/usr/share/wordnet"
SPECIALS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]  # ids 0..4
N_WORDS, N_PREFIX, N_CONT = 7000, 200, 600  # whole words, word-initial and "##" pieces

# ---------------------------------------------------------------- tokenizer
# Hugging Face's BertTokenizer on ASCII text: lowercase, split on whitespace
# and on every ASCII punctuation/symbol character, then greedy
# longest-match-first WordPiece with "##" continuations.


def basic_tokenize(text):
    assert text.isascii(), "non-ASCII text: %r" % text[:60]
    out, word = [], []
    for c in text:
        o = ord(c)
        if o == 0 or (o < 32 and c not in "\t\n\r") or o == 127:
            continue  # control characters are dropped
        if c.isspace():
            if word:
                out.append("".join(word).lower())
                word = []
        elif not c.isalnum():  # every other printable ASCII character is punctuation
            if word:
                out.append("".join(word).lower())
                word = []
            out.append(c)
        else:
            word.append(c)
    if word:
        out.append("".join(word).lower())
    return out


def wordpiece(word, vocab, unk="[UNK]", max_chars=100):
    if len(word) > max_chars:
        return [unk]
    pieces, start = [], 0
    while start < len(word):
        end = len(word)
        while end > start:
            sub = word[start:end] if start == 0 else "##" + word[start:end]
            if sub in vocab:
                break
            end -= 1
        if end == start:
            return [unk]
        pieces.append(sub)
        start = end
    return pieces


class Tokenizer:
    def __init__(self, tokens):
        self.tokens = list(tokens)
        self.ids = {t: i for i, t in enumerate(self.tokens)}
        assert len(self.ids) == len(self.tokens), "duplicate vocabulary entry"
        assert self.tokens[:len(SPECIALS)] == SPECIALS

    def pieces(self, text):
        return [p for w in basic_tokenize(text) for p in wordpiece(w, self.ids)]

    def encode(self, text):
        """[CLS] pieces [SEP], as ids: what attnviz feeds the model."""
        return [self.ids["[CLS]"]] + [self.ids[p] for p in self.pieces(text)] + [self.ids["[SEP]"]]


def build_vocab(texts, forced_words):
    """Specials, every character and "##" + every letter and digit, the
    N_PREFIX word-initial and N_CONT "##" pieces (2 to 6 characters) that
    cover most characters of the words left out, the N_WORDS most frequent
    words, and every word of the generated sentences."""
    counts = collections.Counter(w for t in texts for w in basic_tokenize(t))
    words = sorted(counts, key=lambda w: (-counts[w], w))
    keep = set(words[:N_WORDS]) | set(forced_words)
    chars = sorted({c for w in counts for c in w})
    pre, cont = collections.Counter(), collections.Counter()
    for w in words:
        if w in keep:
            continue
        for k in range(2, 7):  # score: occurrences times the characters a piece saves
            if k < len(w):
                pre[w[:k]] += counts[w] * (k - 1)
            for i in range(1, len(w) - k + 1):
                cont["##" + w[i:i + k]] += counts[w] * (k - 1)
    top = lambda c, n: [t for t, _ in sorted(c.items(), key=lambda kv: (-kv[1], kv[0]))[:n]]
    tokens = (list(SPECIALS) + chars + ["##" + c for c in chars if c.isalnum()] + top(pre, N_PREFIX)
              + top(cont, N_CONT) + sorted(keep, key=lambda w: (-counts[w], w)))
    return list(dict.fromkeys(tokens))


# ---------------------------------------------------------------- text

def wordnet_sentences():
    """Definitions ("lemma : gloss") and the quoted examples of every synset."""
    out = []
    for pos in ("noun", "verb", "adj", "adv"):
        with open(os.path.join(WORDNET, "data." + pos), encoding="ascii") as f:
            for line in f:
                if line.startswith("  ") or " | " not in line:
                    continue  # licence header
                head, gloss = line.rstrip().split(" | ", 1)
                lemma = re.sub(r"\(.*\)$", "", head.split()[4]).replace("_", " ")
                definition = gloss.split('"')[0].strip().rstrip(";").strip()
                if definition:
                    out.append(lemma + " : " + definition)
                out.extend(e.strip() for e in re.findall(r'"([^"]+)"', gloss) if e.strip())
    return out


# Generated sentences: an agent, a place, a pronoun, an adjective that fits
# one of them. Nouns are (singular, plural, pronoun); pronoun "he/she" is
# either one.
ANIMALS = """animal dog cat horse cow fox deer:deer rabbit goat sheep:sheep pig mouse:mice bear wolf:wolves
duck chicken turtle lion tiger elephant donkey camel puppy kitten squirrel goose:geese frog lamb pony
bull hen rat monkey zebra giraffe kangaroo""".split()
PEOPLE = """man:men:he boy::he king::he father::he brother::he prince::he woman:women:she girl::she
queen::she mother::she sister::she princess:princesses:she farmer::he/she soldier::he/she
teacher::he/she hunter::he/she traveler::he/she child:children:he/she student::he/she""".split()
PLACES = {  # kind: nouns
    "water": "river canal stream lake creek pond".split(),
    "road": "street road highway avenue track path trail lane railway bridge".split(),
    "land": "field valley hill desert swamp meadow mountain forest".split(),
}
AGENT_ADJ = """tired sleepy weak scared afraid lazy hungry exhausted sick nervous frightened weary
injured timid shy worried hurt clumsy""".split()
PLACE_ADJ = {
    "water": "wide deep polluted flooded frozen rough".split(),
    "road": "wide busy crowded long icy slippery muddy flooded".split(),
    "land": "wide steep muddy rocky long flooded".split(),
}
VERBS = {
    "water": ["cross", "swim across", "go across", "get across"],
    "road": ["cross", "walk across", "run across", "go across", "get across"],
    "land": ["cross", "walk across", "run across", "go across", "get across"],
}
TEMPLATES = [  # {A} agent, {P} place, {V} verb, {pr} pronoun, {be}/{beP} was/were, {J} adjective
    "The {A} didn't {V} the {P} because {pr} {be} too {J}.",
    "The {A} did not {V} the {P} because {pr} {be} too {J}.",
    "The {A} couldn't {V} the {P} because {pr} {be} so {J}.",
    "The {A} refused to {V} the {P} because {pr} {be} too {J}.",
    "The {A} would not {V} the {P} since {pr} {be} too {J}.",
    "The {A} stopped before the {P} because {pr} {be} too {J}.",
    "The {A} turned back at the {P} because {pr} {be} too {J}.",
    "The {P} {beP} not crossed by the {A} because {pr} {be} too {J}.",
    "The {P} {beP} too hard for the {A} to {V} because {pr} {be} so {J}.",
    "The {P} stopped the {A} because {pr} {be} too {J}.",
]


def noun_table():
    agents = {}  # singular -> (plural, pronouns, is_animal)
    for spec in ANIMALS:
        parts = spec.split(":")
        agents[parts[0]] = (parts[1] if len(parts) > 1 else parts[0] + "s", ["it"], True)
    for spec in PEOPLE:
        s, p, pr = spec.split(":")
        agents[s] = (p or s + "s", pr.split("/"), False)
    places = {}  # singular -> (plural, kind)
    for kind, nouns in PLACES.items():
        for n in nouns:
            places[n] = (n + "es" if n.endswith("ch") else n + "s", kind)
    return agents, places


def make_sentence(rng, agents, places, agent, place, adj, to_agent, plural):
    a_pl, a_pr, _ = agents[agent]
    p_pl, kind = places[place]
    pr = ("they" if plural else rng.choice(a_pr)) if to_agent else ("they" if plural else "it")
    be = "were" if plural else "was"
    t = rng.choice(TEMPLATES)
    text = t.format(A=a_pl if plural else agent, P=p_pl if plural else place, V=rng.choice(VERBS[kind]),
                    pr=pr, be=be, beP=be, J=adj)
    ante = (a_pl if plural else agent) if to_agent else (p_pl if plural else place)
    other = (p_pl if plural else place) if to_agent else (a_pl if plural else agent)
    return text, pr, ante, other


def generated_words(agents, places):
    """Every word a generated sentence can hold (all kept whole in the vocabulary)."""
    fill = dict(A=" ".join(list(agents) + [agents[a][0] for a in agents]),
                P=" ".join(list(places) + [places[p][0] for p in places]),
                V=" ".join(v for vs in VERBS.values() for v in vs), pr="it they he she", be="was were",
                beP="was were", J=" ".join(AGENT_ADJ + [j for js in PLACE_ADJ.values() for j in js]))
    return {w for t in TEMPLATES for w in basic_tokenize(t.format(**fill))}


def heldout_pairs(agents, places, seed):
    """(noun, adjective) pairs no training sentence contains together: 25
    animal/agent-adjective and 25 place/place-adjective pairs, plus the
    example sentence's (animal, tired) and (street, wide)."""
    rng = random.Random(seed * 7919 + 1)
    animal = sorted((n, j) for n in agents if agents[n][2] for j in AGENT_ADJ)
    place = sorted((n, j) for n in places for j in PLACE_ADJ[places[n][1]])
    pairs = {("animal", "tired"), ("street", "wide")}
    pairs |= set(rng.sample([p for p in animal if p not in pairs], 25))
    pairs |= set(rng.sample([p for p in place if p not in pairs], 25))
    for pool in (animal, place):  # every noun and adjective is still seen in training
        for i in (0, 1):
            assert {p[i] for p in pool} == {p[i] for p in pool if p not in pairs}
    return sorted(pairs)


def coref_sample(rng, agents, places, held):
    """One training sentence: (text, pronoun, antecedent, contrast); never one
    with a held-out (noun, adjective) pair."""
    while True:
        agent, place = rng.choice(sorted(agents)), rng.choice(sorted(places))
        to_agent = rng.random() < 0.5
        adj = rng.choice(AGENT_ADJ if to_agent else PLACE_ADJ[places[place][1]])
        if (agent, adj) in held or (place, adj) in held:
            continue
        return make_sentence(rng, agents, places, agent, place, adj, to_agent, rng.random() < 0.2)


def heldout_set(agents, places, held, seed):
    """Three sentences per held-out pair (animal agents only, so the pronoun is
    "it" or "they"): (text, pronoun, antecedent, contrast)."""
    rng = random.Random(seed * 104729 + 2)
    rows, seen = [], set()
    for noun, adj in sorted(held):
        k = 0
        while k < 3:
            if noun in agents:
                agent, place = noun, rng.choice(sorted(places))
            else:
                agent, place = rng.choice(sorted(n for n in agents if agents[n][2])), noun
            row = make_sentence(rng, agents, places, agent, place, adj, noun in agents, rng.random() < 0.2)
            if row[0] not in seen:
                seen.add(row[0])
                rows.append(row)
                k += 1
    return rows
