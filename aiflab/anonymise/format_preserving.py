"""Format-preserving pseudonyms: a keyed permutation of the digits and letters of an identifier.

Digits become digits and letters become letters of the same case, in place; separators
(`` -./()+:_``) and the first `keep_prefix` characters stay as they are. The digit string and the
letter string are each permuted by a ten-round Feistel network over their radix (10 or 26) with
AES-256 as round function, in the manner of NIST SP 800-38G FF1 (not a certified FF1
implementation). Being a permutation, it cannot collide: two different identifiers of one layout
always get two different pseudonyms. The letters tweak the digit permutation. All values of one
length are processed together with numpy and one AES-ECB call per round, so a column of a million
identifiers takes about a second.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict

import numpy as np

SEPARATORS = frozenset(" -./()+:_")
MAX_DIGITS = 36
MAX_LETTERS = 26
_ROUNDS = 10
_ALPHABET = {10: np.frombuffer(b"0123456789", np.uint8),
             26: np.frombuffer(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ", np.uint8)}
_VALUE_OF = np.zeros(256, np.uint64)
_VALUE_OF[48:58] = np.arange(10, dtype=np.uint64)
_VALUE_OF[65:91] = np.arange(26, dtype=np.uint64)


def permute(values: list[str], key: bytes, keep_prefix: int = 0) -> list[str]:
    """The format-preserving pseudonym of each value under the 32-byte `key`.

    ValueError when a value has other characters than ASCII digits, letters and separators, or
    more than 36 digits or 26 letters (the message never quotes the value).
    """
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

    encrypt = Cipher(algorithms.AES(key), modes.ECB()).encryptor().update
    prefixes, bodies = [v[:keep_prefix] for v in values], [v[keep_prefix:] for v in values]
    letters = [_letters(body) for body in bodies]
    digits = ["".join(c for c in body if c.isdigit()) for body in bodies]
    if any(len(d) > MAX_DIGITS for d in digits) or any(len(x) > MAX_LETTERS for x in letters):
        raise ValueError(f"the digits format takes at most {MAX_DIGITS} digits and {MAX_LETTERS} letters "
                         f"per value; use the hex or token format")
    tweaks = [int.from_bytes(hashlib.blake2b(x.encode(), digest_size=5).digest(), "big") if x else 0
              for x in letters]
    new_letters = _permute_strings(letters, [0] * len(values), 26, encrypt)
    new_digits = _permute_strings(digits, tweaks, 10, encrypt)
    return [prefix + _reassemble(body, d, x) for prefix, body, d, x
            in zip(prefixes, bodies, new_digits, new_letters, strict=True)]


def _letters(body: str) -> str:
    for c in body:
        if not (c.isascii() and c.isalnum()) and c not in SEPARATORS:
            raise ValueError("the digits format keeps only ASCII digits, letters and the separators "
                             f"{''.join(sorted(SEPARATORS))!r}; a value has another character: "
                             "use hex or token")
    return "".join(c for c in body if c.isalpha()).upper()


def _reassemble(body: str, digits: str, letters: str) -> str:
    out, d, x = [], iter(digits), iter(letters)
    for c in body:
        if c.isdigit():
            out.append(next(d))
        elif c.isalpha():
            letter = next(x)
            out.append(letter if c.isupper() else letter.lower())
        else:
            out.append(c)
    return "".join(out)


def _permute_strings(strings: list[str], tweaks: list[int], radix: int, encrypt) -> list[str]:
    """Permute each string of symbols in `radix`, grouping strings of equal length."""
    out = list(strings)
    groups: dict[int, list[int]] = defaultdict(list)
    for i, s in enumerate(strings):
        if s:
            groups[len(s)].append(i)
    for n, rows in groups.items():
        symbols = _VALUE_OF[np.frombuffer("".join(strings[i] for i in rows).encode(), np.uint8)]
        symbols = symbols.reshape(len(rows), n)
        tweak = np.asarray([tweaks[i] for i in rows], dtype=np.uint64)
        permuted = _feistel(symbols, tweak, radix, encrypt) if n > 1 else _single(symbols, radix, encrypt)
        text = _ALPHABET[radix][permuted].view(f"S{n}").ravel().astype(f"U{n}").tolist()
        for i, s in zip(rows, text, strict=True):
            out[i] = s
    return out


def _prf(round_: int, n: int, radix: int, tweak: np.ndarray, b: np.ndarray, encrypt) -> np.ndarray:
    """AES-256 of the block (round, length, radix, 5-byte tweak, B): 64 pseudo-random bits per row."""
    blocks = np.zeros((len(b), 16), np.uint8)
    blocks[:, 0], blocks[:, 1], blocks[:, 2] = round_, n, radix
    blocks[:, 3:8] = tweak.astype(">u8").view(np.uint8).reshape(-1, 8)[:, 3:]
    blocks[:, 8:] = b.astype(">u8").view(np.uint8).reshape(-1, 8)
    return np.frombuffer(encrypt(blocks.tobytes()), ">u8").reshape(-1, 2)[:, 0].astype(np.uint64)


def _feistel(symbols: np.ndarray, tweak: np.ndarray, radix: int, encrypt) -> np.ndarray:
    n = symbols.shape[1]
    u, v = n // 2, n - n // 2
    r = np.uint64(radix)
    a, b = _number(symbols[:, :u], r), _number(symbols[:, u:], r)
    for i in range(_ROUNDS):
        m = np.uint64(radix ** (u if i % 2 == 0 else v))
        c = (a + _prf(i, n, radix, tweak, b, encrypt) % m) % m
        a, b = b, c
    return np.hstack([_symbols(a, u, r), _symbols(b, v, r)])


def _single(symbols: np.ndarray, radix: int, encrypt) -> np.ndarray:
    """One symbol: a keyed shuffle of the radix (a Feistel network needs two halves)."""
    rank = _prf(255, 1, radix, np.zeros(radix, np.uint64), np.arange(radix, dtype=np.uint64), encrypt)
    return np.argsort(rank, kind="stable").astype(np.uint64)[symbols]


def _number(symbols: np.ndarray, r: np.uint64) -> np.ndarray:
    out = np.zeros(len(symbols), np.uint64)
    for j in range(symbols.shape[1]):
        out = out * r + symbols[:, j]
    return out


def _symbols(x: np.ndarray, m: int, r: np.uint64) -> np.ndarray:
    out = np.empty((len(x), m), np.uint64)
    for j in range(m - 1, -1, -1):
        out[:, j] = x % r
        x = x // r
    return out
