"""Write the NDJSON of every Kibana object the stack manages, for importing by hand.

Usage: python3 scripts/export_saved_objects.py [-o mt4-kibana.ndjson]   (stdout without -o)

The file holds the three data views (as ``index-pattern`` saved objects), the saved searches,
the Lens panels and the four dashboards -- the same objects ``pulumi up`` creates, with the
same ids and ``typeMigrationVersion`` -- so this works on a Kibana the stack does not manage:

    curl -X POST "https://localhost:5601/api/saved_objects/_import?overwrite=true" \\
      -H "kbn-xsrf: true" -u elastic --cacert ca.pem -F file=@mt4-kibana.ndjson

(``-F`` makes curl send multipart/form-data; do not add a ``Content-Type`` header of your own.)
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from components.render import dashboards  # noqa: E402
from components.render import saved_objects as so  # noqa: E402


def export_text() -> str:
    objects = [
        *(so.data_view_saved_object(view_id, view) for view_id, view in so.data_views().items()),
        *so.saved_searches(),
        *dashboards.all_dashboard_objects(),
    ]
    return so.ndjson(objects)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-o", "--output", type=Path, help="file to write (default: standard output)")
    args = parser.parse_args(argv)
    text = export_text()
    if args.output:
        args.output.write_text(text)
        print(f"wrote {len(text.splitlines())} saved objects to {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
