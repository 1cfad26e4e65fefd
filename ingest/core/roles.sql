-- The warehouse's roles and the rights on its database (least privilege). Run by the server's administrator,
-- connected to the warehouse database: locally by `govwh db-start` (the embedded server's superuser), in docker
-- compose by docker/postgres/warehouse-init.sh when the warehouse volume is created. Safe to run again (an upgrade
-- runs it to hand existing schemas to the pipeline role).
--
--   pipeline    LOGIN, not a superuser, cannot create roles or databases: owns raw, audit, marts and the candidate
--               schemas, and is what ingest, dbt, the checks, publish, reports and docs connect as
--   bi_reader   LOGIN, reads marts only (publish grants SELECT on each published relation)
--
-- Settings read (the caller sets them first with set_config): govwh.database, and govwh.pipeline_password and
-- govwh.bi_reader_password (empty: the role's password stays as it is; the local server trusts 127.0.0.1).
do $roles$
declare
    db          text := current_setting('govwh.database');
    pipeline_pw text := coalesce(current_setting('govwh.pipeline_password', true), '');
    bi_pw       text := coalesce(current_setting('govwh.bi_reader_password', true), '');
    item        record;
begin
    begin
        create role pipeline login noinherit;
    exception when duplicate_object then null;   -- made before (or by a bootstrap running at the same time)
    end;
    begin
        create role bi_reader login noinherit;
    exception when duplicate_object then null;
    end;
    -- Also for roles that existed before: no superuser, no role or database creation, no inherited rights. Only
    -- when one is set (a managed server's administrator, not a real superuser, may not name these attributes).
    for item in select rolname from pg_roles where rolname in ('pipeline', 'bi_reader')
                and (rolsuper or rolcreatedb or rolcreaterole or rolinherit or rolreplication or rolbypassrls
                     or not rolcanlogin) loop
        execute format('alter role %I login nosuperuser nocreatedb nocreaterole noinherit noreplication nobypassrls',
                       item.rolname);
    end loop;
    if pipeline_pw <> '' then
        execute format('alter role pipeline password %L', pipeline_pw);
    end if;
    if bi_pw <> '' then
        execute format('alter role bi_reader password %L', bi_pw);
    end if;

    -- Only these roles reach the warehouse database; the pipeline creates its schemas in it.
    execute format('revoke all on database %I from public', db);
    execute format('grant connect, create, temporary on database %I to pipeline', db);
    execute format('grant connect on database %I to bi_reader', db);
    revoke all on schema public from bi_reader;

    -- Schemas and relations created before the pipeline role existed (an upgrade) change owner.
    for item in select nspname from pg_namespace
                where (nspname in ('raw', 'audit', 'marts') or nspname like 'candidate\_\_%')
                  and nspowner <> 'pipeline'::regrole loop
        execute format('alter schema %I owner to pipeline', item.nspname);
    end loop;
    for item in select c.oid::regclass::text as name,
                       case c.relkind when 'v' then 'view' when 'm' then 'materialized view'
                                      when 'S' then 'sequence' else 'table' end as kind
                from pg_class c join pg_namespace n on n.oid = c.relnamespace
                where (n.nspname in ('raw', 'audit', 'marts') or n.nspname like 'candidate\_\_%')
                  and c.relkind in ('r', 'p', 'v', 'm', 'S') and c.relowner <> 'pipeline'::regrole
                  -- a sequence that belongs to a column follows its table
                  and not (c.relkind = 'S' and exists (select 1 from pg_depend d where d.objid = c.oid
                                                       and d.deptype in ('a', 'i')))
                order by c.relkind = 'S' loop
        execute format('alter %s %s owner to pipeline', item.kind, item.name);
    end loop;
end
$roles$;
