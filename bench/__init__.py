"""The benchmark: `python -m bench` (or `make bench`) measures cold start, warm latency, batch throughput,
concurrency and the page against references run side by side, and prints ratios."""
