"""People, organisations and places, declared once: the three kinds of names an article carries, and the names in
each, for every engine and the web app.

An article's names (`Article.people`, `orgs`, `places`) are those its record states (Reuters `<PEOPLE>`, JSON-LD
`mentions`, a JSON or CSV `people` field: the parsers read them) and those found in its headline and text at
indexing (indexer/gazetteer.py), each written as its canonical name (the alias file: indexer/aliases.py). Each kind
is a facet and a search parameter (`person`, `org`, `place`: indexer/request.py) and a query field of the same name
(`person:volcker`), which searches the canonical names and their variants. See docs/entities.md.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from .records import Article


@dataclass(frozen=True)
class Kind:
    """One kind of name: the Article attribute (and JSON key) holding them, and its facet (also the search parameter,
    the query field and the alias file's section)."""

    attribute: str  # "people": the Article attribute, the JSON key of hits and articles, the stored field
    facet: str  # "person": the facet, the search parameter (--person), the query field (person:), the alias section
    title: str  # "Person": how the page names one value
    plural: str  # "people": how the page names several
    schema_types: tuple[str, ...]  # the schema.org types (JSON-LD @type) of names of this kind


PEOPLE = Kind("people", "person", "Person", "people", ("Person",))
ORGS = Kind("orgs", "org", "Organisation", "organisations",
            ("Organization", "Corporation", "GovernmentOrganization", "NGO", "NewsMediaOrganization",
             "EducationalOrganization", "SportsOrganization", "PoliticalParty", "SportsTeam", "Airline",
             "Consortium", "FundingScheme", "OnlineBusiness", "LocalBusiness", "Project", "ResearchOrganization",
             "WorkersUnion", "LibrarySystem", "MedicalOrganization", "PerformingGroup", "SearchRescueOrganization"))
PLACES = Kind("places", "place", "Place", "places",
              ("Place", "Country", "City", "State", "AdministrativeArea", "Continent", "Landform",
               "LandmarksOrHistoricalBuildings", "TouristAttraction", "Airport", "Residence", "CivicStructure",
               "BodyOfWater", "Mountain", "SchoolDistrict"))
KINDS = (PEOPLE, ORGS, PLACES)
BY_FACET = {kind.facet: kind for kind in KINDS}
BY_ATTRIBUTE = {kind.attribute: kind for kind in KINDS}


def kind_of_schema_type(type_name: str) -> Kind | None:
    """Return the kind of a schema.org type ("Person", "Country", "schema:Organization"), or None for another."""
    bare = type_name.rsplit("/", 1)[-1].rsplit(":", 1)[-1].rsplit("#", 1)[-1]
    return next((kind for kind in KINDS if bare in kind.schema_types), None)


def names_of(article: Article, kind: Kind) -> tuple[str, ...]:
    """Return an article's names of one kind."""
    names: tuple[str, ...] = getattr(article, kind.attribute)
    return names


def with_names(article: Article, names: Mapping[Kind, tuple[str, ...]]) -> Article:
    """Return an article with the names of some kinds given at indexing (the fingerprint of the record as read
    kept: Article.given)."""
    # By attribute, from the items: looking a Kind up hashes all its fields, schema types included.
    given = {kind.attribute: values for kind, values in names.items()}
    return article.given(people=given.get(PEOPLE.attribute), orgs=given.get(ORGS.attribute),
                         places=given.get(PLACES.attribute))
