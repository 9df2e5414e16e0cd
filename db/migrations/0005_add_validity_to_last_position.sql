-- The live position carries whether its fix was valid. A live position written without it takes the value
-- from the stored position it came from, or counts as valid when that is no longer stored (retention).
UPDATE devices d
   SET last_position = d.last_position || jsonb_build_object('valid', COALESCE(
         (SELECT p.valid FROM positions p WHERE p.imei = d.imei AND p.fix_time = (d.last_position->>'fixTime')::timestamptz),
         true))
 WHERE d.last_position IS NOT NULL AND d.last_position->'valid' IS NULL;
