"""Response models: the public shape of the API."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field


class Health(BaseModel):
    status: str = Field(examples=["ok"])
    database: str = Field(examples=["ok"])
    version: str


class TypeCounts(BaseModel):
    total: int
    unique: int


class YearCounts(BaseModel):
    year: int = Field(examples=[2025])
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
