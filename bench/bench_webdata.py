"""Benchmark: WARC to pool, aiflab against a datatrove pipeline doing the same steps, in one run.

Both read the same generated crawl (`scripts/make_sample_crawl.py`) in one process on one core:
reader, main-text extraction (resiliparse in both, datatrove through its extractor interface),
language filter (py3langid in both: datatrove's LanguageFilter downloads a fastText model at run
time, which must not happen here, so the baseline is its filter logic with py3langid as model),
Gopher quality filter, MinHash dedup (datatrove: its four-step signature/buckets/cluster/filter
pipeline, 14 x 8 hashes; aiflab: rensa, 14 x 8), and writing the result (datatrove: JSON Lines;
aiflab: the pool with shards, manifest, search index and report, and webdata.domain, which a pool
needs). datatrove's Gopher filter gets the union of aiflab's stop-word lists, so that both keep the
same kind of documents in this multilingual crawl.

    .venv/bin/python bench/bench_webdata.py --pages 3000
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

RECIPE = """name: bench-webdata
purpose: benchmark
legal_basis: none, generated pages
input: {path: crawl/*.warc.gz, format: warc}
output: {path: pool, format: pool}
steps:
  - webdata.extract: {}
  - webdata.language: {}
  - webdata.gopher: {repetition: false}
  - webdata.dedup: {exact: false}
  - webdata.domain: {}
report: {html: false}
"""


def make_crawl(pages: int, seed: int, folder: Path) -> Path:
    spec = importlib.util.spec_from_file_location("make_sample_crawl", ROOT / "scripts/make_sample_crawl.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.write_crawl(folder / "crawl.warc.gz", pages, seed)


def run_aiflab(crawl: Path, work: Path) -> dict:
    from aiflab.pipeline.recipe import Recipe
    from aiflab.webdata.build import build

    (work / "crawl").mkdir(parents=True)
    shutil.copy(crawl, work / "crawl" / crawl.name)
    (work / "recipe.yaml").write_text(RECIPE)
    recipe = Recipe.from_yaml(work / "recipe.yaml")
    started = time.perf_counter()
    result = build(recipe)
    seconds = time.perf_counter() - started
    if result.failed:
        raise SystemExit(f"aiflab build failed: {result.failed}")
    report = json.loads(result.report_json.read_text())
    stages = {s["stage"]: s for s in report["steps"]}
    return {
        "seconds": seconds,
        "documents_in": result.read.responses,
        "documents_out": result.documents_added,
        "stages": {
            name: {"seconds": s.get("duration_s") or 0.0, "documents_in": s["rows_in"]}
            for name, s in stages.items()
            if name != "webdata.read"
        },
    }


def run_datatrove(crawl: Path, work: Path) -> dict:
    from datatrove.executor import LocalPipelineExecutor
    from datatrove.pipeline.dedup import (
        MinhashDedupBuckets,
        MinhashDedupCluster,
        MinhashDedupFilter,
        MinhashDedupSignature,
    )
    from datatrove.pipeline.dedup.minhash import MinhashConfig
    from datatrove.pipeline.extractors.base import BaseExtractor
    from datatrove.pipeline.filters import GopherQualityFilter
    from datatrove.pipeline.filters.base_filter import BaseFilter
    from datatrove.pipeline.readers import JsonlReader, WarcReader
    from datatrove.pipeline.writers import JsonlWriter

    from aiflab.webdata.language_stage import identifier
    from aiflab.webdata.languages import EU_LANGUAGES, stop_words

    class ResiliparseExtractor(BaseExtractor):
        name = "resiliparse"

        def __init__(self, timeout: float = 10) -> None:
            super().__init__(timeout)

        def extract(self, text: str) -> str:
            from resiliparse.extract.html2text import extract_plain_text

            return extract_plain_text(text, main_content=True, preserve_formatting=True, alt_texts=False)

    class OfflineLanguageFilter(BaseFilter):
        """datatrove's LanguageFilter.filter, with py3langid in place of its downloaded fastText model."""

        name = "🌍 Language ID (py3langid)"

        def __init__(self, languages: list[str], threshold: float = 0.5) -> None:
            super().__init__()
            self.languages, self.threshold = set(languages), threshold

        def filter(self, doc) -> bool:
            language, score = identifier().classify(doc.text[:2000])
            doc.metadata["language"], doc.metadata["language_score"] = language, score
            return language in self.languages and score > self.threshold

    config = MinhashConfig(num_buckets=14, hashes_per_bucket=8)
    stops = sorted(set().union(*(stop_words(lang) for lang in EU_LANGUAGES)))
    logs = work / "logs"
    executors = [
        LocalPipelineExecutor(
            pipeline=[
                WarcReader(str(crawl.parent), glob_pattern=crawl.name),
                ResiliparseExtractor(timeout=10),
                OfflineLanguageFilter(list(EU_LANGUAGES)),
                GopherQualityFilter(stop_words=stops),
                JsonlWriter(str(work / "filtered")),
                MinhashDedupSignature(output_folder=str(work / "signatures"), config=config),
            ],
            tasks=1,
            workers=1,
            logging_dir=str(logs / "1"),
        ),
        LocalPipelineExecutor(
            pipeline=[MinhashDedupBuckets(str(work / "signatures"), str(work / "buckets"), config=config)],
            tasks=config.num_buckets,
            workers=1,
            logging_dir=str(logs / "2"),
        ),
        LocalPipelineExecutor(
            pipeline=[MinhashDedupCluster(str(work / "buckets"), str(work / "remove"), config=config)],
            tasks=1,
            workers=1,
            logging_dir=str(logs / "3"),
        ),
        LocalPipelineExecutor(
            pipeline=[
                JsonlReader(str(work / "filtered")),
                MinhashDedupFilter(str(work / "remove")),
                JsonlWriter(str(work / "output")),
            ],
            tasks=1,
            workers=1,
            logging_dir=str(logs / "4"),
        ),
    ]
    started = time.perf_counter()
    phases = []
    for executor in executors:
        t = time.perf_counter()
        executor.run()
        phases.append(time.perf_counter() - t)
    seconds = time.perf_counter() - started
    stats = json.loads((logs / "1" / "stats.json").read_text())
    steps = {s["name"]: s for s in stats}
    out = sum(1 for f in (work / "output").glob("*.jsonl.gz") for _ in __import__("gzip").open(f))
    return {
        "seconds": seconds,
        "documents_out": out,
        "phases_seconds": [round(p, 2) for p in phases],
        "stages": {
            name: {
                "seconds": s.get("time_stats", {}).get("total", 0.0),
                "documents_in": s.get("stats", {}).get("total") or s.get("stats", {}).get("documents"),
            }
            for name, s in steps.items()
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=ROOT / "bench/results/webdata.json")
    args = parser.parse_args()
    os.environ.setdefault("TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS", "")
    with tempfile.TemporaryDirectory(prefix="webdata_bench_") as tmp:
        work = Path(tmp)
        crawl = make_crawl(args.pages, args.seed, work / "input")
        from aiflab.webdata.warc import ReadStats, read_batches

        stats = ReadStats()
        started = time.perf_counter()
        html = sum(len(b) for b in read_batches(crawl, "x", stats))
        read_seconds = time.perf_counter() - started
        aiflab = run_aiflab(crawl, work / "aiflab")
        datatrove = run_datatrove(crawl, work / "datatrove")
    documents = aiflab["documents_in"]
    results = {
        "pages": args.pages,
        "html_documents": html,
        "cores": 1,
        "aiflab": aiflab,
        "datatrove": datatrove,
        "aiflab_read_docs_per_s": round(html / read_seconds),
        "aiflab_docs_per_s": round(documents / aiflab["seconds"], 1),
        "datatrove_docs_per_s": round(documents / datatrove["seconds"], 1),
        "ratio": round(datatrove["seconds"] / aiflab["seconds"], 2),
    }
    print(f"{html:,} HTML documents, one process (documents per second per core)")
    print(
        f"  aiflab     {results['aiflab_docs_per_s']:>8,.1f} docs/s  ({aiflab['seconds']:.1f} s, "
        f"{aiflab['documents_out']:,} kept)"
    )
    print(
        f"  datatrove  {results['datatrove_docs_per_s']:>8,.1f} docs/s  ({datatrove['seconds']:.1f} s, "
        f"{datatrove['documents_out']:,} kept; phases {datatrove['phases_seconds']})"
    )
    print(f"  ratio aiflab / datatrove: {results['ratio']:.2f}x")
    print(f"per stage, aiflab (reader alone: {results['aiflab_read_docs_per_s']:,} docs/s):")
    for name, stage in aiflab["stages"].items():
        rate = stage["documents_in"] / stage["seconds"] if stage["seconds"] else float("inf")
        print(f"  {name:18} {rate:>10,.0f} docs/s")
    print("per stage, datatrove (step 1; seconds as datatrove's stats give them):")
    for name, stage in datatrove["stages"].items():
        rate = f"{stage['seconds']:.2f} s"
        print(f"  {name:18} {rate}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
