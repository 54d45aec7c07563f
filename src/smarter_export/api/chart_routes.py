"""`GET /api/v1/export/{exportId}/chart`: the figures of an analytics export's chart.

The Export Center draws its preview from them. Tenant-scoped like the status (another firm's id
is a 404), and shown only to someone who may take the file now.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter
from pydantic import Field

from smarter_export.api.deps import CurrentPrincipal, ServiceDep
from smarter_export.api.openapi import problems
from smarter_export.api.routes import EXPORT_ID
from smarter_export.api.schemas import Camel, Envelope
from smarter_export.jobs.chart_figures import chart_preview
from smarter_export.urls import API_PREFIX

router = APIRouter(prefix=API_PREFIX, tags=["exports"])


class ChartSeriesView(Camel):
    label: str = Field(description="The column drawn, as its header says.")
    values: list[float] = Field(description="One a group, in `labels` order.")


class ChartView(Camel):
    kind: Literal["bars", "stacked", "line"] = Field(
        description="bars: one bar a group for each series; stacked: the series stacked in one "
        "bar (aging buckets, young to old); line: each series over the groups in order (months)."
    )
    title: str = Field(description="The metric, grouping and period.")
    unit: str = Field(description="The axis, with its currency, and which groups are shown.")
    value_type: str = Field(description="percent (ratios: 0.751 is 75.1%), money or decimal.")
    labels: list[str] = Field(description="The groups drawn (the total row left out).")
    series: list[ChartSeriesView]
    target: ChartSeriesView | None = Field(
        None, description="A mark against each group's bar (utilization's target hours)."
    )
    groups: int = Field(
        description="Groups in the file; more than `labels` when some are left out."
    )


@router.get(
    "/{export_id}/chart",
    response_model=Envelope[ChartView],
    responses=problems(
        401,
        403,
        404,
        500,
        s404="No export with this id in your firm, or it has no chart.",
    ),
    operation_id="getExportChart",
)
def export_chart(
    export_id: Annotated[str, EXPORT_ID], principal: CurrentPrincipal, service: ServiceDep
) -> Envelope[ChartView]:
    """The chart of a completed analytics export, as drawn in its file: groups and figures."""
    job = service.get(principal, export_id)
    return Envelope(data=ChartView.model_validate(chart_preview(job, principal)))
