use sqlx::error::ErrorKind;

/// What can go wrong in storage.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A unique key already holds this value (e.g. a login taken).
    #[error("already exists: {0}")]
    Duplicate(String),
    /// A referenced row does not exist.
    #[error("refers to something that does not exist: {0}")]
    MissingReference(String),
    /// The row asked for does not exist.
    #[error("not found")]
    NotFound,
    /// A row was changed by someone else since it was read.
    #[error("changed by someone else")]
    Stale,
    /// The database holds something this build cannot read.
    #[error("unreadable stored data: {0}")]
    Corrupt(String),
    /// The database URL is not one Tabel understands.
    #[error("unsupported database URL {0:?}: use sqlite://FILE or postgres://…")]
    UnsupportedUrl(String),
    /// Migrations failed.
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// Any other database error.
    #[error("database error: {0}")]
    Database(sqlx::Error),
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        // Portable mapping by kind, not by constraint names (they differ between backends).
        if let Some(db) = e.as_database_error() {
            match db.kind() {
                ErrorKind::UniqueViolation => {
                    return StoreError::Duplicate(db.message().to_owned());
                }
                ErrorKind::ForeignKeyViolation => {
                    return StoreError::MissingReference(db.message().to_owned());
                }
                _ => {}
            }
        }
        if matches!(e, sqlx::Error::RowNotFound) {
            return StoreError::NotFound;
        }
        StoreError::Database(e)
    }
}

impl From<tabel_domain::school::UnknownCode> for StoreError {
    fn from(e: tabel_domain::school::UnknownCode) -> Self {
        StoreError::Corrupt(e.to_string())
    }
}
