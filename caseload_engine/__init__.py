"""caseload's engine: pure Python over typed inputs, no Django.

Reference lists, identifier validation, the synthetic council generator, and (in later issues)
complexity scoring, allocation and workforce planning. Usable from the command line on CSV/XLSX
files as well as from the web app.
"""
