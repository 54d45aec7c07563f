"""GET /api/v1/export/choices/{filter}: the records a person picks from for an id filter."""

from __future__ import annotations

from fastapi import APIRouter

from smarter_export.api.deps import CurrentPrincipal, ServiceDep
from smarter_export.api.routes import ERRORS
from smarter_export.api.schemas import ChoicesView, ChoiceView, Envelope
from smarter_export.urls import API_PREFIX

router = APIRouter(prefix=API_PREFIX, tags=["exports"])


@router.get("/choices/{filter_name}", response_model=Envelope[ChoicesView], responses=ERRORS)
def filter_choices(
    filter_name: str, principal: CurrentPrincipal, service: ServiceDep
) -> Envelope[ChoicesView]:
    """Your firm's practice areas, clients, matters or timekeepers, by name, for a filter that
    takes their id (its `choicesUrl` in `/sources`). Soft-deleted records are left out, and
    confidential matters unless you may see them."""
    found = service.filter_choices(principal, filter_name)
    return Envelope(
        data=ChoicesView(
            filter=found.filter_name,
            choices=[ChoiceView(value=c.value, label=c.label) for c in found.choices],
            truncated=found.truncated,
        )
    )
