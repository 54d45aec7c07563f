"""LEDES 1998B and 1998BI files of the demo firms, written by the real CLI from a real SQLite
database, read back by the independent checker (`ledes_check`), and every refusal a client's
e-billing system would otherwise make, made by us first, naming the invoice and the field."""

from __future__ import annotations

import shutil
import sqlite3
from decimal import Decimal
from pathlib import Path

import pytest

from tests.formats.ledes_check import Ledger, problems
from tests.test_cli import run


@pytest.fixture(scope="module")
def firms(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two firms: `demo` (US, no tax) and `firm-2` (Germany, 19 % VAT)."""
    folder = tmp_path_factory.mktemp("ledes")
    loaded = run(folder, "demo-data", "--tenants", "2", "--time-entries", "8000", "--seed", "5")
    assert loaded.returncode == 0, loaded.stderr
    return folder


def query(folder: Path, sql: str, *args: object) -> list[tuple[object, ...]]:
    with sqlite3.connect(folder / "smarter_export.db") as connection:
        return connection.execute(sql, args).fetchall()


def ledger(folder: Path, firm: str = "demo") -> dict[str, Ledger]:
    """The firm's invoices sent to clients, by number (numbers repeat between firms)."""
    rows = query(
        folder,
        "SELECT i.invoice_number, i.subtotal, i.discount, i.tax_amount, i.total FROM invoice i "
        "JOIN tenant t ON t.id = i.tenant_id WHERE t.subdomain = ? AND NOT i.is_deleted "
        "AND i.status NOT IN ('draft', 'void')",
        firm,
    )
    return {
        str(number): Ledger(*(Decimal(str(v)).quantize(Decimal("0.01")) for v in money))
        for number, *money in rows
    }


def ebilling_client(folder: Path) -> str:
    (row,) = query(
        folder,
        "SELECT c.id FROM client c JOIN tenant t ON t.id = c.tenant_id "
        "WHERE t.subdomain = 'demo' AND c.utbms_required AND EXISTS (SELECT 1 FROM invoice i "
        "WHERE i.client_id = c.id AND i.discount > 0 AND i.status NOT IN ('draft', 'void')) "
        "ORDER BY c.client_code LIMIT 1",
    )
    return str(row[0])


def export(folder: Path, output: Path, *args: str, **env: str) -> str:
    """The CLI's LEDES export; the error it printed when it wrote no file."""
    done = run(
        folder, "export", "invoices", "--format", "ledes", "--output", str(output), *args, **env
    )
    return "" if done.returncode == 0 else " ".join(done.stderr.split())


def test_an_ebilling_clients_1998b_file_is_accepted_and_ties_to_the_ledger(
    firms: Path, tmp_path: Path
) -> None:
    output = tmp_path / "client.txt"
    client = ebilling_client(firms)
    error = export(firms, output, "--tenant", "demo", "--include-confidential",
                   "--filter", f"clientId={client}")  # fmt: skip
    assert error == ""
    text = output.read_bytes().decode("utf-8")
    assert problems(text, ledger(firms)) == []
    lines = [line[:-2].split("|") for line in text.split("\r\n")[2:] if line]
    sent = query(
        firms,
        "SELECT invoice_number FROM invoice WHERE client_id = ? AND NOT is_deleted "
        "AND status NOT IN ('draft', 'void')",
        client,
    )
    assert {line[1] for line in lines} == {str(number) for (number,) in sent}
    fees = [line for line in lines if line[9] == "F"]
    assert fees and all(line[14] and line[16] and line[17] for line in fees)  # codes, timekeeper
    discounted = query(
        firms, "SELECT count(*) FROM invoice WHERE client_id = ? AND discount > 0", client
    )
    assert discounted[0][0]  # the client chosen has discounts: they become IF lines
    assert any(line[9] == "IF" and line[18] == "Discount on fees" for line in lines)


def test_the_vat_firms_1998bi_file_carries_its_tax_to_the_cent(firms: Path, tmp_path: Path) -> None:
    output = tmp_path / "firm2.txt"
    error = export(firms, output, "--tenant", "firm-2", "--include-confidential",
                   "--option", "version=1998BI")  # fmt: skip
    assert error == ""
    text = output.read_bytes().decode("utf-8")
    assert text.startswith("LEDES98BI V2[]\r\n")
    assert problems(text, ledger(firms, "firm-2")) == []
    lines = [line[:-2].split("|") for line in text.split("\r\n")[2:] if line]
    assert all(len(line) == 52 for line in lines)
    taxed = [line for line in lines if Decimal(line[48]) != 0]
    assert (
        taxed
        and {line[47] for line in taxed} == {"0.19"}
        and {line[49] for line in taxed} == {"VAT"}
    )
    (count,) = query(
        firms,
        "SELECT count(*) FROM invoice i JOIN tenant t ON t.id = i.tenant_id "
        "WHERE t.subdomain = 'firm-2' AND NOT i.is_deleted AND i.status NOT IN ('draft', 'void')",
    )[0]
    assert len({line[1] for line in lines}) == count


def test_the_checker_rejects_a_file_broken_in_each_way(firms: Path, tmp_path: Path) -> None:
    output = tmp_path / "good.txt"
    assert export(firms, output, "--tenant", "demo", "--include-confidential",
                  "--filter", f"clientId={ebilling_client(firms)}") == ""  # fmt: skip
    good = output.read_bytes().decode("utf-8")
    books = ledger(firms)
    assert problems(good, books) == []
    head, names, first, *rest = good.split("\r\n")
    cells = first[:-2].split("|")
    number = cells[1]

    def line(**changes: str) -> str:
        changed = list(cells)
        for index, value in changes.items():
            changed[int(index[1:])] = value
        return "|".join(changed) + "[]"

    def broken(*lines: str) -> str:
        return "\r\n".join(lines)

    cases = {
        "is not LEDES1998B[]": broken("LEDES1998[]", names, first, *rest),
        "field names in order": broken(head, names.replace("CLIENT_ID|", "", 1), first, *rest),
        "has 23 fields": broken(head, names, first.rsplit("|", 1)[0] + "[]", *rest),
        "does not end in []": broken(head, names, first[:-2], *rest),
        "is not a date": broken(head, names, line(f13="20231301"), *rest),
        "is not F, E, IF or IE": broken(head, names, line(f9="X"), *rest),
        "is not UTBMS": broken(head, names, line(f14="L999"), *rest),
        "LINE_ITEM_TOTAL is not units": broken(head, names, line(f12="99999.99"), *rest),
        "is not an amount with two places": broken(head, names, line(f12="1,234.50"), *rest),
        "CLIENT_ID is longer than 20": broken(head, names, line(f2="C" * 21), *rest),
        "has 25 fields": broken(head, names, line(f18="Call | follow-up"), *rest),
        "INVOICE_TOTAL differs": broken(head, names, line(f4="1.00"), *rest),
        "a fee has no timekeeper": broken(head, names, line(f17=""), *rest),
    }
    for expected, text in cases.items():
        found = problems(text, books)
        assert any(expected in problem for problem in found), (expected, found)
    # Every line of an invoice agreeing with the others, yet not adding up, or not the ledger's.
    shown = cells[4]
    bumped = "\r\n".join(
        row.replace(f"|{shown}|", f"|{Decimal(shown) + 1:.2f}|", 1) if f"|{number}|" in row else row
        for row in good.split("\r\n")
    )
    assert any("not the sum of its LINE_ITEM_TOTALs" in p for p in problems(bumped, books))
    off = {**books, number: Ledger(Decimal(shown) + 1, Decimal(0), Decimal(0), Decimal(0))}
    assert any("is not the ledger's" in p for p in problems(good, off))


@pytest.mark.parametrize(
    ("sql", "said"),
    [
        ("UPDATE tenant SET tax_id = NULL", "LAW_FIRM_ID: the firm has no tax id"),
        (
            "UPDATE invoice_line_item SET task_code = NULL WHERE id = :line",
            "LINE_ITEM_TASK_CODE: the client requires a UTBMS task code",
        ),
        (
            "UPDATE invoice_line_item SET task_code = 'L999' WHERE id = :line",
            "LINE_ITEM_TASK_CODE: 'L999' is not a UTBMS task code",
        ),
        (
            "UPDATE invoice_line_item SET is_deleted = 1 WHERE invoice_id = :invoice",
            "has no line items",
        ),
        (
            "UPDATE matter SET client_matter_id = 'REF-0123456789-ABCDEF' "
            "WHERE id = (SELECT matter_id FROM invoice_line_item WHERE id = :line)",
            "CLIENT_MATTER_ID: 'REF-0123456789-ABCDEF' has 21 characters, over the limit of 20",
        ),
        (
            "UPDATE invoice_line_item SET description = 'Call | follow-up' WHERE id = :line",
            "LINE_ITEM_DESCRIPTION: 'Call | follow-up' holds '|'",
        ),
    ],
)
def test_what_a_client_would_reject_is_refused_naming_invoice_and_field(
    firms: Path, tmp_path: Path, sql: str, said: str
) -> None:
    folder = tmp_path / "copy"
    shutil.copytree(firms, folder)
    client = ebilling_client(folder)
    invoice, number, line = query(
        folder,
        "SELECT i.id, i.invoice_number, li.id FROM invoice i JOIN invoice_line_item li "
        "ON li.invoice_id = i.id WHERE i.client_id = ? AND li.type = 'time' "
        "AND i.status NOT IN ('draft', 'void') AND NOT i.is_deleted "
        "ORDER BY i.issue_date LIMIT 1",
        client,
    )[0]
    with sqlite3.connect(folder / "smarter_export.db") as connection:
        connection.execute(sql, {"line": line, "invoice": invoice})
    output = tmp_path / "refused.txt"
    error = export(folder, output, "--tenant", "demo", "--include-confidential",
                   "--filter", f"clientId={client}")  # fmt: skip
    assert "file_refused" in error and said in error, error
    if "tax id" not in said:
        assert f"invoice {number}" in error
    assert not output.exists()


def test_tax_in_a_1998b_file_is_refused(firms: Path, tmp_path: Path) -> None:
    output = tmp_path / "vat.txt"
    error = export(firms, output, "--tenant", "firm-2", "--include-confidential")
    assert "which LEDES 1998B cannot hold: export it as 1998BI" in error
    assert not output.exists()


def test_a_ledes_file_is_never_short(firms: Path, tmp_path: Path) -> None:
    output = tmp_path / "short.txt"
    # Past the cap: refused before a byte is written, never cut.
    error = export(firms, output, "--tenant", "demo", "--include-confidential",
                   SMARTER_EXPORT_MAX_ROWS_LEDES="2")  # fmt: skip
    assert "No LEDES file was written" in error and "hold at most 2" in error
    # Line items under confidential matters the caller may not see: refused, said so.
    error = export(firms, output, "--tenant", "demo")
    assert "under confidential matters" in error and "matters:confidential" in error
    assert not output.exists()


def test_other_sources_and_unbilled_invoices_are_the_callers_error(
    firms: Path, tmp_path: Path
) -> None:
    output = tmp_path / "x.txt"
    done = run(firms, "export", "matters", "--format", "ledes", "--tenant", "demo",
               "--output", str(output))  # fmt: skip
    assert done.returncode == 2
    assert "dataSource: LEDES files are made of invoices only" in " ".join(done.stderr.split())
    error = export(firms, output, "--tenant", "demo", "--filter", "status=void")
    assert "status: void invoices are never sent to a client" in error
    error = export(firms, output, "--tenant", "demo", "--columns", "invoiceNumber")
    assert "columns: a LEDES file has the fixed fields" in error
    assert not output.exists()


def test_the_checker_rejects_broken_tax_in_a_1998bi_file(firms: Path, tmp_path: Path) -> None:
    output = tmp_path / "bi.txt"
    assert export(firms, output, "--tenant", "firm-2", "--include-confidential",
                  "--option", "version=1998BI") == ""  # fmt: skip
    good = output.read_bytes().decode("utf-8")
    books = ledger(firms, "firm-2")
    assert problems(good, books) == []
    head, names, *rows = good.split("\r\n")
    number = rows[0].split("|")[1]

    def with_field(index: int, change: str, every_line: bool) -> str:
        changed = []
        for n, row in enumerate(rows):
            cells = row[:-2].split("|")
            if row and cells[1] == number and (every_line or n == 0):
                cells[index] = change
                changed.append("|".join(cells) + "[]")
            else:
                changed.append(row)
        return "\r\n".join([head, names, *changed])

    first = rows[0][:-2].split("|")
    taxed = f"{Decimal(first[48]) + Decimal('0.05'):.2f}"
    cases = {
        # the line's tax no longer its base x rate (nor its total's part)
        "LINE_ITEM_TAX_TOTAL is not the line x its tax rate": with_field(48, taxed, False),
        "INVOICE_TAX_TOTAL is not the sum": with_field(27, "0.00", True),
        "INVOICE_NET_TOTAL is not the total less tax": with_field(28, "1.00", True),
    }
    for expected, text in cases.items():
        found = problems(text, books)
        assert any(expected in problem for problem in found), (expected, found)
    untaxed = {k: Ledger(v.subtotal, v.discount, Decimal(0), v.total) for k, v in books.items()}
    assert any("is not the ledger's" in p for p in problems(good, untaxed))
