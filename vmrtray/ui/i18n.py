"""Qt's side of the two languages: our translations and Qt's own, and the locale for dates.

The `.qm` files are compiled from `resources/i18n/*.ts` by the build (hatch_build.py);
English is the source language, so its file only carries plural forms.
"""

from __future__ import annotations

import logging
from importlib import resources
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

from vmrtray.api import Lang

log = logging.getLogger(__name__)

LOCALES: dict[Lang, str] = {"zh": "zh_CN", "en": "en"}


def qm_dir() -> Path:
    return Path(str(resources.files("vmrtray.ui") / "assets" / "i18n"))


def install(app: QCoreApplication, lang: Lang) -> list[QTranslator]:
    """Load vmrtray's and Qt's translations for `lang` into `app`; the translators are
    parented to `app`, and returned so a test can remove them again."""
    name = LOCALES[lang]
    QLocale.setDefault(QLocale(name))
    installed = []
    for base, folder in (("vmrtray", qm_dir()), ("qtbase", _qt_translations())):
        translator = QTranslator(app)
        if translator.load(f"{base}_{name}", str(folder)):
            app.installTranslator(translator)
            installed.append(translator)
        elif base == "vmrtray":
            log.warning("no %s translation in %s: showing English (was the package built?)", name, folder)
    return installed


def uninstall(app: QCoreApplication, translators: list[QTranslator]) -> None:
    for translator in translators:
        app.removeTranslator(translator)
    QLocale.setDefault(QLocale.system())


def _qt_translations() -> Path:
    return Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath))
