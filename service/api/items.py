"""One item in full, with the evidence behind every decision; corrections."""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo

from fastapi import APIRouter, HTTPException, Request, Response

from db.coverage import item_row
from db.engine import unit_of_work
from db.item_detail import item_detail
from db.models import Correction
from service.api.coverage import item_out
from service.api.deps import ReadSession, RuntimeDep, WriteSession
from service.api.schemas import (
    CorrectionIn,
    CorrectionOut,
    ItemDetailOut,
    ManualItemIn,
    ManualItemOut,
    MentionOut,
    ReprintLinkOut,
)
from service.corrections import CorrectionError, CorrectionRequest, make_correction
from service.manual import ManualEntry, ManualEntryError, add_entry, fetch_page
from service.reprints import update_reprints

router = APIRouter(prefix="/api/v1", tags=["items"])


@router.get("/items/{item_id}", response_model=ItemDetailOut)
def get_item(item_id: int, session: ReadSession, runtime: RuntimeDep) -> ItemDetailOut:
    """The item with its mentions, reprint links (method, score, reason) and corrections."""
    detail = item_detail(session, item_id=item_id)
    if detail is None:
        raise HTTPException(404, f"no item with id {item_id}")
    item, policy = detail.item, runtime.settings.reprint_policy
    zone = runtime.settings.zone
    reprint_of = next((lk.original_id for lk in detail.reprint_of if lk.policy == policy), None)
    row = item_row(item, detail.outlet.name if detail.outlet else None, reprint_of)
    return ItemDetailOut(
        **item_out(row, zone).model_dump(),
        urls=item.urls,
        origin=item.origin,
        lead=item.lead,
        body=item.body,
        author=item.author,
        site_name=item.site_name,
        section=item.section,
        language=item.language,
        published_at_source=item.published_at_source,
        is_mention=item.is_mention,
        deleted=item.deleted_at is not None,
        mentions=[
            MentionOut(form=m.form, where=m.place, role=m.role, snippet=m.snippet)
            for m in detail.mentions
        ],
        reprint_links=[
            ReprintLinkOut(
                policy=lk.policy,
                original_id=lk.original_id,
                original_title=lk.original_title,
                original_outlet=lk.original_outlet,
                method=lk.method,
                score=lk.score,
                reason=lk.reason,
                decided_by=lk.decided_by,
                rule_version=lk.rule_version,
            )
            for lk in detail.reprint_of
        ],
        reprinted_by=[other for p, other in detail.reprinted_by if p == policy],
        corrections=[correction_out(c, zone) for c in detail.corrections],
    )


@router.post("/items", response_model=ManualItemOut, status_code=201)
async def add_item(
    body: ManualItemIn, request: Request, response: Response, runtime: RuntimeDep
) -> ManualItemOut:
    """Add a publication by hand: a URL is fetched and classified through the API's one
    client, guarded and bounded as the collectors' is; without one, give outlet, title and
    date (radio, TV)."""
    entry = ManualEntry(
        url=str(body.url) if body.url else None,
        outlet=body.outlet,
        title=body.title,
        published_on=body.published_on,
        medium=body.medium,
        summary=body.summary,
        added_by=body.added_by,
        reason=body.reason,
    )
    page = None
    if entry.url:
        try:
            page = await fetch_page(runtime, request.app.state.fetcher, entry.url)
        except ManualEntryError as error:
            if not (entry.outlet and entry.title and entry.published_on):
                raise HTTPException(422, str(error)) from None
    try:
        with unit_of_work(runtime.sessions) as session:
            added = add_entry(
                session,
                entry=entry,
                page=page,
                classifier=runtime.classifier,
                zone=runtime.settings.zone,
            )
            if added.created:
                update_reprints(session, item_ids=[added.item_id])
    except ManualEntryError as error:
        raise HTTPException(422, str(error)) from None
    if not added.created:
        response.status_code = 200
    return ManualItemOut(id=added.item_id, created=added.created)


@router.post("/corrections", response_model=CorrectionOut, status_code=201)
def create_correction(
    body: CorrectionIn, session: WriteSession, runtime: RuntimeDep
) -> CorrectionOut:
    """Correct one item; the correction is kept and re-applied after every automatic pass."""
    try:
        correction = make_correction(
            session,
            request=CorrectionRequest(
                item_id=body.item_id,
                action=body.action,
                reason=body.reason,
                actor=body.actor,
                value=body.value,
            ),
            now=datetime.now(UTC),
        )
    except CorrectionError as error:
        raise HTTPException(422, str(error)) from None
    return correction_out(correction, runtime.settings.zone)


def correction_out(correction: Correction, zone: tzinfo) -> CorrectionOut:
    return CorrectionOut(
        id=correction.id,
        action=correction.action,
        value=correction.value,
        reason=correction.reason,
        actor=correction.actor,
        created_at=correction.created_at.astimezone(zone),
    )
