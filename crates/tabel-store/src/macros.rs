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

/// Fetches many rows as one: the rows of `$inner` (a SELECT of `$cols`) come back as a single
/// JSON array of arrays — SQLite's `json_group_array`, PostgreSQL's `json_agg` — decoded into
/// `Vec<$row>` (`$row` deserialises from an array in `$cols` order). For reads of thousands
/// of small rows: the SQLite driver hands every row from its thread to the caller's (a wake-up
/// each), which costs more than the query itself; one row pays that once. A malformed array
/// is [`StoreError::Corrupt`](crate::StoreError::Corrupt).
macro_rules! fetch_packed {
    ($conn:expr, $row:ty, $cols:literal, $inner:expr $(, $arg:expr)* $(,)?) => {{
        let text: Option<String> = match $conn {
            $crate::Conn::Sqlite(c) => sqlx::query_scalar(concat!(
                "SELECT json_group_array(json_array(", $cols, ")) FROM (", $inner, ") AS packed"
            ))$(.bind($arg))*.fetch_one(&mut **c).await?,
            $crate::Conn::Postgres(c) => sqlx::query_scalar(concat!(
                "SELECT CAST(json_agg(json_build_array(", $cols, ")) AS TEXT) FROM (", $inner, ") AS packed"
            ))$(.bind($arg))*.fetch_one(&mut **c).await?,
        };
        match text {
            // PostgreSQL aggregates no rows to NULL.
            None => Ok::<Vec<$row>, $crate::StoreError>(Vec::new()),
            Some(t) => serde_json::from_str::<Vec<$row>>(&t)
                .map_err(|e| $crate::StoreError::Corrupt(format!("packed rows: {e}"))),
        }
    }};
}
