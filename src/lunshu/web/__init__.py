"""The HTTP JSON API and the web UI: thin layers over ``lunshu.Corpus``.

``create_app(db_path, token=None)`` (in ``lunshu.web.app``) builds the ASGI application that
``lunshu serve`` runs; the API (``/api/…``) gives the same JSON as the CLI's ``--json`` and the
pages render the very same result objects.
"""
