"""Guidance assistant for caseworkers: retrieval, answers with citations, storage, API and web pages."""

__version__ = "0.1.0"
