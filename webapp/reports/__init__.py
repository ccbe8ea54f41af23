"""The year's reports: XLSX registers, the regional DOCX report, the PDF conclusion."""
