"""The Export Center's formats and their options come from GET /formats: Chromium chooses JSON
Lines compressed with gzip, the real worker writes it, the download unpacks to the records; a
bad option's error shows beside its field."""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from smarter_export.formats.registry import FORMATS
from tests.live import LiveService
from tests.web.center import open_signed_in, row_of, submit

pytestmark = pytest.mark.usefixtures("browser")


def test_formats_and_their_options_are_the_services(
    page: Page, web_service: LiveService, screenshots: Path
) -> None:
    open_signed_in(page, web_service, web_service.token(user="analyst-1"))
    choices = page.locator("input[name=format]")
    # The first source (matters) is offered every format but those made for other sources.
    general = [f.name for f in FORMATS if not f.sources]
    expect(choices).to_have_count(len(general))
    assert [choices.nth(i).get_attribute("value") for i in range(len(general))] == general
    page.select_option("#f-dataSource", "invoices")
    expect(choices).to_have_count(len(FORMATS))  # LEDES is for invoices only
    expect(page.locator("#format-choices")).to_contain_text("LEDES (.txt)")
    page.select_option("#f-dataSource", "matters")
    expect(choices).to_have_count(len(general))
    expect(page.locator("#format-choices")).to_contain_text("JSON Lines (.jsonl)")
    page.check("input[name=format][value=excel]")
    expect(page.locator("#format-options")).to_be_hidden()  # Excel takes no options
    page.check("input[name=format][value=parquet]")
    expect(page.locator("#f-options\\.compression option")).to_have_text(
        ["Zstd", "Snappy", "Gzip", "None"]
    )
    expect(page.locator("#f-options\\.compression")).to_have_value("zstd")
    expect(page.locator("#f-options\\.rowGroupRows")).to_have_value("100000")

    # A refused option is shown beside its own field, as a filter's error is.
    page.select_option("#f-dataSource", "matters")
    page.fill("#f-options\\.rowGroupRows", "10")
    answer = submit(page)
    assert answer["error"]["details"][0]["field"] == "options.rowGroupRows"
    beside = page.locator('[data-field="options.rowGroupRows"] .field-error')
    expect(beside).to_contain_text("greater than or equal to 1000")
    expect(page.locator("#f-options\\.rowGroupRows")).to_have_attribute("aria-invalid", "true")

    page.check("input[name=format][value=jsonl]")
    page.select_option("#f-options\\.compression", "gzip")
    with page.expect_request(lambda r: r.method == "POST" and r.url.endswith("/jsonl")) as sent:
        created = submit(page)["data"]
    assert sent.value.post_data_json["options"] == {"compression": "gzip"}
    row = row_of(page, created["exportId"])
    # Done; partial where rows under confidential matters are withheld from this user.
    expect(row.locator(".badge")).to_have_text(re.compile("Completed|Partial"), timeout=30_000)
    expect(row.locator(".file")).to_contain_text(".jsonl.gz")
    # The row names the format by its title and says which options differ from the defaults.
    expect(row).to_contain_text("Matters · JSON Lines")
    expect(row).to_contain_text("Compression: gzip")
    expect(row).not_to_contain_text("object")
    page.screenshot(path=screenshots / "format-options.png", full_page=True)
    with page.expect_download() as download:
        row.get_by_role("link", name="Download").click()
    saved = screenshots.parent / "matters.jsonl.gz"
    download.value.save_as(saved)
    assert download.value.suggested_filename.endswith(".jsonl.gz")
    records = [json.loads(line) for line in gzip.decompress(saved.read_bytes()).splitlines()]
    assert len(records) > 0 and "matterNumber" in records[0]


def test_csv_dialect_from_its_declared_options(page: Page, web_service: LiveService) -> None:
    open_signed_in(page, web_service, web_service.token(user="analyst-2"))
    page.select_option("#f-dataSource", "matters")
    page.check("input[name=format][value=csv]")
    expect(page.locator("#f-options\\.delimiter option")).to_have_text([",", ";", '"\\t"', "|"])
    expect(page.locator("#f-options\\.byteOrderMark option")).to_have_text(
        ["Default", "True", "False"]
    )
    # A decimal comma beside a comma delimiter: refused, and said beside the field.
    page.select_option("#f-options\\.decimalSeparator", ",")
    answer = submit(page)
    assert answer["error"]["details"][0]["field"] == "options.decimalSeparator"
    expect(page.locator('[data-field="options.decimalSeparator"] .field-error')).to_contain_text(
        "a decimal comma needs a delimiter other than"
    )
    page.select_option("#f-options\\.delimiter", ";")
    page.select_option("#f-options\\.byteOrderMark", "false")
    with page.expect_request(lambda r: r.method == "POST" and r.url.endswith("/csv")) as sent:
        created = submit(page)["data"]
    assert sent.value.post_data_json["options"] == {
        "delimiter": ";",
        "decimalSeparator": ",",
        "byteOrderMark": False,
    }
    row = row_of(page, created["exportId"])
    expect(row.locator(".badge")).to_have_text(re.compile("Completed|Partial"), timeout=30_000)
    expect(row).to_contain_text("Delimiter: ;")
    with page.expect_download() as download:
        row.get_by_role("link", name="Download").click()
    saved = Path(download.value.path())
    first_line = saved.read_bytes().split(b"\r\n")[0]
    assert first_line.startswith(b"Matter number;Matter;")  # no byte-order mark, `;` between


def test_ledes_offers_no_column_or_sort_choice(page: Page, web_service: LiveService) -> None:
    """A LEDES file's fields and their order are its version's: the form does not offer to
    choose them (the API would refuse the columns), and a LEDES export made from it completes."""
    # The firm's e-billing clerk sees confidential matters: a LEDES file is never short.
    clerk = web_service.token(user="billing-1", permissions=("export:*", "matters:confidential"))
    open_signed_in(page, web_service, clerk)
    page.select_option("#f-dataSource", "invoices")
    page.check("input[name=format][value=excel]")
    expect(page.locator("#f-columns")).to_be_visible()
    expect(page.locator("#f-sort")).to_be_visible()
    page.locator("#column-list input[type=checkbox]").last.check()  # a column choice made...
    page.select_option("#f-sort", index=1)
    page.check("input[name=format][value=ledes]")
    expect(page.locator("#f-columns")).to_be_hidden()
    expect(page.locator("#f-sort")).to_be_hidden()
    with page.expect_request(lambda r: r.method == "POST" and r.url.endswith("/ledes")) as sent:
        created = submit(page)["data"]
    body = sent.value.post_data_json
    assert "columns" not in body and "sort" not in body  # ...is not sent for LEDES
    row = row_of(page, created["exportId"])
    expect(row.locator(".badge")).to_have_text("Completed", timeout=30_000)
    expect(row.locator(".file")).to_contain_text(".txt")
    page.check("input[name=format][value=csv]")
    expect(page.locator("#f-columns")).to_be_visible()
