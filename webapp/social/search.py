"""Search over published releases (title, description, genre, mood) and usernames.

One function, two engines: PostgreSQL full-text search (GIN indexes over the
`to_tsvector('simple', …)` expressions below, made by migration 0007) and SQLite FTS5
(tables `release_search` and `user_search`, kept by triggers). Both use the same
words-as-prefixes query and weigh a title above genre and mood above the description.
A release also matches when its author's name matches every word.
"""

import re
from dataclasses import dataclass, field

from sqlalchemy import func, literal_column, or_, select, text
from sqlalchemy.orm import Session

from ..config import settings
from ..db import is_postgres
from ..models import Release, User

# Must stay the expressions migration 0007 indexed, or PostgreSQL will not use the indexes.
RELEASE_VECTOR = (
    "setweight(to_tsvector('simple', releases.title), 'A') || "
    "setweight(to_tsvector('simple', releases.genre || ' ' || releases.mood), 'B') || "
    "setweight(to_tsvector('simple', releases.description), 'C')"
)
USER_VECTOR = "to_tsvector('simple', users.username)"
QUERY_MAX = 100
MAX_WORDS = 8
MAX_PAGE = 1000
CHOICES_LIMIT = 100
_WORD = re.compile(r"\w+")


@dataclass
class Results:
    """One page of search results, with the filter choices to offer."""

    query: str
    genre: str
    mood: str
    releases: list[tuple[Release, User]] = field(default_factory=list)
    people: list[User] = field(default_factory=list)
    page: int = 1
    has_next: bool = False
    genres: list[str] = field(default_factory=list)
    moods: list[str] = field(default_factory=list)

    @property
    def asked(self) -> bool:
        """Whether there was anything to search for."""
        return bool(self.query or self.genre or self.mood)


def words(query: str) -> list[str]:
    """The words searched for: letters and digits only, so no engine syntax gets through."""
    return _WORD.findall(query.casefold())[:MAX_WORDS]


def search(db: Session, query: str = "", genre: str = "", mood: str = "", page: int = 1) -> Results:
    """Published, visible releases matching every word (best first) and people whose name does.

    Genre and mood filter exactly (any case). No words and no filter: nothing.
    """
    query, genre, mood = (value.strip()[:QUERY_MAX] for value in (query, genre, mood))
    page = max(1, min(page, MAX_PAGE))
    results = Results(query, genre, mood, page=page)
    terms = words(query)
    if not terms and not genre and not mood:
        return results
    size = settings().search_page_size
    where = [Release.published.is_(True), Release.hidden.is_(False)]
    if genre:
        where.append(func.lower(Release.genre) == genre.casefold())
    if mood:
        where.append(func.lower(Release.mood) == mood.casefold())
    statement = select(Release, User).join(User, User.id == Release.user_id).where(*where)
    if terms:
        statement, score, user_match = _match(db, statement, terms)
        statement = statement.order_by(
            score.desc(), Release.published_at.desc(), Release.id.desc()
        )
        results.people = _people(db, user_match)
    else:
        statement = statement.order_by(Release.published_at.desc(), Release.id.desc())
    rows = db.execute(statement.limit(size + 1).offset((page - 1) * size)).unique().all()
    results.releases = [(release, author) for release, author in rows[:size]]
    results.has_next = len(rows) > size
    return results


def _match(db: Session, statement, terms: list[str]):
    """The statement narrowed to releases whose text or author matches every word, with the
    SQL for its score (higher is better) and for "the author's name matches"."""
    if is_postgres(db):
        tsquery = func.to_tsquery("simple", " & ".join(f"{term}:*" for term in terms))
        vector = literal_column(RELEASE_VECTOR)
        # Each side in its own subquery, so each is answered from its GIN index.
        texts = select(Release.id).where(vector.op("@@")(tsquery)).correlate(None)
        user_match = User.id.in_(
            select(User.id).where(literal_column(USER_VECTOR).op("@@")(tsquery)).correlate(None)
        )
        statement = statement.where(or_(Release.id.in_(texts), user_match))
        return statement, func.ts_rank(vector, tsquery), user_match
    match = " ".join(f'"{term}"*' for term in terms)
    hits = (
        select(literal_column("rowid").label("id"),
               literal_column("-bm25(release_search, 10.0, 4.0, 4.0, 1.0)").label("score"))
        .select_from(text("release_search"))
        .where(text("release_search MATCH :release_match").bindparams(release_match=match))
        .subquery()
    )
    user_match = User.id.in_(
        select(literal_column("rowid")).select_from(text("user_search"))
        .where(text("user_search MATCH :user_match").bindparams(user_match=match))
    )
    statement = statement.outerjoin(hits, hits.c.id == Release.id).where(
        or_(hits.c.id.is_not(None), user_match)
    )
    return statement, func.coalesce(hits.c.score, 0.0), user_match


def _people(db: Session, user_match) -> list[User]:
    """Up to a page of people whose name matches every word, shortest name first."""
    return list(db.scalars(
        select(User).where(user_match)
        .order_by(func.length(User.username), User.id).limit(settings().search_page_size)
    ))


def choices(db: Session) -> tuple[list[str], list[str]]:
    """The genres and moods of published releases, for the filters (one statement)."""
    rows = db.execute(
        select(literal_column("'g'"), func.lower(Release.genre))
        .where(Release.published.is_(True), Release.hidden.is_(False)).distinct()
        .union(select(literal_column("'m'"), func.lower(Release.mood))
               .where(Release.published.is_(True), Release.hidden.is_(False)).distinct())
    ).all()
    genres = sorted(value for what, value in rows if what == "g" and value)[:CHOICES_LIMIT]
    moods = sorted(value for what, value in rows if what == "m" and value)[:CHOICES_LIMIT]
    return genres, moods
