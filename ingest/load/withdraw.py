"""Taking a release out of raw: discarded (refused, never published) or retracted (published, withdrawn by a person).

An edition that loaded but whose run was refused (a blocking check, say) was never published. When its package is
removed from data/releases or its files are replaced, it must not keep the next run blocked: the next run
discards it — its rows leave raw — and loads what is there now. A published edition is never changed that way: it
is withdrawn only by `govwh retract INDEX YEAR EDITION --reason ...`, and the partition is published again without
it. Either way its rows are kept in audit.withdrawals / audit.withdrawn_rows (who, when, why, every row as it was in
raw), and audit.load_log says what happened.
"""
from __future__ import annotations

from pathlib import Path

from ingest.core.log import log

# raw's tables that hold a release's rows, children first (foreign keys), and what audit says about its load (a
# reload of the same edition records its own)
RELEASE_TABLES = ("raw.component_scores", "raw.unit_scores", "raw.printed_conflicts", "raw.release_files",
                  "audit.corrections", "audit.normalisations")
DATA_TABLES = ("raw.component_scores", "raw.unit_scores")
HISTORIES = ("marts.fct_component_score_history", "marts.fct_unit_score_history")


def is_published(cur, release_id: str) -> bool:
    """True when the release's rows reached marts (the histories keep every published edition's rows)."""
    for table in HISTORIES:
        cur.execute("select to_regclass(%s) is not null", (table,))
        if cur.fetchone()[0]:
            cur.execute(f"select exists (select 1 from {table} where release_id = %s)", (release_id,))  # noqa: S608
            if cur.fetchone()[0]:
                return True
    return False


def withdraw(cur, release_id: str, kind: str, reason: str, run_id: str) -> int:
    """Move the release's rows from raw into audit (in the caller's transaction, which holds the run lock shared);
    returns the number of data rows."""
    cur.execute("select manifest_sha256, to_jsonb(r)::text from raw.releases as r where release_id = %s", (release_id,))
    manifest_sha, release_row = cur.fetchone()
    published = is_published(cur, release_id)
    cur.execute("insert into audit.withdrawals (release_id, manifest_sha256, kind, reason, was_published, rows, "
                "release_row) values (%s, %s, %s, %s, %s, 0, %s::jsonb) returning withdrawal_id",
                (release_id, manifest_sha, kind, reason, published, release_row))
    (withdrawal_id,) = cur.fetchone()
    rows = 0
    for table in RELEASE_TABLES:
        cur.execute(f"insert into audit.withdrawn_rows (withdrawal_id, source_table, row_data) "  # noqa: S608
                    f"select %s, %s, to_jsonb(t) from {table} as t where release_id = %s",
                    (withdrawal_id, table, release_id))
        if table in DATA_TABLES:
            rows += cur.rowcount
        cur.execute(f"delete from {table} where release_id = %s", (release_id,))  # noqa: S608
    cur.execute("delete from raw.releases where release_id = %s", (release_id,))
    cur.execute("update audit.withdrawals set rows = %s where withdrawal_id = %s", (rows, withdrawal_id))
    cur.execute("insert into audit.load_log (run_id, release_id, action, detail, rows) values (%s, %s, %s, %s, %s)",
                (run_id, release_id, kind, reason, rows))
    log("ingest", f"{release_id}: {kind} ({rows} rows moved to audit.withdrawn_rows): {reason}")
    return rows


def discard_vanished(cur, releases_dir: Path, run_id: str) -> list[str]:
    """Discard every unpublished release whose package is gone from data/releases; name published ones whose package
    is gone (they stay: withdrawing what BI has seen takes `govwh retract`). Returns the index-years discarded from."""
    from ingest.sources.packages import release_folder

    cur.execute("select release_id, index_code, year, edition from raw.releases order by release_id")
    touched = []
    for release_id, index_code, year, edition in cur.fetchall():
        if (release_folder(releases_dir, index_code, year, edition) / "release.yaml").exists():
            continue
        if is_published(cur, release_id):
            log("ingest", f"{release_id} is published but its package is no longer in data/releases; it stays "
                          f"published. To withdraw it: govwh retract {index_code} {year} {edition} --reason '...'")
            continue
        withdraw(cur, release_id, "discarded", "never published (its run was refused) and its package was removed "
                                               "from data/releases", run_id)
        touched.append(f"{index_code}/{year}")
    return touched
