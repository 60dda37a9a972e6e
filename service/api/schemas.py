"""Request and response models: the public shape of the API."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, HttpUrl

from service.corrections import Action

PublicationType = Literal["national", "regional", "news_site", "trade", "corporate", "other"]
Medium = Literal["print", "online", "radio", "tv", "podcast"]
Policy = Literal["regional_of_national", "story"]


class Health(BaseModel):
    status: str = Field(examples=["ok"])
    database: str = Field(examples=["ok"])
    version: str


class TypeCounts(BaseModel):
    total: int
    unique: int


class YearCounts(BaseModel):
    year: int = Field(examples=[2025])
    policy: Policy = Field(description="Reprint policy the unique count follows.")
    total: int = Field(description="Every publication once.", examples=[117])
    unique: int = Field(description="Leaving out regional reprints.", examples=[85])
    reprints: int = Field(examples=[32])
    by_type: dict[str, TypeCounts]


class ItemOut(BaseModel):
    id: int
    url: str
    canonical_url: str
    title: str
    outlet: str | None
    publication_type: str
    medium: str | None
    published_at: datetime | None = Field(description="In the configured time zone.")
    counted_at: datetime
    first_seen_at: datetime
    completeness: str
    reprint_of: int | None


class ItemPage(BaseModel):
    items: list[ItemOut]
    total: int
    page: int
    page_size: int


class MentionOut(BaseModel):
    form: str
    where: str
    role: str
    snippet: str


class ReprintLinkOut(BaseModel):
    policy: Policy
    original_id: int
    original_title: str
    original_outlet: str | None
    method: str
    score: float
    reason: str = Field(examples=["same DPG article id 86fe52b"])
    decided_by: str = Field(description="auto, or correction when staff set it")
    rule_version: str


class CorrectionOut(BaseModel):
    id: int
    action: str
    value: dict[str, Any]
    reason: str
    actor: str
    created_at: datetime


class ItemDetailOut(ItemOut):
    urls: list[str]
    origin: str
    lead: str
    body: str
    author: str | None
    site_name: str | None
    section: str | None
    language: str | None
    published_at_source: str | None
    is_mention: bool
    deleted: bool
    mentions: list[MentionOut]
    reprint_links: list[ReprintLinkOut]
    reprinted_by: list[int]
    corrections: list[CorrectionOut]


class CorrectionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    item_id: int
    action: Action
    value: dict[str, Any] = Field(
        default_factory=dict,
        examples=[{"original_item_id": 12}, {"publication_type": "trade"}, {"outlet": "NOS"}],
    )
    reason: str = Field(min_length=1, max_length=2000)
    actor: str = Field(min_length=1, max_length=200)


class ManualItemIn(BaseModel):
    """A URL to fetch and classify, or a full record for what has no text online."""

    model_config = ConfigDict(extra="forbid")

    url: HttpUrl | None = Field(None, description="Link to the publication.")
    outlet: str | None = Field(None, description="Outlet name; required without a URL.")
    title: str | None = Field(None, max_length=1000)
    published_on: date | None = None
    medium: Medium | None = None
    summary: str = Field("", max_length=20_000)
    added_by: str = Field(min_length=1, max_length=200)
    reason: str = Field("added by hand", max_length=2000)


class ManualItemOut(BaseModel):
    id: int
    created: bool = Field(description="False when the publication was known already.")


class SourceIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    kind: Literal["feed", "search_feed", "sitemap"] = "feed"
    url: HttpUrl
    outlet: str | None = Field(None, description="Outlet name from the registry.")
    pages: Literal["all", "matching", "none"] = "all"


class SourceUpdate(BaseModel):
    """What a PATCH may change; fields left out (or null) stay as they are."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(None, min_length=1, max_length=200)
    url: HttpUrl | None = None
    kind: Literal["feed", "search_feed", "sitemap"] | None = None
    enabled: bool | None = None
    pages: Literal["all", "matching", "none"] | None = None
    outlet: str | None = None
