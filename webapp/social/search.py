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

from sqlalchemy import and_, column, func, literal_column, select, table, text
from sqlalchemy.orm import Session

from ..config import settings
from ..db import is_postgres
from ..models import Release, User
from ..names import username_key
from ..visibility import release_public

# Migration 0007's generated column, and the expression it indexed (keep them identical).
RELEASE_VECTOR = "releases.search_vector"
USER_VECTOR = "to_tsvector('simple', users.username)"
MAX_AUTHORS = 500
QUERY_MAX = 100
MAX_WORDS = 8
MAX_PAGE = 1000
CHOICES_LIMIT = 100
CANDIDATES = 1000
# Id windows searched newest first for candidates; None: all that is left.
WINDOWS = (4096, 32768, None)
# SQLite's FTS5 table over releases (migration 0007), kept by triggers.
FTS = table("release_search", column("rowid"))
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
    where = [release_public()]
    if genre:
        where.append(func.lower(Release.genre) == genre.casefold())
    if mood:
        where.append(func.lower(Release.mood) == mood.casefold())
    offset = (page - 1) * size
    if terms:
        authors = _authors(db, terms)
        results.people = authors[:size]
        ids = _ranked(db, where, terms, [user.id for user in authors])[offset:offset + size + 1]
    else:
        ids = list(db.scalars(
            select(Release.id).where(*where)
            .order_by(Release.published_at.desc(), Release.id.desc())
            .limit(size + 1).offset(offset)
        ))
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
        select(User).where(condition, User.deleted_at.is_(None))
        .order_by(func.length(User.username), User.id)
        .limit(MAX_AUTHORS)
    ))


def _tsquery(terms: list[str]):
    """PostgreSQL: every word as a prefix."""
    return func.to_tsquery("simple", " & ".join(f"{term}:*" for term in terms))


def _fts_query(terms: list[str]) -> str:
    """SQLite FTS5: every word, quoted, as a prefix."""
    return " ".join(f'"{term}"*' for term in terms)


def _ranked(db: Session, where: list, terms: list[str], author_ids: list[int]) -> list[int]:
    """Ids of releases matching every word (or by an author whose name does), best first.

    Only the newest CANDIDATES matches are ranked, found window by window from the newest
    id down, so a common word costs a few thousand index rows however large the catalogue
    grows, and a rare one a few index lookups (docs/decisions.md)."""
    scored, high = [], db.scalar(select(func.max(Release.id))) or 0
    for width in WINDOWS:
        low = 0 if width is None else max(0, high - width)
        window = [Release.id > low, Release.id <= high, *where]
        wanted = CANDIDATES - len(scored)
        scored += db.execute(_text_hits(db, window, terms, (low, high), wanted)).all()
        if author_ids:
            scored += db.execute(
                select(Release.id, Release.published_at, literal_column("0.0"))
                .where(Release.user_id.in_(author_ids), *window)
                .order_by(Release.id.desc()).limit(wanted)
            ).all()
        high = low
        if len(scored) >= CANDIDATES or high == 0:
            break
    best = {}
    for ident, published_at, score in scored:
        best[ident] = max(score, best.get(ident, (score,))[0]), published_at
    return sorted(best, key=lambda ident: (*best[ident], ident), reverse=True)


def _text_hits(db: Session, window: list, terms: list[str], ids: tuple[int, int], wanted: int):
    """(id, published_at, score) of the releases in one id window whose text matches.

    The first windows are read newest first up to what is still wanted; the last one only
    runs for words too rare to fill them, so it asks the word index for all of its few hits
    (an ORDER BY there would tempt the planner into walking every id)."""
    if is_postgres(db):
        tsquery = _tsquery(terms)
        vector = literal_column(RELEASE_VECTOR)
        statement = select(
            Release.id, Release.published_at, func.ts_rank(vector, tsquery)
        ).where(vector.op("@@")(tsquery), *window)
    else:
        low, high = ids
        # The FTS table drives: its own rowid bounds let it seek instead of scan.
        statement = (
            select(Release.id, Release.published_at,
                   literal_column("-bm25(release_search, 10.0, 4.0, 4.0, 1.0)"))
            .select_from(FTS).join(Release, Release.id == FTS.c.rowid)
            .where(text("release_search MATCH :releases").bindparams(releases=_fts_query(terms)),
                   FTS.c.rowid > low, FTS.c.rowid <= high, *window)
        )
    if ids[0] == 0:
        return statement
    return statement.order_by(Release.id.desc()).limit(wanted)


def choices(db: Session) -> tuple[list[str], list[str]]:
    """The genres and moods of published releases, for the filters (one statement)."""
    rows = db.execute(
        select(literal_column("'g'"), func.lower(Release.genre))
        .where(release_public()).distinct()
        .union(select(literal_column("'m'"), func.lower(Release.mood))
               .where(release_public()).distinct())
    ).all()
    genres = sorted(value for what, value in rows if what == "g" and value)[:CHOICES_LIMIT]
    moods = sorted(value for what, value in rows if what == "m" and value)[:CHOICES_LIMIT]
    return genres, moods
