"""The plug-in registry: how an app adds itself to the shell without the shell importing it.

Each app fills the registry from its ``AppConfig.ready()`` (usually by importing its ``shell.py``):

- :func:`menu` — an entry of the staff sidebar / the phone menu, in a :data:`GROUPS` group, shown when its
  ``visible(user)`` says so (ask the same permission the page checks: a menu never links to a 403);
- :func:`home_card` — a card of the home page (工作台): ``context(request)`` returns the template context,
  or ``None`` when the card has nothing for this reader; a card in the ``todo`` section (待办) returns
  ``{"title": …, "todos": [Todo, …]}`` and is drawn by the shell's own ``site/card_todo.html``: each
  :class:`Todo` is a count that opens the list filtered to exactly those rows;
- :func:`shortcut` — a daily action on the home page (快捷操作), shown when ``visible(user)``;
- :func:`target_link` — where an audit Event's target opens (the home page's 最近操作 links to it);
- :func:`public_item` — what a compound's public board (公示栏) shows: ``items(compound)`` returns rows;
- :func:`demo_step` — a step of ``seed_demo`` run after the demo street exists, in ``order``;
- :func:`subtree_figure` — a figure counted under every place (e.g. residents), shown with the tree's own counts;
- :func:`place_panel` — a section of a place's page (e.g. a household's members);
- :func:`object_panel` — a section of another app's object page (meetings: 提交联席会 on a request's page),
  so the page's app does not import the one that adds it;
- :func:`tick_step` — a periodic step of ``manage.py tick`` from an app the command does not import;
- :func:`account_names` — the names behind accounts (people: the person's real name), so the audit log
  shows "王秀英" rather than a username;
- :func:`place_labeller` — places in context (places: "尚书苑 2号楼 1单元 101" for a path and a name), for
  the pages of core that know the tree only by shape (the audit log's 所属区域).

The shell (``gongzhi.site``: navigation, home, public board, demo) iterates these lists and imports no app.
Entries are kept in ``order`` (then registration order); registering the same key twice replaces the
first, so a reloaded app does not show twice.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

Label = str | Promise


@dataclass(frozen=True)
class Group:
    key: str
    label: Label
    order: int


# The sidebar's groups, top to bottom. An app names one of these keys.
GROUPS = (
    Group("work", _("工作"), 10),
    Group("data", _("基础数据"), 20),
    Group("stats", _("统计"), 30),
    Group("settings", _("设置"), 40),
)


@dataclass(frozen=True)
class MenuEntry:
    key: str
    group: str
    label: Label | Callable[[Any], Label]
    url_name: str
    visible: Callable[[Any], bool]
    order: int = 100
    icon: str = ""
    # request.path prefixes that mark the entry as the current page (default: the entry's own URL)
    active_prefixes: tuple[str, ...] = ()
    badge: Callable[[Any], int] | None = None  # e.g. unread notices: shown when > 0

    def label_for(self, user) -> str:
        return str(self.label(user) if callable(self.label) else self.label)


# the home page's sections, top to bottom: a lead card (the resident's big 我要反映问题 button), what waits
# for me (待办), then the other cards
HOME_SECTIONS = ("lead", "todo", "main")


@dataclass(frozen=True)
class HomeCard:
    key: str
    template: str
    context: Callable[[Any], dict | None]
    order: int = 100
    section: str = "main"


@dataclass(frozen=True)
class Todo:
    """One line of a 待办 card: ``count`` rows wait, and ``url`` is the list filtered to exactly those rows
    (built from the same query as the count). ``tone``: "danger" (overdue, red), "warning" (due soon,
    amber) or "" ; ``hint`` e.g. the nearest deadline."""

    key: str
    label: Label
    count: int
    url: str
    tone: str = ""
    hint: Label = ""


@dataclass(frozen=True)
class Shortcut:
    key: str
    label: Label
    url_name: str
    visible: Callable[[Any], bool]
    query: str = ""  # appended to the URL after "?"
    order: int = 100


@dataclass(frozen=True)
class TargetLink:
    key: str  # "app_label.model" of the Event's target
    url: Callable[[str], str]  # target_id → URL
    order: int = 100


@dataclass(frozen=True)
class PublicItem:
    key: str
    title: Label
    template: str
    items: Callable[[Any], list]
    order: int = 100


@dataclass(frozen=True)
class DemoStep:
    key: str
    run: Callable[[Any], None]
    order: int = 100


@dataclass(frozen=True)
class SubtreeFigure:
    """A figure counted under a place. ``count(root_path, width)``: with ``width`` None the total under
    ``root_path``; otherwise a dict ``{path prefix of that width: n}`` (one grouped query for all children)."""

    key: str
    label: Label
    count: Callable[[str, int | None], Any]
    order: int = 100


@dataclass(frozen=True)
class PlacePanel:
    key: str
    template: str
    context: Callable[[Any, Any], dict | None]  # (request, place) → context, or None: not shown
    order: int = 100


@dataclass(frozen=True)
class ObjectPanel:
    key: str
    model: str  # "app_label.model" of the page's object, e.g. "workorders.request"
    template: str
    context: Callable[[Any, Any], dict | None]  # (request, obj) → context, or None: not shown
    order: int = 100


@dataclass(frozen=True)
class TickStep:
    key: str
    run: Callable[[], int]  # handles the due rows, returns how many it changed
    order: int = 100


@dataclass(frozen=True)
class AccountNames:
    """``names_of(user_ids)`` → {user id: name}; ``matching(text)`` → the ids of accounts whose name contains
    ``text`` (a subquery or a list, for ``actor_id__in``)."""

    names_of: Callable[[Iterable[int]], dict[int, str]]
    matching: Callable[[str], Any]


@dataclass
class Registry:
    menu: list[MenuEntry] = field(default_factory=list)
    home_cards: list[HomeCard] = field(default_factory=list)
    shortcuts: list[Shortcut] = field(default_factory=list)
    target_links: list[TargetLink] = field(default_factory=list)
    public_items: list[PublicItem] = field(default_factory=list)
    demo_steps: list[DemoStep] = field(default_factory=list)
    subtree_figures: list[SubtreeFigure] = field(default_factory=list)
    place_panels: list[PlacePanel] = field(default_factory=list)
    object_panels: list[ObjectPanel] = field(default_factory=list)
    tick_steps: list[TickStep] = field(default_factory=list)
    names: AccountNames | None = None
    labeller: Callable[[list[tuple[str, str]]], list[tuple[str, str]]] | None = None

    def place_labels(self, places: list[tuple[str, str]]) -> list[tuple[str, str]]:
        """(path, name) pairs → (short label, full path) pairs; unregistered or no path: the name itself."""
        if self.labeller is None:
            return [(name, name) for _path, name in places]
        return self.labeller(places)

    def names_of(self, user_ids: Iterable[int]) -> dict[int, str]:
        """The registered names of these accounts (none registered: no names)."""
        ids = {i for i in user_ids if i is not None}
        return self.names.names_of(ids) if self.names is not None and ids else {}

    def _add(self, name: str, entry) -> Any:
        entries = [e for e in getattr(self, name) if e.key != entry.key] + [entry]
        entries.sort(key=lambda e: e.order)  # stable: equal orders keep registration order
        setattr(self, name, entries)
        return entry


registry = Registry()
_GROUP_KEYS = {g.key for g in GROUPS}


def menu(key: str, *, group: str, label, url_name: str, visible: Callable[[Any], bool], order: int = 100,
         icon: str = "", active_prefixes: Iterable[str] = (), badge: Callable[[Any], int] | None = None
         ) -> MenuEntry:
    if group not in _GROUP_KEYS:
        raise ValueError(f"unknown menu group {group!r}; one of {sorted(_GROUP_KEYS)}")
    return registry._add("menu", MenuEntry(key, group, label, url_name, visible, order, icon,
                                           tuple(active_prefixes), badge))


def home_card(key: str, *, template: str = "site/card_todo.html", context: Callable[[Any], dict | None],
              order: int = 100, section: str = "main") -> HomeCard:
    if section not in HOME_SECTIONS:
        raise ValueError(f"unknown home section {section!r}; one of {HOME_SECTIONS}")
    return registry._add("home_cards", HomeCard(key, template, context, order, section))


def shortcut(key: str, *, label, url_name: str, visible: Callable[[Any], bool], query: str = "",
             order: int = 100) -> Shortcut:
    return registry._add("shortcuts", Shortcut(key, label, url_name, visible, query, order))


def target_link(model: str, *, url: Callable[[str], str]) -> TargetLink:
    return registry._add("target_links", TargetLink(model, url))


def public_item(key: str, *, title, template: str, items: Callable[[Any], list], order: int = 100) -> PublicItem:
    return registry._add("public_items", PublicItem(key, title, template, items, order))


def demo_step(key: str, *, run: Callable[[Any], None], order: int = 100) -> DemoStep:
    return registry._add("demo_steps", DemoStep(key, run, order))


def subtree_figure(key: str, *, label, count: Callable[[str, int | None], Any], order: int = 100) -> SubtreeFigure:
    return registry._add("subtree_figures", SubtreeFigure(key, label, count, order))


def place_panel(key: str, *, template: str, context: Callable[[Any, Any], dict | None],
                order: int = 100) -> PlacePanel:
    return registry._add("place_panels", PlacePanel(key, template, context, order))


def object_panel(key: str, *, model: str, template: str, context: Callable[[Any, Any], dict | None],
                 order: int = 100) -> ObjectPanel:
    return registry._add("object_panels", ObjectPanel(key, model, template, context, order))


def panels_for(model: str, request, obj) -> list[tuple[str, dict]]:
    """(template, context) of every object panel registered for ``model`` that shows for this reader."""
    return [(p.template, ctx) for p in registry.object_panels
            if p.model == model and (ctx := p.context(request, obj)) is not None]


def tick_step(key: str, *, run: Callable[[], int], order: int = 100) -> TickStep:
    return registry._add("tick_steps", TickStep(key, run, order))


def account_names(*, names_of: Callable[[Iterable[int]], dict[int, str]], matching: Callable[[str], Any]
                  ) -> AccountNames:
    registry.names = AccountNames(names_of, matching)
    return registry.names


def place_labeller(labeller: Callable[[list[tuple[str, str]]], list[tuple[str, str]]]) -> None:
    registry.labeller = labeller
