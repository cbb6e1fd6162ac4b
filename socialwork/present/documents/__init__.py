"""The files a meeting takes away: the PPTX deck, the PDF and DOCX report, the XLSX workbook of every table, and chart
images through Chromium."""
