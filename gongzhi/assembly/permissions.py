import rules

from gongzhi.core.roles import Role
from gongzhi.core.scope import covers

STAFF = {Role.STREET_STAFF, Role.COMMUNITY_STAFF}


def _compound(obj):
    return getattr(obj, "compound", obj)


@rules.predicate
def organises_questions(user, obj) -> bool:
    """Street/community staff over the compound, or its owners' committee, put questions to owners."""
    compound = _compound(obj)
    return compound is not None and covers(user, compound.path, STAFF | {Role.COMMITTEE_MEMBER})


@rules.predicate
def organises_elections(user, obj) -> bool:
    """Committee elections are run by the community (and street), not by the sitting committee."""
    compound = _compound(obj)
    return compound is not None and covers(user, compound.path, STAFF)


@rules.predicate
def organises(user, vote) -> bool:
    if getattr(vote, "kind", "question") == "election":
        return organises_elections(user, vote)
    return organises_questions(user, vote)


su = rules.is_superuser
rules.add_perm("assembly.create_vote", su | organises_questions)
rules.add_perm("assembly.organise_vote", su | organises)
rules.add_perm("assembly.vet_candidate", su | organises_elections)
# 从多 (count non-voters with the majority) changes how a vote is decided: street and community staff only
rules.add_perm("assembly.set_majority_rule", su | organises_elections)
