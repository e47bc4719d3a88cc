"""`kameng browse`: Datasette on the quote database, read-only, with our metadata, canned
queries and a dashboard (datasette-dashboards), so operators browse and chart the quote
history without SQL.

Read-only by construction: every connection Datasette opens to the file is `mode=ro` with
`PRAGMA query_only` (ReadOnlyDatabase), so even a plugin's write is refused by SQLite,
while the running bot keeps writing (WAL: readers never block it). The database file is
never downloadable (it holds link tokens). Bound to 127.0.0.1 by default; any other
address needs BROWSE_PASSWORD_HASH (datasette-auth-passwords), and then every page asks
for the operator's login.
"""

from __future__ import annotations

import ipaddress
import os
import sqlite3
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import yaml

if TYPE_CHECKING:
    from datasette.app import Datasette

METADATA = Path(__file__).with_name("datasette_metadata.yaml")
DATABASE = "kameng"  # the name in URLs (/kameng/funnel), whatever the file is called
OPERATOR = "operator"  # the one login when a password is set
SETTINGS = {
    "allow_download": False,  # the file holds link tokens: never offered as a download
    "sql_time_limit_ms": 5000,
    "max_returned_rows": 5000,
    "default_page_size": 50,
    "suggest_facets": False,
}


class PasswordRequired(ValueError):
    """Another address than loopback without BROWSE_PASSWORD_HASH."""


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def day_modifier(timezone: str, now: datetime | None = None) -> str:
    """SQLite's date modifier for the business's time zone now: "+480 minutes"."""
    local = (now or datetime.now(ZoneInfo(timezone))).astimezone(ZoneInfo(timezone))
    offset = local.utcoffset()
    return f"{int(offset.total_seconds() // 60) if offset else 0:+d} minutes"


def metadata(*, timezone: str = "Asia/Shanghai", password_hash: str = "") -> dict[str, Any]:
    """The metadata Datasette gets: the YAML file, the day modifier put into the queries,
    each chart given its canned query's SQL, and with a password the login required."""
    loaded: dict[str, Any] = yaml.safe_load(METADATA.read_text(encoding="utf-8"))
    queries = loaded["databases"][DATABASE]["queries"]
    day = day_modifier(timezone)
    for query in queries.values():
        query["sql"] = query["sql"].replace("{day}", day)
    for dashboard in loaded["plugins"]["datasette-dashboards"].values():
        for chart in dashboard["charts"].values():
            if "query" in chart:
                chart["query"] = queries[chart["query"]]["sql"]
    if password_hash:
        loaded["allow"] = {"id": OPERATOR}
        loaded["plugins"]["datasette-auth-passwords"] = {
            f"{OPERATOR}_password_hash": password_hash}
    return loaded


def datasette(path: str, *, timezone: str = "Asia/Shanghai", password_hash: str = ""
              ) -> Datasette:
    """A Datasette over the quote database at `path`, read-only."""
    from datasette.app import Datasette
    from datasette.database import Database

    class ReadOnlyDatabase(Database):  # type: ignore[misc]
        """Every connection read-only, the write connection included."""

        def connect(self, write: bool = False) -> sqlite3.Connection:
            uri = Path(self.path).resolve().as_uri() + "?mode=ro"  # file:///…, escaped
            connection = sqlite3.connect(uri, uri=True, check_same_thread=False)
            connection.execute("PRAGMA query_only = 1")
            self._all_file_connections.append(connection)
            return connection

    # The login cookie's signing key: DATASETTE_SECRET keeps logins across restarts, as
    # for `datasette serve`; unset, a new random key at each start.
    ds = Datasette([], metadata=metadata(timezone=timezone, password_hash=password_hash),
                   settings=SETTINGS, secret=os.environ.get("DATASETTE_SECRET") or None)
    ds.remove_database("_memory")  # no scratch database beside ours
    ds.add_database(ReadOnlyDatabase(ds, path=path, is_mutable=True), name=DATABASE)
    return ds


def serve(path: str, host: str, port: int, *, timezone: str = "Asia/Shanghai",
          password_hash: str = "") -> None:
    """Run until Ctrl-C. Refuses (PasswordRequired) a non-loopback address without a
    password hash."""
    import uvicorn

    if not is_loopback(host) and not password_hash:
        raise PasswordRequired(host)
    app = datasette(path, timezone=timezone, password_hash=password_hash).app()
    uvicorn.run(app, host=host, port=port, log_level="warning", server_header=False)


def hash_password(password: str) -> str:
    """The BROWSE_PASSWORD_HASH for a password (PBKDF2-SHA256, as the plugin checks)."""
    from datasette_auth_passwords.utils import hash_password as plugin_hash

    return str(plugin_hash(password))
