"""The page: how long the JS normaliser takes per drawing, and what the page weighs."""

from local import services

SITE = services.ROOT / "site"


def measure() -> dict[str, str]:
    if not (SITE / "index.html").exists():
        return {"normaliser": "(no site/ yet)", "weight": "(no site/ yet)"}
    weight = sum(path.stat().st_size for path in SITE.rglob("*") if path.is_file() and path.name != "config.js")
    return {"normaliser": "(not measured yet)", "weight": f"{weight / 1024:.1f} KB"}
