//! The cells a load may write: for each journal the teacher writes, every (lesson, pupil) of a
//! past, not cancelled lesson where the pupil was in the group and present, and no mark of the
//! load's work type is in the way. Shared by the `load_marks` and `soak` examples and the soak
//! test.

use serde_json::Value;
use std::collections::HashSet;

/// A cell a client may write: (lesson, pupil).
pub type Cell = (String, String);

/// The work type the loads write: no other mark of the demo school or of the fixture uses it in
/// these cells.
pub const WORK_TYPE: &str = "laboratory";

/// A GET of the API as JSON; panics on anything but 200 (a load's set-up must not fail quietly).
pub async fn get_json(http: &reqwest::Client, base: &str, token: &str, path: &str) -> Value {
    let res = http
        .get(format!("{base}{path}"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), reqwest::StatusCode::OK, "GET {path}");
    res.json().await.unwrap()
}

/// The teacher's writable journals' grids, as the API gives them.
pub async fn grids(http: &reqwest::Client, base: &str, token: &str) -> Vec<Value> {
    let mut out = Vec::new();
    for j in get_json(http, base, token, "/api/v1/journals")
        .await
        .as_array()
        .unwrap()
    {
        let grid = get_json(
            http,
            base,
            token,
            &format!(
                "/api/v1/journal?group={}&subject={}",
                j["group_id"].as_str().unwrap(),
                j["subject_id"].as_str().unwrap()
            ),
        )
        .await;
        if grid["may_write"] == true {
            out.push(grid);
        }
    }
    out
}

/// The free cells of the teacher's journals up to `today` (ISO date).
pub async fn free_cells(http: &reqwest::Client, base: &str, token: &str, today: &str) -> Vec<Cell> {
    let pairs = |grid: &Value, list: &str, only_ours: bool| -> HashSet<Cell> {
        grid[list]
            .as_array()
            .unwrap()
            .iter()
            .filter(|m| !only_ours || m["work_type"] == WORK_TYPE)
            .map(|m| {
                (
                    m["lesson_id"].as_str().unwrap_or("").to_owned(),
                    m["student_id"].as_str().unwrap().to_owned(),
                )
            })
            .collect()
    };
    let mut cells = Vec::new();
    for grid in grids(http, base, token).await {
        let taken = pairs(&grid, "marks", true);
        let absent = pairs(&grid, "attendance", false);
        for l in grid["lessons"].as_array().unwrap() {
            let date = l["date"].as_str().unwrap();
            if l["status"] == "cancelled" || date > today {
                continue;
            }
            for s in grid["students"].as_array().unwrap() {
                let in_group = s["from"].as_str().unwrap() <= date
                    && s["to"].as_str().is_none_or(|to| date <= to);
                let cell = (
                    l["id"].as_str().unwrap().to_owned(),
                    s["id"].as_str().unwrap().to_owned(),
                );
                if in_group && !taken.contains(&cell) && !absent.contains(&cell) {
                    cells.push(cell);
                }
            }
        }
    }
    cells
}

/// The marks of the load's work type in the teacher's journals: id → value.
pub async fn load_marks_now(
    http: &reqwest::Client,
    base: &str,
    token: &str,
) -> std::collections::HashMap<String, String> {
    let mut out = std::collections::HashMap::new();
    for grid in grids(http, base, token).await {
        for m in grid["marks"].as_array().unwrap() {
            if m["work_type"] == WORK_TYPE {
                out.insert(
                    m["id"].as_str().unwrap().to_owned(),
                    m["value"].as_str().unwrap().to_owned(),
                );
            }
        }
    }
    out
}
