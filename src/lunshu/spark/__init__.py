"""The lunshu pipeline as Apache Spark jobs over Parquet (``pip install 'lunshu[spark]'``).

The jobs call the same pure functions as the embedded path (readers, ``build_document``,
``extract_quotes``, the reuse units and confirmation), so the same input gives the same documents,
quotations and reuse links; only the global steps (deduplication of ids, the LSH index, the roll-up)
are rewritten as Spark joins and aggregations. Importing this package does not import pyspark:
``lunshu.spark.jobs`` does, when a job runs.
"""

from __future__ import annotations

MISSING_PYSPARK = "pyspark is not installed; pip install 'lunshu[spark]'"

__all__ = ["MISSING_PYSPARK"]
