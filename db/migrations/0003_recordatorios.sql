-- 0003_recordatorios: what the reminder planner (server/reminders.c)
-- keeps so that a pass with nothing due touches almost nothing
-- (DESIGN.md section 9: one pass over 1,000,000 activities under 2 s, a
-- second one with nothing new under 100 ms).
--
-- Each open activity the planner has looked at remembers the local date
-- of its next reminder; a pass reads only the activities whose date has
-- come, plus those never looked at whose deadline is near enough for a
-- first reminder. Both are index range scans over small partial indexes
-- (by date, not by mesa: a range per mesa misleads the planner into
-- scanning everything when there are many mesas). The
-- date is a cache: NULL means "look at me again", and the planner's unique
-- key on recordatorios, not this date, is what makes "never twice" hold,
-- so clearing it is always safe (the next pass finds the latest reminder
-- already sent and sends nothing).

ALTER TABLE actividades ADD COLUMN proximo_recordatorio date;

CREATE INDEX actividades_proximo_recordatorio
    ON actividades (proximo_recordatorio)
    WHERE estado <> 'cumplida' AND proximo_recordatorio IS NOT NULL;
CREATE INDEX actividades_sin_planificar
    ON actividades (fecha_limite)
    WHERE estado <> 'cumplida' AND proximo_recordatorio IS NULL;

-- The global cadence (the daemon's recordatorio_dias_antes and
-- recordatorio_vencida_cada) the stored dates were computed with. When a
-- pass runs with another one (the configuration changed), it clears every
-- stored date first. One row at most.
CREATE TABLE recordatorios_cadencia (
	id boolean PRIMARY KEY DEFAULT true CHECK (id),
	cadencia text NOT NULL,
	actualizada timestamptz NOT NULL DEFAULT now()
);

-- A new deadline, or an activity that is open again, needs a new look.
CREATE FUNCTION actividades_replanificar() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	NEW.proximo_recordatorio := NULL;
	RETURN NEW;
END;
$$;
CREATE TRIGGER actividades_replanificar
    BEFORE UPDATE OF fecha_limite, estado ON actividades
    FOR EACH ROW
    WHEN (NEW.fecha_limite <> OLD.fecha_limite OR
	(OLD.estado = 'cumplida' AND NEW.estado <> 'cumplida'))
    EXECUTE FUNCTION actividades_replanificar();

-- So does every activity of a mesa whose own cadence or time zone
-- changed (the columns that move reminder dates; the hour and the copy
-- thresholds do not).
CREATE FUNCTION mesas_replanificar() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	UPDATE actividades SET proximo_recordatorio = NULL
	    WHERE mesa_id = NEW.id AND proximo_recordatorio IS NOT NULL;
	RETURN NULL;
END;
$$;
CREATE TRIGGER mesas_replanificar
    AFTER UPDATE OF recordatorio_dias_antes, recordatorio_vencida_cada,
	zona_horaria ON mesas
    FOR EACH ROW
    WHEN (NEW.recordatorio_dias_antes IS DISTINCT FROM
	OLD.recordatorio_dias_antes OR
	NEW.recordatorio_vencida_cada IS DISTINCT FROM
	OLD.recordatorio_vencida_cada OR
	NEW.zona_horaria IS DISTINCT FROM OLD.zona_horaria)
    EXECUTE FUNCTION mesas_replanificar();
