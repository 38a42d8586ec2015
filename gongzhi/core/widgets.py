"""Form widgets the pages' JavaScript enhances (gongzhi/static/gongzhi/pickers.js)."""

from __future__ import annotations

import json
from collections.abc import Mapping

from django import forms
from django.utils.translation import gettext_lazy as _


class SearchableSelect(forms.Select):
    """A <select> the page turns into a searchable picker (tom-select): type part of a name, unit or
    compound to narrow a long list. Without JavaScript it stays an ordinary select.

    ``filter_by`` names another field of the same form (e.g. ``organisation``); with ``groups``
    (option value → that field's value) only the options of the chosen value are offered. The server
    still checks the submitted pair: the filter is a convenience, not a rule.
    """

    def __init__(self, attrs=None, *, filter_by: str | None = None):
        super().__init__(attrs)
        self.attrs["data-gz-search"] = "1"
        self.attrs.setdefault("data-gz-placeholder", _("输入姓名、单元或小区搜索"))
        self.attrs.setdefault("data-gz-none", _("没有匹配的选项"))
        if filter_by:
            self.attrs["data-gz-filter-by"] = filter_by

    def set_groups(self, groups: Mapping[str, object]) -> None:
        """Which value of the ``filter_by`` field each option belongs to (the blank option belongs to all)."""
        self.attrs["data-gz-groups"] = json.dumps({str(k): str(v) for k, v in groups.items()},
                                                  ensure_ascii=False, separators=(",", ":"))
