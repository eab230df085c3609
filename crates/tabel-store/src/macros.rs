//! One SQL text, two drivers: these macros run the same query on whichever connection a
//! [`crate::Conn`] holds. Arguments must encode on both backends (i64, text, dates, instants).

/// Fetches all rows as `$row`.
macro_rules! fetch_all {
    ($conn:expr, $row:ty, $sql:expr $(, $arg:expr)* $(,)?) => {
        match $conn {
            $crate::Conn::Sqlite(c) => sqlx::query_as::<_, $row>($sql)$(.bind($arg))*.fetch_all(&mut **c).await,
            $crate::Conn::Postgres(c) => sqlx::query_as::<_, $row>($sql)$(.bind($arg))*.fetch_all(&mut **c).await,
        }
    };
}

/// Fetches at most one row as `$row`.
macro_rules! fetch_optional {
    ($conn:expr, $row:ty, $sql:expr $(, $arg:expr)* $(,)?) => {
        match $conn {
            $crate::Conn::Sqlite(c) => sqlx::query_as::<_, $row>($sql)$(.bind($arg))*.fetch_optional(&mut **c).await,
            $crate::Conn::Postgres(c) => sqlx::query_as::<_, $row>($sql)$(.bind($arg))*.fetch_optional(&mut **c).await,
        }
    };
}

/// Fetches exactly one row as `$row`.
macro_rules! fetch_one {
    ($conn:expr, $row:ty, $sql:expr $(, $arg:expr)* $(,)?) => {
        match $conn {
            $crate::Conn::Sqlite(c) => sqlx::query_as::<_, $row>($sql)$(.bind($arg))*.fetch_one(&mut **c).await,
            $crate::Conn::Postgres(c) => sqlx::query_as::<_, $row>($sql)$(.bind($arg))*.fetch_one(&mut **c).await,
        }
    };
}

/// Fetches one scalar (e.g. an id from `RETURNING id`).
macro_rules! fetch_scalar {
    ($conn:expr, $ty:ty, $sql:expr $(, $arg:expr)* $(,)?) => {
        match $conn {
            $crate::Conn::Sqlite(c) => sqlx::query_scalar::<_, $ty>($sql)$(.bind($arg))*.fetch_one(&mut **c).await,
            $crate::Conn::Postgres(c) => sqlx::query_scalar::<_, $ty>($sql)$(.bind($arg))*.fetch_one(&mut **c).await,
        }
    };
}

/// Runs a statement; yields the number of rows affected.
macro_rules! execute {
    ($conn:expr, $sql:expr $(, $arg:expr)* $(,)?) => {
        match $conn {
            $crate::Conn::Sqlite(c) => sqlx::query($sql)$(.bind($arg))*.execute(&mut **c).await.map(|r| r.rows_affected()),
            $crate::Conn::Postgres(c) => sqlx::query($sql)$(.bind($arg))*.execute(&mut **c).await.map(|r| r.rows_affected()),
        }
    };
}
