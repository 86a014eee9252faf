"""The settings dialog: every field checked with its reason; the key only to the key store."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from tests.support.settings_keys import MemoryKeys
from vmrtray.core.settings import AutoFetch, Settings
from vmrtray.sim import DEMO_ACCOUNT, DEMO_API_ID, DEMO_API_KEY, DEMO_PUBLIC_KEY, Sim
from vmrtray.ui.settings_dialog import Keys, SettingsDialog


def _dialog(store: MemoryKeys, settings: Settings | None = None) -> SettingsDialog:
    return SettingsDialog(settings or Settings(), store.keys())


def _errors(dialog: SettingsDialog) -> dict[str, str]:
    return {name: label.text() for name, label in dialog.errors.items() if not label.isHidden()}


@pytest.mark.parametrize(
    ("fill", "field", "words"),
    [
        ({"server": ""}, "server", "required"),
        ({"server": "ftp://nope"}, "server", "http"),
        ({"account": "not-an-account"}, "account", "user@domain"),
        ({"favourites_typed": "100701, 12ab"}, "favourites", "short number"),
        ({"server_tz": "Mars/Olympus"}, "server_tz", "time zone"),
        ({"api_id": "abc"}, "key", "API KEY"),
        ({"proxy": 2, "proxy_url": ""}, "proxy", "address"),
        ({"proxy": 2, "proxy_url": "proxy.example"}, "proxy", "proxy address"),
        ({"server": "http://vmr.example.com"}, "server", "plain http"),
        ({"ca_bundle": "/nonexistent/ca.pem"}, "ca_bundle", "not a file"),
    ],
)
async def test_each_bad_field_gets_its_reason(qapp: object, fill: dict[str, object], field: str, words: str) -> None:
    store = MemoryKeys({"https://prov.myvmr.cn": "k"})
    dialog = _dialog(store)
    dialog.server.setText("https://prov.myvmr.cn")
    dialog.account.setText("me@example.com")
    for name, value in fill.items():
        widget = getattr(dialog, name)
        if hasattr(widget, "setCurrentIndex") and isinstance(value, int):
            widget.setCurrentIndex(value)
        elif hasattr(widget, "setCurrentText"):
            widget.setCurrentText(str(value))
        else:
            widget.setText(str(value))
    assert await dialog.save() is False
    errors = _errors(dialog)
    assert field in errors, errors
    assert words in errors[field]
    assert store.saved == []


async def test_no_key_stored_and_none_typed_is_refused(qapp: object) -> None:
    store = MemoryKeys()
    dialog = _dialog(store)
    dialog.server.setText("https://prov.myvmr.cn")
    dialog.account.setText("me@example.com")
    assert await dialog.save() is False
    assert "key" in _errors(dialog)


async def test_test_connection_lists_the_rooms_and_save_stores_the_key(sim: Sim, qapp: object, tmp_path: Path) -> None:
    store = MemoryKeys()
    dialog = _dialog(store)
    saved: list[tuple[Settings, bool]] = []
    dialog.saved.connect(lambda s, new: saved.append((s, new)))
    dialog.server.setText(sim.url)
    dialog.account.setText(DEMO_ACCOUNT)
    dialog.api_id.setText(DEMO_API_ID)
    dialog.api_key.setText(DEMO_API_KEY)
    assert await dialog.test_connection() is True
    assert dialog.favourite_list.count() == 6
    assert "Connected: 6 rooms" in dialog.test_result.text()
    dialog.favourite_list.item(0).setCheckState(Qt.CheckState.Checked)
    dialog.favourites_typed.setText("8000000")
    dialog.remind_minutes.setValue(0)  # reminders off
    dialog.language.setCurrentIndex(dialog.language.findData("zh"))
    dialog.tray_icon.setCurrentIndex(dialog.tray_icon.findData("mono"))
    assert await dialog.save() is True
    settings, new_key = saved[0]
    assert settings.favourites == ["100701", "8000000"]
    assert settings.remind_minutes == 0
    assert (settings.language, settings.tray_icon) == ("zh", "mono")
    assert new_key is True
    assert store.known[settings.server or ""] == DEMO_PUBLIC_KEY
    assert DEMO_API_KEY not in settings.model_dump_json()


async def test_a_wrong_key_fails_the_test_with_one_sentence(sim: Sim, qapp: object) -> None:
    dialog = _dialog(MemoryKeys())
    dialog.server.setText(sim.url)
    dialog.account.setText(DEMO_ACCOUNT)
    dialog.cloud.setCurrentIndex(1)
    dialog.tenant_key.setText("999")
    assert await dialog.test_connection() is False
    assert "rejected the key" in dialog.test_result.text()


async def test_cloud_kind_switches_the_key_fields(qapp: object) -> None:
    dialog = _dialog(MemoryKeys())
    dialog.show()
    assert dialog.api_id.isVisible()
    assert not dialog.tenant_key.isVisible()
    dialog.cloud.setCurrentIndex(1)
    assert not dialog.api_id.isVisible()
    assert dialog.tenant_key.isVisible()
    dialog.close()


async def test_plain_http_on_the_network_saves_once_allowed(qapp: object) -> None:
    store = MemoryKeys({"http://vmr.example.com": "k"})
    dialog = _dialog(store)
    dialog.server.setText("http://vmr.example.com")
    dialog.account.setText("me@example.com")
    dialog.allow_http.setChecked(True)
    assert await dialog.save() is True
    assert store.saved[0].allow_http


async def test_without_a_keyring_the_key_is_refused_and_written_nowhere(
    qapp: object, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import keyring
    from keyring.backends import fail

    from vmrtray.core import settings as settings_mod
    from vmrtray.core.credentials import load_key, store_key

    monkeypatch.setenv("VMRTRAY_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.delenv("VMRTRAY_AUTH", raising=False)
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    try:
        saved: list[Settings] = []

        async def save(settings: Settings) -> None:
            saved.append(settings)
            settings_mod.save(settings)

        dialog = SettingsDialog(Settings(), Keys(load_key, store_key, save))
        dialog.server.setText("https://prov.myvmr.cn")
        dialog.account.setText("me@example.com")
        dialog.api_id.setText(DEMO_API_ID)
        dialog.api_key.setText(DEMO_API_KEY)
        assert await dialog.save() is False
    finally:
        keyring.set_keyring(previous)
    assert "Secret Service" in _errors(dialog)["key"]  # what to install, said beside the key
    assert saved == []  # nothing saved without a place for the key
    written = [p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()]
    assert not any(DEMO_API_KEY.encode() in data for data in written)


async def test_download_when_ready_offers_three_choices_and_saves_the_one_picked(qapp: object) -> None:
    store = MemoryKeys({"https://prov.myvmr.cn": "k"})
    settings = Settings(server="https://prov.myvmr.cn", account="me@example.com")
    dialog = _dialog(store, settings)
    box = dialog.download_when_ready
    assert [box.itemText(i) for i in range(box.count())] == [
        "Never",
        "Recordings started here",
        "Every recording of my favourite rooms",
    ]
    assert box.currentData() == AutoFetch.OFF  # the default
    assert box.accessibleName() == "Download recordings when ready"  # its row's label
    box.setCurrentIndex(box.findData(AutoFetch.FAVOURITES))
    assert await dialog.save() is True
    assert store.saved[-1].download_when_ready is AutoFetch.FAVOURITES
    again = _dialog(store, store.saved[-1])  # shown as saved the next time
    assert again.download_when_ready.currentData() == AutoFetch.FAVOURITES


def test_the_labels_that_say_the_services_errors_show_markup_as_words(qapp: object) -> None:
    """The Test result and the contact picker's status say the service's error sentences; in
    Qt's automatic mode '<a href=…>' or '<img src=file:…>' in them was rendered (the second
    review measured the label 269x91, not one line): they are plain text."""
    from vmrtray.ui.contact_picker import ContactPicker

    hostile = '<a href="https://evil/">sign in</a><img src="file:///etc/passwd"><h1>BIG</h1>'
    dialog = _dialog(MemoryKeys())
    picker = ContactPicker()
    for label in (dialog.test_result, picker.summary):
        label.setText(hostile)
        assert label.textFormat() == Qt.TextFormat.PlainText
    picker.deleteLater()
