"""Who may do what with joint meetings (``rules`` predicates, registered from ``AppConfig.ready``).

- organisers: street and community staff over the series' place (``MANAGING_ROLES``) — set up series, schedule,
  invite, put topics on the agenda, accept or decline proposals, publish, record resolutions, keep the minutes;
- member and invited organisations' people: sign in to the meetings they are called to;
- residents: propose a topic for their own compound."""

import rules

from gongzhi.core.roles import MANAGING_ROLES, Role
from gongzhi.core.scope import covers, scope_organisations, user_scopes


def _place_path(obj) -> str | None:
    if obj is None:
        return None
    if isinstance(getattr(obj, "path", None), str):
        return obj.path
    place = getattr(obj, "place", None)
    return getattr(place, "path", None)


@rules.predicate
def organises(user, obj) -> bool:
    """Street or community staff over the place of the series, meeting, topic or resolution."""
    if obj is None:
        return bool({s.role for s in user_scopes(user)} & MANAGING_ROLES)
    path = _place_path(obj)
    return path is not None and covers(user, path, MANAGING_ROLES)


@rules.predicate
def called_to(user, meeting) -> bool:
    """Holds a post in one of the meeting's member or invited organisations."""
    if meeting is None or not hasattr(meeting, "member_organisation_ids"):
        return False
    orgs = set(scope_organisations(user))
    return bool(orgs & (set(meeting.member_organisation_ids()) | set(meeting.invited_organisation_ids())))


@rules.predicate
def lives_in(user, place) -> bool:
    """A resident of a household under ``place`` (their compound)."""
    path = _place_path(place)
    return path is not None and any(s.path.startswith(path) for s in user_scopes(user) if s.role == Role.RESIDENT)


@rules.predicate
def watches(user, req) -> bool:
    """A grid worker or building head over the request's place (建议上会)."""
    path = _place_path(getattr(req, "place", None))
    return path is not None and covers(user, path, {Role.GRID_WORKER, Role.BUILDING_HEAD})


su = rules.is_superuser
for _verb in ("create_series", "set_delegates", "generate_meetings", "schedule_meeting", "invite_organisation", "add_topic",
              "accept_proposal", "decline_proposal", "publish_agenda", "note_topic", "record_resolution",
              "link_request", "hold_meeting", "cancel_meeting", "edit_minutes", "finalise_minutes", "correct_minutes"):
    rules.add_perm(f"meetings.{_verb}", su | organises)
rules.add_perm("meetings.sign_in", su | organises | called_to)
rules.add_perm("meetings.propose_topic", su | lives_in | organises)
rules.add_perm("meetings.flag_request", su | watches)  # 建议上会: the grid's own eyes over the request
# the tick's move: only the platform itself (SYSTEM) makes it
rules.add_perm("meetings.carry_over_item", rules.always_deny)
