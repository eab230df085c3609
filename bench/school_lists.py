#!/usr/bin/env python3
"""Writes a demo-sized school's set-up lists as CSV files (UTF-8, ';'): 27 classes with the
foreign language in two subgroups from grade 2 (48 groups), ~700 pupils with their subgroup,
~1,000 parents with a phone (and for some an e-mail) from the application for admission, ~50
staff, the curriculum, the load and a weekly timetable (the subgroups' lessons at the same hour)
— the input of bench/setup_import.sh. Deterministic: the same files every run."""
import csv, os, random, sys

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
rnd = random.Random(1)
LAST = ["Иванов", "Смирнов", "Кузнецов", "Попов", "Васильев", "Петров", "Соколов", "Михайлов",
        "Новиков", "Фёдоров", "Морозов", "Волков", "Алексеев", "Лебедев", "Семёнов", "Егоров",
        "Павлов", "Козлов", "Степанов", "Николаев", "Орлов", "Андреев", "Макаров", "Никитин"]
MALE = ["Александр", "Дмитрий", "Максим", "Сергей", "Андрей", "Алексей", "Артём", "Илья",
        "Кирилл", "Михаил", "Никита", "Матвей", "Роман", "Егор", "Арсений", "Иван"]
FEMALE = ["Анастасия", "Мария", "Анна", "Виктория", "Екатерина", "Наталья", "Марина",
          "Полина", "София", "Дарья", "Алиса", "Ксения", "Александра", "Елена", "Ольга"]
FATHER = ["Александр", "Сергей", "Андрей", "Дмитрий", "Алексей", "Михаил", "Игорь", "Олег",
          "Владимир", "Николай", "Павел", "Евгений"]
SUBJECTS = [("Русский язык", "Рус. яз.", 5), ("Литература", "Лит.", 3),
            ("Математика", "Матем.", 5), ("Иностранный язык", "Ин. яз.", 3),
            ("История", "Ист.", 2), ("Обществознание", "Общ.", 1), ("География", "Геогр.", 2),
            ("Биология", "Биол.", 2), ("Физика", "Физ.", 2), ("Химия", "Хим.", 2),
            ("Информатика", "Информ.", 1), ("Физическая культура", "Физ-ра", 2),
            ("Музыка", "Муз.", 1), ("Технология", "Техн.", 1), ("ОБЗР", "ОБЗР", 1)]


def female(last):
    return last[:-2] + "ова" if last.endswith("ов") else (
        last[:-2] + "ёва" if last.endswith("ёв") else (
            last[:-2] + "ева" if last.endswith("ев") else (
                last[:-2] + "ина" if last.endswith("ин") else last + "а")))


def patronymic(father, sex):
    stem = father[:-1] + "е" if father.endswith("й") else father
    if father.endswith("й"):
        return stem + ("вич" if sex == "m" else "вна")
    return father + ("ович" if sex == "m" else "овна")


def write(name, header, rows):
    with open(os.path.join(out, name), "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, delimiter=";")
        w.writerow(header)
        w.writerows(rows)


staff = []
for i in range(50):
    sex = "f" if i % 4 else "m"
    last = LAST[i % len(LAST)]
    first = (FEMALE if sex == "f" else MALE)[i % 15]
    middle = patronymic(FATHER[(i * 7) % len(FATHER)], sex)
    if sex == "f":
        last = female(last)
    staff.append((last, first, middle, f"{1 + i % 28:02d}.0{1 + i % 9}.19{70 + i % 25}"))
write("staff.csv", ["Фамилия", "Имя", "Отчество", "Дата рождения", "Должность", "Роли"],
      [(l, f, m, b, "учитель", "завуч, учитель" if i == 0 else "учитель")
       for i, (l, f, m, b) in enumerate(staff)])
short = [f"{l} {f} {m}" for (l, f, m, _) in staff]

classes = []
for grade in range(1, 12):
    for letter in "АБВ"[: 3 if grade <= 5 else 2]:
        classes.append(f"{grade}{letter}")
classes = classes[:27]
write("classes.csv", ["Класс", "Смена", "Классный руководитель"],
      [(c, 1, short[i]) for i, c in enumerate(classes)])
write("subjects.csv", ["Предмет", "Сокращение"], [(n, s) for (n, s, _) in SUBJECTS])
write("curriculum.csv", ["Параллель", "Предмет", "Часов в неделю"],
      [(g, n, h) for g in range(1, 12) for (n, _, h) in SUBJECTS])

LANGUAGE = "Иностранный язык"
split = [c for c in classes if int(c[:-1]) >= 2]
write("groups.csv", ["Группа", "Вид", "Классы", "Предмет"],
      [(f"{c} ин. яз. {k}", "подгруппа", c, LANGUAGE) for c in split for k in (1, 2)])

pupils, parents = [], []
number = 0
for c in classes:
    grade = int(c[:-1])
    for k in range(26):
        number += 1
        sex = "m" if rnd.random() < 0.5 else "f"
        last = rnd.choice(LAST)
        father = rnd.choice(FATHER)
        plast = female(last) if sex == "f" else last
        first = rnd.choice(MALE if sex == "m" else FEMALE)
        born = f"{rnd.randint(1, 28):02d}.{rnd.randint(1, 12):02d}.{2026 - 7 - grade}"
        group = f"{c} ин. яз. {1 + k % 2}" if c in split else ""
        pupils.append((plast, first, patronymic(father, sex), born, c, f"{number:04d}", group))
        mother = (female(last), rnd.choice(FEMALE), patronymic(rnd.choice(FATHER), "f"))
        phone = f"+7 912 {number // 100:03d}-{number % 100:02d}-{rnd.randint(10, 99)}"
        email = f"parent{number}@example.ru" if rnd.random() < 0.4 else ""
        basis = f"заявление о приёме № {number} от 25.08.2026"
        parents.append((" ".join(mother), "мать", f"{number:04d}", phone, email, basis))
        if rnd.random() < 0.45:
            parents.append((f"{last} {father} {patronymic(rnd.choice(FATHER), 'm')}", "отец",
                            f"{number:04d}", "", "", ""))
        if len(pupils) >= 700:
            break
    if len(pupils) >= 700:
        break
write("pupils.csv", ["Фамилия", "Имя", "Отчество", "Дата рождения", "Класс", "Номер", "Группы"],
      pupils)
write("parents.csv", ["ФИО", "Кем приходится", "Номер ученика", "Телефон", "E-mail",
                      "Основание"], parents)

load, timetable = [], []
busy = set()
def second(t):
    """The teacher of a class's second language subgroup."""
    return (t + 25) % 50


for ci, c in enumerate(classes):
    for si, (n, _, h) in enumerate(SUBJECTS):
        t = (ci * 3 + si) % 50
        if n == LANGUAGE and c in split:
            load.append((short[t], f"{c} ин. яз. 1", n, h))
            load.append((short[second(t)], f"{c} ин. яз. 2", n, h))
        else:
            load.append((short[t], c, n, h))
write("assignments.csv", ["Учитель", "Класс", "Предмет", "Часов в неделю"], load)
for ci, c in enumerate(classes):
    slot = 0
    for si, (n, _, h) in enumerate(SUBJECTS):
        t = (ci * 3 + si) % 50
        halves = n == LANGUAGE and c in split
        for _ in range(h):
            for tries in range(40):
                day, num = slot % 5 + 1, slot // 5 + 1
                slot += 1
                free = (t, day, num) not in busy and (
                    not halves or (second(t), day, num) not in busy)
                if free and num <= 7:
                    busy.add((t, day, num))
                    weekday = ["Пн", "Вт", "Ср", "Чт", "Пт"][day - 1]
                    if halves:
                        busy.add((second(t), day, num))
                        timetable.append((f"{c} ин. яз. 1", weekday, num, n, short[t],
                                          str(100 + ci)))
                        timetable.append((f"{c} ин. яз. 2", weekday, num, n,
                                          short[second(t)], str(200 + ci)))
                    else:
                        timetable.append((c, weekday, num, n, short[t], str(100 + ci)))
                    break
write("timetable.csv", ["Класс", "День", "Урок", "Предмет", "Учитель", "Кабинет"], timetable)
print(f"{len(pupils)} pupils, {len(parents)} parents, {len(staff)} staff, {len(classes)} "
      f"classes, {2 * len(split)} groups, {len(timetable)} timetable lines -> {out}")
