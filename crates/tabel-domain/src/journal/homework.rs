//! The homework limit of a school day (СанПиН).

/// The homework limit of a school day for a grade, in minutes (СанПиН 1.2.3685-21): grade 1 has
/// none at all.
pub fn homework_limit_minutes(grade: u8) -> u16 {
    match grade {
        0 | 1 => 0,
        2 | 3 => 90,
        4 | 5 => 120,
        6..=8 => 150,
        _ => 210,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn homework_limits_follow_the_sanitary_rules() {
        assert_eq!(homework_limit_minutes(1), 0);
        assert_eq!(homework_limit_minutes(3), 90);
        assert_eq!(homework_limit_minutes(5), 120);
        assert_eq!(homework_limit_minutes(8), 150);
        assert_eq!(homework_limit_minutes(11), 210);
    }
}
