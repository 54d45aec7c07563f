"""FastAPI dependencies: the app's services, and who is asking (`CurrentPrincipal`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Header, Request

from smarter_export.api.rate_limit import CreationLimiter
from smarter_export.api.schemas import ExportView
from smarter_export.api.views import export_view
from smarter_export.auth.errors import Forbidden
from smarter_export.auth.principal import Principal
from smarter_export.auth.tokens import TokenVerifier
from smarter_export.jobs.records import ExportJob
from smarter_export.jobs.service import Caller, ExportService
from smarter_export.settings import Settings


@dataclass(frozen=True)
class AppServices:
    settings: Settings
    service: ExportService
    verifier: TokenVerifier
    limiter: CreationLimiter


# The dependencies are `async def` although they do no I/O worth a thread (token checks, a
# lookup on app state; a token's grants reach the database once per process): FastAPI runs a
# plain `def` dependency on the thread pool, and those hand-offs cost a status poll more than
# its own work.


async def app_services(request: Request) -> AppServices:
    services: AppServices = request.app.state.services
    return services


ServicesDep = Annotated[AppServices, Depends(app_services)]


async def export_service(services: ServicesDep) -> ExportService:
    return services.service


ServiceDep = Annotated[ExportService, Depends(export_service)]


async def current_principal(
    services: ServicesDep,
    authorization: Annotated[str | None, Header(description="Bearer <JWT>")] = None,
    x_tenant_id: Annotated[
        str | None, Header(description="Optional; refused unless it equals the token's tenant.")
    ] = None,
) -> Principal:
    principal = services.verifier.verify(authorization)
    if x_tenant_id is not None and x_tenant_id != principal.tenant_id:
        raise Forbidden("The x-tenant-id header names another firm than your token.")
    services.service.observe(principal)
    return principal


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]


def client_of(request: Request) -> tuple[str | None, str | None]:
    address = request.client.host if request.client else None
    return address, request.headers.get("user-agent")


async def caller(request: Request, principal: CurrentPrincipal) -> Caller:
    address, agent = client_of(request)
    return Caller(principal, client_address=address, user_agent=agent)


CallerDep = Annotated[Caller, Depends(caller)]


@dataclass(frozen=True)
class Views:
    """Turns jobs into answers for this request: its viewer, and its base URL for links."""

    service: ExportService
    viewer: Principal
    base_url: str

    def of(self, job: ExportJob) -> ExportView:
        return export_view(job, self.service, self.base_url, self.viewer)


async def views(request: Request, principal: CurrentPrincipal, service: ServiceDep) -> Views:
    return Views(service, principal, str(request.base_url))


ViewsDep = Annotated[Views, Depends(views)]
