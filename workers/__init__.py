"""rq jobs and worker entry points. Jobs take ids, are safe to run twice, and fail loudly."""
