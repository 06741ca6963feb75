"""Web-data pools: WARC and ARC crawls turned into clean, deduplicated, PII-scrubbed, domain-specific pools.

`aiflab webdata build` reads the records (`warc`), runs a recipe of `webdata.*` stages on batches of
them (extract, opt-out, language, Gopher and C4 quality, dedup, PII scrub, domain) and writes the
documents to a pool (`pool`): Parquet shards by language and domain, a manifest, a search index
(`search_index`) and DCAT-AP and Croissant metadata (`metadata`).
"""
