import rules

from gongzhi.core.permissions import manages_place_of

rules.add_perm("people.create_person", rules.is_superuser | manages_place_of)
rules.add_perm("people.update_person", rules.is_superuser | manages_place_of)
rules.add_perm("people.create_organisation", rules.is_superuser | manages_place_of)
rules.add_perm("people.update_organisation", rules.is_superuser | manages_place_of)
rules.add_perm("people.appoint_position", rules.is_superuser | manages_place_of)
rules.add_perm("people.end_position", rules.is_superuser | manages_place_of)
rules.add_perm("people.add_household_member", rules.is_superuser | manages_place_of)
