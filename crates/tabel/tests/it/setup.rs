//! A real school moves in: `tabel school add` on an empty database, its lists imported from a
//! workbook (a preview, then all or nothing, then an unchanged re-import that writes nothing),
//! and the import's refusals of bad files through the API.

use crate::cli::tabel;
use crate::support::*;
use reqwest::StatusCode;
use serde_json::Value;
use tabel_reports::xlsx::{Sheet, workbook};

/// The CLI imports as of Monday of the fixture's week, so that the week's lessons exist by
/// the server's "today" (Saturday 28 November).
const TODAY: &str = "2026-11-23";

fn sheet(name: &str, headers: &[&str], rows: &[&[&str]]) -> Sheet {
    Sheet {
        name: name.into(),
        title: format!("{name} — СОШ № 5"),
        subtitle: String::new(),
        headers: headers.iter().map(|h| (*h).to_owned()).collect(),
        widths: Vec::new(),
        rows: rows
            .iter()
            .map(|r| r.iter().map(|c| (*c).to_owned()).collect())
            .collect(),
    }
}

/// Two parallels (5 and 6), three classes, two teachers and a deputy, six pupils, parents
/// (one with two children), the curriculum, the load and a weekly timetable.
fn school_workbook(pupil_class_of_row_2: &str) -> Vec<u8> {
    let h_staff = ["Фамилия", "Имя", "Отчество", "Должность", "Роли"];
    let h_pupils = [
        "Фамилия",
        "Имя",
        "Отчество",
        "Дата рождения",
        "Класс",
        "Номер",
        "СНИЛС",
    ];
    workbook(&[
        sheet(
            "Предметы",
            &["Предмет", "Сокращение"],
            &[&["Математика", "Матем."], &["Русский язык", "Рус. яз."]],
        ),
        sheet(
            "Сотрудники",
            &h_staff,
            &[
                &[
                    "Иванова",
                    "Мария",
                    "Петровна",
                    "учитель математики",
                    "учитель",
                ],
                &[
                    "Смирнов",
                    "Олег",
                    "Игоревич",
                    "учитель русского языка",
                    "учитель",
                ],
                &[
                    "Кузнецова",
                    "Анна",
                    "Львовна",
                    "заместитель директора",
                    "завуч, учитель",
                ],
            ],
        ),
        sheet(
            "Классы",
            &["Класс", "Смена", "Классный руководитель"],
            &[
                &["5А", "1", "Иванова М. П."],
                &["5Б", "1", "Смирнов О. И."],
                &["6А", "1", ""],
            ],
        ),
        sheet(
            "Ученики",
            &h_pupils,
            &[
                &[
                    "Петров",
                    "Артём",
                    "Сергеевич",
                    "12.05.2015",
                    pupil_class_of_row_2,
                    "101",
                    "",
                ],
                &[
                    "Петрова",
                    "Дарья",
                    "Сергеевна",
                    "03.02.2014",
                    "6А",
                    "102",
                    "",
                ],
                &[
                    "Ёлкина",
                    "Анна",
                    "Игоревна",
                    "01.02.2015",
                    "5Б",
                    "103",
                    "112-233-445 95",
                ],
                &["Орлов", "Иван", "Ильич", "20.10.2015", "5А", "104", ""],
                &[
                    "Белова",
                    "Ольга",
                    "Андреевна",
                    "11.11.2014",
                    "6А",
                    "105",
                    "",
                ],
                &["Зайцев", "Пётр", "Олегович", "07.07.2015", "5Б", "106", ""],
            ],
        ),
        sheet(
            "Родители",
            &["ФИО", "Кем приходится", "Номер ученика"],
            &[
                &["Петрова Елена Викторовна", "мать", "101"],
                &["Петрова Елена Викторовна", "мать", "102"],
                &["Ёлкин Игорь Павлович", "отец", "103"],
            ],
        ),
        sheet(
            "Учебный план",
            &["Параллель", "Предмет", "Часов в неделю", "Часть"],
            &[
                &["5", "Математика", "5", "обязательная"],
                &["5", "Русский язык", "5", ""],
                &["6", "Математика", "5", ""],
                &["6", "Русский язык", "6", ""],
            ],
        ),
        sheet(
            "Нагрузка",
            &["Учитель", "Класс", "Предмет", "Часов в неделю"],
            &[
                &["Иванова М. П.", "5А", "Математика", "5"],
                &["Иванова М. П.", "5Б", "Математика", "5"],
                &["Смирнов О. И.", "5А", "Русский язык", "5"],
                &["Кузнецова А. Л.", "6А", "Математика", "5"],
            ],
        ),
        sheet(
            "Расписание",
            &["Класс", "День", "Урок", "Предмет", "Учитель", "Кабинет"],
            &[
                &["5А", "Пн", "1", "Математика", "Иванова М. П.", "21"],
                &["5Б", "Пн", "2", "Математика", "Иванова М. П.", "21"],
                &["5А", "Пн", "2", "Русский язык", "Смирнов О. И.", "14"],
                &["6А", "Вт", "1", "Математика", "Кузнецова А. Л.", "22"],
            ],
        ),
    ])
    .unwrap()
}

fn import(url: &str, path: &std::path::Path, extra: &[&str]) -> (bool, String, String) {
    let path = path.to_str().unwrap();
    let mut args = vec!["import", "--db", url, "--today", TODAY, path];
    args.extend_from_slice(extra);
    let out = tabel(&args, None);
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn add_school(url: &str) {
    let out = tabel(
        &[
            "school",
            "add",
            "--db",
            url,
            "--name",
            "МБОУ «СОШ № 5»",
            "--short-name",
            "СОШ № 5",
            "--region",
            "Свердловская область",
            "--municipality",
            "г. Екатеринбург",
            "--admin-login",
            "director",
            "--admin-name",
            "Иванова А. С.",
        ],
        Some("director password\n"),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// How many audit records the database holds, as `tabel audit verify` counts them.
fn audit_records(url: &str) -> u64 {
    let out = tabel(&["audit", "verify", "--db", url], None);
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    text.split(", ")
        .nth(1)
        .and_then(|t| t.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no count in {text:?}"))
}

both_backends!(a_school_moves_in_from_an_empty_database_with_a_workbook(
    backend
));
async fn a_school_moves_in_from_an_empty_database_with_a_workbook(backend: Backend) {
    let (url, _dir) = backend.empty_url().await;
    add_school(&url);
    let files = tempfile::tempdir().unwrap();
    let book = files.path().join("school.xlsx");
    std::fs::write(&book, school_workbook("5А")).unwrap();

    // The preview writes nothing: a second preview still finds everything new.
    for _ in 0..2 {
        let (ok, out, err) = import(&url, &book, &["--dry-run"]);
        assert!(ok, "{err}");
        assert!(out.contains("Ученики            6 new"), "{out}");
        assert!(out.contains("Dry run: nothing was written."), "{out}");
    }
    // A file that never ends (a device reports no size) is read only up to the import's limit.
    let (ok, _, err) = import(&url, std::path::Path::new("/dev/zero"), &["--dry-run"]);
    assert!(
        !ok && err.contains("/dev/zero: the files come to more than 16 MB"),
        "{err}"
    );
    let (ok, out, err) = import(&url, &book, &[]);
    assert!(ok, "{err}");
    assert!(
        out.contains("the year is created from the federal calendar"),
        "{out}"
    );
    // The second child of one mother is a new link for a known parent.
    assert!(
        out.contains("Родители           2 new,     1 updated"),
        "{out}"
    );
    assert!(out.contains("Imported (29 changes"), "{out}");

    // The same file again changes nothing.
    let (ok, out, err) = import(&url, &book, &[]);
    assert!(ok, "{err}");
    assert!(out.contains("Nothing to change"), "{out}");
    assert!(
        out.contains("Ученики            0 new,     0 updated,     6 unchanged"),
        "{out}"
    );

    // Accounts handed out; the teacher's first login and a mark; the father's code, consent
    // and diary.
    let server = Server::start(&url).await;
    let director = token_of(server.login("director", "director password").await).await;
    let letters = hand_out_accounts(&server, &director).await;
    let (login, password, _) = letter(&letters, "Иванова Мария Петровна");
    let teacher = first_login(&server, &login, &password).await;
    let anna = letters["letters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["name"] == "Ёлкина Анна Игоревна")
        .unwrap()["person"]
        .as_str()
        .map_or_else(|| letters.to_string(), str::to_owned);
    let mark = teacher_marks_anna(&server, &teacher, &anna).await;
    parent_reads_the_mark(&server, &director, &letters, &anna, &mark).await;
    drop(server);

    // The school as the server shows it: its classes.
    let server = Server::start(&url).await;
    let token = token_of(server.login("director", "director password").await).await;
    let classes: Value = client(false)
        .get(server.url("/api/v1/classes?date=2026-11-28"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let names: Vec<&str> = classes
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["5А", "5Б", "6А"]);
    let before = audit_records(&url);

    // An updated file moves a pupil: the API's preview says so, the apply does it, and an
    // unchanged re-import through the API writes nothing.
    let moved = school_workbook("5Б");
    let post = |apply: bool| {
        client(false)
            .post(server.url(&format!("/api/v1/schools/1/import?apply={apply}")))
            .bearer_auth(&token)
            .header(
                "content-type",
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            )
            .body(moved.clone())
            .send()
    };
    let preview: Value = post(false).await.unwrap().json().await.unwrap();
    assert_eq!(preview["applied"], false);
    let changes = preview["changes"].as_array().unwrap();
    assert_eq!(changes.len(), 1, "{changes:?}");
    assert_eq!(changes[0]["sheet"], "Ученики");
    assert_eq!(changes[0]["row"], 5);
    assert_eq!(changes[0]["action"], "update");
    assert!(
        changes[0]["detail"]
            .as_str()
            .unwrap()
            .contains("класс 5А → 5Б с 28.11.2026"),
        "{changes:?}"
    );
    let applied: Value = post(true).await.unwrap().json().await.unwrap();
    assert_eq!(applied["applied"], true);
    let again: Value = post(true).await.unwrap().json().await.unwrap();
    assert_eq!(again["changes"].as_array().unwrap().len(), 0);
    // One record for the one pupil moved; the unchanged re-import added none.
    assert_eq!(audit_records(&url), before + 1);
}

async fn token_of(res: reqwest::Response) -> String {
    assert_eq!(res.status(), StatusCode::OK);
    res.json::<Value>().await.unwrap()["token"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// Accounts for the whole school, as JSON (shown once).
async fn hand_out_accounts(server: &Server, director: &str) -> Value {
    let res = client(false)
        .post(server.url("/api/v1/schools/1/accounts"))
        .bearer_auth(director)
        .json(&serde_json::json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let letters: Value = res.json().await.unwrap();
    // 6 pupils, 2 parents, 3 staff; the director had an account already.
    assert_eq!(letters["accounts"], 11, "{letters}");
    assert_eq!(letters["codes"], 3, "{letters}");
    letters
}

/// A person's login, one-time password and invitation codes.
fn letter(letters: &Value, name: &str) -> (String, String, Vec<String>) {
    let l = letters["letters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["name"] == name)
        .unwrap_or_else(|| panic!("no letter for {name}: {letters}"));
    let codes = l["children"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["code"].as_str().unwrap().to_owned())
        .collect();
    (
        l["login"].as_str().unwrap().to_owned(),
        l["password"].as_str().unwrap().to_owned(),
        codes,
    )
}

/// Signs in with a letter's one-time password: nothing but the password change answers until
/// the user sets their own. The token afterwards.
async fn first_login(server: &Server, login: &str, one_time: &str) -> String {
    let res = server.login(login, one_time).await;
    assert_eq!(res.status(), StatusCode::OK);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["must_change_password"], true);
    let token = body["token"].as_str().unwrap().to_owned();
    let http = client(false);
    let res = http
        .get(server.url("/api/v1/me"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    let problem = assert_problem(res, StatusCode::FORBIDDEN).await;
    assert_eq!(
        problem["type"],
        "urn:tabel:problem:password-change-required"
    );
    let res = http
        .post(server.url("/api/v1/me/password"))
        .bearer_auth(&token)
        .json(&serde_json::json!({"current_password": one_time, "new_password": "my own password"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let res = http
        .get(server.url("/api/v1/me"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    // The one-time password is spent.
    assert_eq!(
        server.login(login, one_time).await.status(),
        StatusCode::UNAUTHORIZED
    );
    token
}

/// The maths teacher marks Анна (5Б) on Monday's lesson; the mark's id.
async fn teacher_marks_anna(server: &Server, teacher: &str, anna: &str) -> String {
    let http = client(false);
    let classes: Value = http
        .get(server.url("/api/v1/classes?date=2026-11-23"))
        .bearer_auth(teacher)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let class_5b = classes
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "5Б")
        .unwrap_or_else(|| panic!("{classes}"))["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let lessons: Value = http
        .get(server.url(&format!(
            "/api/v1/lessons?class={class_5b}&from=2026-11-23&to=2026-11-23"
        )))
        .bearer_auth(teacher)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let lesson = lessons
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["number"] == 2)
        .unwrap_or_else(|| panic!("{lessons}"))["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let res = http
        .post(server.url("/api/v1/marks"))
        .bearer_auth(teacher)
        .json(&serde_json::json!({"student_id": anna, "lesson_id": lesson, "value": "5"}))
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success(), "{}", res.text().await.unwrap());
    let body: Value = res.json().await.unwrap();
    body["id"].as_str().unwrap_or_default().to_owned()
}

/// Анна's father redeems his code, the school registers his written consent, and he reads
/// the mark in the diary.
async fn parent_reads_the_mark(
    server: &Server,
    director: &str,
    letters: &Value,
    anna: &str,
    _mark: &str,
) {
    let (login, password, codes) = letter(letters, "Ёлкин Игорь Павлович");
    assert_eq!(codes.len(), 1);
    let father = first_login(server, &login, &password).await;
    let http = client(false);
    let marks_url = server.url(&format!("/api/v1/students/{anna}/marks"));
    // Not linked yet: the child is not there.
    let res = http
        .get(&marks_url)
        .bearer_auth(&father)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    // Another parent's code does not work for him.
    let (_, _, others) = letter(letters, "Петрова Елена Викторовна");
    let redeem = |code: String| {
        http.post(server.url("/api/v1/invitations/redeem"))
            .bearer_auth(&father)
            .json(&serde_json::json!({ "code": code }))
            .send()
    };
    assert_eq!(
        redeem(others[0].clone()).await.unwrap().status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let res = redeem(codes[0].to_lowercase()).await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.json::<Value>().await.unwrap()["student_id"], anna);
    // Single use.
    assert_eq!(
        redeem(codes[0].clone()).await.unwrap().status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );
    // Linked, but no consent yet.
    let res = http
        .get(&marks_url)
        .bearer_auth(&father)
        .send()
        .await
        .unwrap();
    let problem = assert_problem(res, StatusCode::FORBIDDEN).await;
    assert_eq!(problem["type"], "urn:tabel:problem:consent-required");
    let me: Value = http
        .get(server.url("/api/v1/me"))
        .bearer_auth(&father)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let father_id = me["person_id"].as_str().unwrap().to_owned();
    let res = http
        .post(server.url("/api/v1/consents"))
        .bearer_auth(director)
        .json(&serde_json::json!({
            "parent_id": father_id, "student_id": anna, "diary": "given",
            "basis": {"kind": "written_application", "number": "12", "date": "2026-11-27"},
        }))
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success(), "{}", res.text().await.unwrap());
    let marks: Value = http
        .get(&marks_url)
        .bearer_auth(&father)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let math = marks["subjects"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["subject"] == "Математика")
        .unwrap_or_else(|| panic!("{marks}"));
    assert_eq!(math["marks"][0]["value"], "5", "{marks}");
}

fn hostile_workbooks() -> Vec<(&'static str, Vec<u8>)> {
    use tabel_reports::workbook::craft::hostile;
    vec![
        ("A1 and XFD1048576", hostile::far_cells()),
        ("a zip bomb", hostile::lying_bomb(64)),
        ("a shared-string bomb", hostile::string_bomb(16)),
    ]
}

both_backends!(bad_set_up_files_are_refused_by_place_and_nothing_is_written);
async fn bad_set_up_files_are_refused_by_place_and_nothing_is_written(app: TestApp) {
    let token = app.token("admin").await;
    let http = client(false);
    let send = |body: Vec<u8>, kind: &'static str, query: &'static str| {
        http.post(app.url(&format!("/api/v1/schools/1/import{query}")))
            .bearer_auth(&token)
            .header("content-type", kind)
            .body(body)
            .send()
    };
    const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    let classes = || async {
        app.get_json("/api/v1/classes", &token)
            .await
            .as_array()
            .unwrap()
            .len()
    };
    let before = classes().await;

    for (what, bytes) in hostile_workbooks() {
        let res = send(bytes, XLSX, "?apply=true").await.unwrap();
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{what}");
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["report"]["applied"], false, "{what}");
    }
    let big = vec![b'a'; 50 << 20];
    let res = send(big, "text/csv", "?list=pupils&apply=true")
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE);

    let mut utf16 = vec![0xFF, 0xFE];
    for u in "Класс;Смена\n5В;1\n".encode_utf16() {
        utf16.extend_from_slice(&u.to_le_bytes());
    }
    let res = send(utf16, "text/csv", "?list=classes&apply=true")
        .await
        .unwrap();
    let body = assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert!(
        body["errors"]["«Классы»"]
            .as_str()
            .unwrap()
            .contains("UTF-8 or Windows-1251"),
        "{body}"
    );

    let pupils = "Фамилия;Имя;Отчество;Дата рождения;Класс\n\
                  Новиков;Олег;Петрович;01.02.2015;5Я\n\
                  Новикова;Ольга;Петровна;01.02.2031;5А\n\
                  Сомов;Иван;Ильич;03.03.2015;5А\n\
                  Сомов;Иван;Ильич;03.03.2015;5Б\n";
    let res = send(
        pupils.as_bytes().to_vec(),
        "text/csv",
        "?list=pupils&apply=true",
    )
    .await
    .unwrap();
    let body = assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    let errors = &body["errors"];
    assert!(
        errors["«Ученики», row 2, column «Класс»"]
            .as_str()
            .unwrap()
            .contains("no class 5Я"),
        "{body}"
    );
    assert!(
        errors["«Ученики», row 3, column «Дата рождения»"]
            .as_str()
            .unwrap()
            .contains("in the future"),
        "{body}"
    );
    assert!(
        errors["«Ученики», row 5"]
            .as_str()
            .unwrap()
            .contains("the same pupil"),
        "{body}"
    );
    assert_eq!(body["report"]["applied"], false);

    // The server keeps answering, and nothing was written.
    assert_eq!(
        reqwest::get(app.url("/healthz")).await.unwrap().status(),
        StatusCode::OK
    );
    assert_eq!(classes().await, before);
    let res = send(b"Class;Shift\n5Z;1\n".to_vec(), "text/csv", "?list=classes")
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

both_backends!(only_the_schools_administrators_import);
async fn only_the_schools_administrators_import(app: TestApp) {
    for (login, status) in [
        ("teacher", StatusCode::FORBIDDEN),
        ("parent", StatusCode::FORBIDDEN),
    ] {
        let token = app.token(login).await;
        let res = client(false)
            .post(app.url("/api/v1/schools/1/import"))
            .bearer_auth(&token)
            .header("content-type", "text/csv")
            .body("Класс;Смена\n5В;1\n")
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), status, "{login}");
    }
    let token = app.token("admin").await;
    // Another school's import is not there for this administrator.
    let res = client(false)
        .post(app.url("/api/v1/schools/999/import"))
        .bearer_auth(&token)
        .header("content-type", "text/csv")
        .body("Класс;Смена\n5В;1\n")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let res = app.get("/api/v1/schools/1/import/template", &token).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.bytes().await.unwrap().starts_with(b"PK"));
}

/// A new class with two pupils and a mother, for the fixture's school.
fn class_9v_workbook(class_of_second_pupil: &str) -> Vec<u8> {
    workbook(&[
        sheet("Классы", &["Класс", "Смена"], &[&["9В", "1"]]),
        sheet(
            "Ученики",
            &[
                "Фамилия",
                "Имя",
                "Отчество",
                "Дата рождения",
                "Класс",
                "Номер",
            ],
            &[
                &["Громов", "Илья", "Петрович", "04.04.2011", "9В", "9001"],
                &[
                    "Громова",
                    "Вера",
                    "Петровна",
                    "05.05.2011",
                    class_of_second_pupil,
                    "9002",
                ],
            ],
        ),
        sheet(
            "Родители",
            &["ФИО", "Кем приходится", "Номер ученика"],
            &[&["Громова Нина Юрьевна", "мать", "9001"]],
        ),
    ])
    .unwrap()
}

both_backends!(an_administrator_imports_through_the_preview_and_prints_the_login_letters);
async fn an_administrator_imports_through_the_preview_and_prints_the_login_letters(app: TestApp) {
    let Some(d) = crate::browser::Driver::start().await else {
        return;
    };
    let school = app.f.school;
    let files = tempfile::tempdir().unwrap();
    let faulty = files.path().join("school.xlsx");
    std::fs::write(&faulty, class_9v_workbook("9Я")).unwrap();
    let fixed = files.path().join("school-fixed.xlsx");
    std::fs::write(&fixed, class_9v_workbook("9В")).unwrap();
    let admin = app.token("admin").await;
    let pupils_before = app.get_json("/api/v1/classes", &admin).await;

    d.sign_in(&app, "admin").await;
    d.go(&app.url(&format!("/admin/{school}/import"))).await;
    d.type_into("#files", faulty.to_str().unwrap()).await;
    d.click("#preview").await;
    // The workbook's title, subtitle and a blank row stand above the headings (row 4): the
    // second pupil is row 6.
    let errors = d.text("#errors tbody tr").await;
    assert!(
        errors.starts_with("Ученики 6 Класс no class 9Я"),
        "the problem names sheet, row and column: {errors}"
    );
    assert!(
        d.script("return document.querySelector('#apply') === null")
            .await
            .as_bool()
            .unwrap(),
        "a file with problems cannot be applied"
    );
    assert_eq!(app.get_json("/api/v1/classes", &admin).await, pupils_before);

    d.type_into("#files", fixed.to_str().unwrap()).await;
    d.click("#preview").await;
    // The page with the problems also has the lists' table: wait for the new page.
    assert!(
        d.wait_until("return document.querySelector('#apply') !== null")
            .await,
        "the fixed file can be applied"
    );
    let lists = d.text("#lists").await;
    assert!(lists.contains("Ученики 2 0 0"), "{lists}");
    assert_eq!(app.get_json("/api/v1/classes", &admin).await, pupils_before);
    d.click("#apply").await;
    assert!(d.text("#notice").await.contains("записано"));
    d.quit().await;
    let classes = app.get_json("/api/v1/classes", &admin).await;
    let class_9v = classes
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "9В")
        .unwrap_or_else(|| panic!("{classes}"))["id"]
        .as_str()
        .unwrap()
        .to_owned();

    // The letters of the new class, printed from the page's form.
    let page = app.browser("admin").await;
    let res = page
        .post_form(
            &format!("/admin/{school}/accounts"),
            &[
                ("class", &class_9v),
                ("pupils", "1"),
                ("parents", "1"),
                ("format", "pdf"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-type"], "application/pdf");
    let pdf = res.bytes().await.unwrap();
    let Some(pp) = tabel_reports::poppler::poppler() else {
        return;
    };
    let pages = pp.page_texts(&pdf, "login-letters").unwrap();
    assert_eq!(pages.len(), 3, "two pupils and a mother");
    let passwords: Vec<String> = pages
        .iter()
        .map(|p| {
            let flat = p.split_whitespace().collect::<Vec<_>>().join(" ");
            let after = flat.split("Временный пароль").nth(1).unwrap_or_default();
            after
                .split_whitespace()
                .next()
                .unwrap_or_default()
                .to_owned()
        })
        .collect();
    for (i, (page, name)) in pages
        .iter()
        .zip([
            "Громов Илья Петрович",
            "Громова Вера Петровна",
            "Громова Нина Юрьевна",
        ])
        .enumerate()
    {
        let flat = page.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(pages.iter().any(|p| p.contains(name)), "{name}");
        for (j, other) in passwords.iter().enumerate() {
            if i != j && other.len() >= 12 {
                assert!(
                    !flat.contains(other.as_str()),
                    "page {i} shows letter {j}'s password"
                );
            }
        }
    }
    assert!(passwords.iter().all(|p| p.len() == 14), "{passwords:?}");
}

both_backends!(a_schools_own_lists_import_back_unchanged);
async fn a_schools_own_lists_import_back_unchanged(app: TestApp) {
    let admin = app.token("admin").await;
    let res = app
        .get(&format!("/api/v1/schools/{}/export", app.f.school), &admin)
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let workbook = res.bytes().await.unwrap().to_vec();
    let sheets = tabel_reports::workbook::read_sheets(
        &workbook,
        &tabel_reports::workbook::Limits::table(10_000, 32),
    )
    .unwrap();
    let pupils = sheets.iter().find(|s| s.name == "Ученики").unwrap();
    assert!(pupils.rows.len() > 5, "{:?}", pupils.rows);
    let res = client(false)
        .post(app.url(&format!(
            "/api/v1/schools/{}/import?apply=true",
            app.f.school
        )))
        .bearer_auth(&admin)
        .header(
            "content-type",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        .body(workbook)
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "{}",
        res.text().await.unwrap()
    );
    let report: Value = res.json().await.unwrap();
    assert_eq!(report["changes"].as_array().unwrap().len(), 0, "{report}");
    assert!(
        report["lists"]
            .as_array()
            .unwrap()
            .iter()
            .any(|l| l["sheet"] == "Ученики" && l["unchanged"].as_u64() > Some(0)),
        "{report}"
    );
    // Another school's administrator, a teacher: not theirs to export.
    for (login, status) in [
        ("teacher", StatusCode::FORBIDDEN),
        ("admin2", StatusCode::NOT_FOUND),
    ] {
        let token = app.token(login).await;
        let res = app
            .get(&format!("/api/v1/schools/{}/export", app.f.school), &token)
            .await;
        assert_eq!(res.status(), status, "{login}");
    }
}

/// A school with subgroups, a stream and an individual curriculum: 5А's English in two
/// subgroups at the same hour, a mathematics stream of 5А and 5Б, and Орлов's ИУП. `orlov`
/// names Орлов's groups; `zaitsev` those of Зайцев (a pupil of 5Б).
fn groups_workbook(orlov: &str, zaitsev: &str, english_room_2: &str) -> Vec<u8> {
    let h_staff = ["ФИО", "Должность"];
    let h_pupils = ["ФИО", "Дата рождения", "Класс", "Номер", "Группы"];
    workbook(&[
        sheet(
            "Предметы",
            &["Предмет"],
            &[&["Математика"], &["Английский язык"]],
        ),
        sheet(
            "Сотрудники",
            &h_staff,
            &[
                &["Иванова Мария Петровна", "учитель математики"],
                &["Волкова Ирина Сергеевна", "учитель английского языка"],
                &["Лебедев Антон Павлович", "учитель английского языка"],
            ],
        ),
        sheet("Классы", &["Класс"], &[&["5А"], &["5Б"]]),
        sheet(
            "Группы",
            &["Группа", "Вид", "Классы", "Предмет"],
            &[
                &["5А англ. 1", "подгруппа", "5А", "Английский язык"],
                &["5А англ. 2", "", "5А", "Английский язык"],
                &["5 мат. поток", "", "5А, 5Б", "Математика"],
                &["ИУП: Орлов И.", "ИУП", "5А", ""],
            ],
        ),
        sheet(
            "Ученики",
            &h_pupils,
            &[
                &[
                    "Петров Артём Сергеевич",
                    "12.05.2015",
                    "5А",
                    "101",
                    "5А англ. 1; 5 мат. поток",
                ],
                &["Орлов Иван Ильич", "20.10.2015", "5А", "104", orlov],
                &[
                    "Ёлкина Анна Игоревна",
                    "01.02.2015",
                    "5А",
                    "103",
                    "5А англ. 2",
                ],
                &["Зайцев Пётр Олегович", "07.07.2015", "5Б", "106", zaitsev],
            ],
        ),
        sheet(
            "Учебный план",
            &["Параллель", "Класс", "Предмет", "Часов в неделю"],
            &[
                &["5", "", "Английский язык", "3"],
                &["5", "", "Математика", "5"],
                &["", "5 мат. поток", "Математика", "1"],
            ],
        ),
        sheet(
            "Нагрузка",
            &["Учитель", "Класс", "Предмет", "Часов в неделю"],
            &[
                &["Волкова И. С.", "5А англ. 1", "Английский язык", "3"],
                &["Лебедев А. П.", "5А англ. 2", "Английский язык", "3"],
                &["Иванова М. П.", "5 мат. поток", "Математика", "1"],
            ],
        ),
        sheet(
            "Расписание",
            &["Класс", "День", "Урок", "Предмет", "Учитель", "Кабинет"],
            &[
                &[
                    "5А англ. 1",
                    "Пн",
                    "3",
                    "Английский язык",
                    "Волкова И. С.",
                    "31",
                ],
                &[
                    "5А англ. 2",
                    "Пн",
                    "3",
                    "Английский язык",
                    "Лебедев А. П.",
                    english_room_2,
                ],
                &[
                    "5 мат. поток",
                    "Вт",
                    "6",
                    "Математика",
                    "Иванова М. П.",
                    "21",
                ],
            ],
        ),
    ])
    .unwrap()
}

fn sheet_rows(url: &str, files: &std::path::Path, name: &str) -> Vec<Vec<String>> {
    let out = files.join("export.xlsx");
    let res = tabel(
        &[
            "school",
            "export",
            out.to_str().unwrap(),
            "--db",
            url,
            "--today",
            TODAY,
        ],
        None,
    );
    assert!(
        res.status.success(),
        "{}",
        String::from_utf8_lossy(&res.stderr)
    );
    let bytes = std::fs::read(&out).unwrap();
    let sheets = tabel_reports::workbook::read_sheets(
        &bytes,
        &tabel_reports::workbook::Limits::table(10_000, 32),
    )
    .unwrap();
    let sheet = sheets.into_iter().find(|s| s.name == name).unwrap();
    sheet.rows.into_iter().skip(4).collect()
}

both_backends!(subgroups_streams_and_individual_curricula_are_imported_with_their_pupils(backend));
async fn subgroups_streams_and_individual_curricula_are_imported_with_their_pupils(
    backend: Backend,
) {
    let (url, _dir) = backend.empty_url().await;
    add_school(&url);
    let files = tempfile::tempdir().unwrap();
    // The template's example rows make a school of their own (a preview of it has no problem).
    let template = files.path().join("template.xlsx");
    let out = tabel(&["school", "template", template.to_str().unwrap()], None);
    assert!(out.status.success());
    let (ok, out, err) = import(&url, &template, &["--dry-run"]);
    assert!(ok, "{err}");
    assert!(out.contains("Группы             1 new"), "{out}");
    let book = files.path().join("groups.xlsx");
    let write = |bytes: Vec<u8>| std::fs::write(&book, bytes).unwrap();

    // Refused, each by its place, and nothing written: Зайцев of 5Б in a subgroup of 5А, a
    // room taken twice by the two subgroups' lesson.
    write(groups_workbook(
        "5А англ. 1; ИУП: Орлов И.",
        "5А англ. 2",
        "31",
    ));
    let (ok, _, err) = import(&url, &book, &[]);
    assert!(!ok);
    assert!(
        err.contains("«Ученики», row 8, column «Группы»: «5А англ. 2» is not a group of 5Б"),
        "{err}"
    );
    assert!(
        err.contains("«Расписание», row 6, column «Кабинет»: room 31 is taken by 5А англ. 1"),
        "{err}"
    );
    assert!(err.contains("Nothing was written"), "{err}");
    let before = audit_records(&url);

    write(groups_workbook(
        "5А англ. 1; ИУП: Орлов И.",
        "5 мат. поток",
        "32",
    ));
    let (ok, out, err) = import(&url, &book, &[]);
    assert!(ok, "{err}");
    assert!(out.contains("Группы             4 new"), "{out}");
    assert!(out.contains("Расписание         3 new"), "{out}");
    assert!(audit_records(&url) > before);
    let groups = sheet_rows(&url, files.path(), "Группы");
    // (The reader drops a row's empty cells at its end.)
    assert_eq!(
        groups,
        [
            vec!["5 мат. поток", "поток", "5А, 5Б", "Математика"],
            vec!["5А англ. 1", "подгруппа", "5А", "Английский язык"],
            vec!["5А англ. 2", "подгруппа", "5А", "Английский язык"],
            vec!["ИУП: Орлов И.", "ИУП", "5А"],
        ]
    );
    let pupils = sheet_rows(&url, files.path(), "Ученики");
    let groups_of = |surname: &str| {
        pupils
            .iter()
            .find(|r| r[0] == surname)
            .map(|r| r.get(8).cloned().unwrap_or_default())
            .unwrap()
    };
    assert_eq!(groups_of("Орлов"), "5А англ. 1; ИУП: Орлов И.");
    assert_eq!(groups_of("Зайцев"), "5 мат. поток");
    let slots = sheet_rows(&url, files.path(), "Расписание");
    assert_eq!(slots.len(), 3, "{slots:?}");

    // The same file again changes nothing.
    let (ok, out, err) = import(&url, &book, &[]);
    assert!(ok, "{err}");
    assert!(out.contains("Nothing to change"), "{out}");

    // Орлов moves to the second subgroup and leaves his ИУП; Зайцев leaves the stream.
    write(groups_workbook("5А англ. 2", "", "32"));
    let (ok, out, err) = import(&url, &book, &[]);
    assert!(ok, "{err}");
    assert!(
        out.contains("Ученики            0 new,     2 updated"),
        "{out}"
    );
    assert!(
        out.contains("в группу 5А англ. 2 с 23.11.2026; из группы 5А англ. 1 с 23.11.2026"),
        "{out}"
    );
    let pupils = sheet_rows(&url, files.path(), "Ученики");
    let groups_of = |surname: &str| {
        let row = pupils.iter().find(|r| r[0] == surname).unwrap();
        row.get(8).cloned().unwrap_or_default()
    };
    assert_eq!(groups_of("Орлов"), "5А англ. 2");
    assert_eq!(groups_of("Зайцев"), "");
}

/// 9В with a pupil and his mother, whose phones and e-mail come from the application for
/// admission (`basis`; empty: none named).
fn contacts_workbook(phones: &str, basis: &str) -> Vec<u8> {
    workbook(&[
        sheet("Классы", &["Класс"], &[&["9В"]]),
        sheet(
            "Ученики",
            &["ФИО", "Дата рождения", "Класс", "Номер"],
            &[&["Громов Илья Петрович", "04.04.2011", "9В", "9001"]],
        ),
        sheet(
            "Родители",
            &[
                "ФИО",
                "Кем приходится",
                "Номер ученика",
                "Телефон",
                "E-mail",
                "Основание",
            ],
            &[&[
                "Громова Нина Юрьевна",
                "мать",
                "9001",
                phones,
                "Gromova@Example.ru",
                basis,
            ]],
        ),
    ])
    .unwrap()
}

both_backends!(parents_phones_and_emails_are_registered_from_the_document_the_list_names);
async fn parents_phones_and_emails_are_registered_from_the_document_the_list_names(app: TestApp) {
    let admin = app.token("admin").await;
    let school = app.f.school;
    let post = |book: Vec<u8>, apply: bool| {
        client(false)
            .post(app.url(&format!("/api/v1/schools/{school}/import?apply={apply}")))
            .bearer_auth(&admin)
            .header(
                "content-type",
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            )
            .body(book)
            .send()
    };
    let contacts = || async {
        let mut c = app.db.db.acquire().await.unwrap();
        tabel_store::setup::contacts(&mut c.conn(), school)
            .await
            .unwrap()
            .into_iter()
            .filter(|c| c.value.contains("91200") || c.value.contains("gromova"))
            .map(|c| (c.kind, c.value, c.provenance, c.basis))
            .collect::<Vec<_>>()
    };
    // Contacts without the document they come from are refused by place; nothing is written.
    let problem = assert_problem(
        post(contacts_workbook("+7 912 000-11-22", ""), true)
            .await
            .unwrap(),
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    let errors = problem["report"]["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "{problem}");
    assert_eq!(errors[0]["sheet"], "Родители");
    assert_eq!(errors[0]["row"], 5);
    assert_eq!(errors[0]["column"], "Основание");
    let problem = assert_problem(
        post(
            contacts_workbook("8 (912) 000-11", "заявление № 7 от 01.09.2026"),
            true,
        )
        .await
        .unwrap(),
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(
        problem["report"]["errors"][0]["column"], "Телефон",
        "{problem}"
    );
    assert!(contacts().await.is_empty());

    let basis = "заявление о приёме № 7 от 01.09.2026";
    let res = post(contacts_workbook("+7 912 000-11-22", basis), true)
        .await
        .unwrap();
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "{}",
        res.text().await.unwrap()
    );
    let held = contacts().await;
    assert_eq!(
        held,
        [
            (
                "phone".to_owned(),
                "+79120001122".to_owned(),
                "written_application".to_owned(),
                basis.to_owned()
            ),
            (
                "email".to_owned(),
                "gromova@example.ru".to_owned(),
                "written_application".to_owned(),
                basis.to_owned()
            ),
        ]
    );
    // The same again: nothing; a second phone: the line is updated with it alone.
    let report: Value = post(contacts_workbook("+7 912 000-11-22", basis), true)
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(report["changes"].as_array().unwrap().len(), 0, "{report}");
    let report: Value = post(
        contacts_workbook("8 912 000-11-22; +7 (912) 000-33-44", basis),
        true,
    )
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    let changes = report["changes"].as_array().unwrap();
    assert_eq!(changes.len(), 1, "{report}");
    assert_eq!(changes[0]["detail"], "контакт +79120003344");
    assert_eq!(contacts().await.len(), 3);
    // The school's export carries them back.
    let res = app
        .get(&format!("/api/v1/schools/{school}/export"), &admin)
        .await;
    let book = res.bytes().await.unwrap().to_vec();
    let sheets = tabel_reports::workbook::read_sheets(
        &book,
        &tabel_reports::workbook::Limits::table(10_000, 32),
    )
    .unwrap();
    let parents = sheets.iter().find(|s| s.name == "Родители").unwrap();
    let row = parents
        .rows
        .iter()
        .find(|r| r.first().is_some_and(|c| c == "Громова"))
        .unwrap();
    assert_eq!(
        row[9..],
        ["+79120001122; +79120003344", "gromova@example.ru", basis]
    );
}

/// Two children who look like siblings (one surname, one patronymic) and a mother's name for
/// each, born on `first` and `second`.
fn namesakes_workbook(first: &str, second: &str) -> Vec<u8> {
    workbook(&[
        sheet("Классы", &["Класс"], &[&["9В"]]),
        sheet(
            "Ученики",
            &["ФИО", "Дата рождения", "Класс", "Номер"],
            &[
                &["Громов Илья Петрович", "04.04.2011", "9В", "9001"],
                &["Громова Вера Петровна", "05.05.2012", "9В", "9002"],
            ],
        ),
        sheet(
            "Родители",
            &["ФИО", "Дата рождения", "Кем приходится", "Номер ученика"],
            &[
                &["Громова Нина Юрьевна", first, "мать", "9001"],
                &["Громова Нина Юрьевна", second, "мать", "9002"],
            ],
        ),
    ])
    .unwrap()
}

both_backends!(namesake_parents_born_apart_are_two_persons);
async fn namesake_parents_born_apart_are_two_persons(app: TestApp) {
    let admin = app.token("admin").await;
    let school = app.f.school;
    let preview = |book: Vec<u8>| {
        let http = client(false);
        let url = app.url(&format!("/api/v1/schools/{school}/import"));
        let admin = admin.clone();
        async move {
            let res = http
                .post(url)
                .bearer_auth(&admin)
                .header(
                    "content-type",
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                )
                .body(book)
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), StatusCode::OK);
            let report: Value = res.json().await.unwrap();
            let parents = report["lists"]
                .as_array()
                .unwrap()
                .iter()
                .find(|l| l["sheet"] == "Родители")
                .cloned()
                .unwrap();
            (parents["created"].as_u64(), parents["updated"].as_u64())
        }
    };
    // Without birth dates the second line is the same mother of a second child…
    assert_eq!(
        preview(namesakes_workbook("", "")).await,
        (Some(1), Some(1))
    );
    // …and on the same day too; born apart, they are two mothers.
    assert_eq!(
        preview(namesakes_workbook("01.01.1980", "01.01.1980")).await,
        (Some(1), Some(1))
    );
    assert_eq!(
        preview(namesakes_workbook("01.01.1980", "02.02.1985")).await,
        (Some(2), Some(0))
    );
}
