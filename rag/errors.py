"""Errors meant for users. The CLI and the UI show their message; tracebacks are for bugs.

    NewsragError
    ├── InputError      a file, record or argument the user gave cannot be used
    ├── StoreError      the archive cannot be opened or written as asked
    │   └── ArchiveBusy another process is writing the archive
    └── BackendError    the answering model (Ollama) cannot serve the request
"""


class NewsragError(Exception):
    """Base of every error whose message is written for the user."""


class InputError(NewsragError):
    pass


class StoreError(NewsragError):
    pass


class ArchiveBusy(StoreError):
    pass


class BackendError(NewsragError):
    pass
