"""Benchmarks and relevance evaluation of newsarchive against other search engines (not unit tests)."""
