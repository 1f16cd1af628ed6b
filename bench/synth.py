"""Build a synthetic lunshu database of N paragraphs from real sentences of ../shared/corpora.

Why synthetic: the real corpora hold ~10k paragraphs; the search targets are stated for 1M.
The sentences are real (so character and phrase statistics are those of the genre); they are
shuffled and recombined into paragraphs and documents with random dates (1954–2025, a few with
reduced precision or none), speakers, genres and sources.

Writes through the store's schema (``Store``): the rows first, then the index's ``add`` in big
transactions in the index's key order, then ``index.settle`` as ``lunshu ingest`` ends (on a new
database: the segments merged into one); reports how fast the index was written (characters per
second of ``index.add``).

    python bench/synth.py /tmp/syn100k.db --paragraphs 100000
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import sqlite3
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from lunshu import index
from lunshu.models import GENRES
from lunshu.store import Store

SHARED = Path(os.environ.get("LUNSHU_SHARED", ROOT.parent / "shared"))
SPEAKERS = ["习近平", "李强", "李克强", "温家宝", "胡锦涛", "江泽民", "朱镕基", "周恩来", "赵乐际", "王沪宁",
            "蔡奇", "丁薛祥", "李希", "韩正", "王岐山"]
SOURCES = ["新华社", "人民日报", "新华网", "求是", "中国政府网", "央视新闻", "光明日报", "中国日报"]

_PARA_SPLIT = re.compile(r"\n\s*\n|[\u3000\u2003]{2,}|\n")
_SENT = re.compile(r"[^。！？；!?;]*[。！？；!?;]")


def load_sentences(corpora: Path) -> list[str]:
    """Real sentences (4–300 characters) from every record of the shared corpora."""
    texts: list[str] = []
    for path in sorted(corpora.iterdir()):
        if path.suffix == ".jsonl":
            for line in path.read_text(encoding="utf-8").splitlines():
                if line.strip():
                    rec = json.loads(line)
                    texts.append(str(rec.get("content") or rec.get("text") or ""))
        elif path.suffix == ".json":
            data = json.loads(path.read_text(encoding="utf-8"))
            for rec in data if isinstance(data, list) else [data]:
                texts.append(str(rec.get("text") or rec.get("content") or ""))
    out: list[str] = []
    for t in texts:
        for para in _PARA_SPLIT.split(t):
            para = para.strip()
            out.extend(s.strip() for s in _SENT.findall(para) if 4 <= len(s.strip()) <= 300)
    return out


def _date(rng: random.Random) -> str | None:
    r = rng.random()
    y = rng.randint(1954, 2025)
    if r < 0.02:
        return None
    if r < 0.07:
        return f"{y}"
    if r < 0.12:
        return f"{y}-{rng.randint(1, 12):02d}"
    return f"{y}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"


def build(db: Path, n_paragraphs: int, *, seed: int = 1, corpora: Path = SHARED / "corpora",
          batch: int = 40000, quiet: bool = False) -> dict[str, float]:
    rng = random.Random(seed)
    sentences = load_sentences(corpora)
    if db.exists():
        db.unlink()
    for extra in (Path(str(db) + "-wal"), Path(str(db) + "-shm")):
        if extra.exists():
            extra.unlink()
    store = Store(db)
    conn = store.conn
    conn.execute("PRAGMA synchronous = OFF")
    pid = 0
    doc_no = 0
    chars = 0
    t_index = 0.0
    cpu_index = 0.0
    t0 = time.perf_counter()
    while pid < n_paragraphs:
        docs: list[tuple[object, ...]] = []
        paras: list[tuple[int, str, int, str]] = []
        speakers: list[tuple[str, str, int]] = []
        while len(paras) < batch and pid < n_paragraphs:
            doc_no += 1
            doc_id = f"syn{doc_no:07x}"
            n = min(rng.randint(3, 90), n_paragraphs - pid)
            texts = ["".join(rng.choice(sentences) for _ in range(rng.choice((1, 1, 2, 2, 3, 4, 6))))
                     for _ in range(n)]
            date = _date(rng)
            spk = rng.sample(SPEAKERS, rng.choice((1, 1, 1, 2)))
            genre = rng.choice(GENRES)
            title = texts[0][:rng.randint(8, 24)]
            doc_chars = sum(len(t) for t in texts)
            docs.append((doc_id, title, date, int(date[:4]) if date else None,
                         json.dumps(spk, ensure_ascii=False), spk[0], None, genre, rng.choice(SOURCES),
                         None, "[]", "[]", "[]", "synth", f"h{doc_no}", "", n, doc_chars, None))
            speakers.extend((doc_id, s, i) for i, s in enumerate(spk))
            for i, t in enumerate(texts):
                pid += 1
                paras.append((pid, doc_id, i + 1, t))
            chars += doc_chars
        with store.transaction() as c:
            c.executemany("INSERT INTO documents (id, title, date, year, speakers, speaker, occasion, genre, source, "
                          "url, keywords, publisher_keywords, reporters, origin, content_hash, raw, n_paragraphs, "
                          "chars, ingested_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", docs)
            c.executemany("INSERT INTO doc_speakers (doc_id, speaker, rank) VALUES (?,?,?)", speakers)
            c.executemany("INSERT INTO paragraphs (id, doc_id, n, text) VALUES (?,?,?,?)", paras)
        if not quiet:
            print(f"\r{pid:>9} paragraphs  {chars / 1e6:7.1f} M chars  {time.perf_counter() - t0:6.1f} s",
                  end="", file=sys.stderr)
    # The index is written afterwards in its own key order (year, then paragraph), as an ingest of
    # date-ordered input writes it: documents of random dates written batch by batch make every
    # transaction's segment span all years (that way the 1M-paragraph index took 1,272 s, 87 k chars/s;
    # the same index in key order 124 s, 0.89 M chars/s).
    reader = sqlite3.connect(db)
    order = reader.execute("SELECT p.id, p.text FROM paragraphs p JOIN documents d ON d.id = p.doc_id "
                         "ORDER BY coalesce(d.year, 0), p.id")
    indexed = 0
    while True:
        rows = order.fetchmany(batch)
        if not rows:
            break
        ti, ci = time.perf_counter(), time.process_time()
        with store.transaction() as c:
            index.add(c, [(int(r[0]), str(r[1])) for r in rows])
        # (the commit is counted too: FTS5 writes its last in-memory batch then)
        t_index += time.perf_counter() - ti
        cpu_index += time.process_time() - ci
        indexed += sum(len(r[1]) for r in rows)
        if not quiet:
            print(f"\rindexed {indexed / 1e6:7.1f} M chars  index.add {indexed / max(t_index, 1e-9) / 1e6:.2f} M chars/s "
                  f"({indexed / max(cpu_index, 1e-9) / 1e6:.2f} per CPU s)", end="", file=sys.stderr)
    reader.close()
    t_opt = time.perf_counter()
    with store.transaction() as c:  # what `lunshu ingest` does at its end (here: the whole index)
        index.settle(c, pid)
    t_opt = time.perf_counter() - t_opt
    total = time.perf_counter() - t0
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    if not quiet:
        print(file=sys.stderr)
    store.close()
    return {"paragraphs": pid, "documents": doc_no, "chars": chars, "seconds": total,
            "index_seconds": t_index, "optimize_seconds": t_opt,
            "index_chars_per_s": chars / max(t_index, 1e-9), "index_chars_per_cpu_s": chars / max(cpu_index, 1e-9)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("db", type=Path)
    ap.add_argument("--paragraphs", type=int, default=10000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--corpora", type=Path, default=SHARED / "corpora")
    args = ap.parse_args()
    if not args.corpora.is_dir():
        sys.exit(f"synth: no corpora at {args.corpora}")
    print(json.dumps(build(args.db, args.paragraphs, seed=args.seed, corpora=args.corpora)))


if __name__ == "__main__":
    main()
