//! Calendar dates and Astana local date-times of the regulation's forms.
//!
//! `dd.mm.yyyy` and `dd.mm.yyyy HH:MM`. The format check mirrors the JSON Schema
//! pattern exactly; whether the date exists is a separate rule, so a malformed value is
//! reported once as a format error and an impossible one once as a calendar error.

/// A real calendar date (proleptic Gregorian, year 1–9999).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Date {
    /// Year.
    pub year: u16,
    /// Month 1–12.
    pub month: u8,
    /// Day of the month.
    pub day: u8,
}

/// A local date and time in Astana time, to the minute (ordering is local-time order).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct LocalDateTime {
    /// The date.
    pub date: Date,
    /// Hour 0–23.
    pub hour: u8,
    /// Minute 0–59.
    pub minute: u8,
}

/// Why a text is not an acceptable date or date-time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CalendarError {
    /// Not of the form.
    Format,
    /// Of the form, but no such day or time.
    NoSuchDate,
}

fn leap(year: u16) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

/// Days in `month` of `year`.
pub fn days_in_month(year: u16, month: u8) -> u8 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap(year) => 29,
        2 => 28,
        _ => 0,
    }
}

fn number(bytes: &[u8]) -> u16 {
    bytes.iter().fold(0u16, |acc, b| acc * 10 + u16::from(b - b'0'))
}

fn digits_at(bytes: &[u8], positions: std::ops::Range<usize>) -> bool {
    bytes.get(positions).is_some_and(|s| s.iter().all(u8::is_ascii_digit))
}

impl Date {
    /// Builds a date, checking that it exists.
    pub fn new(year: u16, month: u8, day: u8) -> Option<Date> {
        if year == 0 || !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
            return None;
        }
        Some(Date { year, month, day })
    }

    /// Parses `dd.mm.yyyy`.
    pub fn parse(text: &str) -> Result<Date, CalendarError> {
        let b = text.as_bytes();
        if b.len() != 10
            || !digits_at(b, 0..2)
            || b[2] != b'.'
            || !digits_at(b, 3..5)
            || b[5] != b'.'
            || !digits_at(b, 6..10)
        {
            return Err(CalendarError::Format);
        }
        let day = number(&b[0..2]) as u8;
        let month = number(&b[3..5]) as u8;
        Date::new(number(&b[6..10]), month, day).ok_or(CalendarError::NoSuchDate)
    }
}

impl LocalDateTime {
    /// Parses `dd.mm.yyyy HH:MM`.
    pub fn parse(text: &str) -> Result<LocalDateTime, CalendarError> {
        let b = text.as_bytes();
        if b.len() != 16 || b[10] != b' ' || !digits_at(b, 11..13) || b[13] != b':' || !digits_at(b, 14..16) {
            return Err(CalendarError::Format);
        }
        let date = Date::parse(&text[..10])?;
        let hour = number(&b[11..13]) as u8;
        let minute = number(&b[14..16]) as u8;
        if hour > 23 || minute > 59 {
            return Err(CalendarError::NoSuchDate);
        }
        Ok(LocalDateTime { date, hour, minute })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert!(Date::parse("29.02.2024").is_ok());
        assert_eq!(Date::parse("29.02.2023"), Err(CalendarError::NoSuchDate));
        assert_eq!(Date::parse("29.02.1900"), Err(CalendarError::NoSuchDate));
        assert!(Date::parse("29.02.2000").is_ok());
        assert_eq!(Date::parse("31.04.2024"), Err(CalendarError::NoSuchDate));
        assert_eq!(Date::parse("1.02.2024"), Err(CalendarError::Format));
        assert_eq!(Date::parse("2024-02-01"), Err(CalendarError::Format));
        assert_eq!(Date::parse("01.02.2024 "), Err(CalendarError::Format));
        assert_eq!(Date::parse("01.02.٢٠٢٤"), Err(CalendarError::Format));
    }

    #[test]
    fn date_times() {
        assert!(LocalDateTime::parse("01.03.2024 00:00").is_ok());
        assert_eq!(LocalDateTime::parse("01.03.2024 24:00"), Err(CalendarError::NoSuchDate));
        assert_eq!(LocalDateTime::parse("01.03.2024 10:60"), Err(CalendarError::NoSuchDate));
        assert_eq!(LocalDateTime::parse("01.03.2024T10:00"), Err(CalendarError::Format));
        assert!(
            LocalDateTime::parse("01.03.2024 10:00").expect("ok")
                < LocalDateTime::parse("01.03.2024 10:01").expect("ok")
        );
    }
}
