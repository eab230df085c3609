//! The inventory of the router: every route as a method and a path pattern, for the permission
//! matrix test that must fail when a route is added without its row.
//!
//! axum keeps no public listing of a router's routes. Its `Debug` output does name each route's
//! path and, per method, whether a handler is set, and that is what is read here; a format this
//! reader does not understand is an error, never an empty or partial list.

use crate::AppState;
use axum::Router;

/// A route of the router.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RouteEntry {
    /// `GET`, `POST`, `PUT`, `PATCH`, `DELETE`; `ANY` for a service mounted without methods.
    pub method: String,
    /// The pattern as registered, e.g. `/api/v1/students/{id}`.
    pub path: String,
}

/// The methods a route may name, as `MethodRouter`'s `Debug` spells its fields. `HEAD` is
/// answered by `GET` and `OPTIONS`, `TRACE`, `CONNECT` are not used here; each is still listed
/// when set.
const METHODS: [&str; 9] = [
    "get", "head", "delete", "options", "patch", "post", "put", "trace", "connect",
];

/// Every route of the whole HTTP surface ([`crate::router`]), sorted by path then method.
pub fn routes(state: AppState) -> Result<Vec<RouteEntry>, String> {
    inventory(&crate::router(state))
}

/// Every route of `router`, sorted by path then method.
pub fn inventory(router: &Router) -> Result<Vec<RouteEntry>, String> {
    let text = format!("{router:?}");
    // The router's own routes come first; its fallback router (after) holds none of ours.
    let own = text
        .split_once(", fallback_router: ")
        .map(|(own, _)| own)
        .ok_or("no fallback_router in the router's Debug output")?;
    let (endpoints, paths) = own
        .split_once("node: Node { paths: {")
        .ok_or("no node paths in the router's Debug output")?;
    let mut by_id = std::collections::HashMap::new();
    for chunk in paths.split("RouteId(").skip(1) {
        let (id, rest) = chunk.split_once("): \"").ok_or("unreadable path entry")?;
        let (path, _) = rest.split_once('"').ok_or("unterminated path")?;
        by_id.insert(id.to_owned(), path.to_owned());
    }
    let mut out = Vec::new();
    for chunk in endpoints.split("RouteId(").skip(1) {
        let (id, rest) = chunk.split_once("): ").ok_or("unreadable route entry")?;
        let path = by_id
            .get(id)
            .ok_or_else(|| format!("route {id} has no path"))?;
        if let Some(methods) = rest.strip_prefix("MethodRouter(MethodRouter { ") {
            let mut any = false;
            for m in METHODS {
                let field = format!("{m}: ");
                let at = methods
                    .find(&field)
                    .ok_or_else(|| format!("no {m} in the method router of {path}"))?;
                if !methods[at + field.len()..].starts_with("None") {
                    any = true;
                    out.push(RouteEntry {
                        method: m.to_uppercase(),
                        path: path.clone(),
                    });
                }
            }
            if !any {
                return Err(format!("no method set for {path}"));
            }
        } else if rest.starts_with("Route(") {
            out.push(RouteEntry {
                method: "ANY".to_owned(),
                path: path.clone(),
            });
        } else {
            return Err(format!("unreadable endpoint of {path}"));
        }
    }
    if out.is_empty() || by_id.len() != endpoints.matches("RouteId(").count() {
        return Err("the router's routes and paths do not match".to_owned());
    }
    out.sort_by(|a, b| (&a.path, &a.method).cmp(&(&b.path, &b.method)));
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::routing::{get, post};

    #[test]
    fn every_route_and_method_is_listed() {
        let router: Router = Router::new()
            .route("/a/{id}", get(|| async {}).post(|| async {}))
            .route("/b", post(|| async {}))
            .merge(Router::new().route("/c", get(|| async {}).delete(|| async {})))
            .layer(tower_http::catch_panic::CatchPanicLayer::new())
            .fallback(|| async {});
        let listed: Vec<(String, String)> = inventory(&router)
            .unwrap()
            .into_iter()
            .map(|r| (r.method, r.path))
            .collect();
        let want = [
            ("GET", "/a/{id}"),
            ("POST", "/a/{id}"),
            ("POST", "/b"),
            ("DELETE", "/c"),
            ("GET", "/c"),
        ];
        assert_eq!(
            listed,
            want.map(|(m, p)| (m.to_owned(), p.to_owned())).to_vec()
        );
    }
}
