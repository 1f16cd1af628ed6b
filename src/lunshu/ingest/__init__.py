"""Ingestion: paths → readers → records → clean → metadata → Document."""

from lunshu.ingest.paths import expand_paths
from lunshu.ingest.pipeline import build_document, read_path

__all__ = ["build_document", "expand_paths", "read_path"]
