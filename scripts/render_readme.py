"""Render README.md and RESULTS.md from their templates and the JSON files the course writes, so no
figure on either page is typed from memory.

    .venv/bin/python scripts/render_readme.py           # rewrite README.md and RESULTS.md
    .venv/bin/python scripts/render_readme.py --check   # exit 1 with a diff if either differs

The prose lives in docs/README.md.j2 and docs/RESULTS.md.j2 (Jinja2), every measured figure is a
`{{ }}` placeholder filled from scripts/readme_facts.py (the JSON files, the targets of
bench/targets.py checked against their measurements, and the file tree walked at render time).
The templates are strict: a file or key that is missing stops the render with its name, so a
renamed key fails tests/test_readme.py instead of leaving an old figure on the page.
"""
from __future__ import annotations

import argparse
import difflib
import sys
from pathlib import Path

import jinja2

sys.path.insert(0, str(Path(__file__).resolve().parent))
import readme_facts  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
PAGES = {"README.md": "README.md.j2", "RESULTS.md": "RESULTS.md.j2"}  # page -> its template


def _lr(x) -> str:
    """5e-4, not 5e-04."""
    mant, exp = f"{float(x):.0e}".split("e")
    return f"{mant}e{int(exp)}"


def _pct(x) -> str:
    x = 100 * float(x)
    return f"{x:.1f}%" if 0 < x < 10 else f"{x:.0f}%"


def _steps(counts) -> str:
    """'1-4' for consecutive step counts, else '2, 5'."""
    counts = sorted(int(c) for c in counts)
    if len(counts) > 1 and counts == list(range(counts[0], counts[-1] + 1)):
        return f"{counts[0]}-{counts[-1]}"
    return ", ".join(map(str, counts))


# every number on the pages goes through one of these
FORMATS = {
    "f0": lambda x: f"{float(x):.0f}", "f1": lambda x: f"{float(x):.1f}", "f2": lambda x: f"{float(x):.2f}",
    "f3": lambda x: f"{float(x):.3f}", "f6": lambda x: f"{float(x):.6f}",
    "gain": lambda x: f"{float(x):+.2f}", "secs": lambda x: f"{float(x):.0f} s", "mb": lambda x: f"{float(x):.0f} MB",
    "gb": lambda mb: f"{float(mb) / 1024:.1f} GB", "kilo": lambda x: f"{float(x) / 1000:.1f}k",
    "commas": lambda x: f"{int(x):,}", "pct": _pct, "pct0": lambda x: f"{100 * float(x):.0f}", "lr": _lr, "steps": _steps, "g": lambda x: f"{float(x):g}",
}


def slash(values, fmt: str = "f3", sep: str = " / ") -> str:
    """Several figures (one per seed, say) in one format: '0.896 / 0.882 / 0.910'."""
    return sep.join(FORMATS[fmt](v) for v in values)


def span(values, fmt: str = "f2") -> str:
    """'lo-hi', or one figure when they agree once formatted."""
    lo, hi = FORMATS[fmt](min(values)), FORMATS[fmt](max(values))
    return lo if lo == hi else f"{lo}-{hi}"


def and_list(items) -> str:
    items = [str(i) for i in items]
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def environment() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(DOCS), undefined=jinja2.StrictUndefined,
                             trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    env.filters.update(FORMATS, fmt=lambda x, name: FORMATS[name](x), slash=slash, span=span, and_list=and_list, pluck=readme_facts.pluck,
                       by_seed=readme_facts.by_seed)
    return env


def render(root: Path = ROOT, repo: Path = ROOT) -> dict[str, str]:
    """{page: text} for README.md and RESULTS.md: JSON files from `root`, file tree from `repo`."""
    env, facts = environment(), readme_facts.context(Path(root), Path(repo))
    return {page: env.get_template(template).render(facts) for page, template in PAGES.items()}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true",
                    help="change nothing; exit 1 and print a diff if README.md or RESULTS.md is not up to date")
    ap.add_argument("--out", default=str(ROOT), help="where the pages are (default: this checkout)")
    ap.add_argument("--root", default=str(ROOT), help="where the JSON files are (default: this checkout)")
    args = ap.parse_args(argv)
    stale = []
    for page, new in render(Path(args.root)).items():
        path = Path(args.out) / page
        old = path.read_text() if path.exists() else ""
        if new == old:
            continue
        stale.append(page)
        if args.check:
            sys.stdout.writelines(difflib.unified_diff(old.splitlines(True), new.splitlines(True),
                                                       f"{page} (committed)", f"{page} (rendered)"))
        else:
            path.write_text(new)
    if args.check and stale:
        print(f"\n{' and '.join(stale)} differ from what scripts/render_readme.py renders: run "
              "`.venv/bin/python scripts/render_readme.py` and commit them")
        return 1
    print(("rewrote " if stale else "up to date: ") + ", ".join(stale or PAGES))
    return 0


if __name__ == "__main__":
    sys.exit(main())
