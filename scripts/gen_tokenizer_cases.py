#!/usr/bin/python3
"""gen_tokenizer_cases.py — writes tests/data/tokenizer-cases.inp: the hard
cases of the tokenizer parity tests (tests/unit/text/test_tokenizer_parity.c,
which asks Hugging Face's `tokenizers` binding for the answers when it runs).

Each case is followed by "\\n__ggml_vocab_test__\\n" (llama.cpp's format).
The cases cover every script the tokenizers of today's models meet, emoji
sequences, combining marks, text that NFKC changes, numbers, code with tabs
and CRLF, whitespace runs, control and format characters, and special tokens
written inside the text. Deterministic: running it again rewrites the same
bytes.

Run: /usr/bin/python3 scripts/gen_tokenizer_cases.py
"""
import os

SEP = "\n__ggml_vocab_test__\n"
HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "tests", "data", "tokenizer-cases.inp")

SCRIPTS = [
    "Hello, world! How are you doing today?",
    "The quick brown fox jumps over the lazy dog.",
    "Größere Äpfel, Übermut und Straße; IJsselmeer, Œuvre, Ærø, Øl, Åse.",
    "Français : « ça va ? » — oui, très bien ! L'œuvre d'été.",
    "Español: ¿Qué tal? ¡Muy bien! Niño, año, pingüino.",
    "Português: coração, ação, pão, não, você.",
    "Türkçe: İstanbul'da ılık bir gün; IĞDIR ve ıi İI.",
    "Azərbaycan dili: Əlifba, ğ, ı, ö, ü, ş, ç.",
    "Tiếng Việt: Cộng hòa Xã hội chủ nghĩa Việt Nam, người, được.",
    "Polski: Zażółć gęślą jaźń. Čeština: Příliš žluťoučký kůň.",
    "Русский: Съешь же ещё этих мягких французских булок, да выпей чаю.",
    "Українська: Їжак, ґанок, є, і. Беларуская: ў, і.",
    "Ελληνικά: Ξεσκεπάζω την ψυχοφθόρα βδελυγμία. ΟΔΟΣ ὁδός ᾅδης.",
    "العربية: مَرْحَبًا بِكُمْ فِي الْعَالَمِ ١٢٣٤ ٫ ؟",
    "فارسی: سلام دنیا، حالتان چطور است؟ ۱۲۳۴۵",
    "اردو: آپ کیسے ہیں؟",
    "עברית: שָׁלוֹם עוֹלָם! \u200fמה שלומך?\u200f",
    "Mixed bidi: abc \u202bעברית\u202c def \u2067اختبار\u2069 ghi \u202eevil\u202c.",
    "हिन्दी: नमस्ते दुनिया, आप कैसे हैं? क़ ख़ ग़ ज़ ड़ ढ़ फ़",
    "मराठी: महाराष्ट्र, संस्कृत: संस्कृतम्",
    "বাংলা: আমি বাংলায় গান গাই। ০১২৩",
    "ਪੰਜਾਬੀ: ਸਤ ਸ੍ਰੀ ਅਕਾਲ",
    "ગુજરાતી: કેમ છો?",
    "தமிழ்: வணக்கம் உலகம், நன்றி.",
    "తెలుగు: నమస్కారం ప్రపంచం",
    "ಕನ್ನಡ: ನಮಸ್ಕಾರ ಪ್ರಪಂಚ",
    "മലയാളം: നമസ്കാരം ലോകം",
    "සිංහල: ආයුබෝවන් ලෝකය",
    "ภาษาไทย: สวัสดีชาวโลก ภาษาไทยเป็นภาษาที่ไม่มีช่องว่าง",
    "ລາວ: ສະບາຍດີ ໂລກ",
    "ខ្មែរ: សួស្តី​ពិភពលោក",
    "မြန်မာ: မင်္ဂလာပါ ကမ္ဘာ",
    "བོད་ཡིག: བཀྲ་ཤིས་བདེ་ལེགས།",
    "ქართული: გამარჯობა მსოფლიო",
    "Հայերեն: Բարեւ աշխարհ",
    "አማርኛ: ሰላም ልዑል",
    "ᏣᎳᎩ: ᎣᏏᏲ ᏙᎯᏧ",
    "ᠮᠣᠩᠭᠣᠯ: ᠰᠠᠢᠨ\u180eᠪᠠᠢᠨ᠎ᠠ",
    "ᐃᓄᒃᑎᑐᑦ: ᐊᐃᓐᖓᐃ",
    "ᚠᚢᚦᚨᚱᚲ 𐌰𐌱𐌲 𓀀𓀁 𒀀𒀁",
    "한국어: 안녕하세요, 세계! 텍스트와 조합형 한글.",
    "Hangul jamo: \u1100\u1161\u11a8 \u1112\u1161\u11ab\u1100\u1173\u11af",
    "日本語: こんにちは世界。カタカナ、ひらがな、漢字。",
    "半角ｶﾀｶﾅ: ｺﾝﾆﾁﾊ ｶﾞｷﾞｸﾞ ﾊﾟﾋﾟﾌﾟ",
    "中文：你好，世界！我们今天学习自然语言处理。",
    "繁體中文：臺灣、香港、澳門的繁體字。",
    "CJK Ext: 𠀀𠀁𠀂 𪚥 𫠠 𬺰 𰀀 㐀㐁 鿕",
    "ꆈꌠꁱꂷ: ꀀꀁꀂ",
    "Ogham: ᚁᚂᚃ ᚄ, runes, and ꝏ ꜳ.",
]

EMOJI = [
    "👨‍👩‍👧‍👦 family 👩‍❤️‍💋‍👨 kiss 🧑‍🤝‍🧑 people",
    "👍🏻👍🏼👍🏽👍🏾👍🏿 thumbs",
    "🏳️‍🌈 🏳️‍⚧️ 🏴‍☠️ flags",
    "🇺🇸🇬🇧🇫🇷🇩🇪🇯🇵🇨🇳 regional indicators",
    "🏴󠁧󠁢󠁥󠁮󠁧󠁿 🏴󠁧󠁢󠁳󠁣󠁴󠁿 tag sequences",
    "1️⃣ 2️⃣ #️⃣ *️⃣ keycaps",
    "❤️ ❤ ☺️ ☺ ✔️ variation selectors",
    "hello😀world😀😀! 🤔💭",
    "🫠🫡🫢🫣🫤🥹 newer emoji",
    "❤️‍🔥 ❤️‍🩹 👁️‍🗨️ 🐻‍❄️",
    "🧑🏽‍💻 👩🏿‍🔬 🧑🏻‍🚀 👨🏾‍🍳",
    "😀" * 40,
]

MARKS = [
    "e\u0301 cafe\u0301 cafè n\u0303 a\u0308\u0304 o\u0328\u0301",
    "Z\u0335\u0321\u0322a\u0337\u0327l\u0336\u035fg\u0338\u034eo\u0334\u0353 text",
    "\u0301abc \u0301 x\u0301 \u20dd \u0489",
    "A\u030a vs \u00c5 vs \u212b; \u1e9b\u0323 and \u1e69",
    "q\u0307\u0323 q\u0323\u0307 \u1e0b\u0323 d\u0323\u0307",
    "क्‍ष क्‌ष ज्ञ श्री",
    "ä ä (precomposed and decomposed)",
    "\u0915\u093c \u0958 नुक़्ता",
    "ﬁ\u0301 é\u0308 \u0041\u030a\u0301",
]

NFKC = [
    "ﬁnance ﬂow ﬀ ﬃ ﬄ ﬅ ﬆ ligatures",
    "Ｆｕｌｌｗｉｄｔｈ　ｔｅｘｔ！１２３ ＡＢＣ ａｂｃ",
    "x² x³ H₂O 10⁶ ½ ¼ ¾ ⅓ ⅞",
    "Ⅻ ⅻ Ⅳ ℌ ℍ ℕ ℝ ℂ ℃ ℉ ㎏ ㎞ ™ ℠ №",
    "① ② ⑳ ⑴ ⒜ Ⓐ ⓐ ㉑",
    "ſtraße ſ 'ſ K Å Ω µ",
    "ﻼ ﷺ ﷽ ﭐ ﹰ",
    "豈 更 車 賈 滑 串 句 龜",
    "a\u00a0b\u2002c\u2003d\u2009e\u202ff\u205fg\u3000h",
    "…‥ ‼ ⁇ ⁈ ⁉ ‐‑‒–—―",
    "㍿ ㍻ ㋿ ㌀ ㌍",
    "ｶﾞ ﾊﾟ ｳﾞ ｧ ｨ",
    "𝐀𝐁𝐂 𝒜𝒞 𝔄𝔅 𝕬 𝖆 𝗔 𝘈 𝙰 𝟎𝟏𝟐",
]

NUMBERS = [
    "0", "7", "42", "123", "1234", "12345", "123456", "1234567", "12345678", "123456789",
    "1234567890", "12345678901234567890", "3.14159265358979", "-273.15", "+1.5e-10 6.02E23",
    "1,234,567.89 1.234.567,89 1 234 567", "100% 50‰ 3/4", "2024-06-30 23:59:59 UTC",
    "+1 (555) 123-4567, 555.123.4567", "192.168.0.1 ::1 fe80::1%eth0", "0xDEADBEEF 0b1010 0o777",
    "v1.2.3-beta.4+build.5", "1st 2nd 3rd 4th 21st 100th", "abc123def 123abc 4th",
    "٠١٢٣٤٥٦٧٨٩ ۰۱۲۳ ०१२३४ ০১২ ๐๑๒ ༠༡༢", "１２３４５ ６７８９０", "Ⅰ Ⅱ Ⅲ ⅰ ⅱ",
    "9" * 50, "1 22 333 4444 55555 666666", "$100 €50 £30 ¥20 ₹10 ₿0.5",
]

CODE = [
    "def f(x):\n\treturn x**2  # comment\n",
    "if (a && b || !c) {\n\t++i;\n\tj--;\n}\n",
    "#include <stdio.h>\r\nint main(void) {\r\n    printf(\"hi\\n\");\r\n    return 0;\r\n}\r\n",
    "{\"key\": \"value\", \"n\": [1, 2, 3], \"ok\": true, \"x\": null}",
    "<div class=\"a\"><p>Hello &amp; welcome</p><br/></div>",
    "for i in $(seq 1 10); do echo \"$i\"; done | grep -v 3 > /dev/null 2>&1",
    "SELECT id, name FROM users WHERE age >= 18 ORDER BY name;",
    "const re = /^[a-z0-9_.+-]+@[a-z0-9-]+\\.[a-z]{2,}$/i;",
    "\t\t\tdeeply\n\t\t\t\tindented\n  \t mixed\t \n",
    "x = [i for i in range(10) if i % 2 == 0]\nprint(x)\n",
    "fn main() { let v: Vec<u32> = (0..10).collect(); println!(\"{:?}\", v); }",
    "    def __init__(self, *args, **kwargs) -> None:\n        super().__init__()\n",
    "a\r\nb\r\n\r\nc\rd\n\re",
    "https://example.com/path/to/page?q=1&r=two#frag user@example.org",
    "@user #hashtag $TICKER ~tilde ^caret `backtick` |pipe|",
    "**bold** _italic_ `code` [link](http://x.y) ![img](a.png)",
    "∑_{i=1}^{n} x_i² ≈ ∫ f(x) dx ⇒ ∀ε>0 ∃δ",
    "┌─┬─┐\n│a│b│\n└─┴─┘ ⠁⠃⠉ ♠♣♥♦",
    "--flag=value -x -vvv --no-color file.txt",
    "//comment\n/* block */ int x = 0x1F; // trailing",
]

WHITESPACE = [
    "a b", "a  b", "a   b", "a    b", "a     b", "a          b",
    " leading", "  two leading", "trailing ", "trailing  ", "   both   ",
    "a\tb", "a\t\tb", "a \t b", "\t\tstart", "end\t\t",
    "a\nb", "a\n\nb", "a\n\n\nb", "a \nb", "a\n b", "a \n b", "\n\nstart", "end\n\n",
    "a\r\nb", "a\r\n\r\nb", "a\rb", " \n \n\n  \n",
    "a\u000bb\u000cc", "a\u00a0\u00a0b", "a\u2000\u2001\u2002b", "a\u3000\u3000b",
    "a\u200bb\u200cc\u200dd\u2060e", "a\ufeffb", "a\u00adb",
    " ", "  ", "\n", "\t", "\r\n", " \t\n\r ",
    " " * 100 + "x", "\n" * 30 + "y", "x" + " " * 64 + "y" + "\t" * 20 + "z",
    "word " * 30,
]

CONTROLS = [
    "a\u0000b\u0001c\u0007d\u001be\u007ff",
    "nel\u0085line sep\u2028para sep\u2029end",
    "c1\u0080\u0090\u009f controls",
    "\ue000\ue001 private \U000f0000 use \U0010fffd",
    "unassigned \u0378 \u0380 \U0002fffe \ufdd0 \ufffe \uffff",
    "replacement \ufffd char",
]

SPECIAL = [
    "<|im_start|>user\nHello!<|im_end|>\n<|im_start|>assistant\n",
    "<|im_start|>system\nYou are helpful.<|im_end|>",
    "<s> Hello </s>",
    "<s>Hello</s><s>again</s>",
    "[CLS] The [MASK] sat on the mat. [SEP]",
    "The [MASK] sat on [SEP] the mat [CLS] [mask] [PAD][UNK]",
    "<|endoftext|>Hello<|endoftext|> world <|endoftext|>",
    "<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|>",
    "<bos><start_of_turn>user\nHi<end_of_turn>\n<start_of_turn>model\n",
    "<pad><eos><unk><mask>",
    "<\uff5cbegin\u2581of\u2581sentence\uff5c>Hello<\uff5cend\u2581of\u2581sentence\uff5c>",
    "<think>\nreasoning\n</think>\n\nanswer",
    "<tool_call>{\"name\": \"f\"}</tool_call>",
    "<|start|>assistant<|channel|>final<|message|>Hi<|return|>",
    "<|im_start <|im_end| <s <|endoftext| [MAS",
    "<<s>> <<|im_start|>> [[MASK]]",
    "word<s>word </s>word <unk>",
    "a<|im_start|>b <|im_end|> c",
    "  <|im_start|>  spaced  <|im_end|>  ",
    "<|endoftext|><|endoftext|><|endoftext|>",
    "\u2581Hello \u2581\u2581world \u2581",
    "\u0120Hello \u010a newline char",
]

CONTRACTIONS = [
    "don't can't won't it's I'm you're we've they'll he'd",
    "DON'T CAN'T IT'S I'M YOU'RE WE'VE THEY'LL HE'D",
    "'S 'LL 'll've 'd've y'all'd've",
    "''s 's's 'ss' '''' 'm'",
    "don’t can’t it’s (curly apostrophes)",
    "it' s ' ll 'LL' end'",
    "'ſ 'K rock'n'roll O'Brien",
]

LONG = [
    "a" * 300,
    "supercalifragilistic" * 15,
    "é" * 120 + " " + "e\u0301" * 60,
    "漢字" * 150,
    "The " * 200 + "end.",
    "🙂" * 100,
    "x" * 1000,
]

MIXED = [
    "Hello мир 世界 عالم שלום नमस्ते Γειά 😀",
    "ASCII then 日本語 then English again, then 한국어.",
    "Price: 100€ (≈ $108) — 50% off!!! ***",
    "¿Qué? ¡Hola! «quotes» „German“ ‘single’ — dash – en … end",
    "CamelCaseWord snake_case_word kebab-case-word SCREAMING_CASE",
    "e-mail co-operate re-enter 3-D state-of-the-art",
    "Mr. Smith's 2nd car's tyre (R17) cost £1,200.50.",
    "tl;dr: LGTM, FWIW, IMHO, e.g., i.e., etc.",
    "?!?!?!... ---- ____ **** ~~~ ```",
    "Ǆ ǅ ǆ Ǉ ǈ ǉ ϐ ϑ ϕ ϰ ϱ ϵ",
    "ß ẞ ŉ ǰ ΐ ΰ ﬀ İ",
    "TitleCase ALLCAPS lowercase MiXeD",
    "x\u00b2\u00b3 H\u2082O 10\u2076 \u2155",
    "ﾊﾝｶｸ and ＺＥＮＫＡＫＵ side by side",
    "\u00e9\u0301 \u1e17 \u0113\u0301",
    # characters of later Unicode versions than some tables know (8.0, 9.0, 14.0)
    "a\u08d4b a\u1df6b \u32ff \U00011f04\U00011f05 \U0001e4d0\U0001e4d1 \U0001e030 \U0003134a \u0560 \u08e2 \U0001F979",
    "Kawi \U00011f04\U00011f05\U00011f06 Nag Mundari \U0001e4d0\U0001e4d1 digits \U0001e4f1\U0001e4f2",
]


def main():
    cases = SCRIPTS + EMOJI + MARKS + NFKC + NUMBERS + CODE + WHITESPACE + CONTROLS + SPECIAL + CONTRACTIONS + LONG + MIXED
    for c in cases:
        assert SEP not in c
    with open(OUT, "w", encoding="utf-8", newline="") as f:
        for c in cases:
            f.write(c + SEP)
    print("%d cases -> %s" % (len(cases), os.path.relpath(OUT)))


if __name__ == "__main__":
    main()
