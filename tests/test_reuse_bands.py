"""``reuse.Bands`` gives exactly the candidates datasketch's MinHashLSH gives, in a fraction of the memory."""

from __future__ import annotations

import sqlite3
from typing import Any

import pytest
from datasketch import MinHash, MinHashLSH

from lunshu import reuse


def _units(db: str) -> list[str]:
    conn = sqlite3.connect(db)
    try:
        rows = [(str(d), int(n), str(t)) for d, n, t in
                conn.execute("SELECT doc_id, n, text FROM paragraphs ORDER BY doc_id, n")]
    finally:
        conn.close()
    return list(dict.fromkeys(u.text for u in reuse.iter_units(rows)))


def _same_as_datasketch(texts: list[str]) -> int:
    sigs = reuse.signatures(texts, chunk=97)  # chunking must not change a value
    mhs = MinHash.bulk([reuse.shingles(t) for t in texts], num_perm=reuse.NUM_PERM, hashfunc=reuse.hash32)
    lsh = MinHashLSH(threshold=reuse.LSH_THRESHOLD, num_perm=reuse.NUM_PERM)
    for i, m in enumerate(mhs):
        assert (sigs[i] == m.hashvalues).all()
        lsh.insert(i, m, check_duplication=False)
    bands = reuse.Bands(sigs, reuse.lsh_params()[2])
    shared = 0
    for i, m in enumerate(mhs):
        expected = set(lsh.query(m))
        assert bands.query(i) == expected, texts[i]
        shared += len(expected) > 1
    return shared


def test_bands_equal_datasketch_on_the_examples(examples_corpus: Any) -> None:
    texts = _units(examples_corpus.path)
    assert len(texts) > 20
    _same_as_datasketch(texts)


def test_bands_edge_cases() -> None:
    assert reuse.Bands(reuse.signatures([]), reuse.lsh_params()[2]).tables[0][0].size == 0
    one = reuse.Bands(reuse.signatures(["只有一个句子也要能查询才行"]), reuse.lsh_params()[2])
    assert one.query(0) == {0}
    same = reuse.Bands(reuse.signatures(["完全相同的句子出现两次了"] * 2 + ["另外一个毫不相干的句子啊"]),
                       reuse.lsh_params()[2])
    assert same.query(0) == same.query(1) == {0, 1} and same.query(2) == {2}


@pytest.mark.usefixtures("shared_dir")
def test_bands_equal_datasketch_on_the_shared_corpora(corpora_corpus: Any) -> None:
    texts = _units(corpora_corpus.path)
    assert len(texts) > 20_000
    assert _same_as_datasketch(texts) > 100  # near-duplicates exist there: the test has teeth
