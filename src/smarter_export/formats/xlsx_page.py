"""A streamed sheet's print settings, spelled as XlsxWriter spells them.

`<sheetPr>` opens the sheet's part, so it is known before the first row streams; the rest
(`<printOptions>`, `<pageMargins>`, `<pageSetup>`, `<headerFooter>`) follows `<sheetData>` in the
order the schema requires. The rows repeated on every page are a defined name of the workbook
(`_xlnm.Print_Titles`), written with the workbook part.
"""

from __future__ import annotations

from dataclasses import dataclass

from smarter_export.formats.xlsx_xml import escape_text

MARGINS = '<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>'


@dataclass
class PrintSettings:
    orientation: str = ""  # "landscape", "portrait", or "" for the printer's default
    fit: tuple[int, int] | None = None  # pages wide, pages tall (0: as many as it takes)
    title_rows: str = ""  # "$1:$1": rows printed at the top of every page
    gridlines: bool = False  # printed
    header: str = ""
    footer: str = ""

    def sheet_properties(self) -> str:
        return '<sheetPr><pageSetUpPr fitToPage="1"/></sheetPr>' if self.fit else ""

    def xml(self) -> str:
        options = '<printOptions gridLines="1"/>' if self.gridlines else ""
        setup = ""
        if self.fit is not None:
            width, height = self.fit
            setup += f' fitToWidth="{width}"' if width != 1 else ""
            setup += f' fitToHeight="{height}"' if height != 1 else ""
        if self.orientation:
            setup += f' orientation="{self.orientation}"'
        page = f"<pageSetup{setup}/>" if setup else ""
        sections = ""
        if self.header:
            sections += f"<oddHeader>{escape_text(self.header)}</oddHeader>"
        if self.footer:
            sections += f"<oddFooter>{escape_text(self.footer)}</oddFooter>"
        header_footer = f"<headerFooter>{sections}</headerFooter>" if sections else ""
        return f"{options}{MARGINS}{page}{header_footer}"
