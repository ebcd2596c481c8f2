"""Certificates: PDF/A certificates of completion and participation, stored as issued,
verifiable by code, revocable, issued in bulk by a background job, with Open Badges 3.0."""
