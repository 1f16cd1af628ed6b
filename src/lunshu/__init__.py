"""lunshu (论述): a database for speeches and official statements."""

from lunshu.errors import LunshuError
from lunshu.models import Document, Paragraph

__version__ = "0.1.0"


def __getattr__(name: str) -> object:
    # Corpus imports the whole pipeline; keep `import lunshu` cheap for the pure modules.
    if name == "Corpus":
        from lunshu.corpus import Corpus

        return Corpus
    raise AttributeError(name)


__all__ = ["Corpus", "Document", "LunshuError", "Paragraph", "__version__"]
