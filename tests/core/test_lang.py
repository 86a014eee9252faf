"""Which language a user gets: VMRTRAY_LANG, then the setting, then the locale."""

from __future__ import annotations

from pathlib import Path

import pytest

from vmrtray.core.lang import chosen_language, detect_lang


@pytest.mark.parametrize(
    ("env", "chosen", "lang"),
    [
        ({"LANG": "zh_CN.UTF-8"}, "system", "zh"),
        ({"LANG": "en_GB.UTF-8", "LC_MESSAGES": "zh_TW.UTF-8"}, "system", "zh"),
        ({"LC_ALL": "C.UTF-8", "LANG": "zh_CN.UTF-8"}, "system", "en"),
        ({"LANG": "zh_CN.UTF-8"}, "en", "en"),
        ({"LANG": "en_US.UTF-8"}, "zh", "zh"),
        ({"LANG": "en_US.UTF-8", "VMRTRAY_LANG": "zh"}, "en", "zh"),
    ],
)
def test_the_setting_wins_over_the_locale_and_the_environment_over_both(
    env: dict[str, str], chosen: str, lang: str
) -> None:
    assert detect_lang(env, chosen) == lang


@pytest.mark.parametrize(
    ("text", "chosen"),
    [('language = "zh"\n', "zh"), ('language = "fr"\n', "system"), ("language = [", "system"), (None, "system")],
)
def test_the_setting_is_read_without_failing(tmp_path: Path, text: str | None, chosen: str) -> None:
    path = tmp_path / "settings.toml"
    if text is not None:
        path.write_text(text)
    assert chosen_language(path) == chosen
