"""Storage: the SQLite database through sqlite-utils, and what is read out of it.

- `store`: the Store (schema, migrations, every write and the product's reads), its
  errors and records.
- `status`: the quote statuses and the rules that move a quote between them.
- `views`: read models over the quotes table (export rows, /stats figures).
- `export`: the CSV, JSON and XLSX writers for those rows.
- `backup`: consistent copies of the database file, checked, and restoring one.

Nothing is re-exported here: import from the module that holds the name.
"""
