"""FastAPI dependencies: the process's `Runtime`, and who is asking (`CurrentPrincipal`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Header, Request, Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from smarter_export.api.rate_limit import CreationLimiter
from smarter_export.api.schemas import ExportView
from smarter_export.api.views import export_view
from smarter_export.auth.principal import Principal
from smarter_export.errors import Forbidden
from smarter_export.jobs.records import ExportJob
from smarter_export.jobs.service import Caller, ExportService
from smarter_export.runtime import Runtime

# The dependencies are `async def` although they do no I/O worth a thread (token checks, a
# lookup on app state; a token's grants reach the database once per process): FastAPI runs a
# plain `def` dependency on the thread pool, and those hand-offs cost a status poll more than
# its own work.


async def runtime_of(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


RuntimeDep = Annotated[Runtime, Depends(runtime_of)]


async def export_service(runtime: RuntimeDep) -> ExportService:
    return runtime.service


ServiceDep = Annotated[ExportService, Depends(export_service)]


async def creation_limiter(request: Request) -> CreationLimiter:
    limiter: CreationLimiter = request.app.state.limiter
    return limiter


LimiterDep = Annotated[CreationLimiter, Depends(creation_limiter)]
# Declares the security scheme in the document; the verifier reads the header itself, so a
# malformed one gets its own message rather than "missing".
BEARER = HTTPBearer(
    scheme_name="bearerAuth",
    bearerFormat="JWT",
    description="A token of the Smarter Firms platform: its tenant, user, role and permissions.",
    auto_error=False,
)
BearerScheme = Annotated[HTTPAuthorizationCredentials | None, Security(BEARER)]
TenantHeader = Annotated[
    str | None, Header(description="Optional; refused unless it equals the token's tenant.")
]


async def current_principal(
    request: Request, runtime: RuntimeDep, _: BearerScheme, x_tenant_id: TenantHeader = None
) -> Principal:
    principal = runtime.verifier.verify(request.headers.get("authorization"))
    if x_tenant_id is not None and x_tenant_id != principal.tenant_id:
        raise Forbidden("The x-tenant-id header names another firm than your token.")
    runtime.service.observe(principal)
    return principal


async def principal_if_any(
    request: Request, runtime: RuntimeDep, scheme: BearerScheme, x_tenant_id: TenantHeader = None
) -> Principal | None:
    """The caller, checked as everywhere, if they sent a token; None (a signed link) if not."""
    if request.headers.get("authorization") is None:
        return None
    return await current_principal(request, runtime, scheme, x_tenant_id)


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]
PrincipalIfAny = Annotated[Principal | None, Depends(principal_if_any)]


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
