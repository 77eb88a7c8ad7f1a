"""Whether an account still shows: a deleted one vanishes everywhere at once, long before
its rows are erased (accounts/deletion.py)."""

from sqlalchemy import select

from ..models import User


def present(user_id_column):
    """A condition on a column holding a user's id: that account is not being deleted."""
    return user_id_column.not_in(select(User.id).where(User.deleted_at.is_not(None)))
