"""HTTP layer: the FastAPI app, its routes and the one error handler."""
