"""Where vmrtray keeps its files: platformdirs, movable by environment for scripts and tests."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import platformdirs

APP = "vmrtray"


def config_dir() -> Path:
    """Settings (no secret is ever written here). `VMRTRAY_CONFIG_DIR` moves it."""
    return Path(os.environ.get("VMRTRAY_CONFIG_DIR") or platformdirs.user_config_dir(APP))


def settings_file() -> Path:
    return config_dir() / "settings.toml"


def data_dir() -> Path:
    """The recordings catalog and other state. `VMRTRAY_DATA_DIR` moves it."""
    return Path(os.environ.get("VMRTRAY_DATA_DIR") or platformdirs.user_data_dir(APP))


def log_dir() -> Path:
    """The rotating log. `VMRTRAY_LOG_DIR` moves it."""
    return Path(os.environ.get("VMRTRAY_LOG_DIR") or platformdirs.user_log_dir(APP))


def default_download_dir() -> Path:
    return Path(platformdirs.user_downloads_dir()) / APP


def private_dir(folder: Path) -> Path:
    """`folder`, made readable by this user alone (0700) if it has to be made: the data folder
    holds the signed download links and the bookings journal. One that exists is left as it
    is — it may be a folder the user chose to share (`VMRTRAY_DATA_DIR`); the files in it
    that matter are 0600 themselves."""
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    except FileExistsError as exc:  # a file where the folder should be (VMRTRAY_DATA_DIR naming a file)
        raise NotADirectoryError(errno.ENOTDIR, f"{folder} is a file, not a folder") from exc
    return folder
