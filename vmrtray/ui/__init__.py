"""The Qt face of vmrtray (the tray, dialogs and windows). The only package that imports Qt."""
