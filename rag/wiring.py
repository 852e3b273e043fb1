"""Builds the assistant from settings: the one place that decides which implementations are used."""

from __future__ import annotations

from rag.archive import Archive
from rag.assistant import Assistant
from rag.extractive import ExtractiveAnswerer
from rag.ollama_backend import OllamaGenerator
from rag.retrieve import Retriever
from rag.settings import Settings
from rag.verify import Verifier


def open_assistant(settings: Settings, archive: Archive | None = None) -> tuple[Archive, Assistant]:
    archive = archive or Archive(settings)
    archive.check_model()
    if hasattr(archive.embedder, "warm"):
        archive.embedder.warm()
    retriever = Retriever(archive.catalog, archive.vectors, archive.embedder)
    ollama = OllamaGenerator(settings.ollama_host, settings.model, settings.timeout)
    return archive, build_assistant(retriever, archive.embedder, ollama, settings.backend)


def build_assistant(retriever: Retriever, embedder, ollama: OllamaGenerator | None = None,
                    backend: str = "auto") -> Assistant:
    """The assistant over `retriever`, verifying with `embedder`, answering with Ollama or extractively."""
    return Assistant(retriever, Verifier(embedder), ExtractiveAnswerer(embedder), ollama, backend)
