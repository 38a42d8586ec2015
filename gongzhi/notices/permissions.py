"""Who may do what with a notice: only its recipient reads it (marks it read)."""

import rules


@rules.predicate
def is_recipient(user, notification) -> bool:
    return notification is not None and notification.user_id == user.pk


rules.add_perm("notices.read_notice", is_recipient)
rules.add_perm("notices.read_all_notices", rules.is_authenticated)
