"""Copy the front-end files the pages use from node_modules into gongzhi/static/vendor (served by WhiteNoise).

Run by `make` after `npm ci`; the copies are build output and are not committed.
"""

import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NODE = ROOT / "node_modules"
DEST = ROOT / "gongzhi" / "static" / "vendor"

FILES = {
    "@tabler/core/dist/css/tabler.min.css": "tabler/css/tabler.min.css",
    "@tabler/core/dist/js/tabler.min.js": "tabler/js/tabler.min.js",
    "htmx.org/dist/htmx.min.js": "htmx/htmx.min.js",
    # the CSP build: evaluates x-data / @click without eval (no unsafe-eval in the Content-Security-Policy)
    "@alpinejs/csp/dist/cdn.min.js": "alpinejs/csp.min.js",
    # /api/docs (gongzhi/templates/api/docs.html): Swagger UI, no CDN
    "swagger-ui-dist/swagger-ui-bundle.js": "swagger-ui/swagger-ui-bundle.js",
    "swagger-ui-dist/swagger-ui.css": "swagger-ui/swagger-ui.css",
    # searchable pickers (gongzhi/static/gongzhi/pickers.js)
    "tom-select/dist/js/tom-select.complete.min.js": "tom-select/tom-select.complete.min.js",
    "tom-select/dist/css/tom-select.bootstrap5.min.css": "tom-select/tom-select.bootstrap5.min.css",
}


def main() -> int:
    missing = [src for src in FILES if not (NODE / src).exists()]
    if missing:
        print("missing front-end packages (run `npm ci`):", ", ".join(missing), file=sys.stderr)
        return 1
    for src, dst in FILES.items():
        target = DEST / dst
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(NODE / src, target)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
