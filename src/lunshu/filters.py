"""The document filters every query shares (genre, date range), checked in one place.

A filter that cannot match anything because it is mistyped (``--genre speeches``, ``--genre 报告``,
``--from 2020 --to 2015``) is a usage error naming what is allowed, never an empty result that
looks like an answer. ``Store.doc_filter_sql`` and search's date bounds call these.
"""

from __future__ import annotations

import difflib

from lunshu.errors import QueryError
from lunshu.models import GENRES

# names a person may type for a genre, in Chinese or as a plural
GENRE_ALIASES = {
    "讲话": "speech", "講話": "speech", "演讲": "speech", "致辞": "speech", "speeches": "speech",
    "报告": "report (a news report) or work-report", "報告": "report (a news report) or work-report",
    "工作报告": "work-report", "政府工作报告": "work-report", "workreport": "work-report",
    "work_report": "work-report", "work-reports": "work-report",
    "新闻": "report", "报道": "report", "news": "report", "reports": "report",
    "信": "letter", "贺信": "letter", "letters": "letter",
    "摘编": "compilation", "compilations": "compilation",
    "访谈": "interview", "采访": "interview", "interviews": "interview",
    "文章": "article", "articles": "article",
}


def genres(value: str | None) -> list[str]:
    """The genres of a ``--genre`` value (one, or several separated by commas), checked."""
    if value is None:
        return []
    out: list[str] = []
    for g in (x.strip() for x in value.split(",")):
        if not g:
            continue
        if g.lower() in GENRES:
            out.append(g.lower())
            continue
        hint = GENRE_ALIASES.get(g.lower()) or next(iter(difflib.get_close_matches(g.lower(), GENRES, n=1)), None)
        raise QueryError(f"unknown genre {g!r}" + (f" (did you mean {hint}?)" if hint else "")
                         + f"; use one of: {', '.join(GENRES)} (several separated by commas)")
    if not out:
        raise QueryError(f"--genre is empty; use one of: {', '.join(GENRES)}")
    return out


def date_range(date_from: str | None, date_to: str | None) -> None:
    """``--from`` after ``--to`` selects nothing: an error (reduced precision compared as a period)."""
    if date_from and date_to:
        k = min(len(date_from), len(date_to))
        if date_from[:k] > date_to[:k]:
            raise QueryError(f"--from {date_from} is after --to {date_to}; nothing can be in that range")
