"""The briefing as PDF: the .docx converted by LibreOffice, headless.

LibreOffice runs with a profile of its own in a temporary folder (so it neither needs nor
disturbs the user's running LibreOffice) and a fontconfig file that maps the fonts the
briefing asks for (GB/T 9704 names such as 仿宋_GB2312, and their Windows fallbacks) to
the fonts this machine has, in the order of ``geo/data/fonts.toml`` (Noto CJK last): on
a Linux machine without 方正 or Windows fonts the PDF is set in Noto, not in a font
without Chinese glyphs.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from html import escape
from pathlib import Path

from geo.errors import OfficeError
from geo.render._docx import font_roles

__all__ = ["docx_to_pdf", "find_office", "fontconfig_text"]

#: Seconds LibreOffice may take to convert one briefing.
TIMEOUT_S = 240


def find_office() -> str | None:
    """The LibreOffice executable (``soffice`` or ``libreoffice`` on PATH), or None."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def fontconfig_text() -> str:
    """A fontconfig file: the system configuration plus, per font the briefing names, its
    fallbacks in order (``<alias>``/``<prefer>``)."""
    aliases = []
    for role in font_roles().values():
        names = role["names"]
        for i, name in enumerate(names[:-1]):
            prefer = "".join(f"<family>{escape(n)}</family>" for n in names[i + 1 :])
            aliases.append(
                f'  <alias binding="same"><family>{escape(name)}</family>'
                f"<prefer>{prefer}</prefer></alias>"
            )
    return (
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n'
        '  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>\n'
        + "\n".join(aliases)
        + "\n</fontconfig>\n"
    )


def docx_to_pdf(docx: Path | str, pdf: Path | str | None = None, *, office=None) -> Path:
    """Convert *docx* to PDF (default: the same name with ``.pdf``) with LibreOffice.

    The PDF is written to a temporary folder, then moved into place: a failed conversion
    leaves an earlier PDF as it was.

    Raises
    ------
    OfficeError
        When LibreOffice is not installed, fails, or takes longer than :data:`TIMEOUT_S`.
    """
    docx = Path(docx)
    pdf = Path(pdf) if pdf else docx.with_suffix(".pdf")
    office = office or find_office()
    if office is None:
        raise OfficeError(
            "LibreOffice is not installed, so the briefing cannot be converted to PDF; "
            "install it (`apt-get install libreoffice-writer-nogui`, or scripts/setup.sh) "
            "or run without --pdf and convert the .docx yourself"
        )
    with tempfile.TemporaryDirectory(prefix="parkgeo-office-") as tmp_name:
        tmp = Path(tmp_name)
        (tmp / "fonts.conf").write_text(fontconfig_text(), encoding="utf-8")
        env = dict(os.environ, FONTCONFIG_FILE=str(tmp / "fonts.conf"), HOME=str(tmp))
        command = [
            office,
            f"-env:UserInstallation={(tmp / 'profile').as_uri()}",
            "--headless",
            "--norestore",
            "--convert-to",
            "pdf:writer_pdf_Export",
            "--outdir",
            str(tmp / "out"),
            str(docx.resolve()),
        ]
        try:
            done = subprocess.run(
                command, capture_output=True, text=True, timeout=TIMEOUT_S, env=env, check=False
            )
        except subprocess.TimeoutExpired:
            raise OfficeError(
                f"LibreOffice took more than {TIMEOUT_S} s to convert {docx} to PDF; "
                "close other LibreOffice windows and try again"
            ) from None
        made = tmp / "out" / f"{docx.stem}.pdf"
        if done.returncode != 0 or not made.exists():
            detail = (done.stderr or done.stdout).strip()[-400:]
            raise OfficeError(
                f"LibreOffice could not convert {docx} to PDF (exit {done.returncode}): "
                f"{detail or 'no message'}; open the .docx in Word or LibreOffice to check it"
            )
        pdf.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(made), str(pdf))
    return pdf
