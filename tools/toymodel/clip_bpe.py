"""A tiny CLIP-format byte-level BPE tokenizer for the toy captions, and CLIP's tokenization algorithm.

Vocabulary layout follows CLIP (openai/CLIP simple_tokenizer, HF CLIPTokenizer):
    ids 0..255    the 256 byte symbols in bytes_to_unicode order ("!" = 0)
    ids 256..511  the same symbols with "</w>" appended
    then one id per merge, in merge order; then <|startoftext|>, <|endoftext|> (the two highest ids).
The merges are learned here by plain BPE on the caption words (data.CAPTION_WORDS) until every caption
word is one token; any other text still tokenizes through the byte symbols.

Encoding (what seedgrid's Java tokenizer does, per DESIGN.md): NFC, collapse whitespace, strip,
lowercase; split with CLIP's pattern
    <|startoftext|>|<|endoftext|>|'s|'t|'re|'ve|'m|'ll|'d|[\\p{L}]+|[\\p{N}]|[^\\s\\p{L}\\p{N}]+
(emulated with unicodedata since Debian's Python has no `regex`); each piece -> UTF-8 bytes -> byte
symbols, "</w>" on the last; merge the lowest-ranked adjacent pair until none is ranked;
ids = bos + first 75 tokens + eos, padded to 77 with the pad id.

Rerun: `/usr/bin/python3 tools/toymodel/clip_bpe.py DIR pad` writes DIR/{vocab.json,merges.txt,
tokenizer_config.json,special_tokens_map.json} with pad "<|endoftext|>" or "!".
"""
import json
import os
import sys
import unicodedata

import numpy as np

import data

BOS, EOS = "<|startoftext|>", "<|endoftext|>"
MAX_LEN = 77


def bytes_to_unicode():
    """CLIP/GPT-2 map from the 256 bytes to printable unicode characters."""
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) \
        + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return dict(zip(bs, [chr(c) for c in cs]))


BYTE_ENC = bytes_to_unicode()


def word_symbols(piece):
    syms = [BYTE_ENC[b] for b in piece.encode("utf-8")]
    syms[-1] = syms[-1] + "</w>"
    return syms


def learn_merges(words):
    """Plain BPE over the given words (each counted once) until every word is a single symbol."""
    segs = {w: word_symbols(w) for w in words}
    merges = []
    while True:
        counts = {}
        for syms in segs.values():
            for pair in zip(syms, syms[1:]):
                counts[pair] = counts.get(pair, 0) + 1
        if not counts:
            return merges
        best = min(counts, key=lambda p: (-counts[p], p))
        merges.append(best)
        segs = {w: merge_pair(syms, best) for w, syms in segs.items()}


def merge_pair(symbols, pair):
    """symbols with every adjacent occurrence of pair (left to right) joined into one symbol."""
    out, i = [], 0
    while i < len(symbols):
        if i + 1 < len(symbols) and (symbols[i], symbols[i + 1]) == pair:
            out.append(symbols[i] + symbols[i + 1])
            i += 2
        else:
            out.append(symbols[i])
            i += 1
    return out


def build_vocab(merges):
    base = list(BYTE_ENC.values())
    vocab = base + [v + "</w>" for v in base] + ["".join(m) for m in merges] + [BOS, EOS]
    if len(set(vocab)) != len(vocab):
        raise ValueError("duplicate vocabulary entries")
    return {tok: i for i, tok in enumerate(vocab)}


def _cat(c):
    cat = unicodedata.category(c)
    if cat.startswith("L"):
        return "L"
    if cat.startswith("N"):
        return "N"
    if c.isspace():
        return "S"
    return "P"


_CONTRACTIONS = ["'s", "'t", "'re", "'ve", "'m", "'ll", "'d"]


def pre_tokenize(text):
    """CLIP's cleaning and regex split (alternatives tried in order at each position, greedy)."""
    text = " ".join(unicodedata.normalize("NFC", text).split()).lower()
    pieces, i, n = [], 0, len(text)
    while i < n:
        if _cat(text[i]) == "S":
            i += 1
            continue
        matched = None
        for lit in [BOS, EOS] + _CONTRACTIONS:
            if text.startswith(lit, i):
                matched = lit
                break
        if matched is None:
            c = _cat(text[i])
            j = i + 1
            if c == "L":
                while j < n and _cat(text[j]) == "L":
                    j += 1
            elif c == "P":
                while j < n and _cat(text[j]) == "P":
                    j += 1
            matched = text[i:j]
        pieces.append(matched)
        i += len(matched)
    return pieces


class Tokenizer:
    def __init__(self, vocab, merges, pad_token):
        self.vocab = vocab
        self.ranks = {tuple(m): r for r, m in enumerate(merges)}
        self.merges = merges
        self.pad_token = pad_token
        self.bos, self.eos, self.pad = vocab[BOS], vocab[EOS], vocab[pad_token]
        self.cache = {}

    @staticmethod
    def load(folder):
        with open(os.path.join(folder, "vocab.json")) as f:
            vocab = json.load(f)
        with open(os.path.join(folder, "merges.txt")) as f:
            lines = f.read().strip().split("\n")[1:]
        with open(os.path.join(folder, "tokenizer_config.json")) as f:
            pad = json.load(f)["pad_token"]
        return Tokenizer(vocab, [tuple(l.split()) for l in lines], pad)

    def bpe(self, piece):
        if piece in (BOS, EOS):
            return [piece]
        word = word_symbols(piece)
        while len(word) > 1:
            pairs = set(zip(word, word[1:]))
            best = min(pairs, key=lambda p: self.ranks.get(p, float("inf")))
            if best not in self.ranks:
                break
            word = merge_pair(word, best)
        return word

    def tokens(self, text):
        out = []
        for p in pre_tokenize(text):
            out.extend(self.bpe(p))
        return out

    def encode(self, text):
        """77 ids: bos + up to 75 tokens + eos, padded with the pad id."""
        if text in self.cache:
            return self.cache[text]
        ids = [self.vocab[t] for t in self.tokens(text)][:MAX_LEN - 2]
        ids = [self.bos] + ids + [self.eos]
        ids = ids + [self.pad] * (MAX_LEN - len(ids))
        self.cache[text] = ids
        return ids

    def encode_batch(self, texts):
        return np.array([self.encode(t) for t in texts], dtype=np.int64)

    def save(self, folder):
        os.makedirs(folder, exist_ok=True)
        with open(os.path.join(folder, "vocab.json"), "w", encoding="utf-8") as f:
            json.dump(self.vocab, f, ensure_ascii=False)
        with open(os.path.join(folder, "merges.txt"), "w", encoding="utf-8") as f:
            f.write("#version: 0.2\n")
            for a, b in self.merges:
                f.write(a + " " + b + "\n")
        config = {
            "add_prefix_space": False, "bos_token": BOS, "clean_up_tokenization_spaces": True,
            "do_lower_case": True, "eos_token": EOS, "errors": "replace", "model_max_length": MAX_LEN,
            "pad_token": self.pad_token, "tokenizer_class": "CLIPTokenizer", "unk_token": EOS,
        }
        with open(os.path.join(folder, "tokenizer_config.json"), "w") as f:
            json.dump(config, f, indent=2)
        special = {"bos_token": BOS, "eos_token": EOS, "pad_token": self.pad_token, "unk_token": EOS}
        with open(os.path.join(folder, "special_tokens_map.json"), "w") as f:
            json.dump(special, f, indent=2)


def build(pad_token=EOS):
    merges = learn_merges(data.CAPTION_WORDS)
    tok = Tokenizer(build_vocab(merges), merges, pad_token)
    for w in data.CAPTION_WORDS:
        if len(tok.tokens(w)) != 1:
            raise AssertionError("caption word not a single token: " + w)
    return tok


VOCAB_SIZE = len(build().vocab)

if __name__ == "__main__":
    pad = EOS if len(sys.argv) < 3 or sys.argv[2] != "!" else "!"
    t = build(pad)
    t.save(sys.argv[1])
    print(len(t.vocab), "ids,", len(t.merges), "merges ->", sys.argv[1])
