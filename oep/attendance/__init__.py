"""Attendance: marks per participant and session with their history, self check-in with
rotating codes, completion of the programme, warnings, and attendance reports."""
