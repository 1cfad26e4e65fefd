-- Landing and audit tables. Created once; raw is append-only (never updated in place).
create schema if not exists raw;
create schema if not exists audit;
create schema if not exists marts;

-- One row per loaded release edition (the release.yaml as it was loaded).
create table if not exists raw.releases (
    release_id          text primary key,           -- <INDEX>/<year>/<edition>
    index_code          text not null,
    year                integer not null,
    edition             integer not null,
    published_on        date,
    publisher           text not null,
    source              text not null,
    methodology_version text not null,
    is_synthetic        boolean not null,
    coverage            text not null,               -- complete | partial
    reason              text,                        -- why this edition exists (corrections)
    manifest_path       text not null,
    manifest_sha256     text not null,
    loaded_at           timestamptz not null default now(),
    unique (index_code, year, edition)
);

create table if not exists raw.release_files (
    release_id   text not null references raw.releases (release_id),
    file_name    text not null,
    file_sha256  text not null,
    row_count    integer not null,
    loaded_at    timestamptz not null default now(),
    primary key (release_id, file_name)
);

create table if not exists raw.component_scores (
    release_id      text not null,                  -- a release of raw.releases (checked per statement, below)
    file_sha256     text not null,
    source_file     text not null,                  -- the data file, relative to the repository
    source_row      integer not null,               -- line number in the data file (header = 1)
    unit_name       text not null,                  -- as published
    unit_code       text not null,                  -- resolved through data/reference
    unit_type       text not null,
    component_code  text not null,
    score           numeric not null,
    rank            integer,
    rank_of         integer,
    source_ref      text,                           -- where the figure is printed in the source document
    loaded_at       timestamptz not null default now(),
    primary key (release_id, unit_code, component_code)
);

-- National releases (added columns): a generated row is flagged synthetic from raw to the marts; a complete
-- release names the provinces it does not rank that year (e.g. PAPI 2023: no score for two provinces).
alter table raw.release_files add column if not exists is_synthetic boolean not null default false;
alter table raw.component_scores add column if not exists is_synthetic boolean not null default false;
alter table raw.releases add column if not exists units_not_ranked text;   -- unit codes, comma-separated

-- Facts a release's source report prints with different values (a package's conflicts.csv): one row per candidate
-- value, with where it is printed, its support, and how the fact was settled (resolved, unresolved, decided).
create table if not exists raw.printed_conflicts (
    release_id       text not null references raw.releases (release_id),
    file_sha256      text not null,
    source_file      text not null,
    source_row       integer not null,
    unit_name        text not null,
    unit_code        text not null,
    unit_type        text not null,
    component_code   text not null,
    score_kind       text not null,                 -- empty for a national release
    measure          text not null,                 -- score | rank
    status           text not null,                 -- resolved | unresolved | decided
    candidate_value  numeric not null,
    is_published     boolean not null,
    printings        text not null,                 -- lines of the source document that print this value
    support          integer not null,              -- printings + relations + independent sources agreeing
    evidence         text not null,
    decision_reason  text,                          -- a person's reason (packaging.yaml decisions)
    source_ref       text not null,
    loaded_at        timestamptz not null default now(),
    primary key (release_id, unit_code, component_code, score_kind, measure, candidate_value)
);

-- One row per component of a methodology version, loaded from data/methodology/<index>/<version>.yaml.
create table if not exists raw.methodology_components (
    index_code               text not null,
    methodology_version      text not null,
    file_sha256              text not null,
    source_row               integer not null,      -- position in the yaml component list (1-based)
    component_code           text not null,
    parent_code              text,
    level                    text not null,
    part                     text,
    max_score                numeric,
    min_score                numeric,
    required                 boolean not null,
    comparable_with_previous boolean,
    name_vi                  text not null,
    name_en                  text,
    source_ref               text,
    previous_version         text,
    loaded_at                timestamptz not null default now(),
    primary key (index_code, methodology_version, file_sha256, component_code)
);

create table if not exists raw.methodology_versions (
    index_code          text not null,
    methodology_version text not null,
    file_sha256         text not null,
    file_path           text not null,
    first_year          integer not null,
    last_year           integer,
    previous_version    text,
    loaded_at           timestamptz not null default now(),
    primary key (index_code, methodology_version, file_sha256)
);

-- Announced corrections (data/corrections/<index>/<year>.yaml): fixes a publisher announced but has not
-- re-published. Each load of a changed file is a new file version; the latest version of a file is in force.
create table if not exists raw.correction_files (      -- every change of state of a corrections file
    file_path    text not null,
    file_sha256  text not null,                      -- of the file as loaded; 'absent' once it is deleted
    index_code   text not null,
    year         integer not null,
    entries      integer not null,
    loaded_at    timestamptz not null default clock_timestamp(),
    primary key (file_path, loaded_at)
);

create table if not exists raw.announced_corrections (
    file_path       text not null,
    file_sha256     text not null,
    source_row      integer not null,                -- position of the entry in the file (1-based)
    index_code      text not null,
    year            integer not null,
    unit_code       text not null,
    unit_name       text not null,
    component_code  text not null,
    old_score       numeric not null,                -- the published value the fix replaces
    new_score       numeric not null,
    reason          text not null,
    announced_in    text,                            -- where the publisher announced it
    loaded_at       timestamptz not null default now(),
    primary key (file_path, file_sha256, source_row)
);

-- A province's own index of its departments and districts: one row per release, unit, component and score kind
-- (self-assessed, appraised by the council, survey, final). Loaded from packages with layout unit_scores.
create table if not exists raw.unit_scores (
    release_id           text not null,             -- a release of raw.releases (checked per statement, below)
    file_sha256          text not null,
    source_file          text not null,             -- the data file, relative to the repository
    source_row           integer not null,          -- line number in the data file (header = 1)
    unit_name            text not null,             -- as published
    unit_code            text not null,             -- resolved through data/reference (the version valid that year)
    unit_type            text not null,             -- department | district | commune
    component_code       text not null,
    score_kind           text not null,             -- self | appraised | survey | final
    score                numeric,                   -- points; empty where only a percentage is printed
    pct_of_max           numeric,                   -- percentage of the maximum as printed
    rank                 integer,                   -- rank within the unit's group as printed
    rank_of              integer,
    change_printed       numeric,                   -- change vs the previous year as printed (points of %)
    rank_change_printed  integer,                   -- places gained (+) or lost (-) as printed
    source_ref           text,
    loaded_at            timestamptz not null default now(),
    primary key (release_id, unit_code, component_code, score_kind)
);

-- Unit groups and unit-specific scales of a methodology version (data/methodology/<index>/<version>.yaml).
create table if not exists raw.methodology_unit_groups (
    index_code          text not null,
    methodology_version text not null,
    file_sha256         text not null,
    source_row          integer not null,           -- position of the group in the yaml list (1-based)
    group_code          text not null,
    unit_type           text not null,
    unit_code           text not null,              -- one row per member
    name_vi             text not null,
    name_en             text,
    source_ref          text,
    loaded_at           timestamptz not null default now(),
    primary key (index_code, methodology_version, file_sha256, unit_code)
);

create table if not exists raw.methodology_unit_scales (
    index_code          text not null,
    methodology_version text not null,
    file_sha256         text not null,
    source_row          integer not null,           -- position of the scale in the yaml list (1-based)
    target_kind         text not null,              -- unit | group | unit_type
    target              text not null,
    component_code      text not null,
    max_score           numeric,
    assessed            text not null,              -- yes | no | partly
    note                text,
    source_ref          text,
    loaded_at           timestamptz not null default now(),
    primary key (index_code, methodology_version, file_sha256, target_kind, target, component_code)
);

-- What each pipeline run did.
create table if not exists audit.load_log (
    run_id      text not null,
    release_id  text not null,
    action      text not null,                       -- loaded | unchanged | rejected
    detail      text,
    rows        integer,
    logged_at   timestamptz not null default now()
);

create table if not exists audit.validation_runs (
    run_id          text not null,
    suite_name      text not null,
    candidate       text not null,
    success         boolean not null,
    blocking_failed integer not null,
    warnings        integer not null,
    evaluated       integer not null,
    data_docs       text,
    validated_at    timestamptz not null default now(),
    primary key (run_id, suite_name)
);

-- Findings of the checks: every failed expectation with its location.
create table if not exists audit.findings (
    run_id          text not null,
    severity        text not null,                   -- critical | warning
    expectation     text not null,
    release_id      text,
    unit_code       text,
    component_code  text,
    observed        text,
    expected        text,
    source_ref      text,
    found_at        timestamptz not null default now()
);

-- Every value a later edition or an announced correction changed: old -> new, with why and when.
create table if not exists audit.corrections (
    index_code       text not null,
    year             integer not null,
    unit_code        text not null,
    component_code   text not null,
    field            text not null,                  -- score | rank | rank_of
    old_value        numeric,
    new_value        numeric,
    change           text not null,                  -- changed | added | removed | announced
    release_id       text not null,                  -- the edition (or corrected release) bringing the change
    previous_release_id text,
    reason           text,
    source           text,                           -- release.yaml or corrections file
    recorded_at      timestamptz not null default now()
);

-- Published names normalised on the way in (NFC, spacing, prefixes, aliases), so none is silent.
create table if not exists audit.normalisations (
    release_id   text not null,
    source_file  text not null,
    source_row   integer not null,
    column_name  text not null,
    original     text not null,
    normalised   text not null,
    rule         text not null,
    logged_at    timestamptz not null default now()
);

create table if not exists audit.publish_log (
    run_id        text not null,
    partitions    text not null,
    tables        integer not null,
    rows          integer not null,
    published_at  timestamptz not null default now()
);

-- Plans (data/plans/<plan_id>/): targets and responsible departments. Every load of a changed plan is a new
-- row; the latest load of a plan_id is in force ('absent' = the plan's folder was removed: withdrawn).
create table if not exists raw.plans (
    plan_load_id     bigserial primary key,
    plan_id          text not null,
    manifest_sha256  text not null,                  -- of plan.yaml as loaded; 'absent' once withdrawn
    manifest_path    text not null,
    plan_ref         text not null,                  -- the plan as printed (number and date)
    title            text,
    issued_by        text not null,
    issued_on        date,
    source           text not null,                  -- where its targets are printed
    loaded_at        timestamptz not null default clock_timestamp()
);

create table if not exists raw.targets (
    plan_load_id      bigint not null references raw.plans (plan_load_id),
    plan_id           text not null,
    file_sha256       text not null,
    source_file       text not null,
    source_row        integer not null,               -- line in targets.csv (header = 1)
    index_code        text not null,
    target_year       integer not null,
    unit_name         text not null,
    unit_code         text not null,
    unit_type         text not null,
    component_code    text,                           -- empty only for metric 'other'
    metric            text not null,                  -- pct_of_max_min, pct_min, rank_min, rank_max, rank_gain_min, rank_gain_max, other
    value             numeric,
    bound             text,                           -- above ('Trên X%') | at_least ('Từ X% trở lên'); percentages only
    target_printed    text,                           -- the target as printed
    owner_vi          text,                           -- responsible department(s) as printed
    verdict_printed   text,                           -- the verdict a report printed beside the target
    result_printed    numeric,                        -- the result that report printed beside it
    result_source_ref text,
    section           text,
    source_ref        text not null,                  -- where the target is printed
    loaded_at         timestamptz not null default now(),
    primary key (plan_load_id, source_row)
);

create table if not exists raw.component_owners (
    plan_load_id    bigint not null references raw.plans (plan_load_id),
    plan_id         text not null,
    file_sha256     text not null,
    source_file     text not null,
    source_row      integer not null,
    index_code      text not null,
    year            integer not null,
    unit_name       text not null,
    unit_code       text not null,
    unit_type       text not null,
    component_code  text not null,
    owner_vi        text not null,                   -- lead / monitoring department(s) as printed
    source_ref      text not null,
    loaded_at       timestamptz not null default now(),
    primary key (plan_load_id, source_row)
);

-- The audit of published reports (govwh audit-report): every discrepancy of a report's printed figures,
-- against themselves and against the marts. A rerun replaces the report's rows.
create table if not exists audit.report_findings (
    report           text not null,                  -- folder name under data/reports
    scores_sha256    text not null,                  -- of the audited scores.csv
    source_ref       text not null,                  -- where the figure is printed (L<line> in source.txt)
    index_code       text not null,
    year             integer not null,
    unit_name        text not null,
    component_code   text not null,
    measure          text not null,                  -- score | pct_of_max | rank | delta | rank_change
    printed_value    numeric,
    expected_value   numeric,
    kind             text not null,                  -- parts_do_not_sum | delta_not_difference | pct_not_score_over_max | printed_twice | rank_above_ranked_units | differs_from_warehouse
    detail           text not null,
    audited_at       timestamptz not null default now()
);

-- A later edition that changes coverage, its unit set or its methodology version says why (release.yaml `changes`).
alter table raw.releases add column if not exists declared_changes jsonb;

-- What each candidate schema was built from (wap/candidates.py): a fingerprint of raw and of the publishes so far,
-- compared under the run lock before the candidate is published; a candidate built before another run changed
-- raw or published is rebuilt, never published as it is.
create table if not exists audit.candidate_builds (
    candidate     text primary key,
    run_id        text not null,
    partitions    text not null,
    raw_state     text not null,
    built_at      timestamptz not null default now()
);
-- A partial run's candidate reuses published dimensions whose inputs did not change (wap/reuse.py): which ones it
-- reused and the fingerprint of what it was built from.
alter table audit.candidate_builds add column if not exists inputs text not null default '';
alter table audit.candidate_builds add column if not exists reused text not null default '';

-- What each published reusable dimension was built from (the reference files, the dbt project, the methodology in
-- raw) and the md5 of its content as published: a later partial run reuses it only while both still match.
create table if not exists audit.published_inputs (
    relation      text primary key,
    inputs        text not null,
    content       text not null,
    run_id        text not null,
    published_at  timestamptz not null default now()
);

-- Releases taken out of raw (load/withdraw.py): an edition that was refused and never published, once its files
-- are removed or replaced ('discarded'), or a published edition withdrawn with `govwh retract` ('retracted').
-- Their rows are kept here as they were in raw.
create table if not exists audit.withdrawals (
    withdrawal_id   bigserial primary key,
    release_id      text not null,
    manifest_sha256 text not null,
    kind            text not null,                   -- discarded | retracted
    reason          text not null,
    was_published   boolean not null,
    rows            integer not null,
    release_row     jsonb not null,                  -- the raw.releases row
    withdrawn_by    text not null default current_user,
    withdrawn_at    timestamptz not null default now()
);

create table if not exists audit.withdrawn_rows (
    withdrawal_id   bigint not null references audit.withdrawals (withdrawal_id),
    source_table    text not null,                   -- raw.component_scores | raw.unit_scores | raw.release_files
    row_data        jsonb not null
);

-- The release of every fact row, checked once per statement (a file's COPY or INSERT) instead of a foreign key's
-- per-row trigger (4 s of every 640,000 rows). Same guarantee: a fact row names a release of raw.releases (locked
-- FOR KEY SHARE, as the foreign key does), and a release with fact rows cannot be deleted.
alter table raw.component_scores drop constraint if exists component_scores_release_id_fkey;
alter table raw.unit_scores drop constraint if exists unit_scores_release_id_fkey;

create or replace function raw.check_fact_releases() returns trigger language plpgsql as $$
declare
    missing text;
begin
    perform 1 from raw.releases as r where r.release_id in (select distinct release_id from new_rows) for key share;
    select n.release_id into missing from (select distinct release_id from new_rows) as n
    where not exists (select 1 from raw.releases as r where r.release_id = n.release_id) limit 1;
    if missing is not null then
        raise foreign_key_violation using message = format('%s: release %s is not in raw.releases', tg_table_name,
                                                            missing);
    end if;
    return null;
end $$;

create or replace function raw.check_releases_without_facts() returns trigger language plpgsql as $$
declare
    held text;
begin
    select o.release_id into held from old_rows as o
    where exists (select 1 from raw.component_scores as c where c.release_id = o.release_id)
       or exists (select 1 from raw.unit_scores as u where u.release_id = o.release_id) limit 1;
    if held is not null then
        raise foreign_key_violation using message = format('release %s still has fact rows in raw', held);
    end if;
    return null;
end $$;

drop trigger if exists component_scores_release on raw.component_scores;
drop trigger if exists unit_scores_release on raw.unit_scores;
drop trigger if exists releases_without_facts on raw.releases;
create trigger component_scores_release after insert on raw.component_scores
    referencing new table as new_rows for each statement execute function raw.check_fact_releases();
create trigger unit_scores_release after insert on raw.unit_scores
    referencing new table as new_rows for each statement execute function raw.check_fact_releases();
create trigger releases_without_facts after delete on raw.releases
    referencing old table as old_rows for each statement execute function raw.check_releases_without_facts();
-- raw is append-only: a release_id is never updated, in a release or in its facts.
create or replace function raw.refuse_release_id_update() returns trigger language plpgsql as $$
begin
    if new.release_id is distinct from old.release_id then
        raise foreign_key_violation using message = format('%s: release_id is not updated in raw', tg_table_name);
    end if;
    return new;
end $$;
drop trigger if exists component_scores_release_id on raw.component_scores;
drop trigger if exists unit_scores_release_id on raw.unit_scores;
drop trigger if exists releases_release_id on raw.releases;
create trigger component_scores_release_id before update of release_id on raw.component_scores
    for each row execute function raw.refuse_release_id_update();
create trigger unit_scores_release_id before update of release_id on raw.unit_scores
    for each row execute function raw.refuse_release_id_update();
create trigger releases_release_id before update of release_id on raw.releases
    for each row execute function raw.refuse_release_id_update();
