<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en">
    <context>
        <name>Alerts</name>
        <message numerus="yes">
            <source>“{theme}” starts in %n minute(s)</source>
            <translation>
                <numerusform>“{theme}” starts in %n minute</numerusform>
                <numerusform>“{theme}” starts in %n minutes</numerusform>
            </translation>
        </message>
    </context>
    <context>
        <name>BookingDialog</name>
        <message numerus="yes">
            <source>%n minute(s)</source>
            <translation>
                <numerusform>%n minute</numerusform>
                <numerusform>%n minutes</numerusform>
            </translation>
        </message>
    </context>
    <context>
        <name>RecordingsWindow</name>
        <message numerus="yes">
            <source>Copied %n link(s); they expire within hours.</source>
            <translation>
                <numerusform>Copied %n link; it expires within hours.</numerusform>
                <numerusform>Copied %n links; they expire within hours.</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <source>Delete %n recording(s) from the cloud? This cannot be undone.</source>
            <translation>
                <numerusform>Delete %n recording from the cloud? This cannot be undone.</numerusform>
                <numerusform>Delete %n recordings from the cloud? This cannot be undone.</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <source>Deleted %n recording(s) from the cloud.</source>
            <translation>
                <numerusform>Deleted %n recording from the cloud.</numerusform>
                <numerusform>Deleted %n recordings from the cloud.</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <source>%n recording(s) could not be listed (unknown, deleted, or still recording).</source>
            <translation>
                <numerusform>%n recording could not be listed (unknown, deleted, or still recording).</numerusform>
                <numerusform>%n recordings could not be listed (unknown, deleted, or still recording).</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <source>Asking the service for the files of %n recording(s)…</source>
            <translation>
                <numerusform>Asking the service for the files of %n recording…</numerusform>
                <numerusform>Asking the service for the files of %n recordings…</numerusform>
            </translation>
        </message>
    </context>
    <context>
        <name>RoomWords</name>
        <message numerus="yes">
            <source>%n people</source>
            <translation>
                <numerusform>%n person</numerusform>
                <numerusform>%n people</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <source>In use: %n participant(s)</source>
            <translation>
                <numerusform>In use: %n participant</numerusform>
                <numerusform>In use: %n participants</numerusform>
            </translation>
        </message>
    </context>
    <context>
        <name>SettingsDialog</name>
        <message numerus="yes">
            <source>Connected: %n room(s)</source>
            <translation>
                <numerusform>Connected: %n room</numerusform>
                <numerusform>Connected: %n rooms</numerusform>
            </translation>
        </message>
    </context>
    <context>
        <name>Tray</name>
        <message numerus="yes">
            <source>{n} of %n room(s) in use</source>
            <translation>
                <numerusform>{n} of %n room in use</numerusform>
                <numerusform>{n} of %n rooms in use</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <source>downloading %n file(s): {p}%</source>
            <translation>
                <numerusform>downloading %n file: {p}%</numerusform>
                <numerusform>downloading %n files: {p}%</numerusform>
            </translation>
        </message>
    </context>
</TS>
