-- 0008_escritura_de_recordatorios: fewer checks and index entries for
-- what a reminder pass writes (DESIGN.md section 9: the daily pass over
-- 1,000,000 activities under 2 s). That pass writes some 41,000
-- recordatorios, 24,000 emails, 22,000 progress links and 1,000 events;
-- after migration 0007, a quarter of its time in PostgreSQL was the
-- foreign-key checks of those rows, one query each. Each change below
-- says why the rule it touches still holds. Measured with
-- tests/bench/bench_recordatorios.c; see docs/BENCHMARKS.md.

-- Links with a mesa are acuse, conformidad and avance links, and each of
-- those has a foreign key (mesa_id, actor_id) or (mesa_id, actividad_id)
-- that already makes its mesa exist (and deletes the link with the
-- mesa's actors or activities). feed and monitoreo links have no mesa;
-- the CHECK now says so, and the direct key to mesas, one more look-up
-- per link, goes. So does its index, enlaces_mesa: no statement looks
-- links up by mesa alone (revoking an actor's links goes by actor_id,
-- enlaces_actor), and the keys' cascades have enlaces_actor,
-- enlaces_actividad and enlaces_version.
ALTER TABLE enlaces DROP CONSTRAINT enlaces_referencias;
ALTER TABLE enlaces ADD CONSTRAINT enlaces_referencias CHECK (CASE proposito
    WHEN 'acuse' THEN mesa_id IS NOT NULL AND actor_id IS NOT NULL
    WHEN 'conformidad' THEN mesa_id IS NOT NULL AND
	actor_id IS NOT NULL AND version_id IS NOT NULL
    WHEN 'avance' THEN mesa_id IS NOT NULL AND actividad_id IS NOT NULL
    WHEN 'feed' THEN mesa_id IS NULL AND
	(usuario_id IS NULL) <> (email IS NULL)
    WHEN 'monitoreo' THEN mesa_id IS NULL AND usuario_id IS NOT NULL
    END);
ALTER TABLE enlaces DROP CONSTRAINT enlaces_mesa_id_fkey;
DROP INDEX enlaces_mesa;

-- The same rule for the hash, without the bounded repetition {64}, which
-- PostgreSQL's regular expressions run eight times slower (measured:
-- 3.7 against 0.44 microseconds per value).
ALTER TABLE enlaces DROP CONSTRAINT enlaces_hash_check;
ALTER TABLE enlaces ADD CONSTRAINT enlaces_hash_check
    CHECK (length(hash) = 64 AND hash !~ '[^0-9a-f]');

-- recordatorios.outbox_id names the email that carried a reminder. Both
-- rows are written by one planner transaction (server/reminders.c), the
-- id taken from the outbox INSERT it just ran; nothing else writes the
-- column, and pald deletes an outbox row only to withdraw the email of a
-- reminder that was not recorded. The foreign key checked that again
-- for every reminder, with a lock on its email (41,000 a day at
-- 1,000,000 activities, 7 % of the pass with its index), and its one
-- action, ON DELETE SET NULL, only mattered if an operator purged old
-- emails, after which the id of an email that is gone says what NULL
-- said. No statement looks reminders up by their email, so the index
-- goes with it.
ALTER TABLE recordatorios DROP CONSTRAINT recordatorios_outbox_id_fkey;
DROP INDEX recordatorios_outbox;

-- Every email a pass queues is an outbox row with an entry in each of its
-- indexes. outbox_mesa served only the key's ON DELETE SET NULL when a
-- mesa is deleted, which pald never does (no statement
-- deletes mesas). Should an operator delete one by hand, PostgreSQL
-- finds its emails by reading the outbox once.
DROP INDEX outbox_mesa;

-- A pass writes one event per mesa listing what it queued, tens of kB of
-- JSON for a mesa with many reminders that day; lz4 compresses it at a
-- fraction of pglz's cost (measured: 1,000 events of 33 kB, 234 ms with
-- pglz, 154 ms with lz4). Rows written before keep their compression.
ALTER TABLE eventos ALTER COLUMN datos SET COMPRESSION lz4;
