"""The data model shared by every stage, and the result objects of every query.

Each result has ``to_dict()`` giving exactly the JSON shape of the CLI/HTTP contract, so the CLI,
the API and the web UI serialise the same object the same way.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from lunshu.diffs import floor4

# ``report`` is a news report; ``work-report`` a report delivered to a congress or assembly on the
# work of a government or party body (政府工作报告, the Central Committee's report to a party congress)
GENRES = ("speech", "work-report", "report", "letter", "compilation", "interview", "article", "other")
# Trace ranks sources by how primary they are: a full text before a report before a compilation.
GENRE_RANK = {"speech": 0, "work-report": 0, "letter": 0, "interview": 0, "article": 1, "report": 2, "other": 2,
              "compilation": 3}


@dataclass
class RawRecord:
    """One input record as a reader produced it, before cleaning.

    ``fields`` holds the metadata the format gave explicitly, under canonical keys
    (title, date, url, source, author, id, speakers, genre, keywords, …); ``body`` is the text,
    ``body_format`` says how to clean it; ``raw`` is the original record text, kept beside the
    clean text.
    """

    path: str
    record_no: int | None
    fields: dict[str, Any]
    body: str
    body_format: str = "text"  # "text" | "html" | "markdown"
    raw: str = ""
    key: str = ""  # what the stable document id is derived from


@dataclass
class Paragraph:
    doc_id: str
    n: int
    text: str

    def to_dict(self) -> dict[str, Any]:
        return {"n": self.n, "text": self.text}


@dataclass
class Document:
    id: str
    title: str | None
    date: str | None  # ISO, possibly reduced precision: "2015-12-16", "2015-12", "1954"
    speakers: list[str] = field(default_factory=list)
    occasion: str | None = None
    genre: str = "other"
    source: str | None = None
    url: str | None = None
    keywords: list[str] = field(default_factory=list)
    publisher_keywords: list[str] = field(default_factory=list)
    paragraphs: list[str] = field(default_factory=list)
    raw: str = ""
    reporters: list[str] = field(default_factory=list)
    origin: str = ""  # "path" or "path#record"
    content_hash: str = ""
    delivered: str | None = None  # the day the text says it was delivered, when not ``date`` (publication)
    editor: str | None = None  # the publisher's editor in charge (责任编辑), when the record names one
    paragraphs_inferred: bool = False  # the text had no paragraph marks: its paragraphs were inferred
    place: str | None = None  # where it was delivered, as its header or dateline says
    roles: dict[str, list[str]] = field(default_factory=dict)  # speaker -> role titles ("中华人民共和国主席")
    subtitle: str | None = None  # "在…上的讲话" of "标题——在…上的讲话" (the title keeps it too)
    n_paragraphs: int | None = None  # set when listed without its text
    n_chars: int | None = None
    # books: the printed page each paragraph starts on, the piece's page range, its notes (注释)
    pages: list[int | None] = field(default_factory=list)
    page_start: int | None = None
    page_end: int | None = None
    notes: list[str] = field(default_factory=list)
    copies: list[dict[str, Any]] = field(default_factory=list)  # the same text from elsewhere (identity)
    # what ingest accepted with a loss (a field it could not use): {"path", "record", "field",
    # "message"} as IngestWarning takes them; said in the ingest report, not stored
    warnings: list[dict[str, Any]] = field(default_factory=list)

    @property
    def chars(self) -> int:
        if self.n_chars is not None and not any(self.paragraphs):
            return self.n_chars
        return sum(len(p) for p in self.paragraphs)

    def summary(self) -> dict[str, Any]:
        """The `docs` shape."""
        return {
            "id": self.id,
            "title": self.title,
            "subtitle": self.subtitle,
            "date": self.date,
            "delivered": self.delivered,
            "speakers": list(self.speakers),
            "roles": {k: list(v) for k, v in self.roles.items()},
            "occasion": self.occasion,
            "place": self.place,
            "genre": self.genre,
            "source": self.source,
            "url": self.url,
            "keywords": list(self.keywords),
            "publisher_keywords": list(self.publisher_keywords),
            "reporters": list(self.reporters),
            "editor": self.editor,
            "origin": self.origin,
            "paragraphs": self.n_paragraphs if self.n_paragraphs is not None and not self.paragraphs
            else len(self.paragraphs),
            "chars": self.chars,
            "paragraphs_inferred": self.paragraphs_inferred,
            "page_start": self.page_start,
            "page_end": self.page_end,
        }

    def page_of(self, n: int) -> int | None:
        """The printed page paragraph ``n`` (1-based) starts on, if the document came from a book."""
        return self.pages[n - 1] if 0 < n <= len(self.pages) else None

    def to_dict(self) -> dict[str, Any]:
        """The `show` shape: the summary plus paragraphs (with their page, from books), notes and raw."""
        d = self.summary()
        if self.pages:  # from a book: each paragraph with its printed page
            d["paragraphs"] = [{"n": i + 1, "text": t, "page": self.page_of(i + 1)}
                               for i, t in enumerate(self.paragraphs)]
        else:
            d["paragraphs"] = [{"n": i + 1, "text": t} for i, t in enumerate(self.paragraphs)]
        d["notes"] = list(self.notes)
        d["raw"] = self.raw
        d["copies"] = list(self.copies)
        return d


@dataclass
class IngestFailure:
    path: str
    record: int | None
    error: str

    def to_dict(self) -> dict[str, Any]:
        return {"path": self.path, "record": self.record, "error": self.error}


@dataclass
class IngestWarning:
    """A record stored with a loss: a field it gave that lunshu could not use (``2020-02-30``)."""

    path: str
    record: int | None
    field: str | None
    message: str

    def to_dict(self) -> dict[str, Any]:
        return {"path": self.path, "record": self.record, "field": self.field, "message": self.message}


@dataclass
class IngestReport:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    failed: list[IngestFailure] = field(default_factory=list)
    doc_ids: list[str] = field(default_factory=list)
    chars: int = 0
    # records whose text is stored already under another id (lunshu.identity): not stored again
    duplicates: list[dict[str, Any]] = field(default_factory=list)  # {"path", "record", "id", "same_as"}
    # books read (lunshu.book): {"path", "source", "pages", "pieces", "repairs": {repair: count}}
    books: list[dict[str, Any]] = field(default_factory=list)
    # files a folder walk passed over (not a format lunshu reads): {"path", "reason"}; not failures
    skipped: list[dict[str, str]] = field(default_factory=list)
    # records stored with a loss (a field that could not be used), one each; not failures
    warnings: list[IngestWarning] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "added": self.added,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "failed": [f.to_dict() for f in self.failed],
            "duplicates": list(self.duplicates),
        }
        if self.books:
            d["books"] = list(self.books)
        if self.skipped:
            d["skipped"] = list(self.skipped)
        if self.warnings:
            d["warnings"] = [w.to_dict() for w in self.warnings]
        return d


@dataclass
class SearchHit:
    doc_id: str
    title: str | None
    date: str | None
    paragraph: int
    text: str
    snippet: str
    score: float
    genre: str | None = None
    speakers: list[str] = field(default_factory=list)
    matches: int = 1  # paragraphs matched in this document (with by="doc")
    paragraphs_inferred: bool = False  # the document's paragraphs were inferred from run-on text
    page: int | None = None  # printed page of the paragraph (documents from books)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class SearchResult:
    total: int
    hits: list[SearchHit]
    by_year: dict[str, int] = field(default_factory=dict)
    query: str = ""
    limit: int = 20
    offset: int = 0
    unit: str = "paragraph"  # what ``total`` counts: paragraph, doc (--by doc) or title (--title-only)

    def to_dict(self) -> dict[str, Any]:
        return {
            "query": self.query,
            "total": self.total,
            "limit": self.limit,
            "offset": self.offset,
            "by_year": dict(self.by_year),
            "hits": [h.to_dict() for h in self.hits],
        }


@dataclass
class KwicLine:
    doc_id: str
    date: str | None
    paragraph: int
    left: str
    match: str
    right: str
    offset: int = 0  # character offset of the match inside the paragraph
    title: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Attribution:
    date: str | None
    speaker: str | None
    occasion: str | None
    raw: str
    date_end: str | None = None  # for ranges such as 2013年9月23日至25日

    def to_dict(self) -> dict[str, Any]:
        return {"date": self.date, "speaker": self.speaker, "occasion": self.occasion, "raw": self.raw,
                "date_end": self.date_end}


@dataclass
class Source:
    doc_id: str
    title: str | None
    date: str | None
    paragraph: int
    text: str
    score: float
    genre: str | None = None
    span: tuple[int, int] | None = None  # aligned span inside ``text``
    paragraph_end: int | None = None  # when the aligned text runs into a following paragraph
    diff: list[dict[str, str]] | None = None  # [{"op": "equal|insert|delete|replace", "quote", "source"}]
    identical: bool = False  # same words as the quotation (punctuation and marked omissions aside)
    delivered: str | None = None  # the date the text says it was delivered, when it differs from ``date``
    page: int | None = None  # printed page of ``paragraph`` (documents from books)

    def to_dict(self, with_diff: bool = False) -> dict[str, Any]:
        d: dict[str, Any] = {
            "doc_id": self.doc_id,
            "title": self.title,
            "date": self.date,
            "paragraph": self.paragraph,
            "text": self.text,
            "score": floor4(self.score),
            "genre": self.genre,
            "span": list(self.span) if self.span else None,
            "paragraph_end": self.paragraph_end,
            "identical": self.identical,
            "delivered": self.delivered,
            "page": self.page,
        }
        if with_diff:
            d["diff"] = self.diff or []
        return d


@dataclass
class Trace:
    quote: str
    status: str  # verified | variant | misattributed | unverified | not_found
    sources: list[Source] = field(default_factory=list)
    date: str | None = None  # the claimed date, if any
    reason: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "quote": self.quote,
            "status": self.status,
            "date": self.date,
            "reason": self.reason,
            "sources": [s.to_dict(with_diff=True) for s in self.sources],
        }


@dataclass
class Quote:
    doc_id: str
    n: int  # paragraph number where the quotation starts
    text: str
    attribution: Attribution
    n_end: int | None = None
    status: str = "not_found"
    sources: list[Source] = field(default_factory=list)
    reason: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "quote": self.text,
            "doc_id": self.doc_id,
            "paragraph": self.n,
            "paragraph_end": self.n_end,
            "attribution": self.attribution.to_dict(),
            "status": self.status,
            "reason": self.reason,
            "sources": [s.to_dict(with_diff=False) for s in self.sources],
        }


@dataclass
class ReuseLink:
    a: dict[str, Any]  # {"doc_id", "paragraph"}
    b: dict[str, Any]
    score: float
    kind: str = "paragraph"  # "paragraph" | "document"
    boilerplate: bool = False  # the passage recurs in many documents (a formula, not a version)

    def to_dict(self) -> dict[str, Any]:
        return {"a": self.a, "b": self.b, "score": round(self.score, 4), "kind": self.kind,
                "boilerplate": self.boilerplate}


@dataclass
class ReuseResult:
    clusters: list[dict[str, Any]]
    links: list[ReuseLink]
    documents: list[dict[str, Any]] = field(default_factory=list)  # document-level links

    def to_dict(self) -> dict[str, Any]:
        return {
            "clusters": self.clusters,
            "links": [x.to_dict() for x in self.links],
            "documents": self.documents,
        }
