//! The class journal through the JSON API: marks, attendance, lesson records, versions and
//! conflicts, permissions, closed periods, batches, history.
