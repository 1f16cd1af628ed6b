"""Spark jobs: ingest → Parquet, reuse (MinHash LSH as a join on band keys), quotations.

Each job calls the embedded path's pure functions inside ``mapPartitions``; what the embedded path
does globally in memory (one LSH index, dictionaries keyed by paragraph) is done here with joins and
aggregations, with the same parameters, so the results are the same links (see ``tests/test_spark.py``).

Output layout of ``DIR``: ``documents/``, ``paragraphs/``, ``failures/`` (ingest), ``reuse_links/``,
``reuse_docs/``, ``reuse_meta/`` (reuse), ``quotes/`` (quotes); every table is Parquet and sorted by
its key, so ``lunshu load`` can stream it into SQLite.
"""

from __future__ import annotations

import json
import os
import re
import sys
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lunshu import settings
from lunshu.spark import MISSING_PYSPARK

if TYPE_CHECKING:  # pragma: no cover
    from pyspark import RDD
    from pyspark.sql import DataFrame, SparkSession

try:  # a clear error instead of a traceback when the extra is missing
    import pyspark  # noqa: F401
    from pyspark import StorageLevel
    from pyspark.sql import functions as F
    from pyspark.sql import types as T
except ImportError as _exc:  # pragma: no cover - exercised only without the extra
    raise ImportError(MISSING_PYSPARK) from _exc

from lunshu.errors import InputError, LunshuError
from lunshu.models import Document, IngestFailure, RawRecord

# -- session -------------------------------------------------------------------------------------

_LOG4J = """\
rootLogger.level = error
rootLogger.appenderRef.stderr.ref = console
appender.console.type = Console
appender.console.name = console
appender.console.target = SYSTEM_ERR
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = %d{HH:mm:ss} %p %c{1}: %m%n
"""


def _log4j_file() -> str:
    path = Path(tempfile.gettempdir()) / "lunshu-spark-log4j2.properties"
    if not path.exists() or path.read_text() != _LOG4J:
        path.write_text(_LOG4J)
    return str(path)


def get_session(master: str | None = None, *, driver_memory: str = "2g", partitions: int | None = None,
                app_name: str = "lunshu") -> SparkSession:
    """A SparkSession that stays on the loopback interface, without UI and quiet.

    Under ``spark-submit`` (a JVM is already there) the cluster's settings are kept and only the
    application's own defaults are added.
    """
    from pyspark.sql import SparkSession

    # workers must run the interpreter that has lunshu installed
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    builder = SparkSession.builder.appName(app_name)
    submitted = "PYSPARK_GATEWAY_PORT" in os.environ
    if not submitted:
        builder = (builder.master(master or settings.spark_master())
                   .config("spark.ui.enabled", "false")
                   .config("spark.ui.showConsoleProgress", "false")
                   .config("spark.driver.host", "127.0.0.1")
                   .config("spark.driver.bindAddress", "127.0.0.1")
                   .config("spark.driver.memory", driver_memory)
                   .config("spark.driver.extraJavaOptions", f"-Dlog4j2.configurationFile=file:{_log4j_file()}")
                   .config("spark.sql.warehouse.dir", os.path.join(tempfile.gettempdir(), "lunshu-spark-warehouse")))
    elif master:
        builder = builder.master(master)
    if partitions:
        builder = builder.config("spark.sql.shuffle.partitions", str(partitions))
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    if not partitions and not submitted:
        spark.conf.set("spark.sql.shuffle.partitions", str(max(2, spark.sparkContext.defaultParallelism * 2)))
    return spark


def _n_partitions(spark: SparkSession, partitions: int | None) -> int:
    return partitions or max(2, spark.sparkContext.defaultParallelism * 4)


# -- schemas -------------------------------------------------------------------------------------

_STR_LIST = T.ArrayType(T.StringType())

DOCUMENT_FIELDS: list[tuple[str, Any]] = [
    ("id", T.StringType()), ("title", T.StringType()), ("date", T.StringType()), ("delivered", T.StringType()),
    ("year", T.IntegerType()),
    ("speakers", _STR_LIST), ("speaker", T.StringType()), ("occasion", T.StringType()),
    ("genre", T.StringType()), ("source", T.StringType()), ("url", T.StringType()),
    ("keywords", _STR_LIST), ("publisher_keywords", _STR_LIST), ("reporters", _STR_LIST),
    ("origin", T.StringType()), ("content_hash", T.StringType()), ("raw", T.StringType()),
    ("n_paragraphs", T.IntegerType()), ("chars", T.LongType()), ("ingested_at", T.StringType()),
    ("editor", T.StringType()), ("paragraphs_inferred", T.BooleanType()), ("place", T.StringType()),
    ("roles", T.StringType()), ("subtitle", T.StringType()),
]
_AT = [n for n, _ in DOCUMENT_FIELDS].index("ingested_at")
_DOC_WITH_PARAGRAPHS = T.StructType([T.StructField(n, t) for n, t in DOCUMENT_FIELDS]
                                    + [T.StructField("paragraphs", _STR_LIST)])
_FAILURES = T.StructType([T.StructField("path", T.StringType()), T.StructField("record", T.LongType()),
                          T.StructField("error", T.StringType())])
_REUSE_LINKS = T.StructType([
    T.StructField("a_doc", T.StringType()), T.StructField("a_par", T.IntegerType()),
    T.StructField("b_doc", T.StringType()), T.StructField("b_par", T.IntegerType()),
    T.StructField("score", T.DoubleType()), T.StructField("cluster", T.IntegerType())])
_REUSE_DOCS = T.StructType([
    T.StructField("a_doc", T.StringType()), T.StructField("b_doc", T.StringType()),
    T.StructField("score", T.DoubleType()), T.StructField("relation", T.StringType()),
    T.StructField("shared_chars", T.LongType())])
_REUSE_META = T.StructType([
    T.StructField("documents_digest", T.StringType()), T.StructField("documents", T.LongType()),
    T.StructField("num_perm", T.IntegerType()), T.StructField("threshold", T.DoubleType()),
    T.StructField("bands", T.IntegerType()), T.StructField("rows", T.IntegerType())])
_QUOTES = T.StructType([
    T.StructField("doc_id", T.StringType()), T.StructField("q", T.IntegerType()),
    T.StructField("n", T.IntegerType()), T.StructField("n_end", T.IntegerType()),
    T.StructField("text", T.StringType()), T.StructField("date", T.StringType()),
    T.StructField("date_end", T.StringType()), T.StructField("speaker", T.StringType()),
    T.StructField("occasion", T.StringType()), T.StructField("raw", T.StringType())])


def _table(out: str, name: str) -> str:
    return out.rstrip("/") + "/" + name


# -- ingest --------------------------------------------------------------------------------------

_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*://")
Ordinal = tuple[int, int]  # (input file, position of the record in it): the later one wins


def _is_remote(path: str) -> bool:
    return bool(_SCHEME.match(path)) and not path.startswith("file://")


def _local(path: str) -> str:
    return path.removeprefix("file://")


def _read_local(item: tuple[int, str], field_map: dict[str, str] | None,
                encoding: str | None) -> Iterator[tuple[Ordinal, bool, RawRecord | IngestFailure]]:
    from lunshu.ingest import read_path

    fi, path = item
    for seq, rec in enumerate(read_path(path, field_map, encoding)):
        yield (fi, seq), False, rec


def _hadoop_files(spark: SparkSession, uri: str) -> list[str]:
    """Files under a Hadoop-filesystem URI (hdfs://, s3a://, gs://, …): globs and folders expanded."""
    from lunshu.ingest.paths import KNOWN_SUFFIXES

    jvm: Any = spark.sparkContext._jvm
    conf = spark.sparkContext._jsc.hadoopConfiguration()  # type: ignore[union-attr]
    p = jvm.org.apache.hadoop.fs.Path(uri)
    fs = p.getFileSystem(conf)
    statuses = fs.globStatus(p) or []
    out: list[str] = []
    for st in statuses:
        if st.isDirectory():
            it = fs.listFiles(st.getPath(), True)
            while it.hasNext():
                f = it.next().getPath()
                name = str(f.getName())
                if not name.startswith((".", "_")) and Path(name).suffix.lower() in KNOWN_SUFFIXES:
                    out.append(str(f.toString()))
        else:
            out.append(str(st.getPath().toString()))
    return sorted(out)


def _jsonl_lines(path: str, field_map: dict[str, str] | None, fi: int,
                 rows: Iterable[tuple[str, int]]) -> Iterator[tuple[Ordinal, bool, RawRecord | IngestFailure]]:
    """Lines of a JSONL file read by Spark's text source: the record numbers of ``read_jsonl``."""
    from lunshu.ingest.readers import record_to_raw

    for line, idx in rows:
        i = idx + 1
        if not line.strip():
            continue
        text = line.lstrip("\ufeff")
        try:
            try:
                rec = json.loads(text)
            except json.JSONDecodeError as exc:
                raise InputError(f"invalid JSON on line {i} column {exc.colno}: {exc.msg}", path=path,
                                 record=i) from None
            yield (fi, i), True, record_to_raw(rec, path, i, text.rstrip("\r\n"), field_map)
        except LunshuError as exc:
            yield (fi, i), True, IngestFailure(exc.path or path, exc.record if exc.record is not None else i,
                                               exc.message)


def _parquet_rows(path: str, field_map: dict[str, str] | None, fi: int,
                  rows: Iterable[tuple[Any, int]]) -> Iterator[tuple[Ordinal, bool, RawRecord | IngestFailure]]:
    from lunshu.ingest.readers import record_to_raw

    for row, idx in rows:
        i = idx + 1
        try:
            yield (fi, i), True, record_to_raw(row.asDict(recursive=True), path, i, "", field_map)
        except LunshuError as exc:
            yield (fi, i), True, IngestFailure(exc.path or path, exc.record if exc.record is not None else i,
                                               exc.message)


def _whole_file(fi: int, path: str, data: bytes, field_map: dict[str, str] | None,
                encoding: str | None) -> Iterator[tuple[Ordinal, bool, RawRecord | IngestFailure]]:
    """Any other format from a remote filesystem: the bytes go through the ordinary reader."""
    from lunshu.ingest import read_path

    with tempfile.TemporaryDirectory() as tmp:
        local = os.path.join(tmp, "input" + Path(path).suffix.lower())
        Path(local).write_bytes(data)
        for seq, item in enumerate(read_path(local, field_map, encoding)):
            item.path = path
            if isinstance(item, RawRecord):
                for prefix in (os.path.abspath(local), local):
                    if item.key.startswith(prefix):
                        item.key = path + item.key[len(prefix):]
                        break
            yield (fi, seq), True, item


def _remote_file(spark: SparkSession, f: str, k: int, fm: dict[str, str] | None,
                 enc: str | None) -> RDD[Any]:
    """One file on a Hadoop filesystem as records: JSONL by lines, Parquet by rows, others whole."""
    sc = spark.sparkContext
    suffix = Path(f).suffix.lower()
    if suffix in (".jsonl", ".ndjson"):
        lines: RDD[Any] = sc.textFile(f).zipWithIndex()
        return lines.mapPartitions(lambda rows: _jsonl_lines(f, fm, k, rows))
    if suffix == ".parquet":
        prows: RDD[Any] = spark.read.parquet(f).rdd.zipWithIndex()
        return prows.mapPartitions(lambda rows: _parquet_rows(f, fm, k, rows))
    files: RDD[Any] = sc.binaryFiles(f)
    return files.flatMap(lambda fb: _whole_file(k, fb[0], fb[1], fm, enc))


def _build(item: tuple[Ordinal, bool, RawRecord | IngestFailure]) -> tuple[str, Ordinal, Any]:
    """One record to a document row, or a failure row; the same error mapping as ``Corpus.ingest``."""
    from lunshu.identity import doc_id_for
    from lunshu.ingest import build_document

    ordinal, remote, rec = item
    if isinstance(rec, IngestFailure):
        return "fail", ordinal, (rec.path, rec.record, rec.error)
    try:
        doc = build_document(rec)
    except LunshuError as exc:
        return "fail", ordinal, (rec.path, rec.record_no, exc.message)
    except RecursionError:
        return "fail", ordinal, (rec.path, rec.record_no, "too deeply nested to process")
    except Exception as exc:  # noqa: BLE001 - a bug in one stage must not lose the other documents
        return "fail", ordinal, (rec.path, rec.record_no,
                                 f"internal error while processing ({type(exc).__name__}: {exc}); please report it")
    if remote:
        # a URI is already absolute: its id must not depend on an executor's working directory
        doc.id = doc_id_for(rec.key or rec.path)
    return "doc", ordinal, document_row(doc)


def document_row(doc: Document, ingested_at: str | None = None) -> tuple[Any, ...]:
    """A Document as a row of the ``documents`` table (plus its paragraphs, dropped on write)."""
    year = int(doc.date[:4]) if doc.date and len(doc.date) >= 4 and doc.date[:4].isdigit() else None
    return (doc.id, doc.title, doc.date, getattr(doc, "delivered", None), year, list(doc.speakers), doc.speakers[0] if doc.speakers else None,
            doc.occasion, doc.genre, doc.source, doc.url, list(doc.keywords), list(doc.publisher_keywords),
            list(doc.reporters), doc.origin, doc.content_hash, doc.raw, len(doc.paragraphs), doc.chars,
            ingested_at, doc.editor, bool(doc.paragraphs_inferred), doc.place,
            json.dumps(doc.roles, ensure_ascii=False), doc.subtitle, list(doc.paragraphs))


def _later(a: tuple[Ordinal, Any], b: tuple[Ordinal, Any]) -> tuple[Ordinal, Any]:
    return a if a[0] > b[0] else b


def ingest(spark: SparkSession, paths: list[str], out: str, *, field_map: dict[str, str] | None = None,
           encoding: str | None = None, partitions: int | None = None) -> dict[str, Any]:
    """Read, clean and describe every document under ``paths`` and write them as Parquet under ``out``.

    Local paths (files, folders, globs, ``file://``) are expanded on the driver and read by the
    ordinary readers on the executors; ``hdfs://``/``s3a://``… URIs are listed through Hadoop and read
    with Spark's sources (JSONL as text lines, Parquet as rows, anything else as whole files).
    """
    from datetime import datetime, timezone

    from lunshu.ingest import expand_paths

    sc = spark.sparkContext
    n_parts = _n_partitions(spark, partitions)
    failures: list[tuple[Ordinal, tuple[str, int | None, str]]] = []
    local_args = [_local(p) for p in paths if not _is_remote(p)]
    remote_args = [p for p in paths if _is_remote(p)]
    files: list[str] = []
    for item in expand_paths(local_args):
        if isinstance(item, IngestFailure):
            failures.append(((-1, len(failures)), (item.path, item.record, item.error)))
        elif not isinstance(item, str):
            continue  # a file of a format lunshu does not read (embedded ingest reports it)
        elif item == "-":
            failures.append(((-1, len(failures)), ("-", None, "stdin is not supported by Spark jobs; give a file")))
        else:
            files.append(item)
    parts: list[RDD[Any]] = []
    fm, enc = field_map, encoding
    if files:
        parts.append(sc.parallelize(list(enumerate(files)), min(len(files), max(1, n_parts)))
                     .flatMap(lambda it: _read_local(it, fm, enc)))
    fi = len(files)
    for uri in remote_args:
        found = _hadoop_files(spark, uri)
        if not found:
            failures.append(((-1, len(failures)), (uri, None, "no file matches this URI")))
        for f in found:
            parts.append(_remote_file(spark, f, fi, fm, enc))
            fi += 1
    now = datetime.now(timezone.utc).isoformat(timespec="seconds")
    if parts:
        records = sc.union(parts) if len(parts) > 1 else parts[0]
        built = records.repartition(n_parts).map(_build).persist(StorageLevel.MEMORY_AND_DISK)
        failures += built.filter(lambda t: t[0] == "fail").map(lambda t: (t[1], t[2])).collect()
        docs_rdd = (built.filter(lambda t: t[0] == "doc").map(lambda t: (t[2][0], (t[1], t[2])))
                    .reduceByKey(_later).map(lambda kv: kv[1][1][:_AT] + (now,) + kv[1][1][_AT + 1:]))
    else:
        built = None
        docs_rdd = sc.emptyRDD()
    docs_df = spark.createDataFrame(docs_rdd, _DOC_WITH_PARAGRAPHS).persist(StorageLevel.MEMORY_AND_DISK)
    try:
        docs_df.drop("paragraphs").orderBy("id").write.mode("overwrite").parquet(_table(out, "documents"))
        paragraphs = (docs_df.select(F.col("id").alias("doc_id"), F.posexplode("paragraphs").alias("pos", "text"))
                      .select("doc_id", (F.col("pos") + 1).cast("int").alias("n"), "text")
                      .orderBy("doc_id", "n"))
        paragraphs.write.mode("overwrite").parquet(_table(out, "paragraphs"))
        totals = docs_df.agg(F.count("*").alias("docs"), F.sum("n_paragraphs").alias("paragraphs"),
                             F.sum("chars").alias("chars")).collect()[0]
    finally:
        docs_df.unpersist()
        if built is not None:
            built.unpersist()
    failures.sort(key=lambda f: f[0])
    fail_rows = [(p, r, e) for _, (p, r, e) in failures]
    spark.createDataFrame(fail_rows, _FAILURES).coalesce(1).write.mode("overwrite").parquet(_table(out, "failures"))
    return {
        "documents": int(totals["docs"] or 0),
        "paragraphs": int(totals["paragraphs"] or 0),
        "chars": int(totals["chars"] or 0),
        "failed": [{"path": p, "record": r, "error": e} for p, r, e in fail_rows],
        "out": out,
    }


# -- reuse ---------------------------------------------------------------------------------------

UnitKey = tuple[str, int, int]  # (doc_id, paragraph n, sentence k): the embedded unit order
Para = tuple[str, int]


def lsh_params() -> tuple[int, int, list[tuple[int, int]]]:
    """Bands and rows exactly as the embedded path uses them (datasketch's choice for its threshold)."""
    from lunshu import reuse

    return reuse.lsh_params()


def _units(rows: Iterable[Any]) -> Iterator[tuple[str, UnitKey]]:
    from lunshu.reuse import iter_units

    for doc_id, n, text in rows:
        for k, u in enumerate(iter_units([(doc_id, int(n), text)])):
            yield u.text, (doc_id, int(n), k)


def _band_keys(groups: Iterable[tuple[UnitKey, str]],
               hashranges: list[tuple[int, int]]) -> Iterator[tuple[tuple[int, bytes], UnitKey]]:
    """MinHash of each distinct sentence (same permutations and hash as ``reuse.py``), cut into bands."""
    from datasketch import MinHash

    from lunshu import reuse

    template = MinHash(num_perm=reuse.NUM_PERM, hashfunc=reuse.hash32)
    for rep, text in groups:
        m = template.copy()
        m.update_batch(reuse.shingles(text))
        hv = m.hashvalues
        for b, (s, e) in enumerate(hashranges):
            yield (b, hv[s:e].tobytes()), rep


def confirm(a: str, b: str) -> float | None:
    """The embedded confirmation of a candidate pair, shared with ``reuse.sentence_pairs``."""
    from lunshu import reuse

    return reuse.confirm(a, b)


def _bucket_pairs(members: Iterable[UnitKey], max_bucket: int) -> Iterator[tuple[UnitKey, UnitKey | None]]:
    """Neighbours within one LSH bucket; ``None`` marks a member of an oversized bucket.

    A representative in a bucket larger than MAX_BUCKET has more candidates than MAX_BUCKET, so the
    embedded path skips it as the lower side of a pair; a pair whose lower side qualifies always comes
    from buckets no larger than that, so oversized buckets never need their pairs enumerated.
    """
    ms = sorted(set(members))
    if len(ms) > max_bucket:
        for m in ms:
            yield m, None
        return
    for x in ms:
        for y in ms:
            if x != y:
                yield x, y


def _qualified(kv: tuple[UnitKey, Iterable[UnitKey | None]], max_bucket: int) -> Iterator[tuple[UnitKey, UnitKey]]:
    i, neigh = kv
    ns = set(neigh)
    if None in ns or len(ns) + 1 > max_bucket:  # the candidates include the sentence itself
        return
    for j in ns:
        if j is not None and j > i:
            yield i, j


def _expand(pair_score: tuple[float, list[UnitKey], list[UnitKey], int, int]
            ) -> Iterator[tuple[tuple[Para, Para], tuple[int, int, float]]]:
    """Every occurrence of the two sentences, across different documents, as paragraph cover."""
    score, gi, gj, li, lj = pair_score
    for x in gi:
        for y in gj:
            if x[0] == y[0]:
                continue
            if x < y:
                yield ((x[0], x[1]), (y[0], y[1])), (li, lj, score)
            else:
                yield ((y[0], y[1]), (x[0], x[1])), (lj, li, score)


def _exact(group: tuple[str, list[UnitKey]], max_bucket: int
           ) -> Iterator[tuple[tuple[Para, Para], tuple[int, int, float]]]:
    text, members = group
    if not 1 < len(members) <= max_bucket:
        return
    ln = len(text)
    for gi, x in enumerate(members):
        for y in members[gi + 1:]:
            if x[0] != y[0]:
                yield ((x[0], x[1]), (y[0], y[1])), (ln, ln, 1.0)


def _add_cover(a: tuple[int, int, float], b: tuple[int, int, float]) -> tuple[int, int, float]:
    return a[0] + b[0], a[1] + b[1], max(a[2], b[2])


def _digest_part(rows: Iterable[Any]) -> Iterator[tuple[int, int]]:
    from lunshu.load import digest_part

    yield digest_part((str(r[0]), r[1]) for r in rows)


def documents_digest(df: DataFrame) -> tuple[str, int]:
    """Order-free digest of (id, content_hash): ``lunshu load`` checks reuse output against it."""
    from lunshu.load import format_digest

    acc, n = 0, 0
    for a, k in df.select("id", "content_hash").rdd.map(tuple).mapPartitions(_digest_part).collect():
        acc ^= a
        n += k
    return format_digest(acc), n


def reuse(spark: SparkSession, out: str, *, partitions: int | None = None) -> dict[str, Any]:
    """Near-duplicate sentences → paragraph and document links, as ``reuse.compute`` gives them."""
    from lunshu import reuse as R

    n_parts = _n_partitions(spark, partitions)
    bands, rows_per_band, hashranges = lsh_params()
    max_bucket = R.MAX_BUCKET
    docs = spark.read.parquet(_table(out, "documents")).select("id", "genre", "date", "content_hash")
    paragraphs = spark.read.parquet(_table(out, "paragraphs")).select("doc_id", "n", "text").rdd.map(tuple)
    paragraphs = paragraphs.repartition(n_parts)

    # sentence units, grouped by identical text: the first occurrence represents the group
    units = paragraphs.mapPartitions(_units)
    groups = (units.groupByKey(n_parts).mapValues(sorted)
              .persist(StorageLevel.MEMORY_AND_DISK))  # (text, [unit keys in order])
    reps = groups.map(lambda g: (g[1][0], (g[0], g[1]))).persist(StorageLevel.MEMORY_AND_DISK)

    # LSH: representatives sharing a band are candidates; buckets are the join keys
    buckets = reps.map(lambda r: (r[0], r[1][0])).mapPartitions(lambda it: _band_keys(it, hashranges))
    neighbours = buckets.groupByKey(n_parts).flatMap(lambda kv: _bucket_pairs(kv[1], max_bucket))
    pairs = neighbours.groupByKey(n_parts).flatMap(lambda kv: _qualified(kv, max_bucket))

    # confirmation with the embedded function, then every occurrence of both sentences
    rep_info = reps.mapValues(lambda v: (v[0], v[1]))
    with_i = pairs.join(rep_info, n_parts).map(lambda kv: (kv[1][0], (kv[0], kv[1][1])))
    with_ij = with_i.join(rep_info, n_parts)

    def _scored(kv: tuple[UnitKey, tuple[tuple[UnitKey, tuple[str, list[UnitKey]]], tuple[str, list[UnitKey]]]]
                ) -> Iterator[tuple[float, list[UnitKey], list[UnitKey], int, int]]:
        _j, ((_i, (ti, gi)), (tj, gj)) = kv
        s = confirm(ti, tj)
        if s is not None:
            yield s, gi, gj, len(ti), len(tj)

    lsh_cover = with_ij.flatMap(_scored).flatMap(_expand)
    exact_cover = groups.flatMap(lambda g: _exact(g, max_bucket))
    cover = lsh_cover.union(exact_cover).reduceByKey(_add_cover, n_parts).persist(StorageLevel.MEMORY_AND_DISK)

    # roll-up: paragraph links (share of either paragraph covered) and document links
    para_len = paragraphs.map(lambda r: ((r[0], int(r[1])), len(R.normalise(r[2])))).persist(
        StorageLevel.MEMORY_AND_DISK)
    doc_len = para_len.map(lambda kv: (kv[0][0], kv[1])).reduceByKey(lambda a, b: a + b, n_parts)
    by_a = cover.map(lambda kv: (kv[0][0], (kv[0][1], kv[1]))).join(para_len, n_parts)
    by_b = by_a.map(lambda kv: (kv[1][0][0], (kv[0], kv[1][0][1], kv[1][1]))).join(para_len, n_parts)

    def _link(kv: tuple[Para, tuple[tuple[Para, tuple[int, int, float], int], int]]
              ) -> Iterator[tuple[Para, Para, float]]:
        b, ((a, (ca, cb, best), la), lb) = kv
        share = max(min(1.0, ca / max(1, la)), min(1.0, cb / max(1, lb)))
        if share >= R.PARAGRAPH_MIN:
            yield a, b, round(share * best, 4)

    links = by_b.flatMap(_link).collect()
    doc_cover = (cover.map(lambda kv: ((kv[0][0][0], kv[0][1][0]), (kv[1][0], kv[1][1])))
                 .reduceByKey(lambda x, y: (x[0] + y[0], x[1] + y[1]), n_parts))
    info = docs.select("id", "genre", "date").rdd.map(lambda r: (r[0], {"genre": r[1], "date": r[2]}))
    doc_meta = doc_len.join(info, n_parts)  # id -> (length, info)
    with_da = doc_cover.map(lambda kv: (kv[0][0], (kv[0][1], kv[1]))).join(doc_meta, n_parts)
    with_db = with_da.map(lambda kv: (kv[1][0][0], (kv[0], kv[1][0][1], kv[1][1]))).join(doc_meta, n_parts)

    def _doc_link(kv: tuple[str, tuple[tuple[str, tuple[int, int], tuple[int, dict[str, Any]]],
                                       tuple[int, dict[str, Any]]]]) -> Iterator[tuple[str, str, float, str, int]]:
        db, ((da, (ca, cb), (len_a, info_a)), (len_b, info_b)) = kv
        share_a = min(1.0, ca / max(1, len_a))
        share_b = min(1.0, cb / max(1, len_b))
        score = max(share_a, share_b)
        if score < R.DOCUMENT_MIN and max(ca, cb) < R.DOCUMENT_MIN_CHARS:
            return
        yield da, db, round(score, 4), R.relation(info_a, info_b, share_a, share_b), int(max(ca, cb))

    doc_rows = with_db.flatMap(_doc_link).collect()

    # clusters: connected components of the paragraph links (on the driver: links are few)
    uf = R.UnionFind()
    for a, b, _ in links:
        uf.union(a, b)
    roots = sorted({uf.find(a) for a, _, _ in links})
    cluster_id = {r: i + 1 for i, r in enumerate(roots)}
    link_rows = sorted((a[0], a[1], b[0], b[1], float(s), cluster_id[uf.find(a)]) for a, b, s in links)
    link_rows.sort(key=lambda r: (r[5], r[0], r[1], r[2], r[3]))
    doc_rows.sort(key=lambda r: (-r[2], r[0], r[1]))
    digest, n_docs = documents_digest(docs)
    for p in (groups, reps, cover, para_len):
        p.unpersist()
    spark.createDataFrame(link_rows, _REUSE_LINKS).coalesce(1).write.mode("overwrite").parquet(
        _table(out, "reuse_links"))
    spark.createDataFrame(doc_rows, _REUSE_DOCS).coalesce(1).write.mode("overwrite").parquet(
        _table(out, "reuse_docs"))
    spark.createDataFrame([(digest, n_docs, R.NUM_PERM, float(R.LSH_THRESHOLD), bands, rows_per_band)],
                          _REUSE_META).coalesce(1).write.mode("overwrite").parquet(_table(out, "reuse_meta"))
    return {"links": len(link_rows), "clusters": len(roots), "documents": len(doc_rows),
            "bands": bands, "rows": rows_per_band, "out": out}


# -- quotations ----------------------------------------------------------------------------------

def _quotes_of(kv: tuple[str, Iterable[tuple[int, str]]]) -> Iterator[tuple[Any, ...]]:
    from lunshu.quotes import extract_quotes

    doc_id, paras = kv
    texts = [t for _, t in sorted(paras)]
    for q_i, q in enumerate(extract_quotes(texts, doc_id), start=1):
        a = q.attribution
        yield (doc_id, q_i, q.n, q.n_end, q.text, a.date, a.date_end, a.speaker, a.occasion, a.raw)


def quotes(spark: SparkSession, out: str, *, partitions: int | None = None) -> dict[str, Any]:
    """Quotation + attribution pairs of every document (``quotes.extract_quotes``) → ``quotes/``."""
    n_parts = _n_partitions(spark, partitions)
    paragraphs = spark.read.parquet(_table(out, "paragraphs")).select("doc_id", "n", "text").rdd
    by_doc = paragraphs.map(lambda r: (r[0], (int(r[1]), r[2]))).groupByKey(n_parts)
    df = spark.createDataFrame(by_doc.flatMap(_quotes_of), _QUOTES).orderBy("doc_id", "q").persist()
    try:
        df.write.mode("overwrite").parquet(_table(out, "quotes"))
        row = df.agg(F.count("*").alias("n"), F.countDistinct("doc_id").alias("docs")).collect()[0]
    finally:
        df.unpersist()
    return {"quotes": int(row["n"] or 0), "documents": int(row["docs"] or 0), "out": out}
