import rules

from gongzhi.core.permissions import manages_place_of

# obj = the parent (create), the place itself (update), the place to move (move; the new parent is checked too)
rules.add_perm("places.create_place", rules.is_superuser | manages_place_of)
rules.add_perm("places.update_place", rules.is_superuser | manages_place_of)
rules.add_perm("places.move_place", rules.is_superuser | manages_place_of)
rules.add_perm("places.import_places", rules.is_superuser | manages_place_of)
# 行政区划: whole districts from the official list — the operator only
rules.add_perm("places.load_divisions", rules.is_superuser)
