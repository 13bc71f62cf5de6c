"""Derive Hugging Face's CLIP tokenizer files (vocab.json, merges.txt) from OpenAI's BPE file.

The layout is the one of openai/clip-vit-base-patch32: the 256 byte symbols, the same with the
word-end marker </w>, the first 48,894 merges joined, then <|startoftext|> and <|endoftext|>
(49,408 entries in all)."""
import gzip
import json
import os

MERGE_COUNT = 49152 - 256 - 2


def bytes_to_unicode():
    """GPT-2's reversible map from bytes to printable unicode characters."""
    printable = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    codes = printable[:]
    extra = 0
    for b in range(256):
        if b not in printable:
            printable.append(b)
            codes.append(256 + extra)
            extra += 1
    return dict(zip(printable, (chr(c) for c in codes)))


def write_clip_vocab(bpe_gz_path, out_dir):
    with gzip.open(bpe_gz_path, "rt", encoding="utf-8") as f:
        merges = f.read().split("\n")[1 : MERGE_COUNT + 1]
    symbols = list(bytes_to_unicode().values())
    vocab = symbols + [s + "</w>" for s in symbols] + ["".join(m.split()) for m in merges]
    vocab += ["<|startoftext|>", "<|endoftext|>"]
    os.makedirs(out_dir, exist_ok=True)
    with open(os.path.join(out_dir, "vocab.json"), "w", encoding="utf-8") as f:
        json.dump({token: index for index, token in enumerate(vocab)}, f, ensure_ascii=False)
    with open(os.path.join(out_dir, "merges.txt"), "w", encoding="utf-8") as f:
        f.write("#version: 0.2\n" + "\n".join(merges) + "\n")
    return len(vocab)


if __name__ == "__main__":
    import sys
    print(write_clip_vocab(sys.argv[1], sys.argv[2]), "entries")
