//! The administration's pages (`/admin/{school}/…`) are opened only to the school's
//! administrators and deputy heads, and that is decided before a handler reads the request's
//! body: a form or an uploaded workbook from anyone else is never parsed. Everyone else of the
//! school is refused (403), anyone else is told nothing (404, as for a school that does not
//! exist), and a visitor who is not logged in is sent to the login page. The handlers still
//! check the finer rules (what a deputy head may change).

use crate::AppState;
use crate::error::PageError;
use crate::extract::PageUser;
use axum::extract::{FromRequestParts, Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tabel_domain::SchoolId;
use tabel_domain::school::Role;

/// The school of an administration path: `/admin/7/people` → 7.
fn school_of(path: &str) -> Option<SchoolId> {
    let rest = path.strip_prefix("/admin/")?;
    let id = rest.split('/').next()?;
    id.parse::<i64>().ok().map(SchoolId::new)
}

/// The middleware: see the module's documentation.
pub(crate) async fn admin_gate(
    State(state): State<AppState>,
    req: Request,
    next: Next,
) -> Response {
    let Some(school) = school_of(req.uri().path()) else {
        return next.run(req).await;
    };
    let (mut parts, body) = req.into_parts();
    let user = match PageUser::from_request_parts(&mut parts, &state).await {
        Ok(u) => u,
        Err(e) => return e.into_response(),
    };
    let p = &user.who.principal;
    if p.is_admin_of(school) || p.has_role(Role::Deputy, school) {
        return next.run(Request::from_parts(parts, body)).await;
    }
    if p.schools().contains(&school) {
        return PageError::Status(StatusCode::FORBIDDEN, "error-forbidden", String::new())
            .into_response();
    }
    PageError::not_found().into_response()
}

#[cfg(test)]
mod tests {
    use super::school_of;
    use tabel_domain::SchoolId;

    #[test]
    fn the_school_is_read_from_the_administrations_paths_only() {
        assert_eq!(school_of("/admin/7/people"), Some(SchoolId::new(7)));
        assert_eq!(school_of("/admin/7"), Some(SchoolId::new(7)));
        assert_eq!(school_of("/admin/x/people"), None);
        assert_eq!(school_of("/admin"), None);
        assert_eq!(school_of("/journal/7"), None);
    }
}
