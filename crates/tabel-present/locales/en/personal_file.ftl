# The personal file (личное дело) of a pupil who moves to another school.
personal-file-title = Personal file
personal-file-hint = For a move to another school: a PDF with a verification code and a machine-readable file another school running Tabel imports. Each issue is audited.
personal-file-pdf = Personal file (PDF)
personal-file-json = File for another school (JSON)
personal-file-code = Code
personal-file-school = School
personal-file-years = Years
personal-file-issued = Issued
personal-file-imported = Imported
personal-file-shown = shown in the record
personal-file-import = Import the personal file from the previous school
personal-file-import-hint = The JSON file the previous school's Tabel issued (up to 2 MB). Its years appear in the record marked with the school and the code.
personal-file-import-submit = Import
personal-file-too-large = The personal file is larger than 2 MB.
personal-file-malformed = The form could not be read: choose the file and send it again.
record-from-file = { $school } · personal file { $code }
extracts-channel-personal_file = personal file
