-- pald's database and its two roles, with least privilege. Run it once,
-- as a PostgreSQL superuser, with psql (it uses \gexec and \connect):
--
--	runuser -u postgres -- psql -v ON_ERROR_STOP=1 -f pald-db-role.sql
--
-- Names can be changed with psql variables (defaults in brackets):
--	-v db=NAME [pald]  -v owner=NAME [pald_owner]  -v runtime=NAME [pald]
--
-- Two roles, because a daemon that answers the network should not be
-- able to change the schema it serves:
--
--  * the owner (pald_owner) owns the database and every table, sequence
--    and function in it. Only `pald --migrate` connects as it, from a
--    configuration file root alone can read (README.md, "Despliegue").
--  * the runtime role (pald) is what the running daemons connect as:
--    CONNECT, USAGE on the schema, SELECT/INSERT/UPDATE/DELETE on the
--    tables and USAGE/SELECT on the sequences (bigserial ids). It cannot
--    create, alter, drop or truncate anything. ALTER DEFAULT PRIVILEGES
--    gives it the same rights on whatever later migrations create.
--
-- Neither role has a password here: on one machine, peer authentication
-- over the Unix socket is enough (the pald system user maps to the pald
-- role; see README.md). For TCP, set one afterwards with \password.
--
-- It is safe to run again: existing roles and the database are kept, and
-- the grants are applied again (on tables created since, too).

\set ON_ERROR_STOP on
\if :{?db}
\else
\set db pald
\endif
\if :{?owner}
\else
\set owner pald_owner
\endif
\if :{?runtime}
\else
\set runtime pald
\endif

-- Roles: neither superuser, nor able to create databases or roles.
SELECT format('CREATE ROLE %I LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE '
    'NOINHERIT', :'owner')
WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'owner')
\gexec
SELECT format('CREATE ROLE %I LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE '
    'NOINHERIT', :'runtime')
WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'runtime')
\gexec

-- The database, UTF-8 whatever the cluster's default: every text pald
-- stores is Spanish.
SELECT format('CREATE DATABASE %I OWNER %I ENCODING ''UTF8'' '
    'TEMPLATE template0', :'db', :'owner')
WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = :'db')
\gexec

-- Only our two roles may connect (the owner may, being the owner), and
-- the runtime role may not even create temporary tables.
SELECT format('REVOKE ALL ON DATABASE %I FROM PUBLIC', :'db') \gexec
SELECT format('GRANT CONNECT ON DATABASE %I TO %I', :'db', :'runtime')
\gexec

\connect :"db"

-- PostgreSQL 15 already denies CREATE on public to PUBLIC; older
-- clusters did not, and the schema should belong to the owner either way.
ALTER SCHEMA public OWNER TO :"owner";
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO :"runtime";

-- What exists now (nothing on a new database; everything when this is
-- run again after migrations)...
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public
    TO :"runtime";
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO :"runtime";

-- ...and what the owner's migrations create from now on.
ALTER DEFAULT PRIVILEGES FOR ROLE :"owner" IN SCHEMA public
    GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO :"runtime";
ALTER DEFAULT PRIVILEGES FOR ROLE :"owner" IN SCHEMA public
    GRANT USAGE, SELECT ON SEQUENCES TO :"runtime";
