-- 0009_mesas_terminadas: a mesa that ends (concluida or cancelada, both
-- final, common/rules.c) gets no more reminders, so its activities leave
-- recordatorios_proximos (migration 0007). Otherwise the open activities
-- a concluded PAL leaves behind, with next dates long past, would be read
-- and thrown away by every pass from then on: the pass with nothing new
-- would grow with every mesa that ends.
--
-- An activity edited after its mesa ended (a late progress report that
-- reopens it) gets its row back from actividades_replanificar, and passes
-- skip it like before, as they skip every mesa not en_seguimiento.
CREATE FUNCTION mesas_terminadas() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	DELETE FROM recordatorios_proximos WHERE mesa_id = NEW.id;
	RETURN NULL;
END;
$$;
CREATE TRIGGER mesas_terminadas
    AFTER UPDATE OF fase ON mesas
    FOR EACH ROW
    WHEN (NEW.fase IN ('concluida', 'cancelada') AND
	OLD.fase IS DISTINCT FROM NEW.fase)
    EXECUTE FUNCTION mesas_terminadas();

DELETE FROM recordatorios_proximos x USING mesas m
    WHERE m.id = x.mesa_id AND m.fase IN ('concluida', 'cancelada');
