-- The bytes a user uploaded since the start of a day (homework files, deleted ones too, and
-- scans of consent applications) are summed before each upload: the per-uploader daily cap.
CREATE INDEX homework_files_uploader ON homework_files (uploaded_by, uploaded_at);
CREATE INDEX consent_scans_uploader ON consent_scans (uploaded_by, uploaded_at);
