"""The OEP report: per site and consolidated, for a period, as an HTML preview, a PDF with
charts and a table of contents, an XLSX workbook and a ZIP of CSV files; the narrative
sections trainers and coordinators write; each organisation's own summary."""
