"""Ingest: parse guidance Markdown, chunk, embed, index and publish atomically."""
