"""Search over published releases (title, description, genre, mood) and usernames.

One function, two engines: PostgreSQL full-text search (the generated `search_vector`
column and a `to_tsvector('simple', username)` expression, both GIN-indexed by migration
0007) and SQLite FTS5 (the table `release_search`, kept by triggers; names are matched
on `users.username_key`). Both take every word as a prefix and weigh a title above genre
and mood above the description. A release also matches when its author's name matches
every word.
"""

import re
from dataclasses import dataclass, field

from sqlalchemy import and_, func, literal_column, or_, select, text
from sqlalchemy.orm import Session

from ..config import settings
from ..db import is_postgres
from ..models import Release, User
from ..names import username_key

# Migration 0007's generated column, and the expression it indexed (keep them identical).
RELEASE_VECTOR = "releases.search_vector"
USER_VECTOR = "to_tsvector('simple', users.username)"
MAX_AUTHORS = 500
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
    # Rank ids first, then load the page's rows: sorting narrow rows is what keeps it fast.
    statement = select(Release.id).where(*where)
    if terms:
        authors = _authors(db, terms)
        results.people = authors[:size]
        statement, score = _match(db, statement, terms, [user.id for user in authors])
        statement = statement.order_by(
            score.desc(), Release.published_at.desc(), Release.id.desc()
        )
    else:
        statement = statement.order_by(Release.published_at.desc(), Release.id.desc())
    ids = list(db.scalars(statement.limit(size + 1).offset((page - 1) * size)))
    results.has_next = len(ids) > size
    ids = ids[:size]
    if ids:
        found = {release.id: (release, author) for release, author in db.execute(
            select(Release, User).join(User, User.id == Release.user_id)
            .where(Release.id.in_(ids))
        ).unique()}
        results.releases = [found[ident] for ident in ids if ident in found]
    return results


def _authors(db: Session, terms: list[str]) -> list[User]:
    """People whose name matches every word, shortest name first (at most MAX_AUTHORS)."""
    if is_postgres(db):
        condition = literal_column(USER_VECTOR).op("@@")(_tsquery(terms))
    else:
        # No FTS5 table over users: its trigger made concurrent renames fail as "locked".
        condition = and_(*[
            User.username_key.contains(username_key(term), autoescape=True) for term in terms
        ])
    return list(db.scalars(
        select(User).where(condition).order_by(func.length(User.username), User.id)
        .limit(MAX_AUTHORS)
    ))


def _tsquery(terms: list[str]):
    """PostgreSQL: every word as a prefix."""
    return func.to_tsquery("simple", " & ".join(f"{term}:*" for term in terms))


def _fts_query(terms: list[str]) -> str:
    """SQLite FTS5: every word, quoted, as a prefix."""
    return " ".join(f'"{term}"*' for term in terms)


def _match(db: Session, statement, terms: list[str], author_ids: list[int]):
    """The statement narrowed to releases whose text matches every word or whose author's
    name does, and the SQL for its score (higher is better)."""
    if is_postgres(db):
        tsquery = _tsquery(terms)
        vector = literal_column(RELEASE_VECTOR)
        text_match = vector.op("@@")(tsquery)
        if author_ids:
            text_match = or_(text_match, Release.user_id.in_(author_ids))
        return statement.where(text_match), func.ts_rank(vector, tsquery)
    hits = (
        select(literal_column("rowid").label("id"),
               literal_column("-bm25(release_search, 10.0, 4.0, 4.0, 1.0)").label("score"))
        .select_from(text("release_search"))
        .where(text("release_search MATCH :releases").bindparams(releases=_fts_query(terms)))
        .subquery()
    )
    if not author_ids:
        return statement.join(hits, hits.c.id == Release.id), hits.c.score
    statement = statement.outerjoin(hits, hits.c.id == Release.id).where(
        or_(hits.c.id.is_not(None), Release.user_id.in_(author_ids))
    )
    return statement, func.coalesce(hits.c.score, 0.0)


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
