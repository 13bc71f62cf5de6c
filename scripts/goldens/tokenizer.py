"""Goldens for the Swift CLIP tokenizer, recorded from Hugging Face's slow `CLIPTokenizer`.

The tokenizer is built from Tests/Fixtures/clip-tokenizer (vocab.json + merges.txt, the files of
openai/clip-vit-base-patch32). Without ftfy installed, transformers cleans text with its BERT
`BasicTokenizer` (control characters dropped, whitespace collapsed, CJK ideographs spaced, NFC,
lower case); the Swift port reproduces that path, so the goldens must be made without ftfy too.

Writes, in Tests/Fixtures/tokenizer/:
- goldens.json: a list of {text, ids}, `tokenizer.encode(text)` (start and end tokens, no padding);
- batch.json: {context_length, texts, ids} for `tokenizer(texts, padding="max_length",
  truncation=True, max_length=context_length)`, at two context lengths;
- random.json: a list of {text, ids} for 200 seeded random strings of code points from all over
  Unicode (with ASCII, whitespace, marks, contractions and special tokens over-represented);
- decode.json: a list of {ids, skip_special_tokens, text} for `tokenizer.decode`, including
  random id sequences (byte tokens that are not valid UTF-8 on their own);
- meta.json: the versions that produced them (transformers, Python, its Unicode database).

With --unicode14-table it instead prints the Swift table of code points that Python's unicodedata
(Unicode 14.0 in Python 3.11) calls unassigned; HF drops them as control characters.

Usage: python3 scripts/goldens/tokenizer.py [--unicode14-table]
"""
import json
import os
import sys
import unicodedata

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
VOCAB_DIR = os.path.join(ROOT, "Tests", "Fixtures", "clip-tokenizer")
OUT_DIR = os.path.join(ROOT, "Tests", "Fixtures", "tokenizer")

# The 101 Food-101 classes, in the dataset's order (meta/classes.txt).
FOOD101 = """apple_pie baby_back_ribs baklava beef_carpaccio beef_tartare beet_salad beignets bibimbap
bread_pudding breakfast_burrito bruschetta caesar_salad cannoli caprese_salad carrot_cake ceviche
cheese_plate cheesecake chicken_curry chicken_quesadilla chicken_wings chocolate_cake
chocolate_mousse churros clam_chowder club_sandwich crab_cakes creme_brulee croque_madame cup_cakes
deviled_eggs donuts dumplings edamame eggs_benedict escargots falafel filet_mignon fish_and_chips
foie_gras french_fries french_onion_soup french_toast fried_calamari fried_rice frozen_yogurt
garlic_bread gnocchi greek_salad grilled_cheese_sandwich grilled_salmon guacamole gyoza hamburger
hot_and_sour_soup hot_dog huevos_rancheros hummus ice_cream lasagna lobster_bisque
lobster_roll_sandwich macaroni_and_cheese macarons miso_soup mussels nachos omelette onion_rings
oysters pad_thai paella pancakes panna_cotta peking_duck pho pizza pork_chop poutine prime_rib
pulled_pork_sandwich ramen ravioli red_velvet_cake risotto samosa sashimi scallops seaweed_salad
shrimp_and_grits spaghetti_bolognese spaghetti_carbonara spring_rolls steak strawberry_shortcake
sushi tacos takoyaki tiramisu tuna_tartare waffles""".split()
assert len(FOOD101) == 101 and FOOD101 == sorted(FOOD101), "Food-101 has 101 classes, sorted"

LONG_TEXT = (
    "A photo of a plate of spaghetti carbonara with pancetta, pecorino romano, black pepper and a "
    "raw egg yolk on top, served on a wooden table next to a glass of red wine, a basket of garlic "
    "bread, a small bowl of olives, a green salad with balsamic vinegar, two forks, a knife, a "
    "folded napkin and a candle, photographed at dusk in a small trattoria in Rome, Italy, in 2019."
)

VARIED = [
    # Plain English, case, punctuation.
    "a photo of a cat.",
    "A PHOTO OF A DOG!",
    "Hello, world!",
    "The quick brown fox jumps over the lazy dog",
    "ALL CAPS SENTENCE WITH NUMBERS 2024",
    "CamelCaseWordsTogether",
    "snake_case_identifier",
    "!!!???...",
    "hello...world",
    "e-mail: someone@example.com",
    "https://example.com/path?query=1&x=y#frag",
    "#hashtag @mention $dollar %percent ^caret &amp *star",
    "(parentheses) [brackets] {braces} <angles>",
    'quotes "double" and \'single\' and `back`',
    "mixed123numbers456and789letters",
    # Contractions (the split pattern's 's 't 're 've 'm 'll 'd), including where they are not.
    "don't",
    "it's",
    "I'm sure you're right, we've seen they'll say she'd go",
    "DON'T STOP BELIEVIN'",
    "rock 'n' roll",
    "'s at the start, 'twas",
    "it'S LOUD'S",
    "the cats' toys!'s",
    # Numbers: one digit a token.
    "12345",
    "pi is 3.14159 and e is 2,718",
    "$100.00 for 2 pizzas",
    "room 101, floor -2, 1st place, 22nd",
    "\u00bd cup, x\u00b2 and y\u00b3",
    "\u0663 arabic-indic digits \u0661\u0662",
    # Whitespace clean-up.
    "   leading and trailing spaces   ",
    "multiple    spaces\tand\ttabs\nand\nnewlines\r\nwindows",
    "",
    "   ",
    "\t\n",
    "non\u00a0breaking\u3000ideographic\u2003em space",
    "line\u2028separator\u2029paragraph",
    "vertical\x0btab\x0cform feed",
    "control\x07bell\x00null\ufffdreplacement",
    "zero\u200bwidth\u200djoiner",
    "private\ue000use",
    # Long words.
    "supercalifragilisticexpialidocious",
    "pneumonoultramicroscopicsilicovolcanoconiosis",
    "Antidisestablishmentarianism",
    # Special tokens, written out and in other cases.
    "a photo of a <|endoftext|> token",
    "<|startoftext|>already marked<|endoftext|>",
    "a<|endoftext|>b",
    "<|endoftext|><|endoftext|>",
    "<|ENDOFTEXT|> upper-case special",
    "!<|endoftext|>",
    # Non-ASCII: accents, decomposed accents, Latin special cases.
    "caf\u00e9 cr\u00e8me br\u00fbl\u00e9e",
    "na\u00efve fa\u00e7ade jalape\u00f1o",
    "cafe\u0301 decomposed",
    "\u00c9COLE \u00c7A VA",
    "Stra\u00dfe",
    "\u0130stanbul",
    "\ufb01 ligature \ufb00",
    "\u2126 ohm sign",
    "\u039f\u0394\u039f\u03a3 \u03a3\u0391\u03a3",
    "x\u0345y",
    "'\u017f long s",
    # Other scripts.
    "\u041f\u0440\u0438\u0432\u0435\u0442, \u043c\u0438\u0440!",
    "\u0645\u0631\u062d\u0628\u0627 \u0628\u0627\u0644\u0639\u0627\u0644\u0645",
    "\u0928\u092e\u0938\u094d\u0924\u0947",
    "\ud55c\uad6d\uc5b4 \ube44\ube54\ubc25",
    "\u65e5\u672c\u8a9e\u306e\u30c6\u30ad\u30b9\u30c8",
    "\u5bff\u53f8\u3068\u30e9\u30fc\u30e1\u30f3",
    "\u4e2d\u6587\u5b57\u7b26\u6d4b\u8bd5",
    # Emoji: plain, variation selector, ZWJ sequence, skin tone, Unicode 15 (unassigned in 14.0).
    "\U0001f355\U0001f354\U0001f35f",
    "I \u2764\ufe0f sushi \U0001f363",
    "\U0001f468\u200d\U0001f469\u200d\U0001f467 family",
    "thumbs \U0001f44d\U0001f3fd up",
    "\U0001fae8 shaking face",
    # Longer than the context.
    LONG_TEXT,
]

TEMPLATED = ["a photo of {}, a type of food.".format(name.replace("_", " ")) for name in FOOD101]

BATCH_TEXTS = [
    "a photo of pizza, a type of food.",
    LONG_TEXT,
    "",
    "caf\u00e9 cr\u00e8me br\u00fbl\u00e9e",
    "<|endoftext|>",
]


def random_texts(count, seed=20241123):
    """Seeded random strings: code points from all planes, some pools over-represented."""
    import random

    rng = random.Random(seed)
    pieces = ["'s", "'t", "'re", "'ve", "'ll", "'d", "'m", "'S", "'\u017f", "<|endoftext|>", "<|startoftext|>",
              "<|ENDOFTEXT|>", "\u03a3", "\u03a3\u0391\u03a3", "\u0130", "\u00df", "\ufb01", "\u0345", "e\u0301", "\ufe0f"]
    spaces = list(" \t\n\r\x0b\x0c\x85\xa0\u2028\u2029\u3000\u200b\u200d\ufeff\x00\ufffd")

    def code_point():
        r = rng.random()
        if r < 0.3:
            cp = rng.randint(0x20, 0x7E)
        elif r < 0.6:
            cp = rng.randint(0x80, 0x2FFF)
        elif r < 0.8:
            cp = rng.randint(0x3000, 0x1FFFF)
        else:
            cp = rng.randint(0x20000, 0x10FFFF)
        return chr(0x41 if 0xD800 <= cp <= 0xDFFF else cp)

    def piece():
        r = rng.random()
        if r < 0.1:
            return rng.choice(pieces)
        if r < 0.2:
            return rng.choice(spaces)
        return code_point()

    return ["".join(piece() for _ in range(rng.randint(1, 24))) for _ in range(count)]


def random_ids(count, seed=77):
    import random

    rng = random.Random(seed)
    return [[rng.randint(0, 511) if rng.random() < 0.6 else rng.randint(0, 49407) for _ in range(rng.randint(1, 12))]
            for _ in range(count)]


def load_tokenizer():
    try:
        import ftfy  # noqa: F401

        sys.exit("ftfy is installed: transformers would use it; uninstall it to record the BasicTokenizer path")
    except ImportError:
        pass
    from transformers import CLIPTokenizer

    tokenizer = CLIPTokenizer.from_pretrained(VOCAB_DIR)
    assert tokenizer.fix_text is None
    return tokenizer


def write_json(name, value):
    with open(os.path.join(OUT_DIR, name), "w", encoding="utf-8") as f:
        json.dump(value, f, ensure_ascii=True, indent=1)
        f.write("\n")


def write_goldens():
    import transformers

    tokenizer = load_tokenizer()
    os.makedirs(OUT_DIR, exist_ok=True)
    texts = VARIED + TEMPLATED
    encoded = [{"text": text, "ids": tokenizer.encode(text)} for text in texts]
    write_json("goldens.json", encoded)

    write_json("random.json", [{"text": text, "ids": tokenizer.encode(text)} for text in random_texts(200)])

    batches = []
    for length in (77, 16):
        ids = tokenizer(BATCH_TEXTS, padding="max_length", truncation=True, max_length=length)["input_ids"]
        batches.append({"context_length": length, "texts": BATCH_TEXTS, "ids": ids})
    write_json("batch.json", batches)

    decoded = []
    for entry in encoded[:60] + encoded[-3:]:
        for skip in (True, False):
            decoded.append({"ids": entry["ids"], "skip_special_tokens": skip, "text": tokenizer.decode(entry["ids"], skip_special_tokens=skip)})
    for row in batches[0]["ids"]:
        decoded.append({"ids": row, "skip_special_tokens": True, "text": tokenizer.decode(row, skip_special_tokens=True)})
    for ids in random_ids(50):
        decoded.append({"ids": ids, "skip_special_tokens": False, "text": tokenizer.decode(ids)})
    write_json("decode.json", decoded)

    write_json("meta.json", {
        "transformers": transformers.__version__,
        "python": sys.version.split()[0],
        "unicodedata": unicodedata.unidata_version,
        "ftfy": False,
    })
    print(f"{len(encoded)} encode goldens, {sum(len(b['texts']) for b in batches)} batch rows, {len(decoded)} decode goldens -> {OUT_DIR}")


def unassigned_ranges():
    ranges, start = [], None
    for cp in range(0x110001):
        unassigned = cp < 0x110000 and unicodedata.category(chr(cp)) == "Cn"
        if unassigned and start is None:
            start = cp
        elif not unassigned and start is not None:
            ranges.append((start, cp - 1))
            start = None
    return ranges


def print_unicode14_table():
    ranges = unassigned_ranges()
    print(f"// Generated by scripts/goldens/tokenizer.py --unicode14-table (Python {sys.version.split()[0]}, "
          f"unicodedata {unicodedata.unidata_version}): {len(ranges)} ranges.")
    print("// Code points unassigned (general category Cn) in that Unicode version, as closed ranges.")
    print()
    print("extension TextCleaner {")
    print(f'    static let pythonUnicodeVersion = "{unicodedata.unidata_version}"')
    print()
    print("    /// Flat pairs: lower bound, upper bound, lower bound, upper bound, ... in increasing order.")
    print("    static let pythonUnassignedRanges: [UInt32] = [")
    per_line = 6
    for i in range(0, len(ranges), per_line):
        chunk = ranges[i : i + per_line]
        print("        " + " ".join(f"0x{a:X}, 0x{b:X}," for a, b in chunk))
    print("    ]")
    print("}")


if __name__ == "__main__":
    if "--unicode14-table" in sys.argv[1:]:
        print_unicode14_table()
    else:
        write_goldens()
