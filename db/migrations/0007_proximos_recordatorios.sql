-- 0007_proximos_recordatorios: the date of each open activity's next
-- reminder moves out of actividades into a narrow table of its own
-- (DESIGN.md section 9: the daily pass over 1,000,000 activities under
-- 2 s). A daily pass stores some 20,000 next dates. In actividades each
-- was a new version of a wide row with an entry in each of its seven
-- indexes (the date was in two of them): 850 ms of the pass. Here a row
-- is three columns with two index entries.
--
-- Every open activity has a row here, and only open ones: the triggers
-- below add it when the activity is created or reopened and delete it
-- when the activity is completed. proximo is the local date from which
-- the planner (server/reminders.c) should look at the activity again;
-- '-infinity' means "look at it at the next pass": a new activity, a
-- changed deadline, a mesa or global cadence that changed. As in
-- migration 0003, the date is a cache: setting it to '-infinity' is
-- always safe, since the unique key of recordatorios, not this date,
-- makes "never twice" hold.
--
-- mesa_id and fecha_limite repeat the activity's, so a pass finds what
-- it must look at in this table alone and reads actividades only for the
-- activities with a reminder due. The foreign key on (mesa_id,
-- actividad_id) keeps the mesa equal to the activity's; the triggers
-- below copy the deadline whenever it changes.
CREATE TABLE recordatorios_proximos (
	actividad_id bigint PRIMARY KEY,
	mesa_id bigint NOT NULL,
	fecha_limite date NOT NULL,
	proximo date NOT NULL DEFAULT '-infinity',
	FOREIGN KEY (mesa_id, actividad_id) REFERENCES actividades (mesa_id, id)
	    ON DELETE CASCADE
);
CREATE INDEX recordatorios_proximos_fecha ON recordatorios_proximos (proximo);

INSERT INTO recordatorios_proximos (actividad_id, mesa_id, fecha_limite,
    proximo)
    SELECT id, mesa_id, fecha_limite,
	coalesce(proximo_recordatorio, '-infinity')
    FROM actividades WHERE estado <> 'cumplida';

-- The column, its two indexes (dropped with it) and the trigger that
-- cleared it.
DROP TRIGGER actividades_replanificar ON actividades;
DROP FUNCTION actividades_replanificar();
ALTER TABLE actividades DROP COLUMN proximo_recordatorio;

-- New activities, however many one statement inserts.
CREATE FUNCTION actividades_proximos_nuevas() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO recordatorios_proximos (actividad_id, mesa_id,
	    fecha_limite)
	    SELECT id, mesa_id, fecha_limite FROM nuevas
	    WHERE estado <> 'cumplida';
	RETURN NULL;
END;
$$;
CREATE TRIGGER actividades_proximos_nuevas
    AFTER INSERT ON actividades
    REFERENCING NEW TABLE AS nuevas
    FOR EACH STATEMENT
    EXECUTE FUNCTION actividades_proximos_nuevas();

-- A completed activity gets nothing more; a new deadline, or an activity
-- that is open again, needs a new look.
CREATE FUNCTION actividades_replanificar() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	IF NEW.estado = 'cumplida' THEN
		DELETE FROM recordatorios_proximos WHERE actividad_id = NEW.id;
	ELSE
		INSERT INTO recordatorios_proximos (actividad_id, mesa_id,
		    fecha_limite)
		    VALUES (NEW.id, NEW.mesa_id, NEW.fecha_limite)
		    ON CONFLICT (actividad_id) DO UPDATE
		    SET fecha_limite = EXCLUDED.fecha_limite,
			proximo = '-infinity';
	END IF;
	RETURN NULL;
END;
$$;
CREATE TRIGGER actividades_replanificar
    AFTER UPDATE OF fecha_limite, estado ON actividades
    FOR EACH ROW
    WHEN (NEW.fecha_limite <> OLD.fecha_limite OR
	(OLD.estado = 'cumplida') <> (NEW.estado = 'cumplida'))
    EXECUTE FUNCTION actividades_replanificar();

-- A mesa's own cadence or time zone changed (trigger mesas_replanificar,
-- migration 0003). No index by mesa: every index here is written again by
-- each next date a pass stores, and this runs once per change of
-- settings, over a narrow table.
CREATE OR REPLACE FUNCTION mesas_replanificar() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	UPDATE recordatorios_proximos SET proximo = '-infinity'
	    WHERE mesa_id = NEW.id AND proximo <> '-infinity';
	RETURN NULL;
END;
$$;
