"""The navigation every page shows, built from the menu entries the apps registered."""

from __future__ import annotations

from django.urls import reverse
from django.utils.functional import SimpleLazyObject

from gongzhi.core.permissions import is_staff
from gongzhi.core.registry import GROUPS, registry


def _nav(request, user) -> list[dict]:
    entries: list[dict] = []
    for e in registry.menu:
        if not e.visible(user):
            continue
        url = reverse(e.url_name)
        badge = e.badge(user) if e.badge else 0
        entries.append({"key": e.key, "group": e.group, "label": e.label_for(user), "url": url, "badge": badge,
                        "prefixes": e.active_prefixes or ((url,) if url != "/" else ())})
    # the current page: the entry with the longest matching prefix (/requests/catalogue/ is 服务目录, not 诉求)
    path = request.path
    matches = [(len(p), e["key"]) for e in entries for p in e["prefixes"] if path.startswith(p)]
    best = max(matches) if matches else None
    current = best[1] if best else ("home" if path == "/" else None)
    groups = []
    for g in GROUPS:
        items = [dict(e, active=e["key"] == current) for e in entries if e["group"] == g.key]
        if items:
            groups.append({"key": g.key, "label": g.label, "entries": items})
    return groups


def shell(request):
    user = getattr(request, "user", None)
    authenticated = user is not None and user.is_authenticated
    # built once, and only when a page shows the navigation (an htmx partial never does)
    groups = SimpleLazyObject(lambda: _nav(request, user) if authenticated else [])
    return {
        "nav_groups": groups,
        # staff get the grouped sidebar; residents and volunteers the short top bar (a few big links)
        "nav_sidebar": authenticated and is_staff(user),
        "nav_badge": SimpleLazyObject(lambda: sum(e["badge"] for g in groups for e in g["entries"])),
        "large_text": request.COOKIES.get("gz_large") == "1",
    }
