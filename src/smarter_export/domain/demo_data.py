"""Deterministic demo data: whole law firms, sized on demand, bulk-inserted through the driver.

The same `DemoSize` gives the same rows, ids included. Work is recorded 2023-01-01..2025-12-31
and the books stand as of AS_OF (2026-01-15): work up to November 2025 is billed on invoices
issued the 5th of the next month, which are paid, part paid, overdue, void or written off;
December 2025 work is still unbilled. Soft-deleted rows never have live children (a deleted
client has no matters, a deleted matter no time), so they only test that exports skip them.
"""

from __future__ import annotations

import random
import time
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Column, Connection, Engine, Table, inspect, select

from smarter_export.domain import tables
from smarter_export.domain.demo_firm import (
    CLIENT_DISCOUNTS,
    COMPANY_SUFFIXES,
    COMPANY_TRADES,
    COMPANY_WORDS,
    DURATION_UNITS,
    EXPENSE_CODES,
    EXPENSES,
    FIRST_NAMES,
    FIRST_ROLES,
    GOVERNMENT_NAMES,
    HOSTILE_CLIENT_NAME,
    HOSTILE_MATTER_DESCRIPTIONS,
    HOSTILE_TIME_ENTRY_DESCRIPTION,
    LAST_NAMES,
    NAMED_PEOPLE,
    NONPROFIT_NAMES,
    PAYMENT_METHODS,
    PLACES,
    PRACTICE_AREAS,
    ROLES,
    STREETS,
    TASKS,
    TAX_ID_PATTERNS,
    TAX_TYPES,
    FirmProfile,
    Role,
    ascii_slug,
    firm_profile,
    person_name,
)

AS_OF = date(2026, 1, 15)
PERIOD_START = date(2023, 1, 1)
PERIOD_END = date(2025, 12, 31)
UNBILLED_FROM = date(2025, 12, 1)
CHUNK_ROWS = 10_000
# One timekeeper per 4,000 entries (about 1,300 a year over the three years) puts billable
# utilization near the 75% benchmark; one per 2,000 would put it near 35%.
ENTRIES_PER_TIMEKEEPER = 4_000
# How the firm's money behaves, chosen so that with the default seed billing realization is
# near 90 % and collection realization near 87 % over the demo's history (industry reports put
# them near 88 % and 85-90 %): hourly matters at an agreed rate below standard, invoices
# written down at review, clients' negotiated discounts (CLIENT_DISCOUNTS), slow and partial
# payers, and the odd client who never pays (written off after nine months).
AGREED_RATE_MATTERS = 0.3
AGREED_RATE_SHARES = (Decimal("0.80"), Decimal("0.85"), Decimal("0.90"), Decimal("0.90"),
                      Decimal("0.95"))  # fmt: skip
WRITTEN_DOWN_INVOICES = 0.25
WRITE_DOWN_REASONS = (
    "Courtesy reduction ({percent}% of fees)",
    "Write-down at pre-bill review ({percent}% of fees)",
    "Duplicated research time written off ({percent}% of fees)",
)
PAYER_WEIGHTS = (71, 20, 7, 2)  # prompt, slow, partial, nonpayer
# Team slots per matter: how much of a matter's work a person carries, so that some people
# are over their target and others under it.
WORKLOADS = (1, 1, 1, 2, 2, 3, 4, 6)
# Foreign-key order: a flush inserts every pending row of a table before those of the next.
INSERT_ORDER: tuple[Table, ...] = (
    tables.tenant,
    tables.practice_area,
    tables.timekeeper,
    tables.timekeeper_specialty,
    tables.client,
    tables.matter,
    tables.invoice,
    tables.time_entry,
    tables.invoice_line_item,
    tables.payment,
)


# The builder writes these two tables' rows as tuples, so it pins their column order.
TIME_ENTRY_COLUMNS = (
    "id", "tenant_id", "created_at", "updated_at", "is_deleted", "timekeeper_id", "matter_id",
    "date", "duration_minutes", "description", "status", "billable_status", "rate",
    "activity_code", "invoice_id", "task_code",
)  # fmt: skip
LINE_ITEM_COLUMNS = (
    "id", "tenant_id", "created_at", "updated_at", "is_deleted", "invoice_id", "matter_id",
    "time_entry_id", "type", "description", "quantity", "rate", "amount", "timekeeper_id", "date",
    "task_code", "activity_code", "expense_code",
)  # fmt: skip


@dataclass(frozen=True)
class DemoSize:
    """How much to load.

    `time_entries` is the count of the first tenant (subdomain `demo`); every other tenant gets
    a tenth of it, at least 200. Timekeepers (one per ENTRIES_PER_TIMEKEEPER, 8 to 1,000),
    clients (one per 200 entries, at least 10) and matters (about two per client) scale with it.
    """

    tenants: int = 2
    time_entries: int = 20_000
    seed: int = 7

    def __post_init__(self) -> None:
        if self.tenants < 1:
            raise ValueError("tenants must be at least 1")
        if self.time_entries < 1:
            raise ValueError("time_entries must be at least 1")

    def time_entries_of(self, tenant_index: int) -> int:
        return self.time_entries if tenant_index == 0 else max(200, self.time_entries // 10)


@dataclass(frozen=True)
class DemoSummary:
    tenant_ids: tuple[str, ...]
    rows: dict[str, int]  # table name -> rows inserted
    seconds: float


def database_is_empty(engine: Engine) -> bool:
    """True when no tenant exists yet (the schema is assumed to be there)."""
    with engine.connect() as connection:
        return connection.execute(select(tables.tenant.c.id).limit(1)).first() is None


def load_demo_data(engine: Engine, size: DemoSize) -> DemoSummary:
    """Insert `size.tenants` firms in one transaction; refuse if one of them is already there."""
    started = time.perf_counter()
    _check_column_order()
    profiles = [firm_profile(index) for index in range(size.tenants)]
    tenant_ids: list[str] = []
    with engine.begin() as connection:
        _refuse_existing(connection, [profile.subdomain for profile in profiles])
        rows = BulkInsert(connection)
        with _sqlite_bulk_mode(connection):
            for index, profile in enumerate(profiles):
                # A string seed is hashed (SHA-512), so firm n of seed s never repeats another's.
                rng = random.Random(f"smarter-export-demo:{size.seed}:{index}")
                # Pricing and workload draw from their own stream, so that adding them left
                # the firm's people, clients and matters as they were for a seed.
                pricing = random.Random(f"smarter-export-demo:{size.seed}:{index}:pricing")
                # So do the e-billing facts (tax ids, client codes, UTBMS codes of each entry).
                billing = random.Random(f"smarter-export-demo:{size.seed}:{index}:ebilling")
                builder = FirmBuilder(
                    rows, rng, profile, size.time_entries_of(index), pricing, billing
                )
                tenant_ids.append(builder.build())
            rows.flush()
    return DemoSummary(
        tenant_ids=tuple(tenant_ids),
        rows={table.name: rows.counts[table.name] for table in INSERT_ORDER},
        seconds=time.perf_counter() - started,
    )


def _check_column_order() -> None:
    for table, columns in (
        (tables.time_entry, TIME_ENTRY_COLUMNS),
        (tables.invoice_line_item, LINE_ITEM_COLUMNS),
    ):
        if tuple(table.columns.keys()) != columns:
            raise RuntimeError(f"demo_data writes {table.name} rows as {columns}: update it")


def _refuse_existing(connection: Connection, subdomains: list[str]) -> None:
    taken = connection.scalars(
        select(tables.tenant.c.subdomain).where(tables.tenant.c.subdomain.in_(subdomains))
    ).all()
    if taken:
        raise ValueError(
            f"demo data is already loaded: tenant subdomain {', '.join(sorted(taken))} exists;"
            " load demo data into an empty database"
        )


@contextmanager
def _sqlite_bulk_mode(connection: Connection) -> Iterator[None]:
    """Make a big load about twice as fast on SQLite, inside the load's own transaction.

    A 256 MiB page cache, and the secondary indexes of the two biggest tables dropped for the
    load and rebuilt after it: random ids make row-by-row index upkeep thrash. The DDL is
    transactional, so a failed load leaves the indexes as they were.
    """
    if connection.dialect.name != "sqlite":
        yield
        return
    previous = int(connection.exec_driver_sql("PRAGMA cache_size").scalar_one())
    threads = int(connection.exec_driver_sql("PRAGMA threads").scalar_one())
    connection.exec_driver_sql("PRAGMA cache_size=-262144")
    # The rebuilt indexes are sorted in that cache: on one thread, as before the sorter's
    # helpers (`SORTER_THREADS`), each of which could hold a cache-sized run of its own.
    connection.exec_driver_sql("PRAGMA threads=0")
    # pysqlite opens its transaction at the first DML statement; DDL before it would autocommit.
    connection.exec_driver_sql("UPDATE tenant SET name = name WHERE 0")
    in_transaction = getattr(connection.connection.dbapi_connection, "in_transaction", False)
    inspector = inspect(connection)
    rebuilt = [
        index
        for table in (tables.time_entry, tables.invoice_line_item)
        for index in sorted(table.indexes, key=lambda index: str(index.name))
        if in_transaction
        and index.name in {found["name"] for found in inspector.get_indexes(table.name)}
    ]
    try:
        for index in rebuilt:
            index.drop(connection)
        yield
        for index in rebuilt:
            index.create(connection)
    finally:
        connection.exec_driver_sql(f"PRAGMA cache_size={previous}")
        connection.exec_driver_sql(f"PRAGMA threads={threads}")


def uuid4_text(bits: int) -> str:
    """`str(uuid.UUID(int=bits, version=4))`, several times faster (ids are made by the million)."""
    bits = (bits & ~(0xF000 << 64) & ~(0xC000 << 48)) | (0x4000 << 64) | (0x8000 << 48)
    h = f"{bits:032x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


Converter = Callable[[Any], Any]


def _identity(value: Any) -> Any:
    return value


class BulkInsert:
    """Buffers rows per table and inserts them with the driver's executemany, in FK order.

    SQLAlchemy's executemany runs every column's bind processor on every value; here a processor
    runs once per distinct value (dates, rates and flags repeat endlessly), which halves the
    cost of a row on SQLite. Rows are tuples in the table's column order.
    """

    def __init__(self, connection: Connection) -> None:
        self._connection = connection
        self.counts: Counter[str] = Counter()
        self._pending: dict[str, list[tuple[Any, ...]]] = {t.name: [] for t in INSERT_ORDER}
        self._size = 0
        self._statements: dict[str, tuple[str, tuple[str, ...] | None]] = {}
        # Per table: column names, and (position, converter) of the columns needing one.
        self._layouts: dict[str, tuple[tuple[str, ...], tuple[tuple[int, Converter], ...]]] = {}
        for table in INSERT_ORDER:
            names = tuple(column.name for column in table.columns)
            compiled = table.insert().compile(dialect=connection.dialect)
            if compiled.positional and tuple(compiled.positiontup or ()) != names:
                raise RuntimeError(f"unexpected parameter order for {table.name}")
            self._statements[table.name] = (str(compiled), None if compiled.positional else names)
            converters = [(i, self.converter(c)) for i, c in enumerate(table.columns)]
            self._layouts[table.name] = (
                names,
                tuple((i, convert) for i, convert in converters if convert is not _identity),
            )

    def converter(self, column: Column[Any]) -> Converter:
        """The column's bind processing, remembered per distinct value."""
        dialect = self._connection.dialect
        process = column.type.dialect_impl(dialect).bind_processor(dialect)
        if process is None:
            return _identity
        memo: dict[Any, Any] = {}

        def convert(value: Any) -> Any:
            if value is None:
                return None
            converted = memo.get(value)
            if converted is None:
                if len(memo) >= 100_000:
                    memo.clear()
                converted = memo[value] = process(value)
            return converted

        return convert

    def add(self, table: Table, row: dict[str, Any]) -> None:
        """A row given as column name -> Python value; every column must be named."""
        self.add_values(table, [row[name] for name in self._layouts[table.name][0]])

    def add_values(self, table: Table, values: list[Any]) -> None:
        """A row of Python values in column order (the list is converted in place)."""
        for position, convert in self._layouts[table.name][1]:
            values[position] = convert(values[position])
        self.add_converted(table, tuple(values))

    def add_converted(self, table: Table, values: tuple[Any, ...]) -> None:
        """A row of values already through `converter`, in column order."""
        self._pending[table.name].append(values)
        self._size += 1

    def flush_if_full(self) -> None:
        if self._size >= CHUNK_ROWS:
            self.flush()

    def flush(self) -> None:
        for table in INSERT_ORDER:
            rows = self._pending[table.name]
            if not rows:
                continue
            sql, names = self._statements[table.name]
            parameters: list[Any] = (
                rows if names is None else [dict(zip(names, r, strict=True)) for r in rows]
            )
            self._connection.exec_driver_sql(sql, parameters)
            self.counts[table.name] += len(rows)
            rows.clear()
        self._size = 0


def stamp(moment: date | datetime, hour: int = 14) -> datetime:
    """A UTC timestamp; a date becomes that day at `hour` o'clock UTC."""
    if isinstance(moment, datetime):
        return moment
    return datetime(moment.year, moment.month, moment.day, hour, tzinfo=UTC)


def day_of(offset: int) -> date:
    return PERIOD_START + timedelta(days=offset)


def offset_of(day: date) -> int:
    return (day - PERIOD_START).days


PERIOD_DAYS = offset_of(PERIOD_END) + 1
UNBILLED_OFFSET = offset_of(UNBILLED_FROM)
# Day offsets to draw work dates from: a weekday five times as likely as a weekend day.
WORKDAY_POOL = tuple(
    offset for offset in range(PERIOD_DAYS) for _ in range(5 if day_of(offset).weekday() < 5 else 1)
)


def pool_slice(first_day: int, last_day: int) -> tuple[int, int]:
    """The part of WORKDAY_POOL between two day offsets (inclusive)."""
    return bisect_left(WORKDAY_POOL, first_day), bisect_right(WORKDAY_POOL, last_day)


def month_of(day: date) -> int:
    """Months since January 2023 (the month a piece of work is billed for)."""
    return (day.year - PERIOD_START.year) * 12 + day.month - 1


LAST_BILLED_MONTH = month_of(UNBILLED_FROM) - 1
MONTH_OF_OFFSET = tuple(month_of(day_of(offset)) for offset in range(PERIOD_DAYS))
UNBILLED_STATUSES = ("draft",) * 5 + ("submitted",) * 7 + ("approved",) * 8
CENT = Decimal("0.01")


@dataclass(eq=False, slots=True)
class _Timekeeper:
    id: str
    name: str
    role: str
    title: str
    rate: Decimal
    rate_db: Any  # the rate as the driver takes it
    practice: int | None
    first_day: int  # the day offsets between which they record time
    last_day: int
    billable_share: float
    workload: int  # team slots per matter: some people carry more of the work than others


@dataclass(eq=False, slots=True)
class _Matter:
    id: str
    name: str
    billing_type: str
    open_date: date
    close_date: date | None
    first_day: int  # time is recorded between these day offsets; none if last < first
    last_day: int
    team: tuple[_Timekeeper, ...]  # weighted slots; the first is the responsible attorney
    task_families: tuple[str, ...]
    contact: str
    other_party: str
    itemized: bool  # billed entry by entry (time_entry_id set) instead of per timekeeper
    # ...because its client bills through an e-billing system, which wants every entry's codes
    # (a matter itemized by that alone would have been billed per timekeeper before)
    coded_only: bool
    fee: Decimal | None  # the fixed fee, or the contingency fee earned at close
    weight: float
    deleted: bool
    # Per team member: (rate billed, as the driver takes it); below standard where the client
    # agreed a discounted rate for the matter.
    rates: dict[_Timekeeper, tuple[Decimal, Any]] = field(default_factory=dict)
    entries: int = 0
    fee_task: str | None = None  # the UTBMS task code of its fixed or contingency fee


@dataclass(eq=False, slots=True)
class _Client:
    id: str
    number: int
    name: str
    contact: str
    discount: Decimal
    terms_days: int
    payer: str  # prompt, slow, partial, nonpayer
    method: str
    ebilling: bool  # takes LEDES files through an e-billing system, UTBMS codes required
    matters: list[_Matter] = field(default_factory=list)


@dataclass(eq=False, slots=True)
class _Bill:
    """One client's billable work of one month, before it becomes an invoice."""

    id: str
    issue_date: date
    stamp_db: Any
    time: dict[tuple[_Matter, _Timekeeper], int] = field(default_factory=dict)  # minutes
    # (matter, entry id, description, minutes, timekeeper, day offset, task, activity code)
    itemized: list[tuple[_Matter, str, str | None, int, _Timekeeper, int, str, str]] = field(
        default_factory=list
    )
    fees: list[tuple[_Matter, Decimal, str]] = field(default_factory=list)
    # The lines e-billing itemization added: the entries of `coded_only` matters, and the
    # per-timekeeper lines they would have been (see `_line_rows`).
    coded_entries: int = 0
    coded_keys: set[tuple[_Matter, _Timekeeper]] = field(default_factory=set)


class _Crew:
    """The firm's people grouped the way matters are staffed (None: the whole firm)."""

    def __init__(self, people: list[_Timekeeper]) -> None:
        self.leads: dict[int | None, list[_Timekeeper]] = {}
        self.helpers: dict[int | None, list[_Timekeeper]] = {}
        for person in people:
            if person.role in ("partner", "of_counsel"):
                group = self.leads
            elif person.role in ("associate", "paralegal"):
                group = self.helpers
            else:
                continue
            group.setdefault(None, []).append(person)
            if person.practice is not None:
                group.setdefault(person.practice, []).append(person)
        self.partners = [p for p in people if p.role == "partner"]
        self.staff = [p for p in people if p.role == "staff"]


# A line: matter_id, time_entry_id, type, description, quantity, rate, amount, timekeeper_id,
# date, task_code, activity_code, expense_code.
_Line = tuple[
    str, str | None, str, str, Decimal, Decimal, Decimal, str | None, date,
    str | None, str | None, str | None,
]  # fmt: skip


class FirmBuilder:
    """Builds one tenant: people and clients first, then time and billing client by client."""

    def __init__(  # noqa: PLR0917 - the firm's random streams, each named
        self,
        rows: BulkInsert,
        rng: random.Random,
        profile: FirmProfile,
        time_entries: int,
        pricing: random.Random,
        billing: random.Random,
    ) -> None:
        self.rows = rows
        self.rng = rng
        self.pricing = pricing
        self.billing = billing
        self.profile = profile
        self.time_entries = time_entries
        self.tenant_id = self.new_id()
        self._stamp_db = rows.converter(tables.time_entry.c.created_at)
        convert_date = rows.converter(tables.time_entry.c.date)
        self._dates_db = [convert_date(day_of(offset)) for offset in range(PERIOD_DAYS)]
        convert_flag = rows.converter(tables.time_entry.c.is_deleted)
        self._flags_db = (convert_flag(False), convert_flag(True))
        self._entry_stamps: dict[int, Any] = {}
        self._entries_made = 0
        self._matters_made = 0
        self._made_void = self._made_duplicate = False

    def new_id(self) -> str:
        return uuid4_text(self.rng.getrandbits(128))

    def common(
        self,
        created: date | datetime,
        updated: date | datetime | None = None,
        deleted: bool = False,
    ) -> dict[str, Any]:
        """id, tenant_id, timestamps and soft-delete flag of a new row (dates become 14:00 UTC)."""
        return {
            "id": self.new_id(),
            "tenant_id": self.tenant_id,
            "created_at": stamp(created),
            "updated_at": stamp(updated if updated is not None else created),
            "is_deleted": deleted,
        }

    def build(self) -> str:
        profile = self.profile
        created = date(2018, 3, 1)
        self.rows.add(
            tables.tenant,
            {**self.common(created, AS_OF), "id": self.tenant_id, "name": profile.name,
             "subdomain": profile.subdomain, "plan": profile.plan, "status": profile.status,
             "timezone": profile.timezone, "currency": profile.currency,
             "tax_id": _fill_digits(TAX_ID_PATTERNS[profile.country], self.billing)},
        )  # fmt: skip
        area_ids = []
        for area in PRACTICE_AREAS:
            row = {**self.common(created), "name": area.name, "description": area.description}
            self.rows.add(tables.practice_area, row)
            area_ids.append(row["id"])
        people = self._timekeepers(area_ids)
        clients = self._clients(people, area_ids)
        self._allocate([matter for client in clients for matter in client.matters])
        for client in clients:
            self._client_work(client)
            self.rows.flush_if_full()
        return self.tenant_id

    # -- people ------------------------------------------------------------------------------

    def _timekeepers(self, area_ids: list[str]) -> list[_Timekeeper]:
        """Every role, rates by role, some hired or gone during the period; the soft-deleted
        ones (duplicate profiles) record no time and are not returned."""
        rng = self.rng
        count = min(1_000, max(8, self.time_entries // ENTRIES_PER_TIMEKEEPER))
        names = list(ROLES)
        roles = list(FIRST_ROLES) + rng.choices(
            names, [ROLES[name].weight for name in names], k=count - len(FIRST_ROLES)
        )
        deleted = set(rng.sample(range(3, count), max(1, count // 100)))
        emails: set[str] = set()
        people = []
        for index, role_name in enumerate(roles):
            person = self._timekeeper(index, ROLES[role_name], area_ids, emails)
            if index in deleted:
                self.rows.add(
                    tables.timekeeper, {**person, "status": "inactive", "is_deleted": True}
                )
                continue
            self.rows.add(tables.timekeeper, person)
            self._specialties(person, ROLES[role_name])
            people.append(
                _Timekeeper(
                    id=person["id"], name=person["name"], role=role_name, title=person["title"],
                    rate=person["rate"], rate_db=self._rate_db(person["rate"]),
                    practice=person["practice"], first_day=person["first_day"],
                    last_day=person["last_day"], billable_share=ROLES[role_name].billable_share,
                    workload=self.pricing.choice(WORKLOADS),
                )
            )  # fmt: skip
        return people

    def _rate_db(self, rate: Decimal) -> Any:
        return self.rows.converter(tables.time_entry.c.rate)(rate)

    def _timekeeper(
        self, index: int, role: Role, area_ids: list[str], emails: set[str]
    ) -> dict[str, Any]:
        rng = self.rng
        first, last = (
            NAMED_PEOPLE[index]
            if index < len(NAMED_PEOPLE)
            else (rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES))
        )
        low, high = role.rate_range
        usd = low + role.rate_step * rng.randint(0, (high - low) // role.rate_step)
        rate = Decimal(round(usd * float(self.profile.rate_factor) / 5) * 5)
        cost_share = Decimal(f"{rng.uniform(*role.cost_share):.3f}")
        practice: int | None = None
        if role.name != "staff" or rng.random() < 0.5:
            practice = index % len(area_ids) if index < 16 else rng.randrange(len(area_ids))
        first_day, last_day = 0, PERIOD_DAYS - 1
        if index >= len(FIRST_ROLES) and role.name in ("associate", "paralegal", "staff"):
            roll = rng.random()
            if roll < 0.15:
                first_day = rng.randint(60, PERIOD_DAYS - 200)
            elif roll < 0.25:
                last_day = rng.randint(180, PERIOD_DAYS - 90)
        joined = (
            day_of(first_day) if first_day else date(rng.randint(2010, 2022), rng.randint(1, 12), 1)
        )
        email = f"{ascii_slug(first)}.{ascii_slug(last)}"
        while f"{email}@{self.profile.subdomain}.law.example" in emails:
            email += str(rng.randint(0, 9))
        emails.add(email := f"{email}@{self.profile.subdomain}.law.example")
        initials = (ascii_slug(first)[:1] + ascii_slug(last)[:1]).upper()
        return {
            **self.common(joined, day_of(last_day) if last_day < PERIOD_DAYS - 1 else None),
            "user_id": f"usr_{rng.getrandbits(48):012x}", "name": person_name(first, last),
            "timekeeper_number": f"{initials}{index + 1:03d}", "first_name": first,
            "last_name": last,
            "email": email, "role": role.name,
            "title": "Managing Partner" if index == 0 else rng.choice(role.titles),
            "rate": rate, "cost_rate": (rate * cost_share).quantize(CENT),
            "practice_area_id": None if practice is None else area_ids[practice],
            "status": "active" if last_day == PERIOD_DAYS - 1 else "inactive",
            "annual_target_hours": role.target_hours,
            "bar_admission_year": rng.randint(*role.bar_years) if role.bar_years else None,
            "practice": practice, "first_day": first_day, "last_day": last_day,
        }  # fmt: skip

    def _specialties(self, person: dict[str, Any], role: Role) -> None:
        """One to three specialties of their practice area; staff have none or one."""
        practice = person["practice"]
        choices = (
            PRACTICE_AREAS[practice].specialties
            if practice is not None
            else ("Legal research", "E-discovery", "Client intake")
        )
        count = self.rng.randint(0, 1) if role.name == "staff" else self.rng.randint(1, 3)
        for name in self.rng.sample(choices, min(count, len(choices))):
            row = {**self.common(person["created_at"]), "timekeeper_id": person["id"], "name": name}
            self.rows.add(tables.timekeeper_specialty, row)

    # -- clients and matters -----------------------------------------------------------------

    def _clients(self, people: list[_Timekeeper], area_ids: list[str]) -> list[_Client]:
        """Clients of every type with their matters; leads and soft-deleted ones have none."""
        rng = self.rng
        count = max(10, self.time_entries // 200)
        deleted = set(rng.sample(range(5, count), max(1, count // 100)))
        self._crew = _Crew(people)
        lawyers = [p for p in people if p.role in ("partner", "associate", "of_counsel")]
        clients = []
        for index in range(count):
            client, row = self._client(index, lawyers)
            if index in deleted:
                row.update(status="inactive", is_deleted=True, updated_at=stamp(AS_OF))
            elif index >= 5 and rng.random() < 0.03:
                row["status"] = "lead"
            else:
                for _ in range(rng.choice((1, 1, 2, 2, 2, 3, 4))):
                    client.matters.append(self._matter(client, row, area_ids))
                closed = all(m.close_date is not None for m in client.matters)
                row["status"] = "inactive" if closed else "active"
                first_matter = min(m.open_date for m in client.matters)
                if first_matter < row["onboarding_date"]:
                    onboarded = first_matter - timedelta(days=rng.randint(0, 60))
                    row.update(onboarding_date=onboarded, created_at=stamp(onboarded))
                    row["updated_at"] = row["created_at"]
                clients.append(client)
            self.rows.add(tables.client, row)
        return clients

    def _client(self, index: int, lawyers: list[_Timekeeper]) -> tuple[_Client, dict[str, Any]]:
        rng = self.rng
        country = self.profile.country if rng.random() < 0.9 else rng.choice(list(PLACES))
        city, state, postcode, phone = rng.choice(PLACES[country])
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        contact = person_name(first, last)
        kind = ("company", "company", "individual", "individual")[index] if index < 4 else None
        kind = kind or rng.choices(("individual", "company", "government", "nonprofit"),
                                   (35, 50, 5, 10))[0]  # fmt: skip
        if index in (2, 3):
            first, last = NAMED_PEOPLE[4 if index == 2 else 6]
            name = contact = person_name(first, last)
        elif index == 1:
            name = HOSTILE_CLIENT_NAME
        elif kind == "individual":
            name = contact
        elif kind == "company":
            name = self._company(country)
        else:
            templates = GOVERNMENT_NAMES if kind == "government" else NONPROFIT_NAMES
            name = rng.choice(templates).format(city=city, last=last)
        domain = (
            "mail.example" if kind == "individual" else f"{ascii_slug(name)[:30] or 'x'}.example"
        )
        onboarded = date(2016, 1, 1) + timedelta(days=rng.randint(0, 3575))  # to 2025-10-14
        client = _Client(
            id=self.new_id(), number=index + 1, name=name, contact=contact,
            discount=rng.choice(CLIENT_DISCOUNTS),
            terms_days=rng.choice((30, 30, 30, 15, 45, 60)),
            payer=rng.choices(("prompt", "slow", "partial", "nonpayer"), PAYER_WEIGHTS)[0],
            method=rng.choice(PAYMENT_METHODS),
            # Corporate and public clients bill through e-billing systems; the first always.
            ebilling=index == 0
            or (kind in ("company", "government") and self.billing.random() < 0.6),
        )  # fmt: skip
        slug = "".join(ch for ch in ascii_slug(name).upper() if ch.isalpha())[:4] or "CL"
        tax_pattern = TAX_ID_PATTERNS.get(country) if kind == "company" else None
        row = {
            **self.common(onboarded), "id": client.id, "name": name, "type": kind,
            "status": "active", "contact_person_name": contact,
            "email": f"{ascii_slug(first)}.{ascii_slug(last)}@{domain}",
            "phone": _fill_digits(phone, rng),
            "address": f"{rng.randint(1, 999)} {rng.choice(STREETS)}"
            + (f", Suite {rng.randint(1, 40) * 100}" if kind == "company" else ""),
            "city": city, "state": state, "zip_code": _fill_digits(postcode, rng),
            "country": country, "primary_attorney_id": rng.choice(lawyers).id,
            "onboarding_date": onboarded, "client_code": f"{slug}{client.number:04d}",
            "tax_id": _fill_digits(tax_pattern, self.billing) if tax_pattern else None,
            "utbms_required": client.ebilling,
        }  # fmt: skip
        return client, row

    def _company(self, country: str) -> str:
        rng = self.rng
        head = rng.choice(COMPANY_WORDS) if rng.random() < 0.7 else rng.choice(LAST_NAMES)
        suffixes = COMPANY_SUFFIXES.get(country, COMPANY_SUFFIXES["United States"])
        return f"{head} {rng.choice(COMPANY_TRADES)} {rng.choice(suffixes)}"

    def _matter(self, client: _Client, client_row: dict[str, Any], area_ids: list[str]) -> _Matter:
        rng = self.rng
        self._matters_made += 1
        number = self._matters_made
        practice = rng.choices(range(len(PRACTICE_AREAS)), [a.weight for a in PRACTICE_AREAS])[0]
        area = PRACTICE_AREAS[practice]
        opened = date(2021, 1, 1) + timedelta(days=rng.randint(0, 1779))  # to 2025-11-15
        # Matters run two months to two and a half years, so the work load stays about level.
        closed: date | None = opened + timedelta(days=rng.randint(60, 900))
        if number == 1:  # every firm has one long-running matter over the whole period
            opened, closed = date(2022, 6, 1), None
        elif closed is not None and closed > date(2025, 12, 20):
            closed = None
        status = (
            "closed" if closed else "inactive" if number > 1 and rng.random() < 0.1 else "active"
        )
        first_day = max(offset_of(opened), 0)
        last_day = offset_of(closed) if closed else PERIOD_DAYS - 1
        if status == "inactive":
            last_day = min(last_day, offset_of(date(2025, 6, 30)))
        billing = rng.choices(("hourly", "fixed", "contingency"), area.billing_weights)[0]
        billing = "hourly" if number == 1 else billing
        factor = float(self.profile.rate_factor)
        fee: Decimal | None = None
        if billing == "fixed":
            fee = Decimal(round(rng.choice((25, 50, 75, 100, 150, 250, 400)) * factor) * 100)
        elif billing == "contingency":
            fee = Decimal(round(rng.randint(25, 400) * factor) * 1000)
        team = self._team(practice)
        other = (
            self._company(self.profile.country)
            if rng.random() < 0.6
            else person_name(rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES))
        )
        short = client.name if len(client.name) < 40 else client.name[:37] + "..."
        name = rng.choice(area.matter_names).format(
            client=short, other=other, year=opened.year, city=client_row["city"]
        )
        deleted = number == 6 or (number > 6 and rng.random() < 0.01)
        # Some clients negotiate a rate below standard for an hourly matter.
        agreed = (
            self.pricing.choice(AGREED_RATE_SHARES)
            if billing == "hourly" and self.pricing.random() < AGREED_RATE_MATTERS
            else None
        )
        rates = {person: self._billed_rate(person.rate, agreed) for person in dict.fromkeys(team)}
        matter = _Matter(
            id=self.new_id(), name=name, billing_type=billing, open_date=opened,
            close_date=closed, first_day=first_day, last_day=last_day, team=team,
            task_families=(*area.task_families, "A"), contact=client.contact,
            # An e-billing client's time is billed entry by entry, each with its UTBMS codes.
            other_party=other,
            itemized=(drawn := billing == "hourly" and rng.random() < 0.1)
            or (billing == "hourly" and client.ebilling),
            coded_only=not drawn and billing == "hourly" and client.ebilling, fee=fee,
            weight=0.0 if deleted or last_day < first_day
            else (last_day - first_day + 1) * rng.lognormvariate(0, 0.8), deleted=deleted,
            rates=rates,
        )  # fmt: skip
        description = (
            HOSTILE_MATTER_DESCRIPTIONS[number - 2]
            if 2 <= number <= 4
            else f"{area.name} engagement for {client.name}, opened {opened:%B %Y}."
        )
        self.rows.add(
            tables.matter,
            {**self.common(opened, closed, deleted), "id": matter.id, "client_id": client.id,
             "practice_area_id": area_ids[practice], "responsible_attorney_id": team[0].id,
             "originating_attorney_id": self._originator(team).id, "name": name,
             "description": description, "matter_number": f"{opened.year}-{number:05d}",
             "status": status, "billing_type": billing,
             "hourly_rate": rates[team[0]][0] if billing == "hourly" else None,
             "fixed_fee_amount": fee if billing == "fixed" else None,
             "is_confidential": number == 5 or rng.random() < 0.05,
             "open_date": opened, "close_date": closed,
             "client_matter_id": self._client_matter_id(opened) if client.ebilling else None},
        )  # fmt: skip
        matter.fee_task = TASKS[area.task_families[0]][0][0]
        return matter

    def _client_matter_id(self, opened: date) -> str:
        """The client's own reference for a matter, as its legal department numbers them."""
        prefix = self.billing.choice(("LIT", "LGL", "CLM", "MTR"))
        return f"{prefix}-{opened.year}-{self.billing.randint(100, 99999):05d}"

    def _billed_rate(self, standard: Decimal, agreed: Decimal | None) -> tuple[Decimal, Any]:
        """The standard rate, or the agreed share of it rounded to 5 (as rates are quoted)."""
        rate = standard if agreed is None else Decimal(round(standard * agreed / 5) * 5)
        return rate, self._rate_db(rate)

    def _team(self, practice: int) -> tuple[_Timekeeper, ...]:
        """Who works a matter, as weighted slots: the responsible attorney (a partner or of
        counsel, there for the whole period) first, then associates, paralegals, maybe staff."""
        rng = self.rng
        crew = self._crew
        lead = rng.choice(crew.leads.get(practice) or crew.leads[None])
        near = crew.helpers.get(practice) or crew.helpers[None]
        members = rng.sample(near, min(len(near), rng.randint(1, 4)))
        extra = (rng.choice(crew.staff),) if crew.staff and rng.random() < 0.2 else ()
        slots = [member for member in members for _ in range(member.workload)]
        return (lead, *(lead,) * lead.workload, *slots, *extra)

    def _originator(self, team: tuple[_Timekeeper, ...]) -> _Timekeeper:
        return team[0] if self.rng.random() < 0.5 else self.rng.choice(self._crew.partners)

    # -- time --------------------------------------------------------------------------------

    def _allocate(self, matters: list[_Matter]) -> None:
        """Share the firm's exact entry count among matters by weight (largest remainder)."""
        total = sum(matter.weight for matter in matters)
        shares = [matter.weight * self.time_entries / total for matter in matters]
        for matter, share in zip(matters, shares, strict=True):
            matter.entries = int(share)
        left = self.time_entries - sum(matter.entries for matter in matters)
        by_remainder = sorted(range(len(matters)), key=lambda i: int(shares[i]) - shares[i])
        for index in by_remainder[:left]:
            matters[index].entries += 1

    def _client_work(self, client: _Client) -> None:
        """A client's time, then its invoices, lines and payments, added parents first."""
        bills: dict[int, _Bill] = {}
        entries: list[tuple[Any, ...]] = []
        for matter in client.matters:
            self._fees(matter, bills)
            if matter.entries:
                self._time_entries(matter, bills, entries)
        billing = [self._invoices(client, bills[month]) for month in sorted(bills)]
        for invoices, _, _ in billing:
            for row in invoices:
                self.rows.add(tables.invoice, row)
        for entry in entries:
            self.rows.add_converted(tables.time_entry, entry)
        for _, lines, payments in billing:
            for values in lines:
                self.rows.add_values(tables.invoice_line_item, values)
            for row in payments:
                self.rows.add(tables.payment, row)

    def _bill(self, bills: dict[int, _Bill], month: int) -> _Bill:
        bill = bills.get(month)
        if bill is None:
            issued = date(PERIOD_START.year + (month + 1) // 12, (month + 1) % 12 + 1, 5)
            bill = bills[month] = _Bill(self.new_id(), issued, self._stamp_db(stamp(issued, 12)))
        return bill

    def _fees(self, matter: _Matter, bills: dict[int, _Bill]) -> None:
        """A fixed fee is billed the month the matter opens; a contingency fee when it closes."""
        if matter.fee is None or matter.deleted:
            return
        if matter.billing_type == "fixed":
            month, text = month_of(matter.open_date), f"Fixed fee: {matter.name}"
        elif matter.close_date is not None:
            month, text = month_of(matter.close_date), "Contingency fee: 33⅓% of the recovery"
        else:
            return
        if 0 <= month <= LAST_BILLED_MONTH:
            self._bill(bills, month).fees.append((matter, matter.fee, text))

    def _entry_stamp(self, day: int, tenth: int) -> Any:
        """Day `day` at 17:00 UTC plus `tenth` 6-minute steps, converted once."""
        key = day * 64 + tenth
        converted = self._entry_stamps.get(key)
        if converted is None:
            moment = stamp(day_of(day), 17) + timedelta(minutes=6 * tenth)
            converted = self._entry_stamps[key] = self._stamp_db(moment)
        return converted

    def _tasks(self, matter: _Matter) -> list[tuple[str, str]]:
        """The matter's (UTBMS code, description) choices; its practice's tasks twice as likely."""
        tasks = []
        for family in matter.task_families:
            for code, text in TASKS[family] * (1 if family == "A" else 2):
                tasks.append((code, text.format(contact=matter.contact, other=matter.other_party)))
        return tasks

    def _time_entries(
        self, matter: _Matter, bills: dict[int, _Bill], out: list[tuple[Any, ...]]
    ) -> None:
        """The hot loop (a million rows must take seconds): values are drawn with random() and
        list indexing, and every converted value comes from a cache."""
        rnd, random_bits, stamp_of = self.rng.random, self.rng.getrandbits, self._entry_stamp
        low, high = pool_slice(matter.first_day, matter.last_day)
        days = sorted(WORKDAY_POOL[low + int(rnd() * (high - low))] for _ in range(matter.entries))
        team, tasks, units = matter.team, self._tasks(matter), DURATION_UNITS
        # UTBMS: a task code and an activity code per entry. The entry's text is drawn as
        # before (from both kinds); the other code of the pair comes from the e-billing stream.
        task_codes = [code for code, _ in tasks if not code.startswith("A")] or ["L190"]
        activity_codes = [code for code, _ in TASKS["A"]]
        coded = self.billing.random
        lead, hourly, rates = team[0], matter.billing_type == "hourly", matter.rates
        tenant_id, matter_id, dates, flags = (
            self.tenant_id,
            matter.id,
            self._dates_db,
            self._flags_db,
        )
        for day in days:
            person = team[int(rnd() * len(team))]
            if day < person.first_day or day > person.last_day:
                person = lead
            minutes = 6 * units[int(rnd() * len(units))]
            code, text = tasks[int(rnd() * len(tasks))]
            if code.startswith("A"):
                task, activity = task_codes[int(coded() * len(task_codes))], code
            else:
                task, activity = code, activity_codes[int(coded() * len(activity_codes))]
            description: str | None = text
            share, roll = person.billable_share, rnd()
            billable = (
                "billable" if roll < share
                else "non_billable" if roll < share + (1 - share) * 0.75
                else "no_charge"
            )  # fmt: skip
            created = updated = stamp_of(day, int(rnd() * 60))
            deleted = rnd() < 0.01 or self._entries_made == 1
            if self._entries_made == 0:
                description = HOSTILE_TIME_ENTRY_DESCRIPTION
            self._entries_made += 1
            entry_id, invoice_id = uuid4_text(random_bits(128)), None
            if deleted or day >= UNBILLED_OFFSET:
                status = "draft" if deleted else UNBILLED_STATUSES[int(rnd() * 20)]
                if status == "draft" and rnd() < 0.1 and self._entries_made > 1:
                    description = None
            elif hourly and billable == "billable":
                status = "billed"
                bill = self._bill(bills, MONTH_OF_OFFSET[day])
                invoice_id, updated = bill.id, bill.stamp_db
                if matter.itemized:
                    bill.itemized.append(
                        (matter, entry_id, description, minutes, person, day, task, activity)
                    )
                    if matter.coded_only:
                        bill.coded_entries += 1
                        bill.coded_keys.add((matter, person))
                else:
                    key = (matter, person)
                    bill.time[key] = bill.time.get(key, 0) + minutes
            else:
                status = "approved"
            out.append(
                (entry_id, tenant_id, created, updated, flags[deleted], person.id, matter_id,
                 dates[day], minutes, description, status, billable, rates[person][1], activity,
                 invoice_id, task)
            )  # fmt: skip

    # -- billing -----------------------------------------------------------------------------

    def _lines(self, bill: _Bill) -> list[_Line]:
        """Time per timekeeper (or per entry on itemized matters), fees, expenses, reductions."""
        rng = self.rng
        lines: list[_Line] = []
        # Lines that sum a month's work are dated the month's last day; an itemized line, the
        # day of its entry; an expense, a day of the month it was incurred.
        month_end = bill.issue_date.replace(day=1) - timedelta(days=1)
        for (matter, person), minutes in bill.time.items():
            hours, rate = (Decimal(minutes) / 60).quantize(CENT), matter.rates[person][0]
            text = f"Professional services: {person.name}, {person.title}"
            lines.append((matter.id, None, "time", text, hours, rate, hours * rate, person.id,
                          month_end, None, None, None))  # fmt: skip
        for matter, entry_id, entry_text, minutes, person, day, task, activity in bill.itemized:
            hours, rate = (Decimal(minutes) / 60).quantize(CENT), matter.rates[person][0]
            text = entry_text or "Professional services"
            lines.append((matter.id, entry_id, "time", text, hours, rate, hours * rate, person.id,
                          day_of(day), task, activity, None))  # fmt: skip
        for matter, fee, text in bill.fees:
            lead = matter.team[0].id
            lines.append((matter.id, None, "fixed_fee", text, Decimal(1), fee, fee, lead,
                          month_end, matter.fee_task, None, None))  # fmt: skip
        matter_ids = sorted({line[0] for line in lines})
        incurred = month_end.replace(day=self.billing.randint(1, month_end.day))
        if rng.random() < 0.3:
            text, (low, high) = rng.choice(EXPENSES)
            cost = (low + (high - low) * Decimal(rng.randint(0, 100)) / 100).quantize(CENT)
            lines.append((rng.choice(matter_ids), None, "expense", text, Decimal(1), cost, cost,
                          None, incurred, None, None, EXPENSE_CODES[text]))  # fmt: skip
        if rng.random() < 0.1:
            copies, price = Decimal(rng.randint(40, 900)), Decimal("0.15")
            lines.append(
                (rng.choice(matter_ids), None, "expense", "Photocopies", copies, price,
                 (copies * price).quantize(CENT), None, incurred, None, None,
                 EXPENSE_CODES["Photocopies"])
            )  # fmt: skip
        time_amount = sum((line[6] for line in lines if line[2] == "time"), Decimal(0))
        if time_amount and rng.random() < WRITTEN_DOWN_INVOICES:
            percent = self.pricing.choice((5, 10, 10, 15, 20))
            cut = -(time_amount * percent / 100).quantize(CENT)
            text = self.pricing.choice(WRITE_DOWN_REASONS).format(percent=percent)
            lines.append((matter_ids[0], None, "adjustment", text, Decimal(1), cut, cut, None,
                          month_end, None, None, None))  # fmt: skip
        return [(*line[:6], line[6].quantize(CENT), *line[7:]) for line in lines]

    def _invoices(
        self, client: _Client, bill: _Bill
    ) -> tuple[list[dict[str, Any]], list[list[Any]], list[dict[str, Any]]]:
        """The invoice of a bill, with its void original or a deleted duplicate now and then.

        Totals are exact: subtotal = sum of lines, total = subtotal - discount + tax, and
        balance = total - payments (0 on a void invoice).
        """
        rng = self.rng
        lines = self._lines(bill)
        # The ids the firm's main stream gave these lines before e-billing itemized some.
        main_ids = len(lines) - bill.coded_entries + len(bill.coded_keys)
        subtotal = sum((line[6] for line in lines), Decimal(0))
        fees = sum((line[6] for line in lines if line[2] == "time"), Decimal(0))
        discount = (fees * client.discount).quantize(CENT)
        tax = ((subtotal - discount) * self.profile.tax_rate).quantize(CENT)
        total = subtotal - discount + tax
        number = f"INV-{bill.issue_date:%Y%m}-{client.number:05d}"
        issued = bill.issue_date
        invoices: list[dict[str, Any]] = []
        line_rows: list[list[Any]] = []
        amounts: dict[str, Any] = {
            "subtotal": subtotal, "discount": discount, "tax_amount": tax, "total": total,
            "tax_rate": self.profile.tax_rate,
            "tax_type": TAX_TYPES.get(self.profile.country) if tax else None,
        }  # fmt: skip
        if issued <= date(2025, 11, 5) and (rng.random() < 0.02 or not self._made_void):
            self._made_void = True
            void = self._invoice_row(
                client, number, "void", issued, {**amounts, "balance": Decimal(0)}
            )
            void["notes"] = f"Voided: issued with the wrong matter; reissued as {number}-R."
            invoices.append(void)
            line_rows += self._line_rows(void, lines, main_ids, copy=True)
            number, issued = f"{number}-R", issued + timedelta(days=14)
        elif rng.random() < 0.01 or not self._made_duplicate:
            self._made_duplicate = True
            duplicate = self._invoice_row(
                client, f"{number}-DUP", "draft", issued, {**amounts, "balance": total}
            )
            duplicate.update(is_deleted=True, sent_date=None, notes="Duplicate draft; deleted.")
            invoices.append(duplicate)
            line_rows += self._line_rows(duplicate, lines, main_ids, copy=True)
        status, payments = self._settle(client, issued, total)
        paid = sum((amount for _, amount in payments), Decimal(0))
        invoice = self._invoice_row(
            client, number, status, issued, {**amounts, "balance": total - paid}
        )
        invoice["id"] = bill.id
        if payments:
            invoice["updated_at"] = stamp(payments[-1][0], 15)
            invoice["paid_date"] = payments[-1][0] if status == "paid" else None
        invoices.append(invoice)
        line_rows += self._line_rows(invoice, lines, main_ids, copy=False)
        return invoices, line_rows, [self._payment_row(client, invoice, *p) for p in payments]

    def _invoice_row(
        self, client: _Client, number: str, status: str, issued: date, amounts: dict[str, Any]
    ) -> dict[str, Any]:
        notes = self.rng.choice(
            (None, None, "Thank you for your business.",
             f"Payment due within {client.terms_days} days; please quote the invoice number.")
        )  # fmt: skip
        return {
            **self.common(stamp(issued, 12)), "client_id": client.id, "invoice_number": number,
            "status": status, "issue_date": issued,
            "due_date": issued + timedelta(days=client.terms_days), **amounts, "notes": notes,
            "sent_date": None if status == "draft" else issued, "paid_date": None,
        }  # fmt: skip

    def _line_rows(
        self, invoice: dict[str, Any], lines: list[_Line], main_ids: int, *, copy: bool
    ) -> list[Any]:
        """Line rows (in column order) of an invoice; a copy (void or duplicate invoice) does
        not claim the time entries. The first `main_ids` ids come from the firm's main stream,
        the rest from the e-billing one, so that itemizing an e-billing client's time left
        every other row of a seed as it was."""
        created, deleted = invoice["created_at"], invoice["is_deleted"]
        rows = []
        for index, (matter_id, entry_id, *rest) in enumerate(lines):
            line_id = (
                self.new_id() if index < main_ids else uuid4_text(self.billing.getrandbits(128))
            )
            head = (line_id, self.tenant_id, created, created, deleted, invoice["id"])
            rows.append([*head, matter_id, None if copy else entry_id, *rest])
        return rows

    def _settle(self, client: _Client, issued: date, total: Decimal) -> tuple[str, list[Any]]:
        """Payments received by AS_OF as (date, amount), by how the client pays, and the
        status they leave: paid, partially_paid, sent (overdue once due), written_off, draft."""
        rng = self.rng
        if issued >= date(2025, 12, 1) and rng.random() < 0.35:
            return "draft", []
        split = rng.random() < 0.2
        steps: list[tuple[int, float]] = []  # (days after issue, share of the total paid by then)
        if client.payer == "prompt" and split:
            steps = [(rng.randint(5, 30), 0.5), (rng.randint(31, 70), 1.0)]
        elif client.payer == "prompt":
            steps = [(rng.randint(5, 45), 1.0)]
        elif client.payer == "slow" and split:
            steps = [(rng.randint(40, 80), 0.4), (rng.randint(81, 150), 1.0)]
        elif client.payer == "slow":
            steps = [(rng.randint(45, 120), 1.0)]
        elif client.payer == "partial":  # short-pays the fees it disputes
            steps = [(rng.randint(20, 90), rng.uniform(0.8, 0.97))]
        elif split:  # a disputing client's token payment
            steps = [(rng.randint(30, 150), 0.1)]
        elif rng.random() < 0.5:  # ...which pays others in full, in the end
            steps = [(rng.randint(60, 200), 1.0)]
        payments: list[tuple[date, Decimal]] = []
        paid = Decimal(0)
        for days, share in steps:
            when = issued + timedelta(days=days)
            target = total if share >= 1 else (total * Decimal(f"{share:.2f}")).quantize(CENT)
            if when > AS_OF or target <= paid:
                break
            payments.append((when, target - paid))
            paid = target
        status = "paid" if paid == total else "partially_paid" if paid else "sent"
        stale = (AS_OF - issued).days > 270 and rng.random() < 0.5
        if status != "paid" and client.payer in ("partial", "nonpayer") and stale:
            status = "written_off"
        return status, payments

    def _payment_row(
        self, client: _Client, invoice: dict[str, Any], when: date, amount: Decimal
    ) -> dict[str, Any]:
        rng = self.rng
        method = client.method if rng.random() < 0.8 else rng.choice(PAYMENT_METHODS)
        reference = _payment_reference(method, rng)
        short = amount < invoice["total"] and client.payer == "partial"
        return {
            **self.common(stamp(when, 15)), "invoice_id": invoice["id"], "amount": amount,
            "payment_date": when, "payment_method": method, "reference_number": reference,
            "notes": "Short-paid; client disputes part of the fees." if short else None,
        }  # fmt: skip


def _fill_digits(pattern: str, rng: random.Random) -> str:
    """A phone number or postcode from a pattern: each # becomes a digit."""
    return "".join(str(rng.randrange(10)) if ch == "#" else ch for ch in pattern)


def _payment_reference(method: str, rng: random.Random) -> str:
    if method == "check":
        return f"CHK {rng.randint(1001, 99999)}"
    if method == "ach":
        return f"ACH {rng.getrandbits(40):010X}"
    if method == "wire":
        return f"FED REF {rng.getrandbits(48):012X}"
    if method == "card":
        return f"Visa •••• {rng.randint(1000, 9999)}"
    return f"Trust ledger T-{rng.randint(100, 9999)}"
