"""`make profile`: where one dashboard request spends its time, with pyinstrument.

Builds the same organisations as `bench/run.py` (in a throwaway test database), then profiles
requests to the dashboard: with nothing changed since the last one ("unchanged") and right
after one milestone changed ("after a change", what the cache cannot serve). Prints each
profile's slowest frames and, with --html DIR, writes pyinstrument's HTML reports there.

    .venv/bin/python bench/profile.py [--sizes 250 1000] [--page "team page"] [--html DIR]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import run as bench
from django.test import Client
from django.test.utils import override_settings, setup_databases, teardown_databases
from django.utils import timezone
from pyinstrument import Profiler


def profile(client: Client, url: str, before=None) -> Profiler:
    if before is not None:
        before()
    profiler = Profiler(interval=0.0005)
    profiler.start()
    response = client.get(url)
    _ = response.content
    profiler.stop()
    if response.status_code != 200:
        raise SystemExit(f"{url} answered {response.status_code}")
    return profiler


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[250, 1000])
    parser.add_argument("--page", default=bench.DASHBOARD_CHANGED, choices=list(bench.PAGE_NAMES))
    parser.add_argument("--html", type=Path, default=None)
    args = parser.parse_args(argv)
    with override_settings(ROOT_URLCONF="run", ALLOWED_HOSTS=["testserver"]):
        for size in args.sizes:
            old_config = setup_databases(verbosity=0, interactive=False, serialized_aliases=[])
            try:
                org = bench.build_org(size, timezone.localdate())
                client = Client()
                client.force_login(org.vp)
                url = bench.pages(org)[args.page]
                client.get(url)  # warm: imports, templates, the cache
                runs = {
                    "after a change": profile(client, url, lambda org=org: bench.change_one(org)),
                    "unchanged": profile(client, url),
                }
                for name, profiler in runs.items():
                    print(f"\n===== {args.page}, {size} teams, {name} =====")
                    print(profiler.output_text(unicode=False, color=False, show_all=False))
                    if args.html:
                        args.html.mkdir(parents=True, exist_ok=True)
                        slug = name.replace(" ", "-")
                        out = args.html / f"{args.page.replace(' ', '-')}-{size}-{slug}.html"
                        out.write_text(profiler.output_html())
            finally:
                teardown_databases(old_config, verbosity=0)
    return 0


if __name__ == "__main__":
    sys.exit(main())
