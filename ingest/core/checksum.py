"""A checksum of every published mart: md5 over its rows in a stable order. Equal checksums = equal marts."""
from __future__ import annotations

from psycopg2 import sql

from ingest.core import config, db


def mart_checksums(wh: config.Warehouse) -> dict[str, tuple[int, str]]:
    """{relation: (rows, md5)} for every table and view in marts."""
    out = {}
    with db.transaction(wh) as cur:
        cur.execute("select table_name from information_schema.tables where table_schema = %s order by table_name",
                    (config.PUBLISHED_SCHEMA,))
        for (name,) in cur.fetchall():
            cur.execute(sql.SQL("select count(*), md5(coalesce(string_agg(t::text, E'\\n' order by t::text), '')) "
                                "from {}.{} as t").format(sql.Identifier(config.PUBLISHED_SCHEMA), sql.Identifier(name)))
            out[name] = cur.fetchone()
    return out


def render(checksums: dict[str, tuple[int, str]]) -> str:
    return "\n".join(f"{config.PUBLISHED_SCHEMA}.{name:<40} {rows:>9} rows  {digest}"
                     for name, (rows, digest) in checksums.items())
