"""Server-rendered pages: guidance pages, start page, review."""
