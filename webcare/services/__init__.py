"""Business logic. Every function takes a `Session`, may flush and lock rows, and never commits."""
