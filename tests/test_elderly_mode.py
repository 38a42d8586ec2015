"""适老化 without a browser: the large-text mode is one class on <html> and <body>; the switch is prominent
for residents and on the login page; ratings are words; 一键呼叫 offers the grid worker and the community
office of the resident's home as tel: links; searchable pickers carry their data to the page."""

from __future__ import annotations

import datetime
import json
import re

from django.template.loader import render_to_string

from gongzhi.core.widgets import SearchableSelect
from gongzhi.people.models import Organisation, Person, Position
from gongzhi.people.roles import Title
from gongzhi.site.contacts import resident_contacts
from gongzhi.workorders import actions
from gongzhi.workorders.catalogue import seed_catalogue
from gongzhi.workorders.forms import DispatchForm, RateForm
from gongzhi.workorders.models import Category, Request, ServiceLevel, Status

from .conftest import make_account


def switch(html: str) -> str:
    return re.search(r'<button[^>]*data-testid="large-text-switch"[^>]*>', html).group(0)


def test_large_text_is_a_class_on_html_and_body(client, resident):
    client.force_login(resident)
    html = client.get("/").content.decode()
    assert 'class="gz-large"' not in html and 'class="large-text"' not in html
    client.post("/large-text/", {"next": "/"})
    html = client.get("/").content.decode()
    assert re.search(r'<html lang="zh-Hans" class="gz-large">', html)
    assert '<body class="large-text"' in html


def test_the_switch_is_prominent_for_residents_and_on_the_login_page(client, resident, community_staff):
    login = client.get("/accounts/login/").content.decode()
    assert "btn-lg" in switch(login)
    client.force_login(resident)
    home = client.get("/").content.decode()
    assert "btn-lg" in switch(home)
    assert "{#" not in login + home and "comment %}" not in login + home  # no template comment shows
    client.force_login(community_staff)
    assert "btn-sm" in switch(client.get("/").content.decode())  # staff: the small one beside English


def test_ratings_are_words():
    form = RateForm()
    assert [str(label) for _v, label in form.fields["rating"].choices] == ["非常满意", "满意", "基本满意", "不太满意", "不满意"]
    assert [v for v, _label in form.fields["rating"].choices] == [5, 4, 3, 2, 1]
    assert RateForm({"rating": "3"}).is_valid()
    assert not RateForm({"rating": "6"}).is_valid()


def test_the_rated_request_shows_the_word(client, tree, resident, community_staff, orgs):
    seed_catalogue(Category, ServiceLevel)
    req = actions.file_request(by=resident, category=Category.objects.get(code="utilities"), description="漏水",
                               place=tree["household"])
    Request.objects.filter(pk=req.pk).update(rating=2, status=Status.RATED)
    client.force_login(resident)
    html = client.get(f"/requests/{req.pk}/").content.decode()
    assert re.search(r'data-testid="rating">\s*2 / 5 不太满意', html)


def test_call_buttons_offer_the_grid_worker_and_the_community_office(client, tree, orgs, resident, grid_worker):
    Organisation.objects.filter(pk=orgs["community_office"].pk).update(phone="029-8765 4321")
    worker = Person.objects.get(user=grid_worker)
    contacts = resident_contacts(resident)
    assert [(c.label, c.name, c.tel) for c in contacts] == [
        ("网格长", worker.name, worker.phone), ("社区居委会", "第一社区居委会", "02987654321")]
    client.force_login(resident)
    html = client.get("/").content.decode()
    assert f'href="tel:{worker.phone}"' in html and 'href="tel:02987654321"' in html
    assert "一键呼叫" in html


def test_call_buttons_prefer_the_grid_worker_and_skip_ended_posts_and_other_grids(tree, orgs, resident, grid_worker):
    make_account("worker", place=tree["grid"], posts=[(orgs["community_office"], Title.GRID_WORKER, tree["grid"])])
    make_account("elsewhere", place=tree["grid2"], posts=[(orgs["community_office"], Title.GRID_WORKER, tree["grid2"])])
    Position.objects.filter(person__user=grid_worker).update(end_date=datetime.date(2025, 1, 1))
    labels = [(c.label, c.name) for c in resident_contacts(resident)]
    assert labels == [("网格员", "测试worker")]  # the ended 网格长 and the other grid's worker are not offered


def test_no_call_buttons_without_a_home(client, tree, orgs, community_staff, grid_worker):
    assert resident_contacts(community_staff) == []
    client.force_login(community_staff)
    assert "一键呼叫" not in client.get("/").content.decode()


def test_searchable_select_renders_its_data(tree, orgs, community_staff, grid_worker):
    people = [(p.person, p.organisation) for p in Position.objects.active().select_related("person", "organisation")
              .filter(organisation__in=[orgs["community_office"], orgs["community_party"]])]
    form = DispatchForm(organisations=[orgs["community_office"], orgs["community_party"]], people=people)
    widget = form.fields["assignee"].widget
    assert isinstance(widget, SearchableSelect)
    groups = json.loads(widget.attrs["data-gz-groups"])
    assert groups == {str(p.pk): str(o.pk) for p, o in people}
    html = render_to_string("includes/form.html", {"form": form, "id_prefix": "dispatch-"})
    select = re.search(r'<select name="assignee"[^>]*>', html).group(0)
    assert 'data-gz-search="1"' in select
    assert 'data-gz-filter-by="dispatch-id_organisation"' in select  # the id of the organisation select
    assert 'id="dispatch-id_organisation"' in html
