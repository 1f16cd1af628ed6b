"""Word segmentation for analysis (keywords, collocates), never for search.

Search and timelines use exact substrings so no hit depends on how a segmenter cut the text;
keywords and collocates need words, and get them from rjieba plus a lexicon of known
formulations (``data/formulations.txt``) so that 网络空间命运共同体 stays one token.

The lexicon is user-extendable, without editing the package:

* ``LUNSHU_LEXICON``: one or more files (separated by ``os.pathsep``), one term per line;
* ``lexicon.txt`` in the same folder as the database file (picked up by ``for_store``).

Segmentation is lazy: nothing is segmented at ingest time. ``cached_paragraphs`` segments the
documents a query needs on first use and keeps the token boundaries in the database
(tables ``analysis_segments`` and ``analysis_segmented``), invalidated per document when its
content changes and globally when the lexicon changes.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import re
import sqlite3
import threading
import unicodedata
from array import array
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import metadata as _metadata
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import rjieba

from lunshu import settings

if TYPE_CHECKING:
    from lunshu.store import Store

LEXICON_FILENAME = "lexicon.txt"

# A formulation must beat every split of itself, in every context: give it far more weight than
# the dictionary would (suggest_freq is the minimum that keeps it whole in isolation).
_LEXICON_FREQ_FLOOR = 50_000

_CN_NUMERAL = "〇零一二三四五六七八九十百千万亿两壹贰叁肆伍陆柒捌玖拾佰仟"
# "第十八", "二十", "三十五", "一百多", "第二届", "十三亿": numbers in words are still numbers.
_NUMBER_WORD = re.compile(
    rf"^第?[{_CN_NUMERAL}]+[多余几]?(?:[届次年月日号个项点条大中全期批项位名倍成]|分之)?[{_CN_NUMERAL}]*$"
)


def _is_han(ch: str) -> bool:
    o = ord(ch)
    return (0x4E00 <= o <= 0x9FFF or 0x3400 <= o <= 0x4DBF or 0xF900 <= o <= 0xFAFF
            or 0x20000 <= o <= 0x2FA1F)


def _is_word_char(ch: str) -> bool:
    """Characters a word is made of: Han, letters and digits (punctuation and spaces are not)."""
    return _is_han(ch) or unicodedata.category(ch)[0] in "LN"


def is_word(token: str) -> bool:
    """A token that takes a position in a collocation window: anything but punctuation/space."""
    return any(_is_word_char(ch) for ch in token)


def _read_list(text: str) -> list[str]:
    out = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            out.append(line)
    return out


@lru_cache(maxsize=1)
def builtin_lexicon() -> tuple[str, ...]:
    text = resources.files("lunshu").joinpath("data/formulations.txt").read_text(encoding="utf-8")
    return tuple(dict.fromkeys(_read_list(text)))


@lru_cache(maxsize=1)
def stopwords() -> frozenset[str]:
    text = resources.files("lunshu").joinpath("data/stopwords.txt").read_text(encoding="utf-8")
    return frozenset(_read_list(text))


def read_lexicon_file(path: str | Path) -> list[str]:
    """Terms of a user lexicon file: UTF-8, one per line (of a jieba "word freq tag" line, the word)."""
    text = Path(path).read_text(encoding="utf-8-sig")
    return [t.split()[0] for t in _read_list(text)]


def env_lexicon_paths() -> list[str]:
    return settings.lexicon_paths()


def store_lexicon_paths(db_path: str | None) -> list[str]:
    """User lexicons that apply to a database: $LUNSHU_LEXICON, then lexicon.txt beside the db."""
    paths = env_lexicon_paths()
    if db_path and not db_path.startswith(":memory:") and not db_path.startswith("file:"):
        beside = Path(db_path).resolve().parent / LEXICON_FILENAME
        if beside.is_file():
            paths.append(str(beside))
    return paths


def _rjieba_version() -> str:
    try:
        return _metadata.version("rjieba")
    except _metadata.PackageNotFoundError:  # pragma: no cover - installed from source
        return "?"


class Segmenter:
    """rjieba with the lexicon added; one per distinct lexicon (rjieba instances are not shared)."""

    def __init__(self, lexicon: Sequence[str], user_paths: Sequence[str] = ()) -> None:
        self.lexicon: tuple[str, ...] = tuple(lexicon)
        self.user_paths: tuple[str, ...] = tuple(user_paths)
        self._lock = threading.Lock()
        jieba = rjieba.Jieba()
        for word in self.lexicon:
            if len(word) < 2:
                continue
            freq = max(int(jieba.suggest_freq(word)), _LEXICON_FREQ_FLOOR * max(1, len(word) - 1))
            jieba.add_word(word, freq, None)
        self._jieba = jieba
        self.lexicon_set = frozenset(self.lexicon)

    @property
    def name(self) -> str:
        """What the output records as "segmenter": enough to reproduce the cut."""
        extra = f" + {len(self.user_paths)} user file(s)" if self.user_paths else ""
        return f"rjieba {_rjieba_version()} + lunshu lexicon ({len(self.lexicon)} terms{extra})"

    @property
    def fingerprint(self) -> str:
        """Changes whenever the cut could change: cached segmentations are keyed by it."""
        h = hashlib.sha1(_rjieba_version().encode())
        for w in self.lexicon:
            h.update(w.encode("utf-8") + b"\n")
        return h.hexdigest()[:16]

    def cut(self, text: str) -> list[str]:
        """Every token, punctuation and spaces included: ``"".join(cut(t)) == t``."""
        if not text:
            return []
        with self._lock:
            return list(self._jieba.cut(text))

    def is_content(self, token: str) -> bool:
        return token in self.lexicon_set or is_content(token)

    def content(self, text: str) -> list[str]:
        return [t for t in self.cut(text) if self.is_content(t)]


_SEGMENTERS: dict[tuple[tuple[str, float], ...], Segmenter] = {}
_SEG_LOCK = threading.Lock()
_MAX_SEGMENTERS = 4


def get_segmenter(user_paths: Sequence[str] = ()) -> Segmenter:
    """The segmenter for the built-in lexicon plus these user lexicon files (cached by file mtime)."""
    key_parts: list[tuple[str, float]] = []
    for p in user_paths:
        try:
            key_parts.append((str(p), os.path.getmtime(p)))
        except OSError:
            continue
    key = tuple(key_parts)
    with _SEG_LOCK:
        seg = _SEGMENTERS.get(key)
        if seg is None:
            words = list(builtin_lexicon())
            for p, _ in key_parts:
                try:
                    words.extend(read_lexicon_file(p))
                except (OSError, UnicodeDecodeError):
                    continue  # a broken user lexicon must not break analysis; the name shows what was used
            seg = Segmenter(tuple(dict.fromkeys(words)), tuple(p for p, _ in key_parts))
            while len(_SEGMENTERS) >= _MAX_SEGMENTERS:  # each holds a dictionary: keep a few only
                _SEGMENTERS.pop(next(iter(_SEGMENTERS)))
            _SEGMENTERS[key] = seg
        return seg


def default_segmenter() -> Segmenter:
    return get_segmenter(env_lexicon_paths())


def for_store(store: Store) -> Segmenter:
    return get_segmenter(store_lexicon_paths(store.path))


def tokens(text: str) -> list[str]:
    """Words of ``text`` (punctuation and spaces dropped), formulations whole."""
    return [t for t in default_segmenter().cut(text) if is_word(t)]


def is_number(token: str) -> bool:
    if any(unicodedata.category(ch) == "Nd" for ch in token):
        return True
    return bool(_NUMBER_WORD.match(token))


def is_content(token: str) -> bool:
    """A content word: two characters or more, letters only, no number, not a stop word."""
    if len(token) < 2 or token in stopwords():
        return False
    if not all(_is_han(ch) or unicodedata.category(ch) in ("Lu", "Ll", "Lo") for ch in token):
        return False  # punctuation, digits, spaces or symbols inside: URLs, dates, "13亿"
    if not any(_is_han(ch) for ch in token) and len(token) < 3:
        return False
    return not is_number(token)


def content_tokens(text: str) -> list[str]:
    seg = default_segmenter()
    return [t for t in seg.cut(text) if seg.is_content(t)]


# -- the segmentation cache -------------------------------------------------------------------
def _encode(lengths: Iterable[int]) -> bytes:
    a = array("I", lengths)
    if a.itemsize != 4:  # pragma: no cover - exotic platforms
        raise RuntimeError("array('I') is not 32-bit here")
    if not _LITTLE:
        a.byteswap()
    return a.tobytes()


def _decode(blob: bytes) -> array[int]:
    a = array("I")
    a.frombytes(blob)
    if not _LITTLE:
        a.byteswap()
    return a


_LITTLE = array("I", [1]).tobytes()[0] == 1


def split_by_lengths(text: str, lens: Iterable[int]) -> list[str]:
    return [text[a:b] for a, b in itertools.pairwise(itertools.accumulate(lens, initial=0))]


def ensure_cache_tables(store: Store) -> bool:
    """Whether the segmentation cache can be used: its tables come with the schema (3), so an
    older file read as it is, or a read-only one, is segmented on the fly."""
    return _table_exists(store, "analysis_segments") and _table_exists(store, "analysis_segmented")


def _stamps(store: Store, doc_ids: Sequence[str] | None) -> dict[str, str]:
    sql = "SELECT id, coalesce(content_hash, ''), coalesce(ingested_at, '') FROM documents"
    if doc_ids is None:
        rows = store.execute(sql).fetchall()
    else:
        sql += " WHERE id IN (SELECT value FROM json_each(?))"
        rows = store.execute(sql, (_json_list(doc_ids),)).fetchall()
    return {str(r[0]): f"{r[1]}|{r[2]}" for r in rows}


@dataclass
class SegmentedParagraph:
    doc_id: str
    n: int
    text: str
    tokens: list[str]  # every token, tiling the text


def cached_paragraphs(store: Store, seg: Segmenter, doc_ids: Sequence[str] | None = None,
                      *, where_sql: str = "", where_args: Sequence[Any] = ()) -> Iterator[SegmentedParagraph]:
    """Paragraphs with their tokens, segmenting (and caching) whatever is not cut yet.

    ``doc_ids`` limits to those documents (None: all); ``where_sql`` is an extra condition over
    ``paragraphs p`` / ``documents d`` (e.g. ``instr(p.text, ?) > 0``). Documents come in id
    order, paragraphs in their order.
    """
    ensure_segmented(store, seg, doc_ids)
    cached = _table_exists(store, "analysis_segments")
    args: list[Any] = []
    conds: list[str] = []
    if doc_ids is not None:
        ids = list(doc_ids)
        if not ids:
            return
        conds.append("p.doc_id IN (SELECT value FROM json_each(?))")
        args.append(_json_list(ids))
    if where_sql:
        conds.append(where_sql)
        args.extend(where_args)
    where = (" WHERE " + " AND ".join(conds)) if conds else ""
    if cached and _table_exists(store, "analysis_segmented"):
        # a cut is used only if it was made of this very version of the document, with this lexicon
        sql = ("SELECT p.doc_id, p.n, p.text, CASE WHEN g.stamp = coalesce(d.content_hash, '') || '|' || "
               "coalesce(d.ingested_at, '') || '|' || ? THEN s.lens END "
               "FROM paragraphs p JOIN documents d ON d.id = p.doc_id "
               "LEFT JOIN analysis_segmented g ON g.doc_id = p.doc_id "
               "LEFT JOIN analysis_segments s ON s.doc_id = p.doc_id AND s.n = p.n"
               f"{where} ORDER BY p.doc_id, p.n")
        args.insert(0, seg.fingerprint)
    else:
        sql = ("SELECT p.doc_id, p.n, p.text, NULL FROM paragraphs p JOIN documents d ON d.id = p.doc_id"
               f"{where} ORDER BY p.doc_id, p.n")
    for doc_id, n, text, lens in store.execute(sql, args):
        toks = split_by_lengths(text, _decode(lens)) if lens is not None else seg.cut(text)
        if lens is not None and sum(len(t) for t in toks) != len(text):
            toks = seg.cut(text)  # never trust a cache over the text
        yield SegmentedParagraph(str(doc_id), int(n), str(text), toks)


def _json_list(items: Sequence[str]) -> str:
    return json.dumps(list(items), ensure_ascii=False)


def _table_exists(store: Store, name: str) -> bool:
    row = store.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)).fetchone()
    return row is not None


def ensure_segmented(store: Store, seg: Segmenter, doc_ids: Sequence[str] | None = None) -> int:
    """Segment and cache the documents whose cut is missing or stale; returns how many were cut."""
    if not ensure_cache_tables(store) or not store.can_cache():
        return 0
    stamps = _stamps(store, doc_ids)
    fp = seg.fingerprint
    if doc_ids is None:
        have = {str(r[0]): str(r[1]) for r in store.execute("SELECT doc_id, stamp FROM analysis_segmented")}
    else:
        have = {str(r[0]): str(r[1]) for r in store.execute(
            "SELECT doc_id, stamp FROM analysis_segmented WHERE doc_id IN (SELECT value FROM json_each(?))",
            (_json_list(doc_ids),))}
    todo = [d for d, s in stamps.items() if have.get(d) != f"{s}|{fp}"]
    gone = [d for d in have if d not in stamps] if doc_ids is None else []
    if not todo and not gone:
        return 0
    batch: list[tuple[str, int, bytes]] = []
    done: list[tuple[str, str]] = []
    for doc_id in todo:
        for n, text in store.execute("SELECT n, text FROM paragraphs WHERE doc_id = ? ORDER BY n", (doc_id,)):
            batch.append((doc_id, int(n), _encode(len(t) for t in seg.cut(str(text)))))
        done.append((doc_id, f"{stamps[doc_id]}|{fp}"))
    try:
        with store.cache_transaction() as conn:
            if conn is None:
                return 0  # read-only, or another process is writing: callers segment on the fly
            for doc_id in todo + gone:
                conn.execute("DELETE FROM analysis_segments WHERE doc_id = ?", (doc_id,))
            conn.executemany("DELETE FROM analysis_segmented WHERE doc_id = ?", [(d,) for d in gone])
            conn.executemany("INSERT OR REPLACE INTO analysis_segments (doc_id, n, lens) VALUES (?,?,?)",
                             batch)
            conn.executemany("INSERT OR REPLACE INTO analysis_segmented (doc_id, stamp) VALUES (?,?)",
                             done)
    except sqlite3.OperationalError:
        return 0  # locked or read-only: callers segment on the fly instead
    return len(todo)
