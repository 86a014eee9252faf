"""What the tray and vmrctl share: credentials, settings, status, recordings, bookings. No Qt."""
