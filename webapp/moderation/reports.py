"""Reports and what admins do with them (hide or dismiss), and who is an admin."""

from dataclasses import dataclass

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from .. import live, ratelimits
from ..config import settings
from ..errors import NotFound
from ..forms import FormErrors, clean_text
from ..models import Comment, Post, Release, Report, User, utcnow
from ..names import username_key
from ..social import subjects
from ..upsert import insert_or_ignore, start_writing

REPORT_KINDS = ("release", "post", "comment", "user")
REASON_MAX = 500
MODELS = {"release": Release, "post": Post, "comment": Comment}
# The report column that holds each kind of subject (a foreign key, never a bare id).
SUBJECT_COLUMNS = {"release": Report.release_id, "post": Report.post_id,
                   "comment": Report.comment_id, "user": Report.person_id}
SUBJECT_ID = func.coalesce(Report.release_id, Report.post_id, Report.comment_id,
                             Report.person_id)
# What a report can say it is about; "other" needs the details filled in.
REPORT_REASONS = {
    "spam": "Spam or advertising",
    "harassment": "Harassment or hate",
    "sexual": "Sexual or violent content",
    "copyright": "Someone else's work",
    "impersonation": "Pretending to be someone else",
    "other": "Something else",
}


@dataclass
class OpenReport:
    """Reports about one subject that no admin has dealt with yet."""

    kind: str
    subject_id: int
    count: int
    reasons: list[str]
    subject: Release | Post | Comment | User | None
    author: User | None


def report(
    db: Session, reporter: User, kind: str, subject_id: int, reason, category: str = "",
    client: str | None = None,
) -> FormErrors:
    """Report a visible release, post, comment or person (once per person; again changes
    nothing). `category` is one of REPORT_REASONS (or empty); `reason` the details. Too many
    reports from the account or the `client` address raise Throttled."""
    errors = FormErrors()
    text = clean_text({"reason": reason or ""}, "reason", "Details", errors,
                      max_length=REASON_MAX - 40, multiline=True)
    if kind not in REPORT_KINDS:
        raise NotFound()
    reportable(db, kind, subject_id, reporter.id)
    if category and category not in REPORT_REASONS:
        errors.add("category", "Choose one of the reasons.")
    elif category == "other" and not text:
        errors.add("reason", "Say what is wrong in the details.")
    if errors:
        return errors
    if category:
        text = f"{REPORT_REASONS[category]}: {text}" if text else REPORT_REASONS[category]
    start_writing(db)
    limits = settings()
    ratelimits.charge(db, "reports", reporter.id, client, limits.limit_reports_per_account,
                      limits.limit_reports_per_client, "You have sent many reports just now.")
    insert_or_ignore(db, Report, reporter_id=reporter.id, kind=kind,
                     **{SUBJECT_COLUMNS[kind].key: subject_id}, reason=text, created_at=utcnow())
    db.commit()
    return errors


def reportable(
    db: Session, kind: str, subject_id: int, viewer_id: int | None = None
) -> Release | Post | Comment | User:
    """What a report names: a release, post or comment the viewer may see, or a person (whose
    account is not being deleted); else NotFound."""
    if kind == "user":
        user = db.get(User, subject_id)
        if user is None or user.deleted_at is not None:
            raise NotFound()
        return user
    return subjects.visible(db, kind, subject_id, viewer_id)


def open_reports(db: Session, admin: User, limit: int = 100) -> list[OpenReport]:
    """Unresolved reports grouped by subject, most reported first (admins only)."""
    require_admin(admin)
    grouped = db.execute(
        select(Report.kind, SUBJECT_ID, func.count(), func.min(Report.id))
        .where(Report.resolved_at.is_(None))
        .group_by(Report.kind, SUBJECT_ID)
        .order_by(func.count().desc(), func.min(Report.id))
        .limit(limit)
    ).all()
    reasons: dict[tuple[str, int], list[str]] = {}
    keys = [(kind, ident) for kind, ident, _n, _first in grouped]
    if keys:
        for kind, ident, reason in db.execute(
            select(Report.kind, SUBJECT_ID, Report.reason).where(
                Report.resolved_at.is_(None),
                or_(*[SUBJECT_COLUMNS[k] == i for k, i in keys]),
            )
        ):
            if reason:
                reasons.setdefault((kind, ident), []).append(reason)
    found = {}
    for kind, model in MODELS.items():
        ids = [ident for k, ident in keys if k == kind]
        if ids:
            for row, author in db.execute(
                select(model, User).join(User, User.id == model.user_id).where(model.id.in_(ids))
            ).unique():
                found[(kind, row.id)] = (row, author)
    people = [ident for k, ident in keys if k == "user"]
    if people:
        for person in db.scalars(select(User).where(User.id.in_(people))):
            found[("user", person.id)] = (person, person)
    return [
        OpenReport(kind, ident, n, reasons.get((kind, ident), []),
                   *found.get((kind, ident), (None, None)))
        for kind, ident, n, _first in grouped
    ]


def hide(db: Session, admin: User, kind: str, subject_id: int) -> None:
    """Hide a release, post or comment from everyone and close its reports; commits."""
    require_admin(admin)
    model = MODELS.get(kind)
    if model is None:
        raise NotFound()
    subject = db.get(model, subject_id)
    if subject is None:
        raise NotFound()
    start_writing(db)
    if not subject.hidden:
        subject.hidden = True
        if kind == "comment":
            owner_id = db.scalar(select(Release.user_id).where(Release.id == subject.release_id))
            live.comment_deleted(db, {subject.user_id, owner_id}, subject.release_id, subject.id)
        else:
            live.content_hidden(db, subject.user_id, kind, subject.id)
    _resolve(db, kind, subject_id)
    db.commit()


def dismiss(db: Session, admin: User, kind: str, subject_id: int) -> None:
    """Close the reports about a subject without hiding it; commits."""
    require_admin(admin)
    if kind not in REPORT_KINDS:
        raise NotFound()
    _resolve(db, kind, subject_id)
    db.commit()


def _resolve(db: Session, kind: str, subject_id: int) -> None:
    """Mark the open reports about a subject resolved."""
    db.execute(update(Report).where(
        SUBJECT_COLUMNS[kind] == subject_id, Report.resolved_at.is_(None)
    ).values(resolved_at=utcnow()))


def require_admin(user: User) -> None:
    """Refuse anyone who is not an admin, as if the admin pages did not exist."""
    if not user.is_admin:
        raise NotFound()


def make_admin(db: Session, username: str) -> bool:
    """Flag a user (by current name, any case) as an admin; commits; False if no such user."""
    changed = db.execute(
        update(User).where(User.username_key == username_key(username)).values(is_admin=True)
    ).rowcount
    db.commit()
    return changed == 1
