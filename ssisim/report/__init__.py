"""The report: one self-contained HTML (and PDF) file for any results folder."""
