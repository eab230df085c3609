//! The cabinet's diary pages: each section with the child picker, and a pupil's own diary.

use super::{family_week, pages};
use crate::support::{TestApp, both_backends};
use reqwest::StatusCode;

both_backends!(the_cabinets_pages_show_each_section_to_a_parent_with_the_child_picker);
async fn the_cabinets_pages_show_each_section_to_a_parent_with_the_child_picker(app: TestApp) {
    family_week(&app).await;
    let f = &app.f;
    let parent = app.browser("parent").await;

    let (status, home) = parent.parsed("/").await;
    assert_eq!(status, StatusCode::OK);
    for child in [f.ivan, f.anna] {
        assert!(
            home.has(&format!("a[href=\"/diary/{child}\"]")),
            "the home page links each diary"
        );
    }
    assert!(home.has("a[href=\"/diary/me\"]"));
    let res = parent.get("/diary").await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()["location"], format!("/diary/{}", f.ivan));

    let keys = [
        "today",
        "week",
        "marks",
        "finals",
        "assessments",
        "homework",
        "recommendations",
        "teachers",
        "calendar",
    ];
    for (path, key) in pages(f.ivan).into_iter().zip(keys) {
        let (status, html) = parent.parsed(&path).await;
        assert_eq!(status, StatusCode::OK, "{path}: {}", html.source());
        assert_eq!(
            html.attrs("#diary-nav a[aria-current=\"page\"]", "id"),
            [format!("nav-{key}")],
            "{path}: the section is marked, and only it"
        );
        assert_eq!(
            html.attrs("#diary-children a[aria-current=\"page\"]", "id"),
            [format!("child-{}", f.ivan)],
            "{path}: the child is marked, and only it"
        );
        assert_eq!(html.attr("html", "lang").as_deref(), Some("ru"), "{path}");
        assert_eq!(
            html.text("h1#student-name"),
            "Петров Иван Сергеевич",
            "{path}"
        );
        for nav in [
            "today",
            "week",
            "marks",
            "finals",
            "assessments",
            "homework",
            "recommendations",
            "teachers",
            "calendar",
            "me",
        ] {
            assert!(
                html.has(&format!("#diary-nav a#nav-{nav}")),
                "{path} links {nav}"
            );
        }
        // The picker keeps the section.
        let section = path
            .split('?')
            .next()
            .unwrap()
            .trim_start_matches(&format!("/diary/{}", f.ivan));
        assert_eq!(
            html.attr(&format!("#diary-children a#child-{}", f.anna), "href"),
            Some(format!("/diary/{}{section}", f.anna)),
            "{path}"
        );
        assert!(!html.has("table"), "{path}: lists, not tables, on a phone");
    }

    let (_, today) = parent.parsed(&format!("/diary/{}", f.ivan)).await;
    assert_eq!(today.text("#today-title"), "Сб, 28.11.2026", "Saturday");
    assert_eq!(today.text("#today p.muted"), "Уроков нет.", "Saturday");
    assert_eq!(
        today.text("#next-title"),
        "Ближайший учебный день: Пн, 30.11.2026"
    );
    let monday = today.texts("#next-day li.diary-lesson").join("\n");
    assert!(
        monday.contains("замена") && monday.contains("вместо: Смирнова Е. В."),
        "Monday's substitution: {monday}"
    );
    let homework = today.text("#homework-soon");
    assert!(
        homework.contains("Карточка с задачами"),
        "homework due Monday: {homework}"
    );
    assert!(
        today
            .texts("#homework-soon a, #next-day .diary-files a")
            .iter()
            .any(|a| a == "Карточка.pdf"),
        "homework due Monday with its file"
    );
    let new_marks = today.text("#new-marks");
    assert!(
        new_marks.contains("Вычитание дробей")
            || today
                .texts("#new-marks span.mark")
                .contains(&"3".to_owned()),
        "Friday's mark is new: {new_marks}"
    );
    assert!(
        today
            .text("#assessments-soon")
            .contains("Контрольная работа: дроби"),
        "the control work of 04.12"
    );
    assert!(
        today
            .text("#recommendations-latest")
            .contains("Повторить сложение дробей"),
        "the recommendation"
    );

    let (_, week) = parent
        .parsed(&format!("/diary/{}/week?week=2026-W48", f.ivan))
        .await;
    let days = week.text("#week");
    for text in [
        "Пн, 23.11.2026",
        "09:25–10:10",
        "Смирнова Е. В.",
        "Сложение дробей",
        "№ 245, 247",
        "к 27.11.2026",
        "30 минут",
        "опоздание, 10 минут",
        "5А англ. 1",
        "каб. 12",
        "Карточка.pdf",
    ] {
        assert!(days.contains(text), "week: {text} not in {days}");
    }
    assert!(
        week.attr("a#week-prev", "href")
            .is_some_and(|h| h.ends_with("?week=2026-W47"))
    );
    assert!(
        week.attr("a#week-next", "href")
            .is_some_and(|h| h.ends_with("?week=2026-W49"))
    );
    assert!(!week.source().contains("4/5"), "nothing of Олег");
    let (_, next) = parent
        .parsed(&format!("/diary/{}/week?week=2026-W49", f.ivan))
        .await;
    let cancelled = next.texts("#week li.diary-lesson").join("\n");
    assert!(
        cancelled.contains("отменён") && cancelled.contains("карантин"),
        "the cancellation: {cancelled}"
    );

    let (_, marks) = parent.parsed(&format!("/diary/{}/marks", f.ivan)).await;
    assert!(
        marks
            .texts("#subjects strong.average")
            .contains(&"4,33".to_owned()),
        "decimal comma"
    );
    let summaries = marks.texts("#subjects p.subject-summary").join("\n");
    assert!(
        summaries.contains("3 отметки") && summaries.contains("1 опоздание"),
        "Russian plurals: {summaries}"
    );
    let works = marks
        .texts("#subjects ul.diary-marks small.muted")
        .join("\n");
    assert!(
        works.contains("контрольная работа ×5") || works.contains("Контрольная работа ×5"),
        "work type and weight: {works}"
    );
    let (_, finals) = parent.parsed(&format!("/diary/{}/finals", f.ivan)).await;
    assert!(
        finals
            .text("#finals #finals-later")
            .contains("после закрытия"),
        "the place for final marks"
    );
    let (_, teachers) = parent.parsed(&format!("/diary/{}/teachers", f.ivan)).await;
    let listed = teachers.text("#teachers");
    assert!(
        listed.contains("Смирнова Елена Викторовна") && listed.contains("5А англ. 1, подгруппа"),
        "{listed}"
    );
    let (_, calendar) = parent.parsed(&format!("/diary/{}/calendar", f.ivan)).await;
    assert!(
        calendar
            .texts("#periods li")
            .iter()
            .any(|p| p.starts_with("2 четверть: 05.11.2026 – 28.12.2026")),
        "{:?}",
        calendar.texts("#periods li")
    );
    assert!(calendar.text("#school-year").contains("5 учебных дней"));

    // Anna's pages: her own class, no brother.
    let (status, anna) = parent
        .parsed(&format!("/diary/{}/week?week=2026-W48", f.anna))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(anna.text("#student-name"), "Петрова Анна Сергеевна");
    assert_eq!(anna.text("#student-class"), "5Б");
    assert!(!anna.source().contains("Сложение дробей"));

    // The parent's own page.
    let (status, me) = parent.parsed("/diary/me").await;
    assert_eq!(status, StatusCode::OK);
    let family = me.text("#family");
    assert!(
        family.contains("Петров Иван Сергеевич")
            && family.contains("Петрова Анна Сергеевна")
            && family.contains("согласие дано"),
        "{family}"
    );
    assert_eq!(
        me.attr("#to-contacts", "href").as_deref(),
        Some("/account/contacts")
    );
    assert_eq!(me.attr("#to-account", "href").as_deref(), Some("/account"));
    assert!(me.text("#consent-how").contains("Как изменить согласие"));

    // A bad week or period: an error page, not a crash.
    let (status, _) = parent
        .page(&format!("/diary/{}/week?week=2026-48", f.ivan))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, _) = parent
        .page(&format!("/diary/{}/marks?period=x", f.ivan))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
}

both_backends!(a_pupil_has_their_own_diary_without_the_picker_and_staff_may_read_it);
async fn a_pupil_has_their_own_diary_without_the_picker_and_staff_may_read_it(app: TestApp) {
    family_week(&app).await;
    let f = &app.f;
    let student = app.browser("student").await;
    let (_, home) = student.parsed("/").await;
    assert_eq!(
        home.attr("a#home-diary", "href"),
        Some(format!("/diary/{}", f.ivan)),
        "«Мой дневник»"
    );
    assert_eq!(home.text("a#home-diary"), "Мой дневник");
    let res = student.get("/diary").await;
    assert_eq!(res.headers()["location"], format!("/diary/{}", f.ivan));
    for path in pages(f.ivan) {
        let (status, html) = student.page(&path).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        assert!(!html.contains("id=\"diary-children\""), "no picker");
        assert!(!html.contains("id=\"nav-me\""), "no parent's page");
    }
    let teacher = app.browser("teacher").await;
    let (status, html) = teacher.parsed(&format!("/diary/{}/marks", f.ivan)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.texts("#subjects strong.average")
            .contains(&"4,33".to_owned())
    );
    let other = app.browser("admin2").await;
    assert_eq!(
        other.page(&format!("/diary/{}", f.ivan)).await.0,
        StatusCode::NOT_FOUND
    );
}
