"""Settings: server, cloud kind and key, account, favourites, intervals, alerts, folders, proxy.

Non-modal (no nested event loop). Every field is checked on Save, with the reason shown
beside it; nothing is saved until all are valid. The key goes to the keyring (or, in the
demo, to memory) and never into the settings file.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFileDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from vmrtray.api import Lang, Room, VmrError, public_cloud_key
from vmrtray.api.client import in_clear_over_network
from vmrtray.core.credentials import CredentialsError
from vmrtray.core.directory import check_connection
from vmrtray.core.reach import Unreachable
from vmrtray.core.settings import NOTIFY_GROUPS, AutoFetch, Settings, check_short_number

from .asyncutil import spawn
from .forms import FieldForm, enter_presses, hbox, vbox

ZONES = ("Asia/Shanghai", "Asia/Hong_Kong", "Asia/Taipei", "Asia/Singapore", "Asia/Tokyo", "Europe/London", "UTC")


@dataclass
class Keys:
    """Where keys are kept: the OS keyring for real, memory for the demo."""

    load: Callable[[str], Awaitable[str]]
    store: Callable[[str, str], Awaitable[None]]
    save_settings: Callable[[Settings], Awaitable[Any]]


class SettingsDialog(QDialog):
    saved = Signal(object, bool)  # the new Settings; whether a new key was stored

    def __init__(
        self,
        settings: Settings,
        keys: Keys,
        *,
        lang: Lang = "en",
        rooms: Sequence[Room] = (),
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("vmrtray settings"))
        self.settings, self.keys, self.lang = settings, keys, lang
        self.form = form = FieldForm()
        self.errors = form.errors
        self.server = self._line(form, "server", self.tr("Server"), settings.server or "", "https://prov.myvmr.cn")
        self.cloud = _choices(
            (
                (self.tr("Public cloud (API ID + API KEY)"), "public"),
                (self.tr("Dedicated cloud (tenant key)"), "dedicated"),
            ),
            settings.cloud,
        )
        self._row(form, "cloud", self.tr("Cloud"), self.cloud)
        self.api_id = self._line(form, "api_id", self.tr("API ID"), "", self.tr("leave empty to keep the stored key"))
        self.api_key = self._line(form, "key", self.tr("API KEY"), "", self.tr("leave empty to keep the stored key"))
        self.api_key.setEchoMode(QLineEdit.EchoMode.Password)
        self.tenant_key = self._line(
            form, "tenant_key", self.tr("Tenant key"), "", self.tr("leave empty to keep the stored key")
        )
        self.tenant_key.setEchoMode(QLineEdit.EchoMode.Password)
        self.account = self._line(form, "account", self.tr("Account"), settings.account or "", "user@example.com")
        self.test_button = QPushButton(self.tr("Test connection"))
        self.test_result = QLabel()
        self.test_result.setTextFormat(Qt.TextFormat.PlainText)  # it says the service's errors: never markup
        self.test_result.setWordWrap(True)
        self.test_button.clicked.connect(lambda: spawn(self.test_connection()))
        self._row(form, "test", "", hbox(self.test_button, self.test_result))
        self.favourite_list = QListWidget()
        self.favourite_list.setMaximumHeight(140)
        self.favourites_typed = QLineEdit()
        self.favourites_typed.setPlaceholderText(self.tr("other short numbers, comma separated"))
        self._row(form, "favourites", self.tr("Favourite rooms"), vbox(self.favourite_list, self.favourites_typed))
        self.interval_active = self._seconds(
            form, "interval_active", self.tr("Refresh while in use (s)"), settings.interval_active
        )
        self.interval_idle = self._seconds(
            form, "interval_idle", self.tr("Refresh while idle (s)"), settings.interval_idle
        )
        words = {
            "meetings": self.tr("Meetings start and end"),
            "participants": self.tr("Participants come and go"),
            "recording": self.tr("Recording starts, stops or fails"),
            "live": self.tr("Live streaming on and off"),
            "availability": self.tr("Rooms or the service become unavailable"),
        }
        self.notify = {group: QCheckBox(words[group]) for group in NOTIFY_GROUPS}
        for group, box in self.notify.items():
            box.setChecked(settings.notify[group])
        self._row(form, "notify", self.tr("Alerts"), vbox(*self.notify.values()))
        self.remind_minutes = QSpinBox()
        self.remind_minutes.setRange(0, 24 * 60)
        self.remind_minutes.setSuffix(self.tr(" min before"))
        self.remind_minutes.setSpecialValueText(self.tr("off"))
        self.remind_minutes.setValue(settings.remind_minutes)
        self._row(form, "remind_minutes", self.tr("Remind me of my bookings"), self.remind_minutes)
        self.start_at_login = QCheckBox(self.tr("Start vmrtray when I log in"))
        self.start_at_login.setChecked(settings.start_at_login)
        self._row(form, "start_at_login", "", self.start_at_login)
        self.language = _choices(
            ((self.tr("As the system"), "system"), ("中文（简体）", "zh"), ("English", "en")), settings.language
        )
        self.language.setToolTip(self.tr("The tray and vmrctl use it from their next start."))
        self._row(form, "language", self.tr("Language"), self.language)
        self.tray_icon = _choices(
            ((self.tr("In colour"), "colour"), (self.tr("Monochrome, as the panel is light or dark"), "mono")),
            settings.tray_icon,
        )
        self._row(form, "tray_icon", self.tr("Tray icon"), self.tray_icon)
        self.download_dir = QLineEdit(settings.download_dir or "")
        browse = QPushButton(self.tr("Browse…"))
        browse.clicked.connect(
            lambda: self._browse_into(self.download_dir, self.tr("Download folder"), QFileDialog.FileMode.Directory)
        )
        self._row(form, "download_dir", self.tr("Download folder"), hbox(self.download_dir, browse))
        self.download_segments = QSpinBox()
        self.download_segments.setRange(1, 16)
        self.download_segments.setValue(settings.download_segments)
        self.download_segments.setToolTip(
            self.tr("More than 1 only helps where the file store limits the speed of each connection.")
        )
        self._row(form, "download_segments", self.tr("Connections per large file"), self.download_segments)
        self.download_when_ready = _choices(
            (
                (self.tr("Never"), AutoFetch.OFF),
                (self.tr("Recordings started here"), AutoFetch.MINE),
                (self.tr("Every recording of my favourite rooms"), AutoFetch.FAVOURITES),
            ),
            settings.download_when_ready,
        )
        self.download_when_ready.setToolTip(
            self.tr("Into the download folder, as soon as the service lists the files of a stopped recording.")
        )
        self._row(form, "download_when_ready", self.tr("Download recordings when ready"), self.download_when_ready)
        self.server_tz = QComboBox()
        self.server_tz.setEditable(True)
        self.server_tz.addItems(ZONES)
        self.server_tz.setCurrentText(settings.server_tz)
        self._row(form, "server_tz", self.tr("Server time zone"), self.server_tz)
        self.proxy = _choices(
            ((self.tr("System proxy"), "system"), (self.tr("No proxy"), "none"), (self.tr("Manual"), "manual")),
            settings.proxy,
        )
        self.proxy_url = QLineEdit(settings.proxy_url or "")
        self.proxy_url.setPlaceholderText("http://proxy.example:8080")
        self._row(form, "proxy", self.tr("Proxy"), hbox(self.proxy, self.proxy_url))
        self.errors["proxy_url"] = self.errors["proxy"]
        self.ca_bundle = QLineEdit(settings.ca_bundle or "")
        self.ca_bundle.setPlaceholderText(self.tr("the system's certificates"))
        self.ca_bundle.setToolTip(self.tr("A PEM file of the authorities to trust, for a server with a private CA."))
        pick_ca = QPushButton(self.tr("Browse…"))
        pick_ca.clicked.connect(
            lambda: self._browse_into(
                self.ca_bundle,
                self.tr("CA certificates"),
                QFileDialog.FileMode.ExistingFile,
                self.tr("Certificates (*.pem *.crt *.cer)"),
            )
        )
        self._row(form, "ca_bundle", self.tr("CA certificates"), hbox(self.ca_bundle, pick_ca))
        self.allow_http = QCheckBox(self.tr("Allow plain http to a server on the network (sends the key unencrypted)"))
        self.allow_http.setChecked(settings.allow_http)
        self._row(form, "allow_http", "", self.allow_http)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(lambda: spawn(self.save()))
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.buttons)
        self.cloud.currentIndexChanged.connect(self._cloud_changed)
        self.proxy.currentIndexChanged.connect(self._proxy_changed)
        self._cloud_changed()
        self._proxy_changed()
        enter_presses(self, self.buttons.button(QDialogButtonBox.StandardButton.Save))
        self.set_rooms(rooms, settings.favourites)

    # -- building --------------------------------------------------------------------------

    def _row(self, form: FieldForm, name: str, label: str, widget: QWidget) -> None:
        form.row(name, label, widget)

    def _line(self, form: FieldForm, name: str, label: str, value: str, hint: str) -> QLineEdit:
        line = QLineEdit(value)
        line.setPlaceholderText(hint)
        line.setObjectName(name)
        self._row(form, name, label, line)
        return line

    def _seconds(self, form: FieldForm, name: str, label: str, value: float) -> QDoubleSpinBox:
        box = QDoubleSpinBox()
        box.setRange(1.0, 86400.0)
        box.setDecimals(0)
        box.setValue(value)
        self._row(form, name, label, box)
        return box

    def set_rooms(self, rooms: Sequence[Room], chosen: Sequence[str]) -> None:
        """Offer the account's rooms as checkboxes; chosen numbers not among them stay typed."""
        self.favourite_list.clear()
        listed = set()
        for room in rooms:
            item = QListWidgetItem(f"{room.p_desc} ({room.sipkey})")
            item.setData(Qt.ItemDataRole.UserRole, room.sipkey)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if room.sipkey in chosen else Qt.CheckState.Unchecked)
            self.favourite_list.addItem(item)
            listed.add(room.sipkey)
        self.favourites_typed.setText(", ".join(n for n in chosen if n not in listed))

    def _cloud_changed(self) -> None:
        public = self.cloud.currentData() == "public"
        self.form.setRowVisible(self.form.rows["api_id"], public)
        self.form.setRowVisible(self.form.rows["key"], public)
        self.form.setRowVisible(self.form.rows["tenant_key"], not public)

    def _proxy_changed(self) -> None:
        self.proxy_url.setEnabled(self.proxy.currentData() == "manual")

    def _browse_into(self, line: QLineEdit, title: str, mode: QFileDialog.FileMode, name_filter: str = "") -> None:
        """A non-modal chooser starting where `line` points; what is picked goes into `line`."""
        chooser = QFileDialog(self, title, line.text() or str(Path.home()))
        chooser.setFileMode(mode)
        if name_filter:
            chooser.setNameFilter(name_filter)
        chooser.fileSelected.connect(line.setText)
        chooser.open()

    # -- reading and checking --------------------------------------------------------------

    def favourites(self) -> list[str]:
        picked = []
        for i in range(self.favourite_list.count()):
            item = self.favourite_list.item(i)
            if item.checkState() == Qt.CheckState.Checked:
                picked.append(str(item.data(Qt.ItemDataRole.UserRole)))
        typed = [part.strip() for part in self.favourites_typed.text().replace("，", ",").split(",") if part.strip()]
        return list(dict.fromkeys(picked + typed))

    def candidate(self) -> tuple[Settings | None, str | None]:
        """The settings and new key as typed, or (None, None) with each bad field marked."""
        self.form.clear_errors()
        problems: dict[str, str] = {}
        for number in self.favourites():
            try:
                check_short_number(number)
            except ValueError:
                problems["favourites"] = self.reason("favourites").format(value=number)
        values: dict[str, Any] = {
            "server": self.server.text().strip() or None,
            "cloud": self.cloud.currentData(),
            "account": self.account.text().strip() or None,
            "interval_active": self.interval_active.value(),
            "interval_idle": self.interval_idle.value(),
            "remind_minutes": self.remind_minutes.value(),
            "start_at_login": self.start_at_login.isChecked(),
            "language": self.language.currentData(),
            "tray_icon": self.tray_icon.currentData(),
            "download_dir": self.download_dir.text().strip() or None,
            "download_segments": self.download_segments.value(),
            "download_when_ready": self.download_when_ready.currentData(),
            "server_tz": self.server_tz.currentText().strip(),
            "proxy": self.proxy.currentData(),
            "proxy_url": self.proxy_url.text().strip() or None,
            "ca_bundle": self.ca_bundle.text().strip() or None,
            "allow_http": self.allow_http.isChecked(),
            **{f"notify_{group}": box.isChecked() for group, box in self.notify.items()},
        }
        if not values["server"]:
            problems["server"] = self.tr("the server address is required")
        elif self._plain_http_away(values["server"]) and not values["allow_http"]:
            problems["server"] = self.tr(
                "plain http to a server on the network sends the key unencrypted: use https, or allow it below"
            )
        if not values["account"]:
            problems["account"] = self.tr("the account is required (user@domain)")
        settings = None
        try:
            settings = Settings.model_validate({**self.settings.model_dump(), **values, "favourites": []})
        except ValidationError as exc:
            for error in exc.errors():
                field = str(error["loc"][0]) if error["loc"] else "proxy_url"
                why = self.reason(str(error["type"])) or self.reason(  # ca_bundle_not_pem, _unreadable
                    str(error["loc"][0]) if error["loc"] else "proxy_missing"
                )
                problems.setdefault(field, why or str(error["msg"]).removeprefix("Value error, "))
        key = self._typed_key(problems)
        if problems or settings is None:
            self._show_errors(problems)
            return None, None
        settings.favourites = self.favourites()
        return settings, key

    def _typed_key(self, problems: dict[str, str]) -> str | None:
        if self.cloud.currentData() == "dedicated":
            return self.tenant_key.text().strip() or None
        api_id, api_key = self.api_id.text().strip(), self.api_key.text().strip()
        if not api_id and not api_key:
            return None
        try:
            return public_cloud_key(api_id, api_key)
        except ValueError:
            problems["key"] = self.reason("key")
            return None

    @staticmethod
    def _plain_http_away(server: str) -> bool:
        try:
            return in_clear_over_network(server)
        except ValueError:
            return False  # not a server address: the settings model says why

    def reason(self, field: str) -> str:
        """Why a field's value is refused, in the user's language ("" for a field not listed)."""
        reasons = {
            "server": self.tr("not a server address: http(s)://host, without ? or #, like https://prov.myvmr.cn"),
            "account": self.tr("not an account: user@domain"),
            "favourites": self.tr("{value} is not a room's short number (digits only, like 100701)"),
            "server_tz": self.tr("not a time zone, like Asia/Shanghai"),
            "proxy_url": self.tr(
                "not a proxy address: http(s):// or socks5:// and the host, like http://proxy.example:8080"
            ),
            "proxy_missing": self.tr("a manual proxy needs its address, like http://proxy.example:8080"),
            "interval_active": self.tr("from 2 to 3600 seconds"),
            "interval_idle": self.tr("from 5 to 86400 seconds"),
            "key": self.tr("the API ID and the API KEY are both needed (the ID has no colon)"),
            "ca_bundle": self.tr("not a file: choose a PEM file of certificates"),
            "ca_bundle_not_pem": self.tr(
                "not a PEM file of certificates; a DER file (.cer, .der) converts with"
                " openssl x509 -inform der -in FILE -out FILE.pem"
            ),
            "ca_bundle_unreadable": self.tr("cannot be read: choose a PEM file of certificates"),
        }
        return reasons.get(field, "")

    def _show_errors(self, problems: dict[str, str]) -> None:
        dedicated = self.cloud.currentData() == "dedicated"
        if dedicated and "key" in problems:
            problems = {("tenant_key" if f == "key" else f): why for f, why in problems.items()}
        self.form.show_errors(problems, "server")

    async def _key_for(self, settings: Settings, typed: str | None) -> str | None:
        if typed:
            return typed
        try:
            return await self.keys.load(settings.server or "")
        except CredentialsError as error:
            self._show_errors({"key": error.describe(self.lang)})
            return None

    # -- actions -------------------------------------------------------------------------------

    async def test_connection(self) -> bool:
        settings, typed = self.candidate()
        if settings is None:
            return False
        key = await self._key_for(settings, typed)
        if key is None:
            return False
        self.test_result.setText(self.tr("Testing…"))
        try:
            rooms = await check_connection(settings, key)
        except (VmrError, Unreachable) as error:  # Unreachable: the environment's proxy, the CA file
            self.test_result.setText("✗ " + error.describe(self.lang))
            return False
        self.set_rooms(rooms, self.favourites())
        self.test_result.setText("✓ " + self.tr("Connected: %n room(s)", "", len(rooms)))
        return True

    async def save(self) -> bool:
        settings, typed = self.candidate()
        if settings is None:
            return False
        if typed is None:
            if await self._key_for(settings, None) is None:
                self._show_errors({"key": self.tr("enter the key: none is stored for this server yet")})
                return False
        else:
            try:
                await self.keys.store(settings.server or "", typed)
            except CredentialsError as error:
                self._show_errors({"key": error.describe(self.lang)})
                return False
        await self.keys.save_settings(settings)
        self.settings = settings
        self.saved.emit(settings, typed is not None)
        self.accept()
        return True


def _choices(items: Sequence[tuple[str, str]], current: str) -> QComboBox:
    """A box of (words, value) choices with `current` chosen (the first when it is not among them)."""
    box = QComboBox()
    for text, value in items:
        box.addItem(text, value)
    box.setCurrentIndex(max(0, box.findData(current)))
    return box
