-- 0002: the delivery of every email of a mesa is on its timeline.
--
-- The mailer records each outcome with one UPDATE of outbox.estado; this
-- trigger turns that change into an event in the same transaction, so the
-- garante can audit that the materials, the convocatoria and the PAL
-- reached each actor (or bounced), with the server's reply, without the
-- mailer knowing about timelines.
CREATE FUNCTION outbox_evento_entrega() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO eventos (mesa_id, tipo, descripcion, datos)
	VALUES (NEW.mesa_id,
	    CASE NEW.estado WHEN 'enviado' THEN 'correo.entregado'
		ELSE 'correo.fallido' END,
	    CASE NEW.estado
		WHEN 'enviado' THEN 'Correo «' || NEW.asunto ||
		    '» entregado al servidor de ' || NEW.destinatario || '.'
		ELSE 'Correo «' || NEW.asunto || '» a ' || NEW.destinatario ||
		    ' no pudo entregarse: ' ||
		    coalesce(NEW.ultima_respuesta, 'sin respuesta') || '.'
	    END,
	    jsonb_build_object('outbox_id', NEW.id, 'tipo', NEW.tipo,
		'destinatario', NEW.destinatario, 'codigo', NEW.ultimo_codigo,
		'respuesta', NEW.ultima_respuesta));
	RETURN NULL;
END;
$$;

CREATE TRIGGER outbox_evento_entrega AFTER UPDATE OF estado ON outbox
    FOR EACH ROW
    WHEN (NEW.mesa_id IS NOT NULL AND NEW.estado <> OLD.estado AND
	NEW.estado IN ('enviado', 'fallido'))
    EXECUTE FUNCTION outbox_evento_entrega();
