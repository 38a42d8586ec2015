"""联席会议: series, meetings, agenda topics, attendance, resolutions and their action items."""
