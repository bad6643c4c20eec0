-- 0006_planner_speed: fewer index entries and foreign-key checks for
-- what a reminder pass writes (DESIGN.md section 9: the daily pass over
-- 1,000,000 activities under 2 s). A daily pass writes some 40,000
-- recordatorios and outbox rows, 20,000 enlaces and 20,000 next dates;
-- most of its time was the entries of their indexes and the checks of
-- their foreign keys, row by row. What goes here serves no query: every
-- look-up these indexes served is still served by another one (checked
-- against every statement in server/*.c).

-- recordatorios.mesa_id repeats what the row's activity or actor already
-- says: the CHECK recordatorios_referencia makes one of them non-NULL,
-- its foreign key (mesa_id, actividad_id) or (mesa_id, actor_id) makes
-- the mesa the activity's or the actor's, and deleting a mesa deletes
-- its activities and actors, which delete their reminders. The direct
-- key to mesas only checked again what those keys check (one look-up per
-- reminder), and its index served nothing else.
ALTER TABLE recordatorios DROP CONSTRAINT recordatorios_mesa_id_fkey;
DROP INDEX recordatorios_mesa;

-- "The latest reminder of an activity" was the planner's look-up before
-- migration 0003 stored the next date; nothing reads it since, and the
-- unique key (actividad_id, ...) serves look-ups by activity.
DROP INDEX recordatorios_ultimo;

-- Columns that are NULL in most rows: an index entry only where there is
-- a value. A look-up by value (and the cascades of the foreign keys,
-- "WHERE mesa_id = $1 AND actor_id = $2") implies IS NOT NULL, so these
-- serve every query the full indexes served.
DROP INDEX recordatorios_actor;
CREATE INDEX recordatorios_actor ON recordatorios (actor_id)
    WHERE actor_id IS NOT NULL;
DROP INDEX enlaces_actor;
CREATE INDEX enlaces_actor ON enlaces (actor_id) WHERE actor_id IS NOT NULL;
DROP INDEX enlaces_version;
CREATE INDEX enlaces_version ON enlaces (version_id)
    WHERE version_id IS NOT NULL;
DROP INDEX enlaces_usuario;
CREATE INDEX enlaces_usuario ON enlaces (usuario_id)
    WHERE usuario_id IS NOT NULL;

-- actividades_numero_key (compromiso_id, numero) already leads with
-- compromiso_id: the single-column index was a second copy that every
-- update of an activity's next reminder date had to write.
DROP INDEX actividades_compromiso;

-- The only links an address identifies are the feeds of a responsable
-- (web_feed.c); a progress link keeps its email for the record, but
-- nothing looks links up by it, and one is written per reminder.
DROP INDEX enlaces_email;
CREATE INDEX enlaces_email ON enlaces (lower(email)) WHERE proposito = 'feed';
