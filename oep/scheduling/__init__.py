"""Scheduling: sessions (course sessions, workshops, events, meetings), repeating series,
bookings with a waiting list, notices of absence, calendars and iCalendar feeds."""
