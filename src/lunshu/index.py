"""The search index over paragraphs: exact substrings of any length, written with the paragraphs.

Why not the stock trigram tokenizer alone: it cannot answer one- or two-character terms, and a
word-segmenting tokenizer loses every hit the segmenter cut differently. So one contentless FTS5
table holds two columns of tokens we make ourselves from the *folded* text:

- ``tri``: every overlapping 3-character window, with positions, answering phrases of 3+
  characters as FTS5 phrases of consecutive trigrams (exact: consecutive windows rebuild the
  phrase). A window holding a punctuation mark or a space is written as one shared token,
  ``GAP``, instead: a quarter of all windows, and most of the distinct ones, which cost the
  writer far more than repeats of one token do (23 % of the index's write time). Positions stay
  those of the text;
- ``uni``: every character, with positions, answering 1-character terms (and the exact phrase of
  any text with punctuation);
- ``bi``: every overlapping 2-character window (``GAP`` for those holding punctuation or a
  space), answering a 2-character term with one doclist. As a phrase of two ``uni`` tokens it
  walked both characters' doclists, each a large share of the corpus, however rare the pair
  (index format 3; 100k-paragraph bench: rare pairs 2.4 → see docs/benchmarks.md).

Beside it, ``search_counts`` (index format 4) holds for every ``uni`` and non-GAP ``bi`` token the
number of rows of each year holding it, changed by the same writes: a lone 1–2-character term
(的, 发展: a large share of all rows) reads its total and per-year counts there instead of walking
its doclist (see "per-year counts" below).

A phrase without punctuation is a ``tri`` phrase (two characters: a ``bi`` token); a phrase with
some is the ``uni`` phrase of all its characters (exact), ANDed with the ``tri`` phrases of its
runs between punctuation (they only narrow what FTS5 has to walk). A database of index format 2
(no ``bi`` column) is still searched, 2-character terms as ``uni`` phrases (``has_bigrams``).

Both columns use the ``ascii`` tokenizer, which keeps any non-ASCII byte inside a token; the
few ASCII characters that it would treat as separators are mapped to private-use code points
first, so a token is always exactly one, two or three characters of text, or ``GAP``. No stage
verifies hits against the text: the index is exact by construction for the folded text.

Folding is one character to one character (lengths never change, so offsets found in the folded
text point at the stored characters): traditional to simplified (OpenCC ``t2s``, one isolated
character at a time, never a phrase-level rewrite), full-width digits and Latin letters to
half-width, ASCII case, every kind of space to " "; punctuation is left as it is. The
traditional/simplified table is stored in the database the first time it is needed, so an OpenCC
upgrade can never make the tokens we delete differ from the tokens we inserted.

Row ids of the FTS table are not paragraph ids: ``key = year << 32 | paragraph id`` (the year of
the document; undated = 0). Counting per year and date-range filters then read only the index
(``rowid BETWEEN``), the newest matches come first in rowid order, and the cost is modest (a
doclist pays a few bytes each time it crosses a year). ``search_paras`` keeps, per paragraph,
the document and the exact date it was indexed under (finer date filters, grouping by document,
and exact removal).
"""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

from lunshu.chars import FULLWIDTH_ALNUM
from lunshu.errors import StoreError

TABLE = "search_fts"
KEYS = "search_paras"
COUNTS = "search_counts"
# Bump when the tokens made from a text change (encoding, fold rules): the index must be rebuilt.
INDEX_VERSION = "4"  # 2: windows with punctuation or spaces are GAP; 3: the bi column; 4: search_counts

YEAR_SHIFT = 32
PID_MASK = (1 << YEAR_SHIFT) - 1

SCHEMA = [
    f"""CREATE VIRTUAL TABLE IF NOT EXISTS {TABLE} USING fts5(
        tri, uni, bi, content='', tokenize='ascii', detail=full)""",
    # Bigger in-memory batches and lazier merging: a third of the write cost on a big ingest
    # (the segments are merged by `optimize` after bulk loads; queries barely notice meanwhile).
    f"INSERT INTO {TABLE} ({TABLE}, rank) VALUES ('hashsize', 67108864)",
    f"INSERT INTO {TABLE} ({TABLE}, rank) VALUES ('automerge', 8)",
    f"""CREATE TABLE IF NOT EXISTS {COUNTS} (
        tok TEXT NOT NULL,         -- a uni token or a bi token (never GAP), as written in {TABLE}
        year INTEGER NOT NULL,     -- as in the row id (undated 0)
        n INTEGER NOT NULL,        -- rows of that year holding the token (0 after removals)
        PRIMARY KEY (tok, year)) WITHOUT ROWID""",
    f"""CREATE TABLE IF NOT EXISTS {KEYS} (
        pid INTEGER PRIMARY KEY,   -- paragraphs.id; the row in {TABLE} is key(date // 10000, pid)
        doc INTEGER NOT NULL,      -- documents.rowid
        date INTEGER NOT NULL      -- the document's date as yyyymmdd (2015-12 → 20151200; undated 0)
    )""",
]

_META_FOLD = "search_fold"
_META_FOLD_VERSION = "search_fold_version"
_META_VERSION = "search_index_version"
_META_COUNTS = "search_counts_complete"

# ASCII characters the ascii tokenizer would take as separators, moved to private-use code points
# at the very end of Unicode (which folding in turn sends to U+FFFD, so nothing collides).
_ENC_BASE = 0x10FF80
_ENCODE = {c: chr(_ENC_BASE + c) for c in range(128) if not chr(c).isalnum()}
_ENCODE_RE = re.compile(r"[\x00-\x2f\x3a-\x40\x5b-\x60\x7b-\x7f]")

_SPACES = "\t\n\v\f\r\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a" \
          "\u2028\u2029\u202f\u205f\u3000"

_CJK_RANGES = ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF), (0x20000, 0x2FFFF))


def _opencc_pairs() -> tuple[str, str]:
    """Traditional→simplified, one isolated character at a time (never a phrase-level rewrite)."""
    try:
        import opencc
    except ImportError:  # pragma: no cover - opencc is a dependency; degrade to no t2s folding
        return "", ""
    chars = [chr(c) for a, b in _CJK_RANGES for c in range(a, b + 1)]
    out = opencc.OpenCC("t2s").convert("\n".join(chars)).split("\n")
    if len(out) != len(chars):  # pragma: no cover - defensive: never trust a shifted table
        return "", ""
    m = {a: b for a, b in zip(chars, out) if a != b and len(b) == 1}
    for a in list(m):  # chains (A→B, B→C) resolve to the end, so folding is idempotent
        seen = {a}
        while m[a] in m and m[a] not in seen:
            seen.add(m[a])
            m[a] = m[m[a]]
    src = "".join(sorted(m))
    return src, "".join(m[c] for c in src)


def _fixed_rules() -> dict[int, str]:
    """Width and case of digits and Latin letters, kinds of space (punctuation stays as it is)."""
    table: dict[int, str] = {}
    for c, h in FULLWIDTH_ALNUM.items():
        table[c] = chr(h).lower()
    for c in range(ord("A"), ord("Z") + 1):
        table[c] = chr(c).lower()
    for ch in _SPACES:
        table[ord(ch)] = " "
    for c in range(_ENC_BASE, 0x110000):
        table[c] = "\ufffd"
    return table


class _Table(dict[int, "str | int"]):
    """A translate table that remembers the characters it leaves alone.

    ``str.translate`` pays for a raised-and-caught KeyError on every character a plain dict does
    not map (nearly all of them); caching the identity makes folding ~7× faster.
    """

    def __missing__(self, key: int) -> int:
        self[key] = key
        return key


@dataclass(frozen=True)
class Folder:
    """The character folding of one database: ``fold(s)`` has the same length as ``s``."""

    version: str
    table: _Table

    def fold(self, text: str) -> str:
        return text.translate(self.table)


_lock = threading.Lock()
_folders: dict[str, Folder] = {}
_default_pairs: tuple[str, str] | None = None


def _make_folder(src: str, dst: str) -> Folder:
    version = hashlib.sha1(f"{src}\0{dst}".encode()).hexdigest()[:16]
    with _lock:
        f = _folders.get(version)
        if f is None:
            table = _Table({ord(a): b for a, b in zip(src, dst)})
            table.update(_fixed_rules())
            f = Folder(version, table)
            _folders[version] = f
    return f


def default_folder() -> Folder:
    """The folding a new database gets (from the installed OpenCC)."""
    global _default_pairs
    if _default_pairs is None:
        _default_pairs = _opencc_pairs()
    return _make_folder(*_default_pairs)


def folder(conn: sqlite3.Connection, *, create: bool = False) -> Folder:
    """The folding this database was indexed with (stored in ``lunshu_meta``)."""
    try:
        row = conn.execute("SELECT value FROM lunshu_meta WHERE key = ?", (_META_FOLD_VERSION,)).fetchone()
    except sqlite3.OperationalError:  # not a lunshu database (yet)
        row = None
    if row is not None:
        cached = _folders.get(str(row[0]))
        if cached is not None:
            return cached
        data = json.loads(conn.execute("SELECT value FROM lunshu_meta WHERE key = ?", (_META_FOLD,)).fetchone()[0])
        return _make_folder(str(data["from"]), str(data["to"]))
    f = default_folder()
    if create:
        src, dst = _default_pairs or ("", "")
        conn.executemany("INSERT OR REPLACE INTO lunshu_meta (key, value) VALUES (?, ?)", [
            (_META_FOLD, json.dumps({"from": src, "to": dst}, ensure_ascii=False)),
            (_META_FOLD_VERSION, f.version),
            (_META_VERSION, INDEX_VERSION),
        ])
    return f


# -- tokens --------------------------------------------------------------------------------------
def encode(folded: str) -> str:
    """Folded text → one ascii-tokenizer-safe code point per character."""
    return _ENCODE_RE.sub(_encode_one, folded)


def _encode_one(m: re.Match[str]) -> str:
    return _ENCODE[ord(m.group())]


# Characters that make a window a GAP: spaces and punctuation (ASCII ones as encoded above, the
# Latin-1, general, CJK, vertical, small and full-width punctuation blocks, never 〇 々 〆 or the
# Hangzhou numerals) and the noncharacters, of which GAP is one. Which characters are in here
# changes only speed, never results; changing it changes the tokens (bump INDEX_VERSION).
_GAP_RANGES = ((0x00A0, 0x00BF), (0x2000, 0x206F), (0x3000, 0x3004), (0x3008, 0x3020), (0x3030, 0x3030),
               (0x303D, 0x303F), (0xFDD0, 0xFDEF), (0xFE10, 0xFE1F), (0xFE30, 0xFE6F), (0xFF01, 0xFF0F),
               (0xFF1A, 0xFF20), (0xFF3B, 0xFF40), (0xFF5B, 0xFF65), (_ENC_BASE, 0x10FFFF))
GAP = "\ufdd0"
_GAP_MARK = {c: GAP for a, b in _GAP_RANGES for c in range(a, b + 1)}
_GAP_RUNS = re.compile("[^" + "".join(f"\\U{a:08x}-\\U{b:08x}" for a, b in _GAP_RANGES) + "]{3,}")


def uni_tokens(enc: str) -> str:
    return " ".join(enc)


def _window_tokens(enc: str, n: int) -> str:
    """Every window of ``n`` characters; GAP for those holding punctuation or a space."""
    marked = enc.translate(_GAP_MARK)
    wins = [marked[i:i + n] for i in range(len(marked) - n + 1)]
    if GAP in marked:
        wins = [GAP if GAP in w else w for w in wins]
    return " ".join(wins)


def tri_tokens(enc: str) -> str:
    """Every window of 3 characters; GAP for those holding punctuation or a space."""
    return _window_tokens(enc, 3)


def bi_tokens(enc: str) -> str:
    """Every window of 2 characters; GAP for those holding punctuation or a space."""
    return _window_tokens(enc, 2)


def tokens_many(f: Folder, texts: Sequence[str]) -> list[tuple[str, str, str]]:
    """``[tokens(f, t) for t in texts]``, made for all the texts at once with numpy.

    Why: the per-window Python of ``tokens`` was a fifth of a whole ingest's CPU time; here a
    window is a row of four code points (three characters and a space) and a paragraph's token
    string is one decode of its rows.
    """
    if not texts:
        return []
    import numpy as np  # here: a process that only reads or builds documents never pays for it

    table, gaps = _arrays(f)
    codes = np.frombuffer("".join(texts).encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    enc = table[codes]
    n = len(enc)
    uni = np.empty((n, 2), dtype=np.uint32)
    uni[:, 0] = enc
    uni[:, 1] = 32
    uni_bytes = uni.tobytes()
    tri_bytes = bi_bytes = b""
    g = gaps[enc]
    if n >= 2:
        win2 = np.empty((n - 1, 3), dtype=np.uint32)
        win2[:, 0] = enc[:-1]
        win2[:, 1] = enc[1:]
        win2[:, 2] = 32
        gap2 = g[:-1] | g[1:]
        win2[gap2, 0] = _GAP_CODE
        win2[gap2, 1] = 32
        bi_bytes = win2.tobytes()
    if n >= 3:
        win = np.empty((n - 2, 4), dtype=np.uint32)
        win[:, 0] = enc[:-2]
        win[:, 1] = enc[1:-1]
        win[:, 2] = enc[2:]
        win[:, 3] = 32
        gap = g[:-2] | g[1:-1] | g[2:]
        win[gap, 0] = _GAP_CODE
        win[gap, 1:3] = 32
        tri_bytes = win.tobytes()
    out: list[tuple[str, str, str]] = []
    at = 0
    for t in texts:
        m = len(t)
        u = uni_bytes[at * 8:(at + m) * 8 - 4].decode("utf-32-le", "surrogatepass") if m else ""
        tri = tri_bytes[at * 16:(at + m - 2) * 16 - 4].decode("utf-32-le", "surrogatepass") if m >= 3 else ""
        bi = bi_bytes[at * 12:(at + m - 1) * 12 - 4].decode("utf-32-le", "surrogatepass") if m >= 2 else ""
        out.append((tri, u, bi))
        at += m
    return out


_GAP_CODE = ord(GAP)
_arrays_cache: dict[str, tuple[npt.NDArray[np.uint32], npt.NDArray[np.bool_]]] = {}


def _arrays(f: Folder) -> tuple[npt.NDArray[np.uint32], npt.NDArray[np.bool_]]:
    """Code point → folded and encoded code point, and code point → is a gap character."""
    got = _arrays_cache.get(f.version)
    if got is not None:
        return got
    import numpy as np

    table = np.arange(0x110000, dtype=np.uint32)
    for k, v in list(f.table.items()):
        table[k] = v if isinstance(v, int) else ord(v)
    ascii_enc = np.arange(128, dtype=np.uint32)
    for c, ch in _ENCODE.items():
        ascii_enc[c] = ord(ch)
    low = table < 128
    table[low] = ascii_enc[table[low]]
    gaps = np.zeros(0x110000, dtype=bool)
    for a, b in _GAP_RANGES:
        gaps[a:b + 1] = True
    with _lock:
        _arrays_cache[f.version] = (table, gaps)
    return table, gaps


# -- per-year counts of the 1- and 2-character tokens ------------------------------------------------
# A lone term of one or two characters (的, 发展) matches a large share of the corpus: counting its
# rows in the index, year by year, walked the whole doclist (45 ms for 的 at 1M paragraphs). So the
# writer keeps, for every ``uni`` and ``bi`` token, the number of rows per year holding it
# (``search_counts``), and such a query reads its total and per-year counts there. The counts change
# with the index in the same transaction: ``add``/``remove`` gather them, ``flush`` writes them
# (``Store.transaction`` flushes once before COMMIT: per document it would be one upsert per
# distinct token of every document; outside a deferring transaction ``add`` flushes at once).
_C21 = (1 << 21) - 1
_TOK_BITS = 42
_pending: dict[int, list[tuple[npt.NDArray[np.uint64], npt.NDArray[np.int64]]]] = {}
_deferring: set[int] = set()


def _token_year_counts(f: Folder, texts: Sequence[str], years: Sequence[int]
                       ) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.int64]]:
    """(keys, counts): ``year << 42 | c1 << 21 | c2`` (``c2`` 0 for a 1-character token) of every
    ``uni`` and non-GAP ``bi`` token of the texts, and how many of the texts of that year hold it."""
    import numpy as np

    table, gaps = _arrays(f)
    lens = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
    codes = np.frombuffer("".join(texts).encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    enc = table[codes].astype(np.uint64)
    para = np.repeat(np.arange(len(texts), dtype=np.uint64), lens)
    keys = [(para << np.uint64(_TOK_BITS)) | (enc << np.uint64(21))]
    if len(enc) >= 2:
        g = gaps[table[codes]]
        ok = (para[:-1] == para[1:]) & ~(g[:-1] | g[1:])
        keys.append((para[:-1][ok] << np.uint64(_TOK_BITS)) | (enc[:-1][ok] << np.uint64(21)) | enc[1:][ok])
    distinct, _ = _runs_of(np.concatenate(keys))  # one per (text, token)
    tok = distinct & np.uint64((1 << _TOK_BITS) - 1)
    yr = np.asarray(years, dtype=np.uint64)[(distinct >> np.uint64(_TOK_BITS)).astype(np.int64)]
    return _runs_of((yr << np.uint64(_TOK_BITS)) | tok)


def _runs_of(keys: npt.NDArray[np.uint64]) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.int64]]:
    """The distinct keys, sorted, and how often each occurs (``np.unique`` by sorting: its hash
    path was 10× slower on these arrays)."""
    import numpy as np

    keys = np.sort(keys)
    if not len(keys):
        return keys, np.zeros(0, dtype=np.int64)
    starts = np.flatnonzero(np.concatenate(([True], keys[1:] != keys[:-1])))
    return keys[starts], np.diff(np.append(starts, len(keys))).astype(np.int64)


def _gather(conn: sqlite3.Connection, f: Folder, texts: Sequence[str], years: Sequence[int], sign: int) -> None:
    if not texts:
        return
    keys, n = _token_year_counts(f, texts, years)
    parts = _pending.setdefault(id(conn), [])
    parts.append((keys, n * sign))
    if id(conn) not in _deferring:
        flush(conn)
    elif len(parts) > 1 and sum(len(k) for k, _ in parts) > _COMPACT:
        parts[:] = [_merged(parts)]  # bounded memory in a long transaction


_COMPACT = 1_000_000


def _merged(parts: list[tuple[npt.NDArray[np.uint64], npt.NDArray[np.int64]]]
            ) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.int64]]:
    import numpy as np

    keys = np.concatenate([k for k, _ in parts])
    n = np.concatenate([c for _, c in parts])
    order = np.argsort(keys, kind="stable")
    keys, n = keys[order], n[order]
    starts = np.flatnonzero(np.concatenate(([True], keys[1:] != keys[:-1])))
    return keys[starts], np.add.reduceat(n, starts) if len(n) else n


def defer(conn: sqlite3.Connection) -> None:
    """Gather count changes on ``conn`` until ``flush`` (called by ``Store.transaction``)."""
    _deferring.add(id(conn))


def discard(conn: sqlite3.Connection) -> None:
    """The transaction was rolled back: forget what it gathered."""
    _deferring.discard(id(conn))
    _pending.pop(id(conn), None)


def flush(conn: sqlite3.Connection) -> None:
    """Write the count changes gathered on ``conn`` (inside its transaction)."""
    _deferring.discard(id(conn))
    parts = _pending.pop(id(conn), None)
    if not parts:
        return
    import numpy as np

    keys, n = parts[0] if len(parts) == 1 else _merged(parts)
    nz = n != 0
    keys, n = keys[nz], n[nz]
    years = (keys >> np.uint64(_TOK_BITS)).tolist()
    c1 = ((keys >> np.uint64(21)) & np.uint64(_C21)).tolist()
    c2 = (keys & np.uint64(_C21)).tolist()
    rows = sorted(zip([chr(a) + (chr(b) if b else "") for a, b in zip(c1, c2)], years, n.tolist()))
    conn.executemany(f"INSERT INTO {COUNTS} (tok, year, n) VALUES (?, ?, ?) "
                     "ON CONFLICT (tok, year) DO UPDATE SET n = n + excluded.n", rows)
    gone = [(t, y) for t, y, d in rows if d < 0]
    if gone:
        conn.executemany(f"DELETE FROM {COUNTS} WHERE tok = ? AND year = ? AND n <= 0", gone)


def has_counts(conn: sqlite3.Connection) -> bool:
    """``search_counts`` holds every row of the index (index format 4, made on an empty index or
    by ``rebuild``)."""
    try:
        rows = dict(conn.execute("SELECT key, value FROM lunshu_meta WHERE key IN (?, ?)",
                                 (_META_COUNTS, _META_VERSION)).fetchall())
    except sqlite3.OperationalError:
        return False
    v = str(rows.get(_META_VERSION, INDEX_VERSION))  # (none yet: nothing indexed, this format)
    return rows.get(_META_COUNTS) == "1" and v.isdigit() and int(v) >= 4


def count_token(folded: str) -> str | None:
    """The ``search_counts`` token of a folded term, when it has one (1 character; 2 without
    punctuation or space)."""
    enc = encode(folded)
    if len(enc) == 1 or (len(enc) == 2 and GAP not in enc.translate(_GAP_MARK)):
        return enc
    return None


def token_counts(conn: sqlite3.Connection, tok: str, y0: int = 0, y1: int = 9999) -> dict[int, int]:
    """Rows per year (``y0``..``y1``) holding the token ``count_token`` gave."""
    return {int(y): int(n) for y, n in conn.execute(
        f"SELECT year, n FROM {COUNTS} WHERE tok = ? AND year BETWEEN ? AND ? AND n > 0", (tok, y0, y1))}


def _varint(data: bytes, i: int) -> tuple[int, int]:
    """SQLite's varint at ``data[i]``: (value, next offset)."""
    v = 0
    for j in range(8):
        b = data[i + j]
        v = (v << 7) | (b & 0x7F)
        if not b & 0x80:
            return v, i + j + 1
    return (v << 8) | data[i + 8], i + 9


@dataclass(frozen=True)
class Bm25:
    """FTS5's ``bm25()`` of one lone 1–2-character term (a ``uni`` or ``bi`` phrase), computed from
    rows' stored text: the same formula (k1 1.2, b 0.75; the row's tokens of all columns against
    their average; the IDF from the rows holding the term) on the same totals, so the same doubles.
    """

    idf: float
    avgdl: float
    codes: tuple[int, ...]  # the term's characters, folded and encoded as the index writes them
    f: Folder

    @classmethod
    def of(cls, conn: sqlite3.Connection, term: str) -> Bm25:
        import math

        data = bytes(conn.execute(f"SELECT block FROM {TABLE}_data WHERE id = 1").fetchone()[0])
        n_row, i = _varint(data, 0)  # FTS5's "averages" record: rows, then tokens per column
        n_tok = 0
        while i < len(data):
            v, i = _varint(data, i)
            n_tok += v
        tok = count_token(term)
        n_hit = sum(token_counts(conn, tok).values()) if tok is not None else 0
        idf = math.log((n_row - n_hit + 0.5) / (n_hit + 0.5))
        if idf <= 0.0:
            idf = 1e-6
        return cls(idf, n_tok / n_row if n_row else 1.0, tuple(map(ord, encode(term))), folder(conn))

    def scores(self, texts: Sequence[str]) -> npt.NDArray[np.float64]:
        """The score of each text (which must hold the term)."""
        import numpy as np

        if not texts:
            return np.zeros(0)
        table, _ = _arrays(self.f)
        lens = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
        enc = table[np.frombuffer("".join(texts).encode("utf-32-le", "surrogatepass"), dtype=np.uint32)]
        starts = np.concatenate(([0], np.cumsum(lens)[:-1]))
        if len(self.codes) == 1:
            at = np.flatnonzero(enc == self.codes[0])
        else:
            at = np.flatnonzero((enc[:-1] == self.codes[0]) & (enc[1:] == self.codes[1]))
            ends = starts + lens  # a pair must not run from one text into the next
            at = at[(at + 1) < ends[np.searchsorted(starts, at, side="right") - 1]]
        tf = np.bincount(np.searchsorted(starts, at, side="right") - 1, minlength=len(texts)).astype(np.float64)
        d = (lens + np.maximum(lens - 1, 0) + np.maximum(lens - 2, 0)).astype(np.float64)  # uni + bi + tri tokens
        k1, b = 1.2, 0.75
        return 0.0 + self.idf * ((tf * (k1 + 1.0)) / (tf + k1 * (1 - b + b * d / self.avgdl)))


def warm(conn: sqlite3.Connection) -> None:
    """Make the folding tables the writer needs now (an ingest does it while workers start)."""
    _arrays(folder(conn))


def _runs(enc: str) -> list[tuple[int, int]]:
    """(start, end) of the stretches of 3+ characters without a gap character."""
    return [m.span() for m in _GAP_RUNS.finditer(enc)]


def tokens(f: Folder, text: str) -> tuple[str, str, str]:
    """The (tri, uni, bi) column values of one paragraph's text, folded with ``f``: the plain
    definition (``tokens_many``, which the writer uses, is tested against it)."""
    enc = encode(f.fold(text))
    return tri_tokens(enc), uni_tokens(enc), bi_tokens(enc)


def phrase_expr(folded: str, bigrams: bool = True) -> str:
    """An FTS5 expression matching exactly the rows whose folded text contains ``folded``.

    ``bigrams``: the index has the ``bi`` column (format 3; see ``has_bigrams``)."""
    if not folded:
        raise ValueError("empty phrase")
    enc = encode(folded)
    if len(enc) == 2 and bigrams and GAP not in enc.translate(_GAP_MARK):
        return f'bi : "{enc}"'
    if len(enc) < 3:
        return f'uni : "{uni_tokens(enc)}"'
    runs = _runs(enc)
    if runs == [(0, len(enc))]:
        return f'tri : "{tri_tokens(enc)}"'
    parts = [f'tri : "{tri_tokens(enc[a:b])}"' for a, b in runs] + [f'uni : "{uni_tokens(enc)}"']
    return "(" + " AND ".join(parts) + ")"


def near_expr(folded: str, bigrams: bool = True) -> str:
    """A cheaper lookup for candidates: the phrase's non-overlapping trigrams, NEAR each other.

    Why: a phrase query walks the doclist of each of its trigrams, and common trigrams (社会主,
    的发展 …) have doclists of a fifth of the corpus: a third of the trigrams is a third of the
    walking. The trigrams cover every character and must stand within the phrase's length, so
    the rows are those of ``phrase_expr`` in practice — but not by construction (order is not
    checked): callers verify (trace aligns every candidate). Under 5 characters, or with fewer
    than two trigrams between its punctuation: the phrase.
    """
    enc = encode(folded)
    if len(enc) < 5:
        return phrase_expr(folded, bigrams)
    at: list[int] = []
    for a, b in _runs(enc):
        run = list(range(a, b - 2, 3))
        if run[-1] != b - 3:
            run.append(b - 3)
        at.extend(run)
    if len(at) < 2:
        return phrase_expr(folded, bigrams)
    terms = " ".join(f'"{enc[i:i + 3]}"' for i in at)
    return f"tri : NEAR({terms}, {at[-1] - at[0] - 1})"


# -- dates --------------------------------------------------------------------------------------
_DATE_DIGITS = re.compile(r"^(\d{4})(?:-(\d{1,2}))?(?:-(\d{1,2}))?")


def date_number(date: str | None) -> int:
    """'2015-12-16' → 20151216, '2015-12' → 20151200, '2015' → 20150000, None → 0."""
    if not date:
        return 0
    m = _DATE_DIGITS.match(date.strip())
    if not m:
        return 0
    y, mo, d = int(m.group(1)), int(m.group(2) or 0), int(m.group(3) or 0)
    return y * 10000 + min(mo, 99) * 100 + min(d, 99)


def key(year: int, pid: int) -> int:
    """The FTS row id of paragraph ``pid`` of a document of ``year`` (0 = undated)."""
    return (year << YEAR_SHIFT) | pid


def year_keys(y0: int, y1: int) -> tuple[int, int]:
    """The FTS row-id range of years ``y0``..``y1`` inclusive."""
    return y0 << YEAR_SHIFT, ((y1 + 1) << YEAR_SHIFT) - 1


def years_indexed(conn: sqlite3.Connection, lo: int = 0, hi: int = (1 << 62)) -> list[int]:
    """The years the index holds rows of, within row ids ``lo``..``hi``, oldest first.

    One seek per year in FTS5's table of row sizes (a plain rowid table): no MATCH, a few
    microseconds each, where a seek with the query's MATCH costs a phrase's set-up every time.
    """
    out: list[int] = []
    sql = f"SELECT id FROM {TABLE}_docsize WHERE id BETWEEN ? AND ? ORDER BY id LIMIT 1"
    while lo <= hi:
        row = conn.execute(sql, (lo, hi)).fetchone()
        if row is None:
            break
        year = int(row[0]) >> YEAR_SHIFT
        out.append(year)
        lo = year_keys(year, year)[1] + 1
    return out


# -- writing -------------------------------------------------------------------------------------
def create(conn: sqlite3.Connection) -> None:
    """Create the index tables if missing (an empty one of an older format is made anew)."""
    cols = [str(r[1]) for r in conn.execute(f"PRAGMA table_info({TABLE})")]
    if cols and "bi" not in cols and _stored_format(conn) is None:
        conn.execute(f"DROP TABLE {TABLE}")  # never written to: nothing to keep
    for stmt in SCHEMA:
        conn.execute(stmt)
    if not has_counts(conn) and conn.execute(f"SELECT 1 FROM {KEYS} LIMIT 1").fetchone() is None:
        conn.execute(f"DELETE FROM {COUNTS}")  # an empty index: the (empty) counts are complete
        conn.execute("INSERT OR REPLACE INTO lunshu_meta (key, value) VALUES (?, '1')", (_META_COUNTS,))


def _stored_format(conn: sqlite3.Connection) -> str | None:
    try:
        row = conn.execute("SELECT value FROM lunshu_meta WHERE key = ?", (_META_VERSION,)).fetchone()
    except sqlite3.OperationalError:  # not a lunshu database (yet)
        return None
    return None if row is None else str(row[0])


def has_bigrams(conn: sqlite3.Connection) -> bool:
    """The index has the ``bi`` column (format 3 and later; a database nothing was indexed in has
    the current format)."""
    v = _stored_format(conn)
    return v is None or not v.isdigit() or int(v) >= 3


def _check_format(conn: sqlite3.Connection) -> None:
    """Tokens from another index format cannot be deleted by this one: refuse rather than damage."""
    row = conn.execute("SELECT value FROM lunshu_meta WHERE key = ?", (_META_VERSION,)).fetchone()
    if row is not None and row[0] != INDEX_VERSION:
        raise StoreError(f"the search index has format {row[0]}, this lunshu writes {INDEX_VERSION}; "
                         "run `lunshu check --repair` to rebuild it")


def _docs_of(conn: sqlite3.Connection, pids: Sequence[int]) -> dict[int, tuple[int, int]]:
    """paragraph id → (documents.rowid, date number)."""
    out: dict[int, tuple[int, int]] = {}
    sql = ("SELECT p.id, d.rowid, d.date FROM paragraphs p JOIN documents d ON d.id = p.doc_id "
           "WHERE p.id BETWEEN ? AND ?")
    lo, hi = min(pids), max(pids)
    spans = [(lo, hi)] if hi - lo < 4 * len(pids) + 64 else [(p, p) for p in pids]
    for a, b in spans:
        for r in conn.execute(sql, (a, b)):
            out[int(r[0])] = (int(r[1]), date_number(r[2]))
    return out


def add(conn: sqlite3.Connection, rows: Iterable[tuple[int, str]]) -> None:
    """Index paragraphs (id, text) that are already in ``paragraphs`` (their document too)."""
    rows = list(rows)
    if not rows:
        return
    _check_format(conn)
    f = folder(conn, create=True)
    docs = _docs_of(conn, [pid for pid, _ in rows])
    fts_rows = []
    meta = []
    toks = tokens_many(f, [text for _, text in rows])
    for (pid, _), (tri, uni, bi) in zip(rows, toks):
        if not 0 < pid <= PID_MASK:
            raise StoreError(f"paragraph id {pid} is outside what the search index can hold")
        doc, date = docs.get(pid, (0, 0))
        fts_rows.append((key(date // 10000, pid), tri, uni, bi))
        meta.append((pid, doc, date))
    # FTS5 flushes its in-memory batch whenever a row id is lower than the last one written:
    # in key order, one transaction makes one segment instead of one per change of year.
    fts_rows.sort()
    conn.executemany(f"INSERT INTO {TABLE} (rowid, tri, uni, bi) VALUES (?, ?, ?, ?)", fts_rows)
    conn.executemany(f"INSERT OR REPLACE INTO {KEYS} (pid, doc, date) VALUES (?, ?, ?)", meta)
    _gather(conn, f, [text for _, text in rows], [date // 10000 for _, _, date in meta], 1)


def remove(conn: sqlite3.Connection, rows: Iterable[tuple[int, str]]) -> None:
    """Unindex paragraphs (id, text); the text must be the one that was indexed."""
    rows = list(rows)
    if not rows:
        return
    _check_format(conn)
    f = folder(conn)
    dates: dict[int, int] = {}
    for i in range(0, len(rows), 500):  # deleting a row that was never indexed would damage the index
        chunk = [pid for pid, _ in rows[i:i + 500]]
        q = ",".join("?" * len(chunk))
        dates.update((int(r[0]), int(r[1])) for r in
                     conn.execute(f"SELECT pid, date FROM {KEYS} WHERE pid IN ({q})", chunk))
    indexed = [(pid, text) for pid, text in rows if pid in dates]
    # the very tokens ``add`` wrote (same function): FTS5 deletes exactly what it is given
    dels = [(key(dates[pid] // 10000, pid), tri, uni, bi)
            for (pid, _), (tri, uni, bi) in zip(indexed, tokens_many(f, [t for _, t in indexed]))]
    conn.executemany(f"INSERT INTO {TABLE} ({TABLE}, rowid, tri, uni, bi) VALUES ('delete', ?, ?, ?, ?)", dels)
    conn.executemany(f"DELETE FROM {KEYS} WHERE pid = ?", [(pid,) for pid in dates])
    _gather(conn, f, [t for _, t in indexed], [dates[pid] // 10000 for pid, _ in indexed], -1)


def rebuild(conn: sqlite3.Connection) -> None:
    """Rewrite the whole index from ``paragraphs`` in the current format (the stored folding table
    is kept)."""
    conn.execute(f"DROP TABLE IF EXISTS {TABLE}")  # (its columns may be those of an older format)
    conn.execute(f"DELETE FROM {KEYS}")
    for stmt in SCHEMA:
        conn.execute(stmt)
    conn.execute(f"DELETE FROM {COUNTS}")
    conn.executemany("INSERT OR REPLACE INTO lunshu_meta (key, value) VALUES (?, ?)",
                     [(_META_VERSION, INDEX_VERSION), (_META_COUNTS, "1")])
    _pending.pop(id(conn), None)
    deferring = id(conn) in _deferring
    _deferring.add(id(conn))  # one flush at the end, not one per batch
    last = 0
    while True:
        batch = [(int(r[0]), str(r[1])) for r in conn.execute(
            "SELECT id, text FROM paragraphs WHERE id > ? ORDER BY id LIMIT 5000", (last,))]
        if not batch:
            break
        add(conn, batch)
        last = batch[-1][0]
    flush(conn)
    if deferring:
        defer(conn)
    optimize(conn)


def optimize(conn: sqlite3.Connection) -> None:
    """Merge the index segments into one (after a large ingest: smaller and faster)."""
    conn.execute(f"INSERT INTO {TABLE} ({TABLE}) VALUES ('optimize')")


SETTLE_SHARE = 0.1  # an ingest that wrote at least this share of the index merges it whole
SETTLE_PAGES = 2000  # else: this many pages (4 KB) of incremental merging, at most


def settle(conn: sqlite3.Connection, written: int) -> str:
    """Merge the segments an ingest left (what every writer of many paragraphs calls at its end).

    Each transaction of an ingest leaves one more segment, and a query walks every segment's
    doclist of each of its tokens (20 after a 1M-paragraph ingest: phrases with many matches
    were up to 3× slower than on the merged index). When ``written`` paragraphs are a good share
    of the index the whole index is merged (``optimize``: a fresh database as the benchmarks
    measure it); a small addition to a big database only pays for a bounded merge step.
    Returns what it did ("optimize", "merge" or "").
    """
    if written <= 0:
        return ""
    total = int(conn.execute(f"SELECT count(*) FROM {KEYS}").fetchone()[0])
    if written >= SETTLE_SHARE * total:
        optimize(conn)
        return "optimize"
    conn.execute(f"INSERT INTO {TABLE} ({TABLE}, rank) VALUES ('merge', ?)", (SETTLE_PAGES,))
    return "merge"


def check(conn: sqlite3.Connection) -> list[str]:
    """Problems that make search results wrong; empty when the index agrees with the store."""
    problems: list[str] = []
    outside = not conn.in_transaction
    try:
        conn.execute(f"INSERT INTO {TABLE} ({TABLE}, rank) VALUES ('integrity-check', 0)")
    except sqlite3.DatabaseError as exc:
        problems.append(f"search index is damaged: {exc}")
    finally:
        if outside and conn.in_transaction:  # the driver opened one for the INSERT: close it
            conn.commit()
    row = conn.execute("SELECT value FROM lunshu_meta WHERE key = ?", (_META_VERSION,)).fetchone()
    if row is not None and row[0] != INDEX_VERSION:
        problems.append(f"search index format {row[0]} is not this lunshu's ({INDEX_VERSION}); repair rebuilds it")
    n_par = conn.execute("SELECT count(*) FROM paragraphs").fetchone()[0]
    n_idx = conn.execute(f"SELECT count(*) FROM {KEYS}").fetchone()[0]
    joined = conn.execute(f"SELECT count(*) FROM {KEYS} k JOIN paragraphs p ON p.id = k.pid").fetchone()[0]
    if joined < n_par:
        problems.append(f"{n_par - joined} paragraphs are not in the search index")
    if joined < n_idx:
        problems.append(f"{n_idx - joined} search index entries point at deleted paragraphs")
    wrong = 0
    for doc_date, lo, hi, same_doc in conn.execute(
            f"SELECT d.date, min(k.date), max(k.date), min(k.doc = d.rowid) FROM {KEYS} k "
            f"JOIN paragraphs p ON p.id = k.pid JOIN documents d ON d.id = p.doc_id GROUP BY p.doc_id"):
        n = date_number(doc_date)
        if lo != n or hi != n or not same_doc:
            wrong += 1
    if wrong:
        problems.append(f"{wrong} documents are indexed under another date or document than they have now")
    problems.extend(_sample_lookups(conn))
    problems.extend(_sample_counts(conn))
    return problems


def _sample_counts(conn: sqlite3.Connection, n: int = 40) -> list[str]:
    """Random rows of ``search_counts`` against the index."""
    if not has_counts(conn):
        return []
    rows = conn.execute(f"SELECT tok, year, n FROM {COUNTS} ORDER BY random() LIMIT ?", (n,)).fetchall()
    wrong = 0
    for tok, year, stored in rows:
        expr = f'bi : "{tok}"' if len(tok) == 2 else f'uni : "{tok}"'
        lo, hi = year_keys(int(year), int(year))
        found = conn.execute(f"SELECT count(*) FROM {TABLE} WHERE {TABLE} MATCH ? AND rowid BETWEEN ? AND ?",
                             (expr, lo, hi)).fetchone()[0]
        wrong += int(found) != int(stored)
    return [f"{wrong} of {len(rows)} sampled per-year counts disagree with the search index"] if wrong else []


def _sample_lookups(conn: sqlite3.Connection, n: int = 200) -> list[str]:
    """Look up random pieces of random paragraphs: each must find its own paragraph."""
    import random

    rng = random.Random(0)
    f = folder(conn)
    bigrams = has_bigrams(conn)
    lost = 0
    rows = conn.execute(f"SELECT p.id, p.text, k.date FROM paragraphs p JOIN {KEYS} k ON k.pid = p.id "
                        "WHERE p.id IN (SELECT id FROM paragraphs ORDER BY random() LIMIT ?)", (n,)).fetchall()
    for pid, text, date in rows:
        if not text:
            continue
        size = rng.randint(1, 6)
        i = rng.randrange(max(1, len(text) - size + 1))
        piece = f.fold(str(text)[i:i + size])
        k = key(int(date) // 10000, int(pid))
        if conn.execute(f"SELECT 1 FROM {TABLE} WHERE {TABLE} MATCH ? AND rowid = ?",
                        (phrase_expr(piece, bigrams), k)).fetchone() is None:
            lost += 1
    return [f"{lost} of {len(rows)} sampled paragraphs are not found by their own text"] if lost else []


def match_ids(conn: sqlite3.Connection, phrase: str, limit: int | None = None) -> list[int]:
    """Paragraph ids whose text contains ``phrase`` (folded as the index is), newest first.

    For other modules that need candidates by exact substring (trace, timeline): no FTS5 syntax
    to get wrong, any length from one character.
    """
    folded = folder(conn).fold(phrase)
    if not folded:
        return []
    sql = f"SELECT rowid FROM {TABLE} WHERE {TABLE} MATCH ? ORDER BY rowid DESC"
    args: list[object] = [phrase_expr(folded, has_bigrams(conn))]
    if limit is not None:
        sql += " LIMIT ?"
        args.append(limit)
    return [int(r[0]) & PID_MASK for r in conn.execute(sql, args)]
